"""One shopper cannot see or change another's order, cart or account by changing an id in a
URL or a form, and each signed link works only for the purpose it was made for.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from storefront.accounts import services as account_services
from storefront.accounts.models import Role, User
from storefront.cart.models import Cart, CartLine
from storefront.extensions import db as _db
from storefront.orders import links
from storefront.orders.models import Order, OrderStatus
from storefront.payments import demo, stripe_provider
from storefront.reviews import links as review_links
from tests.factories import (
    ProductFactory,
    UserFactory,
    VariantFactory,
    add_to_cart,
    placed_order,
)
from tests.helpers import csrf_from, login, submit


@pytest.fixture
def variant(make):
    return make(VariantFactory, product=make(ProductFactory, name="Barrier Cream",
                                             variant=False), stock_on_hand=20)


def _order(app, variant, user=None, email="maya@example.com") -> str:
    with app.app_context():
        order = placed_order(variant, email=email, user_id=user.id if user else None)
        _db.session.commit()
        return order.number


def _status(app, number: str) -> OrderStatus:
    with app.app_context():
        return _db.session.scalar(select(Order.status).where(Order.number == number))


def test_another_customers_order_is_not_found_and_cannot_be_cancelled(app, make, variant):
    maya, ines = make(UserFactory), make(UserFactory)
    number = _order(app, variant, maya)  # waiting for payment, stock held
    ines_browser, stranger = app.test_client(), app.test_client()
    login(ines_browser, ines.email)
    for browser in (ines_browser, stranger):
        for url in (f"/account/orders/{number}", f"/checkout/orders/{number}",
                    f"/checkout/orders/{number}/cancelled", f"/checkout/orders/{number.lower()}",
                    f"/checkout/orders/{number} ", f"/account/orders/{number}%2F..%2F"):
            assert browser.get(url).status_code in (404, 302), url
    assert number not in ines_browser.get("/account/orders").get_data(as_text=True)
    assert _status(app, number) == OrderStatus.PENDING_PAYMENT
    maya_browser = app.test_client()
    login(maya_browser, maya.email)
    assert maya_browser.get(f"/account/orders/{number}").status_code == 200


def test_another_shoppers_cart_lines_cannot_be_changed_or_removed(app, make, variant):
    maya, ines = make(UserFactory), make(UserFactory)
    maya_browser, ines_browser, guest = app.test_client(), app.test_client(), app.test_client()
    login(maya_browser, maya.email)
    login(ines_browser, ines.email)
    add_to_cart(maya_browser, variant.id, "2")
    add_to_cart(ines_browser, variant.id, "1")
    add_to_cart(guest, variant.id, "1")
    with app.app_context():
        maya_line = _db.session.scalar(
            select(CartLine).join(Cart).where(Cart.user_id == maya.id))
        line_id = maya_line.id
    for browser in (ines_browser, guest, app.test_client()):
        for url, data in (("/cart/update", {"line_id": line_id, "quantity": "9"}),
                          ("/cart/remove", {"line_id": line_id})):
            response = submit(browser, url, data, form_url="/account/login"
                              if browser is not ines_browser else "/account/")
            assert response.status_code == 404, (url, response.status_code)
    with app.app_context():
        line = _db.session.get(CartLine, line_id)
        assert line is not None
        assert line.quantity == 2


def test_a_forged_session_cannot_name_someone_elses_cart(app, client, make, variant):
    owner = app.test_client()
    add_to_cart(owner, variant.id, "3")
    with owner.session_transaction() as session:
        cart_token = session["cart"]
    forged_app = app.__class__(app.import_name)
    forged_app.secret_key = "not-the-shops-secret-key-0123456789abcdef"
    cookie = SecureCookieSessionInterface().get_signing_serializer(forged_app).dumps(
        {"cart": cart_token})
    client.set_cookie("session", cookie, domain="shop.test")
    page = client.get("/cart/").get_data(as_text=True)
    assert "Barrier Cream" not in page
    assert "Your cart is empty" in page


def test_profile_posts_cannot_change_the_role_the_address_or_someone_else(app, client, make):
    maya, ines = make(UserFactory, name="Maya"), make(UserFactory, name="Ines")
    login(client, maya.email)
    response = submit(client, "/account/", {
        "name": "Maya R", "role": "admin", "email": ines.email, "id": str(ines.id),
        "user_id": str(ines.id), "active": "y", "password_hash": "x"})
    assert response.status_code == 302
    with app.app_context():
        fresh_maya, fresh_ines = _db.session.get(User, maya.id), _db.session.get(User, ines.id)
        assert (fresh_maya.name, fresh_maya.role, fresh_maya.email) == (
            "Maya R", Role.CUSTOMER, maya.email)
        assert (fresh_ines.name, fresh_ines.role) == ("Ines", Role.CUSTOMER)
    token = csrf_from(client.get("/account/").get_data(as_text=True))
    assert client.post(f"/admin/users/{ines.id}/role",
                       data={"csrf_token": token, "role": "admin"}).status_code == 403


def _tokens(app, number: str, user: User) -> dict[str, str]:
    """One signed token of every kind the shop hands out, all for the same shopper."""
    with app.test_request_context():
        order = _db.session.scalar(select(Order).where(Order.number == number))
        account = _db.session.get(User, user.id)
        reset = account_services._serializer(account_services.RESET_SALT).dumps(
            {"uid": account.id, "st": account.session_token})
        confirm = account_services._serializer(account_services.CONFIRM_SALT).dumps(
            {"uid": account.id, "email": account.email})
        paying = urlsplit(demo.DemoProvider().start(
            order, success_url="/done", cancel_url="/back").redirect_url).path
        cancel = stripe_provider._cancel_serializer().dumps({"o": number, "c": "/back"})
        unsalted = URLSafeTimedSerializer(app.config["SECRET_KEY"]).dumps(
            {"n": number, "o": number, "r": number, "uid": account.id,
             "st": account.session_token})
        return {"guest order": links.guest_order_token(order), "reset": reset,
                "confirm": confirm, "demo payment": paying.rsplit("/", 1)[1],
                "stripe cancel": cancel, "review": review_links.review_token(order),
                "unsalted": unsalted}


# Where each kind of token is used, and what a refusal looks like there.
DOORS = {
    "guest order": ("/orders/view/{}", 404),
    "reset": ("/account/reset/{}", 400),
    "confirm": ("/account/confirm/{}", 400),
    "demo payment": ("/pay/demo/{}", 404),
    "stripe cancel": ("/checkout/stripe/cancel/{}", 404),
    "review": ("/reviews/write/{}", 404),
}


def test_each_signed_link_opens_only_its_own_door(app, make, variant):
    user = make(UserFactory, email_confirmed_at=None)
    number = _order(app, variant, user, email=user.email)
    tokens = _tokens(app, number, user)
    for door, (url, refused) in DOORS.items():
        for kind, token in tokens.items():
            response = app.test_client().get(url.format(token))
            if kind == door:
                assert response.status_code in (200, 302), (door, response.status_code)
            else:
                assert response.status_code == refused, (kind, "used as", door,
                                                          response.status_code)
    # Opening the doors changed nothing about the order but what its own links do.
    assert _status(app, number) in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_FAILED)


def test_a_guest_link_shows_its_own_order_only(app, variant):
    first, second = _order(app, variant), _order(app, variant, email="ines@example.com")
    with app.test_request_context():
        order = _db.session.scalar(select(Order).where(Order.number == first))
        token = links.guest_order_token(order)
        other = links._serializer().dump_payload({"n": second}).decode()  # not signed
    browser = app.test_client()
    page = browser.get(f"/orders/view/{token}").get_data(as_text=True)
    assert first in page
    assert second not in page
    stamp_and_signature = token.partition(".")[2]
    middle = len(token) - 10  # a character of the signature (the last one may carry padding)
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
    for forged in (f"{other}.{stamp_and_signature}", altered):
        assert browser.get(f"/orders/view/{forged}").status_code == 404
