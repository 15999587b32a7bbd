"""Checkout through the test client: every step, the demo provider, e-mail and stock."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

from sqlalchemy import func, select

from storefront.cart import services as cart_services
from storefront.cart.models import CartLine
from storefront.catalog.models import Variant
from storefront.extensions import db
from storefront.inventory.models import StockMovement, StockReason
from storefront.orders import services as order_services
from storefront.orders.models import Order, OrderStatus, PaymentStatus
from storefront.orders.payment_providers import PaymentUnavailable, register_provider
from tests.factories import (
    ADDRESS,
    DiscountCodeFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    add_to_cart,
    fill_checkout,
    pay_with_demo,
    press_pay,
)
from tests.helpers import csrf_from, first_link, html_part, login, submit, text_part
from tests.helpers.pages import Page


def _variant(make, **kw):
    product = make(ProductFactory, name=kw.pop("name", "Barrier Cream"), variant=False)
    return make(VariantFactory, product=product, **kw)


def _order(app, number=None):
    with app.app_context():
        query = select(Order).order_by(Order.id.desc())
        if number:
            query = query.where(Order.number == number)
        order = db.session.scalars(query).first()
        order.lines, order.payments  # noqa: B018  (load before the context closes)
        db.session.expunge(order)
        return order


def _stock(app, variant_id):
    with app.app_context():
        variant = db.session.get(Variant, variant_id)
        return variant.stock_on_hand, variant.stock_reserved


def test_guest_journey_from_cart_to_confirmation_email(client, make, app, mailbox):
    variant = _variant(make, price=Decimal("24.50"), stock_on_hand=10, size_label="50 ml")
    assert add_to_cart(client, variant.id, "2").status_code == 302
    review = fill_checkout(client, email="Maya@Example.com").get_data(as_text=True)
    assert "Barrier Cream" in review
    assert "€49.00" in review
    assert "maya@example.com" in review
    assert "1015 CJ" in review

    paid = pay_with_demo(client, "approve")
    assert paid.status_code == 302
    confirmation = client.get(paid.headers["Location"])
    page = confirmation.get_data(as_text=True)
    assert confirmation.status_code == 200
    assert "Thank you for your order" in page
    assert "Your payment was received" in page

    order = _order(app)
    assert order.status is OrderStatus.PAID
    assert order.email == "maya@example.com"
    assert order.user_id is None
    assert order.subtotal == Decimal("49.00")
    assert order.shipping_total == Decimal("4.90")
    # Dutch VAT (21 %) is inside the prices: 53.90 * 21 / 121 = 9.354; the lines keep their
    # share of it, the delivery its own.
    assert order.total == Decimal("53.90")
    assert order.tax_total == Decimal("9.35")
    assert (order.tax_name, order.tax_rate, order.shipping_tax) == ("VAT", Decimal("0.21"),
                                                                    Decimal("0.85"))
    assert [(line.tax_rate, line.tax_amount) for line in order.lines] == [
        (Decimal("0.21"), Decimal("8.50"))]
    assert [p.status for p in order.payments] == [PaymentStatus.SUCCEEDED]
    line = order.lines[0]
    assert (line.sku, line.product_name, line.size_label) == (variant.sku, "Barrier Cream",
                                                               "50 ml")
    assert (line.unit_price, line.quantity, line.line_total) == (Decimal("24.50"), 2,
                                                                 Decimal("49.00"))

    assert _stock(app, variant.id) == (8, 0)
    with app.app_context():
        movements = db.session.scalars(select(StockMovement).where(
            StockMovement.variant_id == variant.id)).all()
        assert [(m.quantity_change, m.on_hand_before, m.on_hand_after, m.reason, m.order_id)
                for m in movements] == [(-2, 10, 8, StockReason.SALE, order.id)]

    assert [m["To"] for m in mailbox] == ["maya@example.com"]
    message = mailbox[0]
    assert order.number in message["Subject"]
    text, html = text_part(message), html_part(message)
    for body in (text, html):
        assert "Barrier Cream" in body
        assert "€53.90" in body
        assert "Keizersgracht 1" in body
    link = first_link(text, "/orders/view/")
    guest_page = client.get(urlsplit(link).path)
    assert guest_page.status_code == 200
    assert order.number in guest_page.get_data(as_text=True)

    cart = client.get("/cart/").get_data(as_text=True)
    assert "Your cart is empty" in cart


def test_logged_in_journey_prefills_the_email_and_lists_the_order(client, make, app, mailbox):
    user = make(UserFactory, email="ines@example.com")
    variant = _variant(make, price=Decimal("30.00"))
    login(client, user.email)
    add_to_cart(client, variant.id, "2")
    page = client.get("/checkout/email").get_data(as_text=True)
    assert 'value="ines@example.com"' in page
    fill_checkout(client, email="ines@example.com", shipping="express")
    paid = pay_with_demo(client)
    assert "Thank you for your order" in client.get(paid.headers["Location"]).get_data(
        as_text=True)
    order = _order(app)
    assert order.user_id == user.id
    assert order.shipping_total == Decimal("9.90")
    assert order.total == Decimal("69.90")
    assert order.number in client.get("/account/orders").get_data(as_text=True)
    assert "/account/orders/" in text_part(mailbox[0])


def test_decline_sends_the_shopper_back_to_checkout_with_the_reason(client, make, app):
    variant = _variant(make, stock_on_hand=4)
    add_to_cart(client, variant.id, "3")
    fill_checkout(client)
    response = pay_with_demo(client, "decline")
    assert response.status_code == 302
    assert response.headers["Location"] == "/checkout/review"
    page = client.get("/checkout/review").get_data(as_text=True)
    assert "Your payment didn&#39;t go through: The demo card was declined." in page
    assert _order(app).status is OrderStatus.PAYMENT_FAILED
    assert _stock(app, variant.id) == (4, 0)
    assert "€60.00" in client.get("/cart/").get_data(as_text=True), "the cart is intact"


def test_going_back_to_change_the_address_keeps_the_other_answers(client, make):
    variant = _variant(make)
    add_to_cart(client, variant.id)
    fill_checkout(client, shipping="express", email="maya@example.com")
    page = client.get("/checkout/address").get_data(as_text=True)
    assert 'value="Keizersgracht 1"' in page
    assert 'value="1015 CJ"' in page
    response = submit(client, "/checkout/address",
                      {**ADDRESS, "line1": "Prinsengracht 263", "postcode": "1016 GV"})
    assert response.headers["Location"] == "/checkout/review"
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "Prinsengracht 263" in review
    assert "Keizersgracht" not in review
    assert "maya@example.com" in review
    assert "Express delivery" in review
    delivery = client.get("/checkout/delivery").get_data(as_text=True)
    delivery_page = Page(delivery)
    chosen = delivery_page.one("input#method-1")
    assert (chosen["type"], chosen["name"]) == ("radio", "method")
    assert chosen.has_attr("checked")
    assert chosen.has_attr("required")
    assert chosen["value"].isdigit()
    assert delivery_page.text_of('label[for="method-1"]').startswith("Express delivery")


def test_steps_cannot_be_skipped_and_an_empty_cart_cannot_check_out(client, make):
    response = client.get("/checkout/review")
    assert response.status_code == 302
    assert response.headers["Location"] == "/cart/"
    assert "Your cart is empty." in client.get("/cart/").get_data(as_text=True)
    add_to_cart(client, _variant(make).id)
    assert client.get("/checkout/review").headers["Location"] == "/checkout/email"
    assert client.get("/checkout/").headers["Location"] == "/checkout/email"
    submit(client, "/checkout/email", {"email": "maya@example.com"})
    assert client.get("/checkout/delivery").headers["Location"] == "/checkout/address"
    response = client.post("/checkout/pay", data={"csrf_token": "x"})
    assert response.status_code == 400


def test_address_and_email_are_checked(client, make):
    add_to_cart(client, _variant(make).id)
    response = submit(client, "/checkout/email", {"email": "not-an-email"})
    assert response.status_code == 422
    assert "Enter an e-mail address like" in response.get_data(as_text=True)
    submit(client, "/checkout/email", {"email": "maya@example.com"})
    for change, message in [
        ({"postcode": "ABC"}, "Enter a postcode like 1234 AB."),
        ({"country": "DE", "postcode": "1234"}, "Enter a postcode like 26133."),
        ({"country": "XX"}, "Choose a country from the list."),
        ({"name": ""}, "Enter the name of the person receiving the parcel."),
        ({"phone": "call me maybe"}, "Enter a phone number that can be called"),
        ({"city": "x" * 101}, "Use at most 100 characters."),
    ]:
        response = submit(client, "/checkout/address", {**ADDRESS, **change})
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), change
    response = submit(client, "/checkout/address", {**ADDRESS, "country": "DE",
                                                    "postcode": " 10115 "})
    assert response.status_code == 302


def test_standard_delivery_is_free_from_the_threshold(client, make):
    variant = _variant(make, price=Decimal("25.00"))
    add_to_cart(client, variant.id, "2")
    fill_checkout(client)
    page = client.get("/checkout/delivery").get_data(as_text=True)
    assert "Standard delivery (3 to 5 working days) — free" in page
    assert "Express delivery (1 or 2 working days) — €9.90" in page
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "Pay €50.00" in review
    assert "incl. VAT" in review


def test_an_unknown_delivery_method_is_refused(client, make):
    add_to_cart(client, _variant(make).id)
    fill_checkout(client)
    response = submit(client, "/checkout/delivery", {"method": "drone"})
    assert response.status_code == 422


class _BrokenProvider:
    name = "broken"
    label = "Always down"

    def start(self, order, *, success_url, cancel_url):
        raise PaymentUnavailable("Connection refused")

    def refund(self, payment, amount):
        raise PaymentUnavailable("Connection refused")


def test_payment_service_unavailable_keeps_the_cart_and_frees_the_stock(client, make, app,
                                                                        monkeypatch):
    register_provider("broken")(_BrokenProvider)
    monkeypatch.setitem(app.config, "PAYMENT_PROVIDER", "broken")
    variant = _variant(make, stock_on_hand=2)
    add_to_cart(client, variant.id, "2")
    fill_checkout(client)
    response = press_pay(client)
    assert response.status_code == 503
    assert "The payment service is unavailable; your cart is saved." in response.get_data(
        as_text=True)
    order = _order(app)
    assert order.status is OrderStatus.CANCELLED
    assert _stock(app, variant.id) == (2, 0)
    with app.app_context():
        pending = db.session.scalar(select(func.count()).select_from(Order).where(
            Order.status == OrderStatus.PENDING_PAYMENT))
        assert pending == 0
    assert "€40.00" in client.get("/cart/").get_data(as_text=True)
    assert client.get("/checkout/review").status_code == 200, "the answers are kept"


def test_stock_gone_at_pay_time_sends_the_shopper_to_the_cart(client, make, app):
    variant = _variant(make, name="Last Jar", stock_on_hand=3)
    add_to_cart(client, variant.id, "3")
    fill_checkout(client)
    page = client.get("/checkout/review")
    with app.app_context():
        db.session.get(Variant, variant.id).stock_reserved = 2
        db.session.commit()
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/checkout/pay", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/cart/"
    cart = client.get("/cart/").get_data(as_text=True)
    assert "Only 1 of Last Jar (30 ml) is left. Please lower the quantity." in cart
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert _stock(app, variant.id) == (3, 2)


def test_stock_taken_between_the_check_and_the_reservation_leaves_no_order(client, make, app,
                                                                           monkeypatch):
    variant = _variant(make, name="Last Jar", stock_on_hand=3)
    add_to_cart(client, variant.id, "3")
    fill_checkout(client)
    monkeypatch.setattr(cart_services, "cart_problems", lambda cart: [])
    with app.app_context():
        db.session.get(Variant, variant.id).stock_on_hand = 1
        db.session.commit()
    response = press_pay(client)
    assert response.headers["Location"] == "/cart/"
    assert "Not enough stock: Last Jar (30 ml): only 1 left (you wanted 3)." in client.get(
        "/cart/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert _stock(app, variant.id) == (1, 0)


def test_a_shopper_who_gives_up_paying_returns_to_the_review(client, make, app):
    variant = _variant(make, stock_on_hand=2)
    add_to_cart(client, variant.id)
    fill_checkout(client)
    press_pay(client)
    order = _order(app)
    response = client.get(f"/checkout/orders/{order.number}/cancelled")
    assert response.headers["Location"] == "/checkout/review"
    assert "The payment was cancelled and nothing was charged." in client.get(
        "/checkout/review").get_data(as_text=True)
    assert _order(app).status is OrderStatus.PAYMENT_FAILED
    assert _stock(app, variant.id) == (2, 0)


def test_the_demo_page_says_no_money_moves_and_refuses_bad_links(client, make, app):
    add_to_cart(client, _variant(make, price=Decimal("12.34")).id)
    fill_checkout(client)
    response = press_pay(client)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Demo payment — no money moves" in page
    assert "€17.24" in page
    assert "Approve payment" in page
    assert "Decline payment" in page
    assert client.get("/pay/demo/forged-token").status_code == 404
    bad = submit(client, urlsplit(response.headers["Location"]).path, {"action": "steal"})
    assert bad.status_code == 400


def test_paying_again_frees_the_stock_of_the_earlier_attempt(client, make, app):
    variant = _variant(make, name="Only One", stock_on_hand=1)
    add_to_cart(client, variant.id)
    fill_checkout(client)
    first = press_pay(client)
    assert first.status_code == 303
    abandoned = _order(app)
    paid = pay_with_demo(client, "approve")  # the shopper went back and pressed Pay again
    assert "Thank you for your order" in client.get(paid.headers["Location"]).get_data(
        as_text=True)
    assert _order(app, abandoned.number).status is OrderStatus.PAYMENT_FAILED
    assert _order(app).status is OrderStatus.PAID
    assert _stock(app, variant.id) == (0, 0)


def test_an_order_placed_as_a_guest_empties_the_account_cart_after_log_in(client, make, app):
    user = make(UserFactory)
    bought, kept = _variant(make, name="Bought"), _variant(make, name="Kept")
    add_to_cart(client, bought.id)
    fill_checkout(client)
    response = press_pay(client)
    demo_path = urlsplit(response.headers["Location"]).path
    login(client, user.email)
    add_to_cart(client, kept.id)
    submit(client, demo_path, {"action": "approve"})
    page = client.get("/cart/").get_data(as_text=True)
    assert "Kept" in page
    assert "Bought" not in page


def test_very_large_ids_are_refused_cleanly(client, make):
    for variant_id in ("999999999999", "2147483648"):
        assert add_to_cart(client, variant_id).status_code == 404
    response = submit(client, "/cart/update", {"line_id": "999999999999", "quantity": "1"},
                      form_url="/account/login")
    assert response.status_code == 404
    assert client.get("/checkout/orders/" + "X" * 500).status_code == 404
    assert client.get("/orders/view/" + "x" * 500).status_code == 404


def test_prices_without_tax_add_vat_on_top(client, make, app, monkeypatch):
    monkeypatch.setitem(app.config, "PRICES_INCLUDE_TAX", False)
    variant = _variant(make, price=Decimal("10.05"))
    add_to_cart(client, variant.id)
    review = fill_checkout(client).get_data(as_text=True)
    assert "VAT (21%)" in review
    assert "€3.14" in review  # (10.05 + 4.90) * 0.21 = 3.1395
    assert "Pay €18.09" in review
    pay_with_demo(client)
    order = _order(app)
    assert (order.tax_total, order.total, order.prices_include_tax) == (
        Decimal("3.14"), Decimal("18.09"), False)


def test_a_code_that_stops_applying_is_caught_at_pay_time(client, make, app):
    make(DiscountCodeFactory, code="BIGBASKET", minimum_subtotal=Decimal("40.00"))
    variant = _variant(make, price=Decimal("20.00"))
    add_to_cart(client, variant.id, "2")
    fill_checkout(client, code="BIGBASKET")
    with app.app_context():
        line_id = db.session.scalar(select(CartLine.id))
    submit(client, "/cart/update", {"line_id": line_id, "quantity": "1"}, form_url="/cart/")
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "The code BIGBASKET needs a subtotal of at least €40.00" in review
    response = press_pay(client)
    assert response.headers["Location"] == "/checkout/discount"
    page = client.get("/checkout/discount").get_data(as_text=True)
    assert "needs a subtotal of at least €40.00" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_approving_after_the_stock_went_elsewhere_refunds_and_says_so(client, make, app,
                                                                      mailbox):
    variant = _variant(make, name="Last Jar", stock_on_hand=1)
    add_to_cart(client, variant.id)
    fill_checkout(client)
    response = press_pay(client)
    demo_path = urlsplit(response.headers["Location"]).path
    order = _order(app)
    with app.app_context():
        order_services.payment_expired(db.session.get(Order, order.id))
        db.session.get(Variant, variant.id).stock_on_hand = 0
        db.session.commit()
    approved = submit(client, demo_path, {"action": "approve"}, form_url="/account/login")
    page = client.get(approved.headers["Location"]).get_data(as_text=True)
    assert "Your payment has been refunded in full" in page
    assert "the items were no longer available" in page
    assert _order(app).status is OrderStatus.REFUNDED
    assert [m["Subject"] for m in mailbox] == [f"Your order {order.number}: payment refunded"]
    assert "could not fulfil the order" in text_part(mailbox[0])


def test_pay_on_a_stale_review_tab_shows_the_changed_order_again(client, make, app):
    """Red-team issue 13, finding 11: the review showed €19.50, another tab added items;
    "Pay" on the old tab must not start a €104.00 payment."""
    serum = _variant(make, name="Calm Serum", price=Decimal("14.60"))
    cream = _variant(make, name="Rich Cream", price=Decimal("89.40"))
    add_to_cart(client, serum.id)
    stale = fill_checkout(client)
    assert "Pay €19.50" in stale.get_data(as_text=True)
    add_to_cart(client, cream.id)  # in another tab

    response = press_pay(client, review_page=stale)
    assert response.status_code == 303
    assert response.headers["Location"] == "/checkout/review"
    with app.app_context():
        assert db.session.scalar(select(Order.id)) is None, "no order, no payment"
    assert _stock(app, serum.id)[1] == 0
    assert _stock(app, cream.id)[1] == 0
    review = client.get("/checkout/review")
    page = review.get_data(as_text=True)
    assert "Your order changed after you reviewed it" in page
    assert "Rich Cream" in page
    assert "Pay €104.00" in page

    paying = press_pay(client, review_page=review)
    assert paying.status_code == 303
    assert paying.headers["Location"].startswith("/pay/demo/")
    assert _order(app).total == Decimal("104.00")


def test_pay_without_what_was_reviewed_shows_the_review(client, make, app):
    add_to_cart(client, _variant(make).id)
    fill_checkout(client)
    token = csrf_from(client.get("/checkout/review").get_data(as_text=True))
    response = client.post("/checkout/pay", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/checkout/review"
    with app.app_context():
        assert db.session.scalar(select(Order.id)) is None
