"""Discount codes, orders placed through the real services, and a shopper's checkout journey."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

import factory
from sqlalchemy import delete, select

from storefront.addresses import normalise
from storefront.cart import services as cart_services
from storefront.cart.models import Cart
from storefront.checkout import services as checkout_services
from storefront.config import PRESETS
from storefront.demo import shipping as presets
from storefront.demo.shipping import seed_shipping
from storefront.discounts.models import DiscountCode, DiscountKind
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.shipping import services as shipping_services
from storefront.shipping.models import ShippingZone, TaxRate
from tests.factories.base import BaseFactory
from tests.helpers import csrf_from, submit
from tests.helpers.pages import Page, text

__all__ = [
    "ADDRESS",
    "JP_ADDRESS",
    "US_ADDRESS",
    "DiscountCodeFactory",
    "add_to_cart",
    "any_form_page",
    "checkout_address",
    "delivery_choice",
    "fill_checkout",
    "japan_shop",
    "method_id",
    "pay_with_demo",
    "placed_order",
    "press_pay",
    "uk_shop",
    "use_preset",
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
# The demo shop's own street: Seattle, in the state whose sales tax the shop collects.
US_ADDRESS = {
    "name": "Dana Whitfield",
    "line1": "1301 2nd Ave",
    "line2": "Apt 1204",
    "city": "Seattle",
    "country_area": "WA",
    "postcode": "98101",
    "country": "US",
    "phone": "(206) 555-0143",
}


def use_preset(app, monkeypatch, preset: str) -> None:
    """Make this test's shop the ``preset`` one: its settings, and only its zones and tax
    rates (in the test's transaction, so they come back afterwards)."""
    for name in ("SHOP_CURRENCY", "SHOP_LOCALE", "TAX_LABEL"):
        monkeypatch.setitem(app.config, name, PRESETS[preset][name])
    monkeypatch.setitem(app.config, "SHOP_PRESET", preset)
    monkeypatch.setitem(app.config, "PRICES_INCLUDE_TAX",
                        PRESETS[preset]["PRICES_INCLUDE_TAX"] == "true")
    with app.app_context():
        for zone in db.session.scalars(select(ShippingZone)).all():
            db.session.delete(zone)
        db.session.execute(delete(TaxRate))
        seed_shipping(preset)
        db.session.commit()


# A Tokyo address, for a shop selling in yen (``japan_shop``).
JP_ADDRESS = {"name": "Ken Sato", "line1": "26-1 Sakuragaoka-cho", "line2": "", "city": "",
              "country_area": "Tokyo", "postcode": "150-8512", "country": "JP", "phone": ""}


def japan_shop(app, monkeypatch) -> None:
    """This test's shop sells in yen with Japan's 10 % consumption tax in its prices, and
    delivers to Japan: standard ¥500, free from ¥10,000; express ¥1,200."""
    for name, value in {"SHOP_CURRENCY": "JPY", "SHOP_LOCALE": "ja_JP",
                        "PRICES_INCLUDE_TAX": True, "TAX_LABEL": "Consumption tax"}.items():
        monkeypatch.setitem(app.config, name, value)
    with app.app_context():
        presets.add_zone(presets.Zone("Japan", ("JP",), (
            presets.Method("Standard delivery", Decimal("500"), 2, 3, Decimal("10000")),
            presets.Method("Express delivery", Decimal("1200"), 1, 1))))
        presets.add_rate(presets.Rate("JP", "Consumption tax", Decimal("0.10")))
        db.session.commit()


def uk_shop(app, monkeypatch) -> None:
    """This test's shop sells in pounds with UK VAT (20 %) in its prices, delivering to the
    United Kingdom: Royal Mail Tracked 48 £3.99, free from £40."""
    for name, value in {"SHOP_CURRENCY": "GBP", "SHOP_LOCALE": "en_GB",
                        "PRICES_INCLUDE_TAX": True, "TAX_LABEL": "VAT"}.items():
        monkeypatch.setitem(app.config, name, value)
    with app.app_context():
        presets.add_zone(presets.Zone("United Kingdom", ("GB",), (
            presets.Method("Royal Mail Tracked 48", Decimal("3.99"), 2, 3, Decimal("40.00")),)))
        presets.add_rate(presets.Rate("GB", "VAT", Decimal("0.20")))
        db.session.commit()


def checkout_address(address: dict | None = None) -> checkout_services.Address:
    """``address`` (the test address by default) as checkout keeps it, checked."""
    return checkout_services.Address(**normalise(address or ADDRESS))


def method_id(name: str = "standard", address: dict | None = None) -> str:
    """The id of the delivery method reaching ``address`` whose name starts with ``name``."""
    place = checkout_address(address).place
    for method in shipping_services.methods_for(place):
        if method.name.lower().startswith(name.lower()):
            return str(method.id)
    raise LookupError(f"no {name!r} delivery to {place.code}")


class DiscountCodeFactory(BaseFactory):
    """An active 10 % code with no limits."""

    class Meta:
        model = DiscountCode

    code = factory.Sequence(lambda n: f"CODE{n}")
    kind = DiscountKind.PERCENT
    value = Decimal("10")


def placed_order(*items, email: str = "guest@example.com", code: str = "",
                 user_id: int | None = None, shipping: str = "standard",
                 address: dict | None = None) -> Order:
    """An order placed through the checkout service (stock reserved); call in an app context.

    ``items`` are variants or ``(variant, quantity)`` pairs; ``shipping`` the start of the
    delivery method's name; ``address`` the test address (in the Netherlands) by default.
    """
    cart = Cart(user_id=user_id)
    db.session.add(cart)
    db.session.flush()
    for item in items:
        variant, quantity = item if isinstance(item, tuple) else (item, 1)
        cart_services.add_item(cart, variant.id, quantity)
    details = checkout_services.CheckoutDetails(
        email=email,
        address=checkout_address(address),
        shipping_method=method_id(shipping, address),
        discount_code=code,
    )
    terms = checkout_services.current_terms()  # accepted, when the shop has them
    return checkout_services.place_order(cart, details, user_id=user_id,
                                         accepted_terms=terms.version if terms else None)


# A shopper with a browser -------------------------------------------------------------

def any_form_page(client) -> str:
    """A page with a CSRF token for this visitor (the token is the same on every page)."""
    return "/account/login" if client.get("/account/login").status_code == 200 else "/account/"


def add_to_cart(client, variant_id, quantity="1", **extra):
    """Post the catalog's add-to-cart form, as a product page or card sends it."""

    data = {"variant_id": variant_id, "quantity": quantity, **extra}
    return submit(client, "/cart/add", data, form_url=any_form_page(client))


def delivery_choice(html: str, name: str) -> str:
    """The value of the delivery page's radio button whose label starts with ``name``."""
    delivery = Page(html)
    labels = [label for label in delivery.all('label[for^="method-"]')
              if text(label).lower().startswith(name.lower())]
    assert labels, f"no delivery starting with {name!r} on the page"
    return str(delivery.one(f'input#{labels[0]["for"]}')["value"])


def fill_checkout(client, *, email: str | None = "maya@example.com", address=None,
                  shipping: str = "standard", code: str = ""):
    """Answer every checkout step; returns the review page. ``shipping`` is the start of
    the delivery's name as the delivery page shows it ("standard", "express")."""

    if email is not None:
        assert submit(client, "/checkout/email", {"email": email}).status_code == 302
    response = submit(client, "/checkout/address", address or ADDRESS)
    assert response.status_code == 302, response.get_data(as_text=True)
    choice = delivery_choice(client.get("/checkout/delivery").get_data(as_text=True), shipping)
    assert submit(client, "/checkout/delivery", {"method": choice}).status_code == 302
    data = {"code": code, "action": "apply"} if code else {"code": "", "action": "skip"}
    response = submit(client, "/checkout/discount", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get("/checkout/review")


_REVIEWED = re.compile(r'name="reviewed"[^>]*value="([^"]*)"')


def reviewed_from(html: str) -> str:
    """The fingerprint the review page's Pay form sends (empty when the page has none)."""
    found = _REVIEWED.search(html)
    return found.group(1) if found else ""


_TERMS_VERSION = re.compile(r'name="terms_version"[^>]*value="([^"]*)"')


def press_pay(client, review_page=None, accept_terms: bool = True):
    """Press "Pay" on the review page (``review_page``, or the one shown now): the form
    sends its CSRF token, the fingerprint of what the page showed and, when the shop has
    terms, the box ticked to accept them (unless ``accept_terms`` is False)."""

    html = (review_page or client.get("/checkout/review")).get_data(as_text=True)
    data = {"csrf_token": csrf_from(html), "reviewed": reviewed_from(html)}
    version = _TERMS_VERSION.search(html)
    if version:
        data["terms_version"] = version.group(1)
    if accept_terms and 'name="accept_terms"' in html:
        data["accept_terms"] = "y"
    return client.post("/checkout/pay", data=data)


def pay_with_demo(client, action: str = "approve"):
    """Press "Pay" on the review page, then a button on the demo payment page."""

    response = press_pay(client)
    assert response.status_code == 303, response.get_data(as_text=True)
    demo_path = urlsplit(response.headers["Location"]).path
    assert demo_path.startswith("/pay/demo/")
    return submit(client, demo_path, {"action": action})
