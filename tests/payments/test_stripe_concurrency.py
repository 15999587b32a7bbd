"""One Stripe event delivered five times at once is applied once (PostgreSQL).

Unlike the other tests this one needs committed data that several connections see, so it
builds its own app on a throwaway database and drops it afterwards.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storefront.catalog.models import Variant
from storefront.extensions import db as _db
from storefront.inventory.models import StockMovement
from storefront.mail.models import OutboxMessage
from storefront.orders.models import Order, OrderStatus, Payment, PaymentStatus
from storefront.orders.services import record_payment_started
from storefront.payments.models import StripeEvent
from tests.factories import VariantFactory, placed_order
from tests.helpers.apps import BACKENDS, build_schema, create_postgres_database, make_test_app
from tests.helpers.stripe_support import WEBHOOK, event_payload, session_object, sign

SECRET = "whsec_race_0123456789"
SESSION = "cs_test_race_0123456789"
DELIVERIES = 5


@pytest.fixture
def race_app(tmp_path):
    url, drop = create_postgres_database("sf_stripe_race")
    app = make_test_app(url, tmp_path, STRIPE_WEBHOOK_SECRET=SECRET)
    build_schema(app)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    drop()


def committed_order(app) -> tuple[Order, int]:
    with app.app_context():
        variant = VariantFactory(price=Decimal("20.00"), stock_on_hand=10)
        order = placed_order((variant, 2))
        record_payment_started(order, provider="stripe", reference=SESSION)
        _db.session.commit()
        _db.session.refresh(order)
        _db.session.expunge(order)
        return order, variant.id


def tally(app, order: Order, variant_id: int) -> dict:
    with app.app_context():
        def count(model, *where):
            return _db.session.scalar(select(func.count()).select_from(model).where(*where))

        variant = _db.session.get(Variant, variant_id)
        return {
            "status": _db.session.get(Order, order.id).status,
            "payments": count(Payment, Payment.status == PaymentStatus.SUCCEEDED),
            "mails": count(OutboxMessage, OutboxMessage.subject.contains(order.number)),
            "events": count(StripeEvent),
            "movements": count(StockMovement, StockMovement.variant_id == variant_id),
            "stock": (variant.stock_on_hand, variant.stock_reserved),
        }


@pytest.mark.postgres_only
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_same_event_delivered_five_times_at_once_is_applied_once(backend, request):
    if backend == "sqlite":
        pytest.skip("SQLite lets one writer in at a time, so deliveries cannot overlap; "
                    "the race is tested on PostgreSQL")
    app = request.getfixturevalue("race_app")
    order, variant_id = committed_order(app)
    session = session_object(order.number, order.id, 4490, session_id=SESSION)
    payload = event_payload("checkout.session.completed", session, "evt_race_once")
    signature = sign(payload, SECRET)
    start = threading.Barrier(DELIVERIES)

    def deliver(_):
        client = app.test_client()
        start.wait(timeout=10)
        response = client.post(WEBHOOK, data=payload, headers={"Stripe-Signature": signature})
        return response.status_code, response.json["outcome"]

    with ThreadPoolExecutor(DELIVERIES) as pool:
        replies = list(pool.map(deliver, range(DELIVERIES)))

    assert sorted(replies) == [(200, "duplicate")] * (DELIVERIES - 1) + [(200, "paid")]
    assert tally(app, order, variant_id) == {
        "status": OrderStatus.PAID, "payments": 1, "mails": 1, "events": 1, "movements": 1,
        "stock": (8, 0)}
