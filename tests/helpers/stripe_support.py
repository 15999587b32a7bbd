"""Shared by the Stripe tests: orders placed through the real services, signed events."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from itertools import count

from sqlalchemy import func, select
from stripe import WebhookSignature

from storefront.catalog.models import Variant
from storefront.extensions import db
from storefront.mail.models import OutboxMessage
from storefront.orders.models import Order
from storefront.orders.services import record_payment_started
from storefront.payments.models import StripeEvent
from tests.factories import placed_order

WEBHOOK = "/stripe/webhook"
_ids = count(1)


def place_order(app, lines: list[tuple[Variant, int]], *, code: str = "",
                session_id: str | None = None, email: str = "ada@example.com",
                address: dict | None = None, shipping: str = "standard") -> str:
    """Place an order for ``lines`` as checkout does (stock reserved), committed.

    With ``session_id`` its Stripe payment is recorded as started under that session.
    """
    with app.app_context():
        order = placed_order(*lines, email=email, code=code, address=address,
                             shipping=shipping)
        if session_id:
            record_payment_started(order, provider="stripe", reference=session_id)
        db.session.commit()
        return order.number


def load_order(app, number: str) -> Order:
    """The order with its lines, payments and refunds loaded, detached for assertions."""
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        for relation in (order.lines, order.payments, order.refunds, order.events):
            list(relation)
        db.session.expunge_all()
        return order


def stock(app, variant: Variant) -> tuple[int, int]:
    """(on hand, reserved) of a variant now."""
    with app.app_context():
        fresh = db.session.get(Variant, variant.id, populate_existing=True)
        return fresh.stock_on_hand, fresh.stock_reserved


def counts(app, number: str) -> dict[str, int]:
    """How many confirmation e-mails and Stripe events exist for an order."""
    with app.app_context():
        mails = db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.subject.contains(number), OutboxMessage.subject.contains("confirmed")))
        events = db.session.scalar(select(func.count(StripeEvent.id)).where(
            StripeEvent.order_number == number))
        return {"mails": mails, "events": events}


def minor(amount: str | Decimal, currency: str = "EUR") -> int:
    from storefront.money import to_minor_units

    return to_minor_units(Decimal(amount), currency)


def session_object(number: str, order_id: int, total_minor: int, *, session_id: str,
                   currency: str = "eur", paid: bool = True, status: str = "complete") -> dict:
    """A Checkout Session as Stripe puts it in an event."""
    return {
        "id": session_id, "object": "checkout.session", "mode": "payment", "status": status,
        "payment_status": "paid" if paid else "unpaid", "amount_total": total_minor,
        "currency": currency, "client_reference_id": number, "payment_intent": None,
        "metadata": {"order_number": number, "order_id": str(order_id)},
    }


def event_payload(event_type: str, obj: dict, event_id: str | None = None) -> str:
    return json.dumps({
        "id": event_id or f"evt_test_{next(_ids):06d}_{int(time.time())}", "object": "event",
        "type": event_type, "created": int(time.time()), "livemode": False,
        "data": {"object": obj},
    })


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send (``timestamp`` to make it stale)."""
    return WebhookSignature.generate_signature_header(payload, secret, timestamp)


def post_event(client, payload: str | bytes, signature: str | None):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post(WEBHOOK, data=payload, headers=headers)


def deliver(client, fake, event_type: str | None = None) -> list:
    """Post the fake Stripe's queued events (of one type, or all) to the webhook."""
    sent = [event for event in fake.events if event_type in (None, event.type)]
    for event in sent:
        fake.events.remove(event)
    responses = [post_event(client, event.payload, event.signature) for event in sent]
    assert all(response.status_code == 200 for response in responses), responses
    return responses
