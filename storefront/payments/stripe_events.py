"""What Stripe tells us about a payment, applied to our orders; every event only once.

Two doors lead here: the webhook (an event signed by Stripe) and the shopper's return
page (a session re-fetched from Stripe). Both end in the same order services, on the
order row locked first, so whichever arrives first wins and the other changes nothing.
Services flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import stripe
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storefront.errors import DomainError
from storefront.extensions import db
from storefront.money import from_minor_units
from storefront.orders import services as orders
from storefront.orders.models import Order, OrderStatus, Payment, PaymentStatus
from storefront.orders.payment_providers import PaymentError, PaymentUnavailable
from storefront.payments.models import StripeEvent
from storefront.payments.stripe_provider import (
    PROVIDER,
    read_cancel_token,
    stripe_client,
    stripe_errors,
)

Event = dict[str, Any]
Handler = Callable[[Order, dict[str, Any]], str]


class MalformedEvent(ValueError):
    """The webhook body is not a signed Stripe event we can read."""


def verified_event(payload: bytes, signature: str | None, secret: str) -> Event:
    """The event in ``payload`` as plain data, once its signature and age are checked.

    Raises ``stripe.SignatureVerificationError`` (wrong secret, tampered body, or a
    timestamp more than five minutes old) or ``MalformedEvent``.
    """
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret).to_dict()
    except stripe.SignatureVerificationError:
        raise
    except (ValueError, TypeError, AttributeError) as error:  # not UTF-8, JSON or an object
        raise MalformedEvent(str(error)) from error
    data = event.get("data")
    if not (isinstance(event.get("id"), str) and isinstance(event.get("type"), str)
            and isinstance(data, dict) and isinstance(data.get("object"), dict)):
        raise MalformedEvent("not a Stripe event")
    if not _has_fields(event["type"], data["object"]):
        raise MalformedEvent(f"a {event['type']} event without the fields it needs")
    return event


def _has_fields(event_type: str, obj: dict[str, Any]) -> bool:
    """Whether an event we act on carries what its handler reads, with the right types."""
    wanted: dict[str, type | tuple[type, ...]]
    if event_type.startswith("checkout.session."):
        wanted = {"id": str, "amount_total": int, "currency": str, "metadata": (dict, type(None))}
    elif event_type == "charge.refunded":
        wanted = {"id": str, "payment_intent": str, "metadata": (dict, type(None))}
    else:
        return True
    return all(isinstance(obj.get(key), kind) for key, kind in wanted.items())


def record_event(event: Event) -> StripeEvent | None:
    """Remember the event id; None when it was already there (a replay).

    The insert runs in a savepoint: a concurrent delivery of the same event waits on the
    unique index until the first transaction ends, then fails here and changes nothing.
    """
    row = StripeEvent(event_id=event["id"], event_type=event["type"])
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row


def handle_event(event: Event) -> str:
    """Apply a verified event once; returns what happened, for the log and the reply.

    Raises PaymentUnavailable when Stripe could not be asked for details (nothing is
    kept, so Stripe's next delivery tries again).
    """
    row = record_event(event)
    if row is None:
        return "duplicate"
    handler = HANDLERS.get(event["type"])
    order = _order_of(event) if handler else None
    if handler is None:
        row.outcome = "ignored"
    elif order is None:
        current_app.logger.warning("Stripe event %s (%s) names no order of ours",
                                   event["id"], event["type"])
        row.outcome = "unknown_order"
    else:
        row.order_number = order.number
        row.outcome = _apply(handler, order, event)
    db.session.flush()
    return row.outcome


def _order_of(event: Event) -> Order | None:
    obj = event["data"]["object"]
    if event["type"].startswith("checkout.session."):
        return order_for(obj)
    try:
        return order_for_charge(obj)
    except PaymentUnavailable:
        raise
    except PaymentError:  # Stripe does not know the PaymentIntent: not one of ours
        return None


def _apply(handler: Handler, order: Order, event: Event) -> str:
    """Run the handler in a savepoint: an order rule saying no undoes only its changes."""
    try:
        with db.session.begin_nested():
            return handler(order, event["data"]["object"])
    except PaymentUnavailable:
        raise
    except DomainError as error:
        current_app.logger.warning("Stripe event %s (%s) for order %s refused: %s",
                                   event["id"], event["type"], order.number, error.message)
        return "refused"


def _locked_order(number: str | None) -> Order | None:
    """The order with this number, its row locked until the transaction ends."""

    if not number:
        return None
    order_id = db.session.scalar(
        select(Order.id).where(Order.number == number).with_for_update()
    )
    return db.session.get(Order, order_id, populate_existing=True) if order_id else None


def order_for(session: dict[str, Any]) -> Order | None:
    """The order a Checkout Session pays for, when its reference and metadata agree."""
    metadata = session.get("metadata") or {}
    order = _locked_order(session.get("client_reference_id") or metadata.get("order_number"))
    if order is None or metadata.get("order_id") not in (None, str(order.id)):
        return None
    return order


def order_for_charge(charge: dict[str, Any]) -> Order | None:
    """The order a charge belongs to, through its PaymentIntent's metadata (from Stripe)."""
    number = (charge.get("metadata") or {}).get("order_number")
    intent = charge.get("payment_intent")
    if not number and isinstance(intent, str):
        with stripe_errors("look up a payment"):
            found = stripe_client().v1.payment_intents.retrieve(intent).to_dict()
        number = (found.get("metadata") or {}).get("order_number")
    return _locked_order(number)


# -- the outcome of a Checkout Session ---------------------------------------------------


def session_paid(order: Order, session: dict[str, Any]) -> str:
    """Record the session's payment with Stripe's own amount and currency, once it is paid.

    ``checkout.session.completed`` is unpaid for a bank transfer or debit; then
    ``checkout.session.async_payment_succeeded`` (or ``_failed``) follows.
    """

    if session.get("payment_status") != "paid":
        return "awaiting_payment"
    currency = str(session["currency"]).upper()
    recorded = orders.payment_succeeded(
        order,
        provider=PROVIDER,
        reference=session["id"],
        amount=from_minor_units(int(session["amount_total"]), currency),
        currency=currency,
    )
    if recorded:
        return "paid"
    return "already_paid" if order.paid_at else "refused"


def _current_attempt(order: Order, session: dict[str, Any]) -> bool:
    """Whether ``session`` is the order's latest Stripe attempt.

    An older session running out (or failing) while a newer one is open says nothing
    about the order, and must not give its stock back.
    """
    attempts = [payment for payment in order.payments if payment.provider == PROVIDER]
    return not attempts or attempts[-1].provider_reference == session["id"]


def session_failed(order: Order, session: dict[str, Any]) -> str:

    if not _current_attempt(order, session):
        return "superseded"
    failed = orders.payment_failed(order, reason="Your bank did not complete the payment.")
    return "failed" if failed else "no_change"


def session_expired(order: Order, session: dict[str, Any]) -> str:

    if not _current_attempt(order, session):
        return "superseded"
    return "expired" if orders.payment_expired(order) else "no_change"


def charge_refunded(order: Order, charge: dict[str, Any]) -> str:
    """Record every refund Stripe lists for the payment, oldest first; known ones are skipped.

    The list comes from Stripe rather than the event: newer API versions leave the
    refunds out of the charge, and one event may stand for several refunds.
    """

    with stripe_errors("look up refunds"):
        refunds = stripe_client().v1.refunds.list(
            params={"payment_intent": charge["payment_intent"], "limit": 100})
    recorded = 0
    for refund in sorted(refunds.data, key=lambda refund: refund.created):
        if refund.status == "succeeded":
            amount = from_minor_units(refund.amount, refund.currency.upper())
            recorded += orders.refund_recorded(order, amount=amount, reference=refund.id)
    return "refunded" if recorded else "no_change"


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": session_paid,
    "checkout.session.async_payment_succeeded": session_paid,
    "checkout.session.async_payment_failed": session_failed,
    "checkout.session.expired": session_expired,
    "charge.refunded": charge_refunded,
}


# -- the shopper's return and cancel pages ----------------------------------------------


def order_for_reference(session_id: str) -> Order | None:
    """The order that started this Checkout Session (from our Payment row)."""

    payment = db.session.scalar(select(Payment).where(
        Payment.provider == PROVIDER, Payment.provider_reference == session_id))
    return payment.order if payment else None


def confirm_session(order: Order, session_id: str) -> str:
    """Ask Stripe how the session stands and record its payment if it is paid.

    The return URL is only a hint from the browser: the session, its amount and its
    currency are read from Stripe. Raises PaymentUnavailable when Stripe can't be asked.
    """
    with stripe_errors("confirm your payment"):
        session = stripe_client().v1.checkout.sessions.retrieve(session_id).to_dict()
    if order_for(session) is not order:
        current_app.logger.warning("Stripe session %s does not belong to order %s",
                                   session_id, order.number)
        return "unknown_order"
    return session_paid(order, session)


def order_to_cancel(token: str) -> tuple[Order, str | None] | None:
    """The order a cancel link names and where to go next; None for a forged link."""

    found = read_cancel_token(token)
    if found is None:
        return None
    order = db.session.scalar(select(Order).where(Order.number == found[0]))
    return (order, found[1]) if order else None


def _close_session(session_id: str):
    """Expire the session at Stripe unless it is already over; returns it as it now is."""
    client = stripe_client()
    with stripe_errors("cancel the payment"):
        session = client.v1.checkout.sessions.retrieve(session_id)
        if session.status == "open":
            session = client.v1.checkout.sessions.expire(session_id)
    return session


def cancel_checkout(order: Order) -> str:
    """The shopper came back from Stripe without paying: close the session, free the stock.

    The session is expired at Stripe first, so it can no longer be paid in another tab;
    if Stripe says it was completed meanwhile, that is recorded instead. When Stripe can't
    be reached the stock is freed all the same: a payment that still arrives is handled
    by the order services (stock taken again, or the money sent back).
    """
    pending = [p for p in order.payments
               if p.provider == PROVIDER and p.status == PaymentStatus.PENDING]
    if order.status != OrderStatus.PENDING_PAYMENT or not pending:
        return "no_change"
    try:
        session = _close_session(pending[-1].provider_reference)
    except PaymentError as error:
        current_app.logger.warning("Stripe session %s of order %s not expired: %s",
                                   pending[-1].provider_reference, order.number, error.message)
    else:
        if session.status == "complete":  # paid, or a bank payment under way
            return confirm_session(order, session.id)
    orders.payment_failed(order, reason="You cancelled the payment.")
    return "cancelled"
