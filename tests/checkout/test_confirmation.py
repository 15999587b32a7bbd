"""The confirmation page leads on: to the order's own page, back to the shop, and for a
guest to an account with the order's e-mail, which the order joins once it is confirmed."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

from sqlalchemy import select

from storefront.accounts.models import User
from storefront.extensions import db
from storefront.orders.models import Order
from tests.factories import (
    ProductFactory,
    UserFactory,
    VariantFactory,
    add_to_cart,
    fill_checkout,
    pay_with_demo,
)
from tests.helpers import csrf_from, first_link, login, text_part
from tests.helpers.pages import Page, named, one, text


def _buy(client, make, email="maya@example.com"):
    product = make(ProductFactory, name="Barrier Cream", variant=False)
    variant = make(VariantFactory, product=product, price=Decimal("24.50"), stock_on_hand=5)
    add_to_cart(client, variant.id)
    fill_checkout(client, email=email)
    paid = pay_with_demo(client)
    assert paid.status_code == 302
    return client.get(paid.headers["Location"])


def _order(app) -> Order:
    with app.app_context():
        order = db.session.scalars(select(Order)).one()
        db.session.expunge(order)
        return order


def test_a_guest_sees_their_order_goes_on_shopping_or_makes_an_account(app, client, make,
                                                                       mailbox):
    html = _buy(client, make).get_data(as_text=True)
    page = Page(html)
    main = page.one("main")
    order_link = str(named(main, "a", "See your order")["href"])
    assert order_link.startswith("/orders/view/")  # the guest's signed link, on this site
    assert client.get(order_link).status_code == 200
    assert named(main, "a", "Continue shopping")["href"] == "/products"

    offer = page.one("#create-account-title").parent
    assert text(one(offer, "h2")) == "Create an account with this e-mail"
    assert one(offer, "input#email")["value"] == "maya@example.com"
    assert one(offer, "input#name")["value"] == "Maya Rossi"
    assert one(offer, "form")["action"] == "/account/register"

    mailbox.clear()
    response = client.post("/account/register", data={  # the form on the page, filled in
        "csrf_token": csrf_from(html), "name": "Maya Rossi", "email": "maya@example.com",
        "password": "gentle cleanser daily", "confirm": "gentle cleanser daily"})
    assert response.status_code == 302
    assert "join your account" in client.get("/account/").get_data(as_text=True)
    assert _order(app).user_id is None  # not before the address is confirmed
    [confirm] = [m for m in mailbox if m["Subject"] == "Please confirm your e-mail address"]
    client.get(urlsplit(first_link(text_part(confirm), "/account/confirm/")).path)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "maya@example.com"))
    assert _order(app).user_id == user.id
    orders = client.get("/account/orders").get_data(as_text=True)
    assert _order(app).number in orders


def test_a_customer_is_sent_to_the_order_in_their_account(app, client, make):
    user = make(UserFactory)
    login(client, user.email)
    page = Page(_buy(client, make, email=user.email).get_data(as_text=True))
    number = _order(app).number
    link = named(page.one("main"), "a", "See your order")
    assert link["href"] == f"/account/orders/{number}"
    assert not page.has("#create-account-title")
