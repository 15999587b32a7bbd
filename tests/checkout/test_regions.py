"""Selling where the readers are: an order to each kind of destination, every figure checked.

Each test checks out through the shop's pages with a real address of the country, pays on
the local fake Stripe, then refunds through it: the lines, delivery, tax (and each line's
share of it), the total, what Stripe was asked for in its minor units, and the tax each
refund gives back.

- the United States (the demo shop: USD, sales tax added by state): Washington, which has a
  rate, and Montana, which has none (taxed at 0, and the admin is told);
- Canada from the same shop (nothing collected: the parcel's taxes are paid on import);
- the United Kingdom (a shop in pounds, 20 % VAT inside the prices);
- Germany (the EU shop: euros, the 19 % VAT of the country delivered to inside the prices);
- Japan (a shop in yen, a zero-decimal currency, with 10 % consumption tax inside).
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from storefront.extensions import db as _db
from storefront.orders.models import Order, OrderEvent, OrderStatus
from storefront.shipping.models import ShippingMethod, ShippingZone
from tests.factories import (
    JP_ADDRESS,
    US_ADDRESS,
    AdminFactory,
    ProductFactory,
    VariantFactory,
    add_to_cart,
    fill_checkout,
    japan_shop,
    press_pay,
    uk_shop,
)
from tests.helpers import login, submit
from tests.helpers.pages import Page, text
from tests.helpers.stripe_support import (
    deliver,
    load_order,
    pay_on_hosted_page,
    refund,
    session_items,
    stripe_refunds,
)

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")
D = Decimal

MONTANA = {"name": "Sam Ortiz", "line1": "1 N Last Chance Gulch", "city": "Helena",
           "country_area": "Montana", "postcode": "59601", "country": "US"}
TORONTO = {"name": "Avery Chen", "line1": "290 Bremner Blvd", "city": "Toronto",
           "country_area": "ON", "postcode": "m5v 3l9", "country": "CA",
           "phone": "416 555 0199"}
LONDON = {"name": "Priya Shah", "line1": "10 Downing Street", "city": "London",
          "postcode": "sw1a2aa", "country": "GB"}
BERLIN = {"name": "Jonas Weber", "line1": "Unter den Linden 77", "city": "Berlin",
          "postcode": "10117", "country": "DE", "phone": "030 1234567"}


def _product(make, name: str, price: str, size: str = "50 ml"):
    product = make(ProductFactory, name=name, variant=False)
    return make(VariantFactory, product=product, price=D(price), size_label=size,
                stock_on_hand=20)


def _buy(client, items, address: dict, shipping: str = "standard") -> str:
    """Fill the cart and every checkout step; the review page."""
    for variant, quantity in items:
        assert add_to_cart(client, variant.id, str(quantity)).status_code == 302
    return fill_checkout(client, email="reader@example.com", address=address,
                         shipping=shipping).get_data(as_text=True)


def _pay(app, client, fake) -> tuple[Order, str]:
    """Press "Pay", pay on Stripe's page, deliver Stripe's event: the paid order and its
    Stripe session."""
    response = press_pay(client)
    assert response.status_code == 303, response.get_data(as_text=True)
    session_id = urlsplit(response.headers["Location"]).path.rsplit("/", 1)[1]
    pay_on_hosted_page(fake, session_id)
    deliver(client, fake, "checkout.session.completed")
    with app.app_context():
        number = _db.session.scalar(select(Order.number).order_by(Order.id.desc()))
    order = load_order(app, number)
    assert order.status == OrderStatus.PAID
    return order, session_id


def _figures(order: Order) -> dict:
    return {"currency": order.currency, "subtotal": order.subtotal,
            "delivery": order.shipping_total, "tax": order.tax_total, "total": order.total,
            "rate": order.tax_rate, "tax name": order.tax_name,
            "delivery tax": order.shipping_tax, "included": order.prices_include_tax,
            "lines": [(line.sku, line.line_total, line.tax_amount) for line in order.lines]}


def _stripe(fake, session_id: str) -> tuple:
    session = fake.sessions[session_id]
    return session["amount_total"], session["currency"], session_items(fake, session_id)


def test_an_order_to_washington_adds_its_sales_tax_on_goods_and_delivery(
        app, client, us_shop, make, fake_stripe):
    cream = _product(make, "Barrier Cream", "24.50")
    serum = _product(make, "Calm Serum", "18.00", "30 ml")
    review = _buy(client, [(cream, 2), (serum, 1)], US_ADDRESS, shipping="express")
    assert "WA sales tax (6.5%)" in review
    assert "$5.33" in review
    assert "Pay $87.28" in review
    assert "SEATTLE, WA 98101" in review
    assert "Phone: +1 206-555-0143" in review

    order, session_id = _pay(app, client, fake_stripe)
    # 49.00 + 18.00 + express 14.95 = 81.95; 6.5 % of it = 5.32675 -> 5.33, shared
    # 3.19 / 1.17 over the lines and 0.97 on the delivery (Washington taxes delivery).
    assert _figures(order) == {
        "currency": "USD", "subtotal": D("67.00"), "delivery": D("14.95"), "tax": D("5.33"),
        "total": D("87.28"), "rate": D("0.0650"), "tax name": "WA sales tax",
        "delivery tax": D("0.97"), "included": False,
        "lines": [(cream.sku, D("49.00"), D("3.19")), (serum.sku, D("18.00"), D("1.17"))]}
    assert (order.shipping_country, order.shipping_country_area, order.shipping_postcode,
            order.shipping_phone) == ("US", "WA", "98101", "+12065550143")
    assert order.shipping_method_name == "Express shipping (1 or 2 working days)"
    assert _stripe(fake_stripe, session_id) == (8728, "usd", [
        ("Barrier Cream (50 ml)", 2450, 2), ("Calm Serum (30 ml)", 1800, 1),
        ("Express shipping (1 or 2 working days)", 1495, 1), ("WA sales tax (6.5%)", 533, 1)])

    refund(app, order.number, "10.00")
    refund(app, order.number, "77.28")
    refunded = load_order(app, order.number)
    # 10.00 of 87.28 carries 5.33 x 10 / 87.28 = 0.61 of tax; the rest the rest, 4.72.
    assert [(r.amount, r.tax_amount) for r in refunded.refunds] == [
        (D("10.00"), D("0.61")), (D("77.28"), D("4.72"))]
    assert refunded.status == OrderStatus.REFUNDED
    assert refunded.tax_refunded == D("5.33")
    assert stripe_refunds(fake_stripe, session_id) == [1000, 7728]


def test_a_state_without_a_rate_is_taxed_at_0_and_the_admin_is_told(
        app, client, us_shop, make, fake_stripe):
    cream = _product(make, "Barrier Cream", "24.50")
    review = _buy(client, [(cream, 1)], MONTANA)
    assert "Sales tax (0%)" in review
    assert "Pay $30.45" in review

    order, session_id = _pay(app, client, fake_stripe)
    assert _figures(order) == {
        "currency": "USD", "subtotal": D("24.50"), "delivery": D("5.95"), "tax": D("0.00"),
        "total": D("30.45"), "rate": D("0.0000"), "tax name": "Sales tax",
        "delivery tax": D("0.00"), "included": False, "lines": [(cream.sku, D("24.50"),
                                                                  D("0.00"))]}
    assert _stripe(fake_stripe, session_id) == (3045, "usd", [
        ("Barrier Cream (50 ml)", 2450, 1),
        ("Standard shipping (3 to 5 working days)", 595, 1)])
    with app.app_context():
        placed = _db.session.scalar(select(OrderEvent.note).where(
            OrderEvent.order_id == order.id, OrderEvent.kind == "placed"))
    assert "Montana has no tax rate, so no tax was charged" in placed

    refund(app, order.number, "30.45")
    assert [(r.amount, r.tax_amount) for r in load_order(app, order.number).refunds] == [
        (D("30.45"), D("0.00"))]
    assert stripe_refunds(fake_stripe, session_id) == [3045]

    admin = app.test_client()
    login(admin, make(AdminFactory).email)
    assert "are taxed at 0" in admin.get("/admin/").get_data(as_text=True)
    shipping = Page(admin.get("/admin/shipping").get_data(as_text=True))
    warning = shipping.text_of('.callout-warning[role="status"]')
    assert "so orders there are taxed at 0" in warning
    assert "Montana (US-MT)" in warning
    assert "Washington" not in warning


def test_an_order_to_canada_from_the_us_shop_charges_no_tax_and_says_why(
        app, client, us_shop, make, fake_stripe):
    cream = _product(make, "Barrier Cream", "24.50")
    review = _buy(client, [(cream, 2)], TORONTO, shipping="international shipping")
    assert "Paid on import (0%)" in review
    assert "Pay $63.95" in review
    assert "TORONTO ON M5V 3L9" in review

    order, session_id = _pay(app, client, fake_stripe)
    assert _figures(order) == {
        "currency": "USD", "subtotal": D("49.00"), "delivery": D("14.95"), "tax": D("0.00"),
        "total": D("63.95"), "rate": D("0.0000"), "tax name": "Paid on import",
        "delivery tax": D("0.00"), "included": False,
        "lines": [(cream.sku, D("49.00"), D("0.00"))]}
    assert (order.shipping_country_area, order.shipping_postcode, order.shipping_phone) == (
        "ON", "M5V 3L9", "+14165550199")
    assert _stripe(fake_stripe, session_id) == (6395, "usd", [
        ("Barrier Cream (50 ml)", 2450, 2),
        ("International shipping (6 to 10 working days)", 1495, 1)])

    refund(app, order.number, "63.95")
    assert [(r.amount, r.tax_amount) for r in load_order(app, order.number).refunds] == [
        (D("63.95"), D("0.00"))]
    assert stripe_refunds(fake_stripe, session_id) == [6395]


def test_an_order_to_the_uk_in_pounds_has_the_vat_inside_its_prices(
        app, client, make, fake_stripe, monkeypatch):
    uk_shop(app, monkeypatch)
    cream = _product(make, "Barrier Cream", "24.50")
    serum = _product(make, "Calm Serum", "18.00", "30 ml")
    review = _buy(client, [(cream, 1), (serum, 1)], LONDON, shipping="royal mail")
    assert "incl. VAT (20%)" in review
    assert "£7.08" in review
    assert "Pay £42.50" in review
    assert "SW1A 2AA" in review

    order, session_id = _pay(app, client, fake_stripe)
    # 42.50 reaches the free delivery (from 40.00); the VAT inside: 42.50 / 6 = 7.083 ->
    # 7.08, shared 4.08 / 3.00.
    assert _figures(order) == {
        "currency": "GBP", "subtotal": D("42.50"), "delivery": D("0.00"), "tax": D("7.08"),
        "total": D("42.50"), "rate": D("0.2000"), "tax name": "VAT",
        "delivery tax": D("0.00"), "included": True,
        "lines": [(cream.sku, D("24.50"), D("4.08")), (serum.sku, D("18.00"), D("3.00"))]}
    assert _stripe(fake_stripe, session_id) == (4250, "gbp", [
        ("Barrier Cream (50 ml)", 2450, 1), ("Calm Serum (30 ml)", 1800, 1)])

    refund(app, order.number, "18.00")  # the serum sent back
    assert [(r.amount, r.tax_amount) for r in load_order(app, order.number).refunds] == [
        (D("18.00"), D("3.00"))]
    assert stripe_refunds(fake_stripe, session_id) == [1800]


def test_an_order_to_germany_from_the_eu_shop_has_german_vat_inside(
        app, client, make, fake_stripe):
    cream = _product(make, "Barrier Cream", "24.50")
    review = _buy(client, [(cream, 2)], BERLIN)
    assert "incl. VAT (19%)" in review
    assert "€8.61" in review
    assert "Pay €53.90" in review
    assert "10117 BERLIN" in review

    order, session_id = _pay(app, client, fake_stripe)
    # 49.00 + 4.90 = 53.90 with 19 % inside: 8.606 -> 8.61, shared 7.83 / 0.78.
    assert _figures(order) == {
        "currency": "EUR", "subtotal": D("49.00"), "delivery": D("4.90"), "tax": D("8.61"),
        "total": D("53.90"), "rate": D("0.1900"), "tax name": "VAT",
        "delivery tax": D("0.78"), "included": True,
        "lines": [(cream.sku, D("49.00"), D("7.83"))]}
    assert order.shipping_phone == "+49301234567"
    assert _stripe(fake_stripe, session_id) == (5390, "eur", [
        ("Barrier Cream (50 ml)", 2450, 2),
        ("Standard delivery (3 to 5 working days)", 490, 1)])

    refund(app, order.number, "10.00")
    assert [(r.amount, r.tax_amount) for r in load_order(app, order.number).refunds] == [
        (D("10.00"), D("1.60"))]
    assert stripe_refunds(fake_stripe, session_id) == [1000]


def test_an_order_to_japan_in_yen_is_whole_yen_everywhere(
        app, client, make, fake_stripe, monkeypatch):
    japan_shop(app, monkeypatch)
    lotion = _product(make, "Rice Lotion", "1500", "150 ml")
    review = _buy(client, [(lotion, 2)], JP_ADDRESS)
    assert "incl. Consumption tax (10%)" in review
    assert "Pay ￥3,500" in review
    assert "26-1 Sakuragaoka-cho, TOKYO" in review
    assert "150-8512" in review

    order, session_id = _pay(app, client, fake_stripe)
    # 3,000 + 500 delivery with 10 % inside: 318.18 -> ¥318, shared 273 / 45.
    assert _figures(order) == {
        "currency": "JPY", "subtotal": D("3000.00"), "delivery": D("500.00"),
        "tax": D("318.00"), "total": D("3500.00"), "rate": D("0.1000"),
        "tax name": "Consumption tax", "delivery tax": D("45.00"), "included": True,
        "lines": [(lotion.sku, D("3000.00"), D("273.00"))]}
    assert (order.shipping_country_area, order.shipping_postcode) == ("東京都", "150-8512")
    assert _stripe(fake_stripe, session_id) == (3500, "jpy", [
        ("Rice Lotion (150 ml)", 1500, 2), ("Standard delivery (2 or 3 working days)", 500, 1)])

    refund(app, order.number, "1000.4")  # rounded to whole yen
    assert [(r.amount, r.tax_amount) for r in load_order(app, order.number).refunds] == [
        (D("1000.00"), D("91.00"))]
    assert stripe_refunds(fake_stripe, session_id) == [1000]


# -- The address form, and addresses nothing reaches -----------------------------------------

def _to_address_step(client, make) -> None:
    assert add_to_cart(client, _product(make, "Barrier Cream", "24.50").id).status_code == 302
    assert submit(client, "/checkout/email", {"email": "reader@example.com"}).status_code == 302


def test_the_address_form_asks_for_what_the_chosen_country_needs(client, us_shop, make):
    _to_address_step(client, make)
    page = client.get("/checkout/address").get_data(as_text=True)
    countries = Page(page).all('select[name="country"] option')
    assert [option["value"] for option in countries if option["value"]] == ["CA", "US"], \
        "only the countries the shop delivers to"
    assert '<option selected value="US">United States</option>' in page
    assert ">State</label>" in page
    assert '<option value="WA">Washington</option>' in page
    assert ">ZIP code</label>" in page
    assert "Update the form for this country" in page
    assert "js/address." in page, "the script that swaps the fields without a reload"

    typed = {"country": "CA", "name": "Avery Chen", "line1": "290 Bremner Blvd",
             "action": "country"}
    switched = submit(client, "/checkout/address", typed)
    html = switched.get_data(as_text=True)
    assert switched.status_code == 200
    assert 'class="field-error"' not in html
    assert '<option selected value="CA">Canada</option>' in html
    assert ">Province</label>" in html
    assert '<option value="ON">Ontario</option>' in html
    assert ">Postcode</label>" in html
    assert "ZIP code" not in html
    assert 'value="Avery Chen"' in html
    assert 'value="290 Bremner Blvd"' in html

    missing = submit(client, "/checkout/address", {**typed, "action": "continue"})
    assert missing.status_code == 422
    errors = [(error["id"].removesuffix("-error"), text(error))
              for error in Page(missing.get_data(as_text=True)).all(".field-error[id$='-error']")]
    assert errors == [("city", "Enter the town or city."), ("country_area", "Choose the "
                      "province."), ("postcode", "Enter the postcode.")]
    done = submit(client, "/checkout/address", {**TORONTO, "action": "continue"})
    assert (done.status_code, done.headers["Location"]) == (302, "/checkout/delivery")


def test_an_address_nothing_is_delivered_to_gets_a_message_before_payment(
        app, client, us_shop, make):
    _to_address_step(client, make)
    japan = submit(client, "/checkout/address", JP_ADDRESS)
    assert japan.status_code == 422
    assert ("Sorry, we don&#39;t deliver to this country (Japan) at the moment. Please choose "
            "one of the countries in the list.") in japan.get_data(as_text=True)

    with app.app_context():
        zone = _db.session.scalar(select(ShippingZone).where(
            ShippingZone.name == "Alaska and Hawaii"))
        zone.methods.clear()  # the zone stays: Alaska is no longer delivered to
        _db.session.commit()
    alaska = submit(client, "/checkout/address", {
        **MONTANA, "city": "Juneau", "country_area": "AK", "postcode": "99801"})
    assert alaska.status_code == 422
    assert Page(alaska.get_data(as_text=True)).text_of("#country_area-error") == (
        "Sorry, we don't deliver to Alaska at the moment.")
    with app.app_context():
        assert _db.session.scalar(select(Order.id)) is None


def test_a_zone_changed_after_the_review_sends_the_shopper_back_not_to_a_failed_order(
        app, client, us_shop, make):
    cream = _product(make, "Barrier Cream", "24.50")
    stale = fill_checkout_with(client, cream, US_ADDRESS, "express")
    with app.app_context():
        express = _db.session.scalar(select(ShippingMethod).where(
            ShippingMethod.name == "Express shipping"))
        express.active = False
        _db.session.commit()

    paying = press_pay(client, review_page=stale)
    assert paying.status_code == 303
    assert paying.headers["Location"] == "/checkout/delivery"
    page = client.get("/checkout/delivery").get_data(as_text=True)
    assert "The delivery you chose no longer reaches your address" in page
    assert "Express shipping" not in Page(page).text_of("fieldset")
    with app.app_context():
        assert _db.session.scalar(select(Order.id)) is None

    fill_checkout(client, email=None, address=US_ADDRESS)
    with app.app_context():
        for zone in _db.session.scalars(select(ShippingZone)).all():
            _db.session.delete(zone)
        _db.session.commit()
    review = client.get("/checkout/review")
    assert review.status_code == 303
    assert review.headers["Location"] == "/checkout/address"
    page = client.get("/checkout/address").get_data(as_text=True)
    assert "we don&#39;t deliver to this country (United States) at the moment." in page
    assert "We are not taking orders for delivery at the moment." in page
    with app.app_context():
        assert _db.session.scalar(select(Order.id)) is None


def fill_checkout_with(client, variant, address: dict, shipping: str):
    assert add_to_cart(client, variant.id).status_code == 302
    return fill_checkout(client, email="reader@example.com", address=address,
                         shipping=shipping)
