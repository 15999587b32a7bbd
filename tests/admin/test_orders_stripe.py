"""Admins refund and cancel Stripe orders: the money goes back through the local fake Stripe."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest
import requests
from localstripe.resources import Refund
from sqlalchemy import func, select

from storefront.audit.models import AuditEntry
from storefront.extensions import db
from storefront.orders.models import Order, OrderStatus, PaymentStatus
from storefront.orders.payment_providers import get_provider
from storefront.orders.services import record_payment_started
from tests.factories import AdminFactory, ProductFactory, VariantFactory
from tests.helpers import login, submit
from tests.helpers.stripe_support import deliver, load_order, place_order, stock

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")
S = OrderStatus


@pytest.fixture
def cream(make):
    product = make(ProductFactory, name="Barrier Cream", variant=False)
    return make(VariantFactory, product=product, price=Decimal("24.50"), size_label="50 ml",
                stock_on_hand=10)


@pytest.fixture
def admin(client, make):
    user = make(AdminFactory)
    login(client, user.email)
    return user


def paid_stripe_order(app, fake, variant) -> tuple[str, str]:
    """2 x 24.50 + 4.90 delivery = 53.90, paid on Stripe's page, reported by its webhook."""
    number = place_order(app, [(variant, 2)])
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        started = get_provider("stripe").start(
            order, success_url="http://shop.test/checkout/orders/x",
            cancel_url="http://shop.test/checkout/orders/x/cancelled")
        record_payment_started(order, provider="stripe", reference=started.reference)
        db.session.commit()
    paid = requests.post(fake.sessions[started.reference]["url"], data={"action": "pay"},
                         allow_redirects=False, timeout=5)
    assert paid.status_code == 303
    deliver(app.test_client(), fake, "checkout.session.completed")
    assert load_order(app, number).status == S.PAID
    return number, started.reference


def stripe_refunds(fake, session_id: str) -> list[int]:
    intent = fake.sessions[session_id]["payment_intent"]
    return sorted(r.amount for r in Refund._api_list_all("", payment_intent=intent)._list)


def refund(client, number: str, amount: str):
    return submit(client, f"/admin/orders/{number}/refund", {"amount": amount},
                  form_url=f"/admin/orders/{number}")


def audit_count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.id))
                                 .where(AuditEntry.action == action))


def test_a_partial_then_full_refund_goes_through_stripe(app, client, admin, fake_stripe, cream):
    number, session_id = paid_stripe_order(app, fake_stripe, cream)

    assert refund(client, number, "10.00").status_code == 303
    order = load_order(app, number)
    assert order.status == S.PARTIALLY_REFUNDED
    [payment] = order.payments
    assert (payment.status, payment.amount_refunded) == (PaymentStatus.PARTIALLY_REFUNDED,
                                                         Decimal("10.00"))
    assert stripe_refunds(fake_stripe, session_id) == [1000]
    assert order.refunds[0].reference.startswith("re_")

    assert refund(client, number, "43.90").status_code == 303
    order = load_order(app, number)
    assert order.status == S.REFUNDED
    [payment] = order.payments
    assert (payment.status, payment.amount_refunded) == (PaymentStatus.REFUNDED,
                                                         Decimal("53.90"))
    assert stripe_refunds(fake_stripe, session_id) == [1000, 4390]
    assert audit_count(app, "order.refunded") == 2

    # Stripe's own charge.refunded events arrive afterwards: already recorded, not doubled.
    responses = deliver(app.test_client(), fake_stripe, "charge.refunded")
    assert [r.json["outcome"] for r in responses] == ["no_change", "no_change"]
    assert len(load_order(app, number).refunds) == 2


def test_when_stripe_is_down_nothing_is_refunded_or_recorded(app, client, admin, fake_stripe,
                                                             cream):
    number, session_id = paid_stripe_order(app, fake_stripe, cream)
    fake_stripe.trouble = ("status", 500)
    response = refund(client, number, "10.00")
    assert response.status_code == 503
    assert "could not be reached, so nothing was refunded" in unescape(
        response.get_data(as_text=True))
    fake_stripe.trouble = None
    order = load_order(app, number)
    assert (order.status, order.refunds) == (S.PAID, [])
    assert order.payments[0].amount_refunded == Decimal("0.00")
    assert stripe_refunds(fake_stripe, session_id) == []
    assert audit_count(app, "order.refunded") == 0


def test_a_refund_stripe_refuses_changes_nothing(app, client, admin, fake_stripe, cream):
    number, _ = paid_stripe_order(app, fake_stripe, cream)
    fake_stripe.trouble = ("status", 400, "Charge has already been refunded.")
    response = refund(client, number, "5.00")
    assert response.status_code == 409
    assert "The payment provider refused" in response.get_data(as_text=True)
    fake_stripe.trouble = None
    order = load_order(app, number)
    assert (order.status, order.refunds) == (S.PAID, [])
    assert audit_count(app, "order.refunded") == 0


def test_cancelling_a_paid_stripe_order_refunds_it_there_and_restocks(app, client, admin,
                                                                      fake_stripe, cream):
    number, session_id = paid_stripe_order(app, fake_stripe, cream)
    assert stock(app, cream) == (8, 0)
    response = submit(client, f"/admin/orders/{number}/cancel", {},
                      form_url=f"/admin/orders/{number}")
    assert response.status_code == 303
    order = load_order(app, number)
    assert order.status == S.CANCELLED
    assert (order.payments[0].status, order.payments[0].amount_refunded) == (
        PaymentStatus.REFUNDED, Decimal("53.90"))
    assert stripe_refunds(fake_stripe, session_id) == [5390]
    assert stock(app, cream) == (10, 0)
    assert audit_count(app, "order.cancelled") == 1


def test_cancelling_while_stripe_is_down_changes_nothing(app, client, admin, fake_stripe,
                                                         cream):
    number, _ = paid_stripe_order(app, fake_stripe, cream)
    fake_stripe.trouble = ("status", 503)
    response = submit(client, f"/admin/orders/{number}/cancel", {},
                      form_url=f"/admin/orders/{number}")
    assert response.status_code == 503
    fake_stripe.trouble = None
    order = load_order(app, number)
    assert (order.status, order.refunds) == (S.PAID, [])
    assert stock(app, cream) == (8, 0)
    assert audit_count(app, "order.cancelled") == 0
