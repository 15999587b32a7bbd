"""Pricing a cart and placing it as an order, in one transaction.

Placing re-reads every price from the database, snapshots the lines into the order,
reserves the stock (variant rows in id order) and then takes a use of the discount code,
so concurrent checkouts lock rows in the same order and cannot deadlock. The caller
commits, then asks the payment provider to start: no row stays locked during that call.
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple, dataclass
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from storefront import addresses, metrics, pricing
from storefront.cart import services as cart_services
from storefront.cart.models import Cart, CartLine
from storefront.content import shop
from storefront.content.models import ShopText
from storefront.content.pages import TERMS
from storefront.db import utcnow
from storefront.discounts import services as discounts
from storefront.discounts.models import DiscountCode
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.inventory import services as inventory
from storefront.orders.discount_uses import uses_by_customer
from storefront.orders.models import ADDRESS_COLUMNS, Order, OrderLine, OrderStatus
from storefront.orders.payment_providers import reservation_minutes
from storefront.orders.services import new_order_number, payment_failed
from storefront.orders.status import record_event
from storefront.shipping import services as shipping
from storefront.shipping.models import ShippingMethod, TaxRate

METHOD_GONE = ("The delivery you chose no longer reaches your address, so nothing was "
               "charged. Please choose the delivery again.")


class CartNotReady(DomainError):
    """The cart can't be checked out as it is (empty, or items no longer available)."""

    status_code = 409


class TermsNotAccepted(DomainError):
    """The shop has terms and the shopper did not tick that they accept them."""

    status_code = 422

    def __init__(self) -> None:
        super().__init__("Please read the terms and conditions and tick that you accept them "
                         "to place your order. Nothing was charged.")


class TermsChanged(DomainError):
    """The terms changed after the shopper accepted the version on their review page."""

    status_code = 409

    def __init__(self) -> None:
        super().__init__("Our terms and conditions changed after you reviewed your order, so "
                         "nothing was charged. Please read the new version, then accept it "
                         "and pay.")


class ChangedSinceReview(DomainError):
    """What would be paid for is not what the shopper reviewed (another tab changed it)."""

    status_code = 409

    def __init__(self) -> None:
        super().__init__("Your order changed after you reviewed it (perhaps in another window "
                         "or tab), so nothing was charged. Please check it again, then pay.")


@dataclass(frozen=True)
class Address:
    """A delivery address, checked for its country (``storefront.addresses.normalise``)."""

    name: str
    line1: str
    city: str
    postcode: str
    country: str
    line2: str = ""
    phone: str = ""
    country_area: str = ""
    city_area: str = ""
    sorting_code: str = ""

    @property
    def place(self) -> shipping.Place:
        return shipping.place_of(self)

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in addresses.FIELDS}


@dataclass(frozen=True)
class CheckoutDetails:
    """What the shopper entered across the checkout steps."""

    email: str
    address: Address
    shipping_method: str  # a ShippingMethod's id
    discount_code: str = ""


@dataclass
class Quote:
    """A cart priced from the database: its lines, totals and the discount applied.

    Without an address there is no delivery nor tax yet (``address_known`` is False);
    ``method`` is the delivery chosen, when it reaches the address."""

    lines: list[tuple[CartLine, Decimal]]
    totals: pricing.Totals
    currency: str
    code: DiscountCode | None = None
    discount_problem: str | None = None
    method: ShippingMethod | None = None
    tax: TaxRate | None = None
    address_known: bool = False

    @property
    def tax_name(self) -> str:
        return shipping.tax_name(self.tax)


def _discount(subtotal: Decimal, discount_code: str, *, email: str | None,
              user_id: int | None, currency: str):
    """(the code, why it no longer applies, the amount it takes off)."""
    code, problem = None, None
    if discount_code:
        try:
            code = discounts.check_code(
                discount_code, subtotal=subtotal, currency=currency,
                uses_by_customer=uses_by_customer(email, user_id=user_id))
        except discounts.DiscountRefused as error:
            problem = error.message
    return code, problem, discounts.discount_for(code, subtotal, currency)


def quote(cart: Cart, *, address: Address | None = None, shipping_method: str | None = None,
          discount_code: str = "", email: str | None = None,
          user_id: int | None = None) -> Quote:
    """Price ``cart`` now; a code that no longer applies is left out and said why.

    ``address`` decides the tax and which delivery methods there are; ``shipping_method``
    (an id) counts only if it reaches the address. ``email`` and ``user_id`` (the account,
    when logged in) are who the code's limit per customer counts."""
    config = current_app.config
    currency = config["SHOP_CURRENCY"]
    lines = [(line, pricing.line_total(line.variant.price, line.quantity, currency))
             for line in cart.lines]
    line_totals = [total for _, total in lines]
    subtotal = pricing.subtotal(line_totals, currency)
    code, problem, discount = _discount(subtotal, discount_code, email=email,
                                        user_id=user_id, currency=currency)
    place = address.place if address is not None else None
    method = shipping.method_for(shipping_method, place) if place and shipping_method else None
    rate = shipping.tax_rate_for(place) if place else None
    totals = pricing.totals(
        line_totals, discount=discount,
        shipping=method.price_for(subtotal - discount) if method else pricing.ZERO,
        tax_rate=rate.rate if rate else pricing.ZERO,
        prices_include_tax=config["PRICES_INCLUDE_TAX"],
        shipping_taxable=rate.shipping_taxable if rate else True, currency=currency,
    )
    return Quote(lines, totals, currency, code, problem, method, rate, place is not None)


def delivery_options(cart: Cart, *, address: Address, discount_code: str = "",
                     email: str | None = None,
                     user_id: int | None = None) -> list[tuple[ShippingMethod, Decimal]]:
    """Each method reaching ``address`` with its price for this cart (after the discount)."""
    goods = quote(cart, discount_code=discount_code, email=email,
                  user_id=user_id).totals.goods
    return [(method, method.price_for(goods)) for method in shipping.methods_for(address.place)]


def current_terms() -> ShopText | None:
    """The shop's terms and conditions as they stand, or None when it has none."""
    return shop.shop_text(TERMS)


def fingerprint(priced: Quote, details: CheckoutDetails,
                terms_version: int | None = None) -> str:
    """A digest of everything the review page shows: the lines with their quantities and
    prices, the address, delivery, discount and totals, and the version of the terms to
    accept. "Pay" sends back the one its page was made from, so a cart changed meanwhile
    (in another tab) is never paid unseen."""
    shown = (
        terms_version,
        priced.currency,
        [(line.variant_id, line.quantity, str(line.variant.price), str(total))
         for line, total in priced.lines],
        details.email, astuple(details.address), str(details.shipping_method),
        priced.method.label if priced.method else "", priced.tax_name,
        priced.code.code if priced.code else "",
        [str(value) for value in astuple(priced.totals)],
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:32]


def _order_lines(priced: Quote) -> list[OrderLine]:
    rate = priced.totals.tax_rate
    return [
        OrderLine(
            variant_id=line.variant.id,
            product_id=line.variant.product_id,
            sku=line.variant.sku,
            product_name=line.variant.product.name,
            size_label=line.variant.size_label,
            unit_price=line.variant.price,
            quantity=line.quantity,
            line_total=total,
            tax_rate=rate,
            tax_amount=tax,
            source_article_id=line.source_article_id,
            source_routine=line.source_routine,
        )
        for (line, total), tax in zip(priced.lines, priced.totals.line_taxes, strict=True)
    ]


def _address_columns(address: Address) -> dict[str, str]:
    return {f"shipping_{column}": getattr(address, name) for name, column in ADDRESS_COLUMNS}


def check_terms(accepted: int | None) -> int | None:
    """The version of the terms the order is placed under: the current one, which the
    shopper must have accepted (TermsNotAccepted, TermsChanged); None without terms."""
    terms = current_terms()
    if terms is None:
        return None
    if accepted is None:
        raise TermsNotAccepted()
    if accepted != terms.version:
        raise TermsChanged()
    return terms.version


def _new_order(details: CheckoutDetails, priced: Quote, *, user_id: int | None,
               cart_id: int, terms_version: int | None) -> Order:
    totals = priced.totals
    assert priced.method is not None  # place_order refuses a quote without one
    return Order(
        terms_version=terms_version,
        terms_accepted_at=utcnow() if terms_version is not None else None,
        number=new_order_number(), user_id=user_id, email=details.email.strip().lower(),
        currency=priced.currency, subtotal=totals.subtotal, discount_total=totals.discount,
        shipping_total=totals.shipping, tax_total=totals.tax, total=totals.total,
        prices_include_tax=totals.prices_include_tax, tax_rate=totals.tax_rate,
        tax_name=priced.tax_name, shipping_tax=totals.shipping_tax,
        shipping_method_id=priced.method.id, shipping_method_name=priced.method.label,
        discount_code_id=priced.code.id if priced.code else None,
        discount_code=priced.code.code if priced.code else None,
        cart_id=cart_id, lines=_order_lines(priced), **_address_columns(details.address),
    )


def _placed_note(order: Order, priced: Quote, minutes: int) -> str:
    note = f"{order.item_count} item(s); stock held for {minutes} min"
    if priced.tax is None:
        place = shipping.place_of(order.address)
        note += f"; {place.name} has no tax rate, so no tax was charged"
    return note


def release_earlier_attempts(cart: Cart | None) -> int:
    """Free the stock held by this cart's unpaid orders; how many there were.

    Run when the shopper is back in the cart or checkout (the browser's back button from
    a payment page, a second press of "Pay"), so their own abandoned attempt never makes
    their cart look out of stock. The orders become ``payment_failed``, not cancelled: if
    one is paid after all, it is still honoured while its stock is there.
    """
    if cart is None:
        return 0
    earlier = db.session.scalars(select(Order).where(
        Order.cart_id == cart.id, Order.status == OrderStatus.PENDING_PAYMENT)).all()
    return sum(payment_failed(order, reason="Replaced by a newer attempt to pay for the same "
                                            "cart.") for order in earlier)


def place_order(cart: Cart, details: CheckoutDetails, *, user_id: int | None,
                reviewed: str | None = None, accepted_terms: int | None = None) -> Order:
    """Turn the cart into an order waiting for payment, with its stock reserved.

    ``reviewed`` is the ``fingerprint`` of the review page the shopper pressed "Pay" on;
    when given, the order is placed only if it is still what that page showed.
    ``accepted_terms`` is the version of the shop's terms the shopper ticked to accept:
    when the shop has terms, the order is placed only under the current version, which it
    records with the time.

    Raises CartNotReady, TermsNotAccepted, TermsChanged, shipping.NotDeliverable (nothing,
    or not the chosen method, reaches the address any more), ChangedSinceReview,
    inventory.OutOfStock or discounts.DiscountRefused; the caller then rolls back, so
    nothing of the attempt remains.
    """
    problems = cart_services.cart_problems(cart)
    if problems:
        raise CartNotReady(" ".join(problems))
    terms_version = check_terms(accepted_terms)
    release_earlier_attempts(cart)
    shipping.check_deliverable(details.address.place)
    priced = quote(cart, address=details.address, shipping_method=details.shipping_method,
                   discount_code=details.discount_code, email=details.email,
                   user_id=user_id)
    if priced.method is None:
        raise shipping.NotDeliverable(METHOD_GONE, field="method")
    if priced.discount_problem:
        raise discounts.DiscountRefused(priced.discount_problem)
    if reviewed is not None and reviewed != fingerprint(priced, details, terms_version):
        raise ChangedSinceReview()
    order = _new_order(details, priced, user_id=user_id, cart_id=cart.id,
                       terms_version=terms_version)
    db.session.add(order)
    db.session.flush()
    inventory.reserve(order.lines)
    if priced.code is not None:
        discounts.hold_use(priced.code, uses_by_customer=uses_by_customer(
            order.email, user_id=user_id, exclude_order_id=order.id))
    minutes = reservation_minutes()
    order.reservation_expires_at = utcnow() + timedelta(minutes=minutes)
    note = _placed_note(order, priced, minutes)
    if terms_version is not None:
        note += f"; terms and conditions version {terms_version} accepted"
    record_event(order, "placed", note)
    db.session.flush()
    metrics.count_on_commit(db.session, metrics.ORDERS, outcome="placed")
    return order
