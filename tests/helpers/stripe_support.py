"""Shared by the Stripe tests: orders placed through the real services, signed events."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from itertools import count

import pytest
import requests
from localstripe.resources import Refund
from sqlalchemy import func, select
from stripe import WebhookSignature

from storefront.catalog.models import Variant
from storefront.extensions import db
from storefront.mail.models import OutboxMessage
from storefront.money import to_minor_units
from storefront.orders import services as order_services
from storefront.orders.models import Order
from storefront.orders.services import record_payment_started
from storefront.payments.models import StripeEvent
from tests.factories import (
    ProductFactory,
    VariantFactory,
    add_to_cart,
    fill_checkout,
    placed_order,
    press_pay,
)

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


def session_items(fake, session_id: str) -> list[tuple[str, int, int]]:
    return [(item["description"], item["price"]["unit_amount"], item["quantity"])
            for item in fake.line_items[session_id]]


def pay_on_hosted_page(fake, session_id: str) -> None:
    response = requests.post(fake.sessions[session_id]["url"], data={"action": "pay"},
                             allow_redirects=False, timeout=5)
    assert response.status_code == 303


def refund(app, number: str, amount: str) -> None:
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        order_services.refund(order, Decimal(amount), actor=None)
        db.session.commit()


def stripe_refunds(fake, session_id: str) -> list[int]:
    intent = fake.sessions[session_id]["payment_intent"]
    return sorted(r.amount for r in Refund._api_list_all("", payment_intent=intent)._list)


@pytest.fixture
def cream(make):
    product = make(ProductFactory, name="Barrier Cream", variant=False)
    return make(VariantFactory, product=product, price=Decimal("24.50"), size_label="50 ml",
                stock_on_hand=10)


def checkout(client, variant, quantity="2"):
    assert add_to_cart(client, variant.id, quantity).status_code == 302
    fill_checkout(client)
    return press_pay(client)
