"""Whole journeys in a real browser, on a desktop screen and on a phone."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")

import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select

from storefront.accounts import address_book
from storefront.accounts.services import find_user_by_email
from storefront.cart import services as carts
from storefront.catalog.models import Product, Variant
from storefront.content.models import Article
from storefront.discounts.models import DiscountCode, DiscountKind
from storefront.extensions import db
from storefront.orders.models import Order, OrderLine, OrderStatus
from tests.helpers import text_part
from tests.helpers.browser import shopper

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")
BOTH_SCREENS = pytest.mark.parametrize("screen", ["desktop", "phone"])


def order_in_db(live_shop, number: str) -> Order:
    with live_shop.app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        db.session.expunge(order)
        return order


def source_articles(live_shop, number: str) -> list[str]:
    """The articles the order's lines were bought from (the cart remembers them)."""
    with live_shop.app.app_context():
        return list(db.session.scalars(
            select(Article.slug).join(OrderLine, OrderLine.source_article_id == Article.id)
            .join(Order).where(Order.number == number)))


@BOTH_SCREENS
def test_a_reader_buys_the_retinoid_an_article_recommends(page: Page, live_shop, inbox,
                                                          unique_email):
    email = unique_email("reader")
    number = shopper.buy_recommended_retinoid(page, email)

    expect(page.get_by_text("Your payment was received")).to_be_visible()
    expect(page.get_by_text(f"We've sent a confirmation to {email}")).to_be_visible()
    order = order_in_db(live_shop, number)
    assert order.status is OrderStatus.PAID
    assert order.total == Decimal("40.42")
    assert (order.currency, order.tax_total, order.shipping_country,
            order.shipping_country_area) == ("USD", Decimal("2.47"), "US", "WA")
    assert source_articles(live_shop, number) == ["what-causes-milia"]

    [mail] = inbox(email, f"Your order {number} is confirmed")
    body = text_part(mail)
    assert "Retinol 0.3% Night Serum" in body
    assert "$40.42" in body
    assert "SEATTLE, WA 98101" in body


@pytest.fixture
def discount_code(live_shop):
    """A 10 % code, made the way an admin would have made it."""
    with live_shop.app.app_context():
        code = db.session.scalar(select(DiscountCode).where(DiscountCode.code == "SUNNY10"))
        if code is None:
            db.session.add(DiscountCode(code="SUNNY10", kind=DiscountKind.PERCENT,
                                        value=Decimal("10"), description="Summer"))
            db.session.commit()
    return "sunny10"


@pytest.fixture
def stripe_checkout(live_shop, stripe_server, monkeypatch):
    """The live shop takes card payments through the fake Stripe and its hosted page."""
    stripe_server.reset()
    stripe_server.webhook_secret = "whsec_browser_0123456789abcdef"
    settings = {
        "PAYMENT_PROVIDER": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_browser_0123456789",
        "STRIPE_API_BASE": stripe_server.base_url,
        "STRIPE_WEBHOOK_SECRET": stripe_server.webhook_secret,
        "STRIPE_TIMEOUT": 5.0,
        "CSP_FORM_ACTION_EXTRA": [stripe_server.base_url],  # its hosted payment page
    }
    for key, value in settings.items():
        monkeypatch.setitem(live_shop.app.config, key, value)
    return stripe_server


def deliver_webhooks(live_shop, fake) -> list[dict]:
    """Stripe calls the shop's webhook over HTTP with the events it has queued."""
    answers = []
    while fake.events:
        event = fake.events.pop(0)
        response = requests.post(f"{live_shop.url}/stripe/webhook", data=event.payload,
                                 headers={"Content-Type": "application/json",
                                          "Stripe-Signature": event.signature}, timeout=10)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    return answers


@BOTH_SCREENS
def test_a_shopper_searches_filters_and_pays_by_card_with_a_code(
        page: Page, live_shop, stripe_checkout, discount_code, unique_email):
    page.goto("/")
    shopper.open_menu(page)
    search = page.get_by_role("search", name="Site search")
    search.get_by_role("searchbox").fill("sunscreen")
    search.get_by_role("button", name="Search").click()
    shopper.step_heading(page, "Results for “sunscreen”")
    results = page.get_by_role("region", name=re.compile("^Products"))
    results.get_by_role("link", name="Mineral Sunscreen SPF 50", exact=True).click()

    # From the product to its category, then narrowed to a skin type.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Sunscreen").click()
    shopper.step_heading(page, "Sunscreen")
    shopper.open_filters(page)
    filters = page.get_by_role("complementary", name="Filter and sort")
    filters.get_by_role("link", name="Dry", exact=True).click()
    expect(page.get_by_role("list", name="Filters in use")).to_contain_text("Dry")
    products = page.get_by_role("region", name="Products")
    expect(products.get_by_role("link", name="Oil-Control Fluid SPF 50")).to_have_count(0)
    products.get_by_role("link", name="Family Body Sunscreen SPF 30", exact=True).click()

    shopper.step_heading(page, "Family Body Sunscreen SPF 30")
    page.get_by_label(re.compile("^250 ml")).check()
    page.get_by_role("button", name="Add to cart").click()
    shopper.open_cart(page)
    page.get_by_label("Quantity of Family Body Sunscreen SPF 30, 250 ml").fill("2")
    page.get_by_role("button", name="Update Family Body Sunscreen SPF 30, 250 ml").click()
    expect(page.get_by_text("Updated Family Body Sunscreen SPF 30 (250 ml).")).to_be_visible()
    expect(page.get_by_role("row", name="Subtotal")).to_contain_text("$64.00")

    shopper.checkout_to_review(page, unique_email("card"), code=discount_code)
    expect(page.get_by_text("The code SUNNY10 is applied: 10% off.")).to_be_visible()
    # 64.00 - 6.40 = 57.60, shipping free from 50.00; 6.5 % Washington sales tax 3.74
    expect(page.get_by_role("button", name="Pay $61.34")).to_be_visible()

    webhook_answers = []

    def webhook_before_return(route):
        # Stripe's webhook reaches the shop before the shopper's browser comes back to it.
        if route.request.method != "POST":
            route.continue_()
            return
        answer = route.fetch(max_redirects=0)  # Stripe takes the payment: 303 to the shop
        webhook_answers.extend(deliver_webhooks(live_shop, stripe_checkout))
        route.fulfill(response=answer)

    page.route(f"{stripe_checkout.base_url}/_config/checkout/*", webhook_before_return)
    shopper.accept_terms(page)
    page.get_by_role("button", name="Pay $61.34").click()
    expect(page.get_by_role("heading", name="Pay 6134 usd")).to_be_visible()  # Stripe's page
    page.get_by_role("button", name="Pay", exact=True).click()

    shopper.step_heading(page, "Thank you for your order")
    expect(page.get_by_text("Your payment was received")).to_be_visible()
    assert [answer["outcome"] for answer in webhook_answers] == ["paid"]
    number = shopper.order_number(page)
    order = order_in_db(live_shop, number)
    assert (order.status, order.discount_code, order.total) == (
        OrderStatus.PAID, "SUNNY10", Decimal("61.34"))


@pytest.fixture
def saved_cart(live_shop, customer):
    """What the customer put in their account's cart on an earlier visit."""
    email, _ = customer
    with live_shop.app.app_context():
        user = find_user_by_email(email)
        serum = db.session.scalar(select(Variant.id).join(Product).where(
            Product.slug == "retinol-night-serum", Variant.size_label == "30 ml"))
        carts.add_item(carts.get_or_create_cart(user.id, None), serum, 1)
        db.session.commit()


def test_a_returning_customer_logs_in_and_finds_the_order(page: Page, live_shop, customer,
                                                          saved_cart):
    email, password = customer
    page.goto("/products/adapalene-gel")
    page.get_by_role("button", name="Add to cart").click()
    expect(shopper.header_link(page, "Cart")).to_contain_text("1")

    shopper.log_in(page, email, password)
    expect(page.get_by_text("The items you added before logging in are now in your "
                            "cart.")).to_be_visible()
    expect(shopper.header_link(page, "Cart")).to_contain_text("2")

    shopper.open_cart(page)
    expect(page.get_by_role("row", name=re.compile("Adapalene 0.1% Gel"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Retinol 0.3% Night Serum"))).to_be_visible()
    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_label("E-mail", exact=True)).to_have_value(email)
    shopper.give_email(page, None)
    shopper.give_address(page)
    shopper.choose_delivery(page)
    shopper.skip_discount(page)
    number = shopper.pay_on_demo_page(page)

    page.get_by_role("link", name="your orders").click()
    shopper.step_heading(page, "Your orders")
    row = page.get_by_role("row", name=re.compile(number))
    expect(row).to_contain_text("Paid")
    expect(row).to_contain_text("$57.99")  # 16.50 + 32.00 + 5.95 shipping + 3.54 tax


# A Seattle address the customer saved on an earlier visit (not the one shopper.ADDRESS types).
SAVED = {"name": "Ines Moreau", "line1": "500 Pine St", "line2": "Apt 7", "city": "Seattle",
         "country_area": "WA", "postcode": "98101", "country": "US", "phone": ""}


@pytest.fixture
def saved_address(live_shop, customer):
    """The customer's address book: one address, their default."""
    email, _ = customer
    with live_shop.app.app_context():
        address_book.add_address(find_user_by_email(email).id, SAVED)
        db.session.commit()


@BOTH_SCREENS
def test_a_returning_customer_checks_out_with_a_saved_address(page: Page, live_shop, inbox,
                                                              customer, saved_address):
    email, password = customer
    page.goto("/")
    shopper.log_in(page, email, password)
    page.goto("/products/adapalene-gel")
    page.get_by_role("button", name="Add to cart").click()
    shopper.open_cart(page)
    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_label("E-mail", exact=True)).to_have_value(email)
    shopper.give_email(page, None)

    # The address step offers the saved address, chosen already: no typing.
    shopper.step_heading(page, "Delivery address")
    saved = page.get_by_role("group", name="Your addresses")
    choice = saved.get_by_role("radio", name=re.compile("500 Pine St"))
    expect(choice).to_be_checked()
    expect(saved).to_contain_text("Default")
    page.get_by_role("button", name="Deliver to this address").click()

    shopper.choose_delivery(page)
    shopper.skip_discount(page)
    shopper.step_heading(page, "Review and pay")
    expect(page.get_by_text("500 Pine St")).to_be_visible()
    # 16.50 + 5.95 shipping + 6.5 % Washington sales tax on both (1.46)
    expect(page.get_by_role("button", name="Pay $23.91")).to_be_visible()
    number = shopper.pay_on_demo_page(page)  # ticks "I accept the terms and conditions"

    order = order_in_db(live_shop, number)
    assert (order.status, order.shipping_name, order.shipping_line1, order.shipping_line2,
            order.shipping_country_area) == (OrderStatus.PAID, "Ines Moreau", "500 Pine St",
                                             "Apt 7", "WA")
    assert order.terms_version == 1
    assert order.terms_accepted_at is not None
    [confirmation] = inbox(email, f"Your order {number} is confirmed")
    assert "500 Pine St" in text_part(confirmation)
    page.get_by_role("link", name="See your order").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
