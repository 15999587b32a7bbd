"""Stripe Checkout: the shopper pays on Stripe's hosted page; refunds go back the same way.

The outcome of a payment never comes from the shopper's browser: the return page and the
webhook (``storefront.payments.stripe_events``) both read it from Stripe itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import stripe
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from storefront.db import utcnow
from storefront.money import from_minor_units, to_minor_units
from storefront.orders.payment_providers import (
    PaymentError,
    PaymentStart,
    PaymentUnavailable,
    RefundResult,
)
from storefront.security import safe_next_url
from storefront.urls import public_url

if TYPE_CHECKING:
    from stripe.params.checkout import SessionCreateParams

    from storefront.orders.models import Order, OrderLine, Payment  # types only

PROVIDER = "stripe"
CANCEL_SALT = "stripe-cancel"
UNAVAILABLE = "The payment service is unavailable right now; your cart is saved."
# Stripe accepts a Checkout Session's expires_at from 30 minutes to 24 hours after its
# creation; the margins absorb the clocks of two machines and the request's own time. The
# shortest is under the 31 minutes checkout holds stock for Stripe, so a reservation made
# moments before its session is kept to the second, not pushed back by those moments.
SESSION_MIN_LIFETIME = timedelta(minutes=30, seconds=30)
SESSION_MAX_LIFETIME = timedelta(hours=23, minutes=55)


def stripe_client() -> stripe.StripeClient:
    """A client for the configured account (and API address, for the local fake)."""
    config = current_app.config
    if not config.get("STRIPE_SECRET_KEY"):
        current_app.logger.error("Stripe is selected but STRIPE_SECRET_KEY is not set")
        raise PaymentUnavailable(UNAVAILABLE)
    base = config.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else None,
        # No automatic retry: a slow Stripe would double the shopper's wait (the worst
        # case stays STRIPE_TIMEOUT). Every POST carries an idempotency key, so the
        # shopper's own retry, or Stripe's redelivery of an event, is safe.
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=config["STRIPE_TIMEOUT"]),
    )


@contextmanager
def stripe_errors(action: str) -> Iterator[None]:
    """Turn Stripe's exceptions into the shopper's (PaymentError) or ours (unavailable)."""
    try:
        yield
    except stripe.CardError as error:
        raise PaymentError(error.user_message or "Your card was declined.") from error
    except stripe.InvalidRequestError as error:
        current_app.logger.warning("Stripe refused to %s: %s", action, error)
        raise PaymentError(
            f"We could not {action}. Please check your details and try again, "
            "or contact us if it keeps happening."
        ) from error
    except stripe.StripeError as error:
        # Connection failures and timeouts, Stripe's 5xx, rate limits, and our own
        # configuration (a revoked key): nothing the shopper can fix, nothing was charged.
        current_app.logger.error("Stripe unavailable while trying to %s: %r", action, error)
        raise PaymentUnavailable(UNAVAILABLE) from error


def session_expiry(reservation_expires_at: datetime | None) -> int:
    """The session's ``expires_at``: the stock reservation's end, within Stripe's limits.

    Checkout holds stock at least ``min_reservation_minutes`` (31) for Stripe, so the
    session ends when the reservation does; the clamp only guards odd clocks.
    """
    now = utcnow()
    wanted = reservation_expires_at or now + SESSION_MAX_LIFETIME
    clamped = min(max(wanted, now + SESSION_MIN_LIFETIME), now + SESSION_MAX_LIFETIME)
    return int(clamped.timestamp())


def _line(name: str, unit_amount: int, quantity: int, currency: str) -> dict[str, Any]:
    return {
        "quantity": quantity,
        "price_data": {
            "currency": currency.lower(),
            "unit_amount": unit_amount,
            "product_data": {"name": name},
        },
    }


def line_label(line: OrderLine) -> str:
    return f"{line.product_name} ({line.size_label})" if line.size_label else line.product_name


def discounted_amounts(amounts: list[int], discount: int) -> list[int]:
    """Spread ``discount`` over ``amounts`` in proportion, to the cent, sum exact.

    Each share is rounded down; the cents left over go to the lines that lost the most
    in rounding (ties: the earlier line), so the results add up to sum(amounts) - discount.
    """
    total = sum(amounts)
    if not discount or not total:
        return list(amounts)
    shares = [discount * amount // total for amount in amounts]
    by_remainder = sorted(range(len(amounts)),
                          key=lambda i: (-(discount * amounts[i] % total), i))
    for i in by_remainder[: discount - sum(shares)]:
        shares[i] += 1
    return [amount - share for amount, share in zip(amounts, shares, strict=True)]


def line_items(order: Order) -> list[dict[str, Any]]:
    """Stripe line items whose amounts add up to exactly ``order.total``.

    Without a discount each order line goes over as it is (unit price and quantity).
    Stripe's coupons would need objects created on Stripe beforehand, so with a discount
    each line is sent as one item, "Name (size) x 3", carrying its share of the discount;
    the shopper sees the discounted amounts on Stripe's page and the total matches ours.
    Delivery, and tax when prices exclude it ("WA sales tax (6.5%)"), are one line each.
    Amounts are in Stripe's minor units for the currency (cents; whole yen).
    """
    currency = order.currency
    if order.discount_total:
        amounts = discounted_amounts(
            [to_minor_units(line.line_total, currency) for line in order.lines],
            to_minor_units(order.discount_total, currency),
        )
        items = [_line(f"{line_label(line)} x {line.quantity}", amount, 1, currency)
                 for line, amount in zip(order.lines, amounts, strict=True)]
    else:
        items = [_line(line_label(line), to_minor_units(line.unit_price, currency),
                       line.quantity, currency) for line in order.lines]
    if order.shipping_total:
        items.append(_line(order.shipping_method_name, to_minor_units(order.shipping_total,
                                                                        currency), 1, currency))
    if order.tax_total and not order.prices_include_tax:
        items.append(_line(f"{order.tax_name} ({order.tax_percent})",
                           to_minor_units(order.tax_total, currency), 1, currency))
    return items


def _minor_total(items: list[dict[str, Any]]) -> int:
    return sum(item["price_data"]["unit_amount"] * item["quantity"] for item in items)


def checkout_session_params(order: Order, success_url: str, cancel_url: str) -> dict[str, Any]:
    items = line_items(order)
    if _minor_total(items) != to_minor_units(order.total, order.currency):
        current_app.logger.error("Stripe lines of order %s do not add up to its total",
                                 order.number)
        raise PaymentError("We could not prepare your payment. Please contact us.")
    reference = {"order_number": order.number, "order_id": str(order.id)}
    return {
        "mode": "payment",
        "line_items": items,
        "client_reference_id": order.number,
        "metadata": reference,
        # Copied onto the PaymentIntent, so refund events lead back to the order.
        "payment_intent_data": {"metadata": reference},
        "customer_email": order.email,
        "expires_at": session_expiry(order.reservation_expires_at),
        "success_url": success_url,
        "cancel_url": cancel_url,
    }


class StripeProvider:
    name = PROVIDER
    label = "Card (Stripe)"
    min_reservation_minutes = 31

    def start(self, order: Order, *, success_url: str, cancel_url: str) -> PaymentStart:
        """Open a Checkout Session for ``order``; the caller records the Payment.

        Stripe sends the shopper back to our own pages (they ask Stripe what happened),
        which then go on to ``success_url`` or ``cancel_url``.
        """
        params = checkout_session_params(order, *stripe_return_urls(order, success_url,
                                                                     cancel_url))
        attempt = 1 + sum(1 for payment in order.payments if payment.provider == PROVIDER)
        with stripe_errors("start the payment"):
            session = stripe_client().v1.checkout.sessions.create(
                params=cast("SessionCreateParams", params),
                options={"idempotency_key": f"checkout-{order.number}-{attempt}"}
            )
        if session.url is None:  # only sessions embedded in a page have none; ours are hosted
            current_app.logger.error("Stripe made checkout session %s without a URL", session.id)
            raise PaymentUnavailable(UNAVAILABLE)
        return PaymentStart(redirect_url=session.url, reference=session.id)

    def refund(self, payment: Payment, amount: Decimal) -> RefundResult:
        client = stripe_client()
        with stripe_errors("refund the payment"):
            intent = payment_intent_of(client, payment.provider_reference)
            refund = client.v1.refunds.create(
                params={"payment_intent": intent,
                        "amount": to_minor_units(amount, payment.currency)},
                options={"idempotency_key": f"refund-{payment.provider_reference}-"
                                            f"{payment.amount_refunded}-{amount}"},
            )
        return RefundResult(reference=refund.id,
                            amount=from_minor_units(refund.amount, refund.currency))


def payment_intent_of(client: stripe.StripeClient, session_id: str) -> str:
    """The PaymentIntent behind a Checkout Session (our Payment's reference)."""
    intent = client.v1.checkout.sessions.retrieve(session_id).payment_intent
    if not intent:
        raise PaymentError("This payment was never completed, so there is nothing to refund.")
    return intent if isinstance(intent, str) else intent.id


def _local(url: str) -> str:
    """The path and query of ``url``: where to go next, on this site only."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _cancel_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CANCEL_SALT)


def stripe_return_urls(order: Order, success_url: str, cancel_url: str) -> tuple[str, str]:
    """Our return and cancel pages as Stripe wants them.

    Stripe fills ``{CHECKOUT_SESSION_ID}`` into the success URL only, so the cancel URL
    names the order in a signed token instead (nobody else can cancel someone's order).
    """
    success = public_url("stripe_checkout.payment_return", next=_local(success_url))
    token = _cancel_serializer().dumps({"o": order.number, "c": _local(cancel_url)})
    cancel = public_url("stripe_checkout.payment_cancel", token=token)
    return f"{success}&session_id={{CHECKOUT_SESSION_ID}}", cancel


def read_cancel_token(token: str) -> tuple[str, str | None] | None:
    """(order number, where to go next) from a cancel URL's token; None if forged."""
    try:
        data = _cancel_serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("o"), str):
        return None
    return data["o"], safe_next_url(data.get("c"))
