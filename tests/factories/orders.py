"""Discount codes, orders placed through the real services, and a shopper's checkout journey."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

import factory

from storefront.cart import services as cart_services
from storefront.cart.models import Cart
from storefront.checkout import services as checkout_services
from storefront.discounts.models import DiscountCode, DiscountKind
from storefront.extensions import db
from storefront.orders.models import Order, ShippingMethod
from tests.factories.base import BaseFactory

__all__ = [
    "ADDRESS",
    "DiscountCodeFactory",
    "add_to_cart",
    "any_form_page",
    "fill_checkout",
    "pay_with_demo",
    "placed_order",
    "press_pay",
]

ADDRESS = {
    "name": "Maya Rossi",
    "line1": "Keizersgracht 1",
    "line2": "",
    "city": "Amsterdam",
    "postcode": "1015cj",
    "country": "NL",
    "phone": "",
}


class DiscountCodeFactory(BaseFactory):
    """An active 10 % code with no limits."""

    class Meta:
        model = DiscountCode

    code = factory.Sequence(lambda n: f"CODE{n}")
    kind = DiscountKind.PERCENT
    value = Decimal("10")


def placed_order(*items, email: str = "guest@example.com", code: str = "",
                 user_id: int | None = None, shipping: str = "standard") -> Order:
    """An order placed through the checkout service (stock reserved); call in an app context.

    ``items`` are variants or ``(variant, quantity)`` pairs.
    """
    cart = Cart(user_id=user_id)
    db.session.add(cart)
    db.session.flush()
    for item in items:
        variant, quantity = item if isinstance(item, tuple) else (item, 1)
        cart_services.add_item(cart, variant.id, quantity)
    details = checkout_services.CheckoutDetails(
        email=email,
        address=checkout_services.Address(**{**ADDRESS, "postcode": "1015 CJ"}),
        shipping_method=ShippingMethod(shipping),
        discount_code=code,
    )
    return checkout_services.place_order(cart, details, user_id=user_id)


# A shopper with a browser -------------------------------------------------------------

def any_form_page(client) -> str:
    """A page with a CSRF token for this visitor (the token is the same on every page)."""
    return "/account/login" if client.get("/account/login").status_code == 200 else "/account/"


def add_to_cart(client, variant_id, quantity="1", **extra):
    """Post the catalog's add-to-cart form, as a product page or card sends it."""
    from tests.helpers import submit  # tests.helpers imports this package

    data = {"variant_id": variant_id, "quantity": quantity, **extra}
    return submit(client, "/cart/add", data, form_url=any_form_page(client))


def fill_checkout(client, *, email: str | None = "maya@example.com", address=None,
                  shipping: str = "standard", code: str = ""):
    """Answer every checkout step; returns the review page."""
    from tests.helpers import submit

    if email is not None:
        assert submit(client, "/checkout/email", {"email": email}).status_code == 302
    response = submit(client, "/checkout/address", address or ADDRESS)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert submit(client, "/checkout/delivery", {"method": shipping}).status_code == 302
    data = {"code": code, "action": "apply"} if code else {"code": "", "action": "skip"}
    response = submit(client, "/checkout/discount", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get("/checkout/review")


_REVIEWED = re.compile(r'name="reviewed"[^>]*value="([^"]*)"')


def reviewed_from(html: str) -> str:
    """The fingerprint the review page's Pay form sends (empty when the page has none)."""
    found = _REVIEWED.search(html)
    return found.group(1) if found else ""


def press_pay(client, review_page=None):
    """Press "Pay" on the review page (``review_page``, or the one shown now): the form
    sends its CSRF token and the fingerprint of what the page showed."""
    from tests.helpers import csrf_from

    html = (review_page or client.get("/checkout/review")).get_data(as_text=True)
    data = {"csrf_token": csrf_from(html), "reviewed": reviewed_from(html)}
    return client.post("/checkout/pay", data=data)


def pay_with_demo(client, action: str = "approve"):
    """Press "Pay" on the review page, then a button on the demo payment page."""
    from tests.helpers import submit

    response = press_pay(client)
    assert response.status_code == 303, response.get_data(as_text=True)
    demo_path = urlsplit(response.headers["Location"]).path
    assert demo_path.startswith("/pay/demo/")
    return submit(client, demo_path, {"action": action})
