"""The Stripe webhook with events signed here: signatures, replays, and each event type."""

from __future__ import annotations

import logging
import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from storefront.extensions import db as _db
from storefront.orders import services as order_services
from storefront.orders.models import Order, OrderStatus, PaymentStatus
from storefront.orders.services import record_payment_started
from storefront.payments.models import StripeEvent
from tests.factories import JP_ADDRESS, VariantFactory, japan_shop
from tests.helpers.stripe_support import (
    counts,
    event_payload,
    load_order,
    minor,
    place_order,
    post_event,
    session_object,
    sign,
    stock,
)

SECRET = "whsec_unit_test_0123456789"
SESSION = "cs_test_unit_a1b2c3d4e5f6"


@pytest.fixture
def hook_app(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", SECRET)
    return app


@pytest.fixture
def variant(make):
    return make(VariantFactory, price=Decimal("20.00"), stock_on_hand=10)


@pytest.fixture
def order(hook_app, variant):
    """Two of ``variant`` (40.00) plus standard shipping (4.90): 44.90, waiting for Stripe."""
    return load_order(hook_app, place_order(hook_app, [(variant, 2)], session_id=SESSION))


def send(client, event_type: str, obj: dict, *, secret: str = SECRET, event_id=None,
         timestamp=None):
    payload = event_payload(event_type, obj, event_id)
    return post_event(client, payload, sign(payload, secret, timestamp))


def paid_session(order, **overrides) -> dict:
    fields = {"session_id": SESSION, "total_minor": minor(order.total)}
    fields.update(overrides)
    return session_object(order.number, order.id, fields.pop("total_minor"), **fields)


def event_rows(app) -> list[StripeEvent]:
    with app.app_context():
        return list(_db.session.scalars(select(StripeEvent).order_by(StripeEvent.id)))


# -- what is refused ----------------------------------------------------------------------


def test_a_wrong_signature_is_refused_and_changes_nothing(client, hook_app, order):
    response = send(client, "checkout.session.completed", paid_session(order),
                    secret="whsec_someone_else")
    assert response.status_code == 400
    assert load_order(hook_app, order.number).status == OrderStatus.PENDING_PAYMENT
    assert event_rows(hook_app) == []


def test_a_stale_timestamp_is_refused(client, hook_app, order):
    response = send(client, "checkout.session.completed", paid_session(order),
                    timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert load_order(hook_app, order.number).status == OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize("header", [None, "", "t=abc,v1=zz", "v1=deadbeef"])
def test_a_missing_or_garbled_signature_header_is_refused(client, hook_app, order, header):
    payload = event_payload("checkout.session.completed", paid_session(order))
    assert post_event(client, payload, header).status_code == 400


@pytest.mark.parametrize("payload", ["{not json", "[1, 2]", '{"id": 5, "type": "x"}',
                                     '{"id": "evt_1", "type": "x", "data": {"object": 3}}'])
def test_a_signed_body_that_is_not_an_event_is_refused(client, hook_app, payload):
    assert post_event(client, payload, sign(payload, SECRET)).status_code == 400
    assert event_rows(hook_app) == []


@pytest.mark.parametrize(("event_type", "obj"), [
    ("checkout.session.completed", {"id": "cs_1", "currency": "eur", "metadata": {}}),
    ("checkout.session.completed", {"id": "cs_1", "amount_total": "4490", "currency": "eur"}),
    ("checkout.session.expired", {"id": "cs_1", "amount_total": 1, "currency": "eur",
                                  "metadata": "HS-1"}),
    ("charge.refunded", {"id": "ch_1", "amount_refunded": 100}),
])
def test_a_signed_event_missing_what_we_read_is_refused(client, hook_app, event_type, obj):
    assert send(client, event_type, obj).status_code == 400
    assert event_rows(hook_app) == []


def test_invalid_utf8_is_refused(client, hook_app):
    payload = b'{"id": "evt_\xff"}'
    signature = sign(payload.decode("latin-1"), SECRET)
    assert post_event(client, payload, signature).status_code == 400


def test_without_a_webhook_secret_the_endpoint_does_not_exist(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", None)
    payload = event_payload("customer.created", {"id": "cus_1"})
    assert post_event(client, payload, sign(payload, SECRET)).status_code == 404


def test_get_is_not_allowed(client, hook_app):
    assert client.get("/stripe/webhook").status_code == 405


# -- payments -----------------------------------------------------------------------------


def test_a_paid_session_pays_the_order_sells_the_stock_and_sends_one_email(
        client, hook_app, order, variant):
    response = send(client, "checkout.session.completed", paid_session(order))

    assert response.status_code == 200
    assert response.json["outcome"] == "paid"
    paid = load_order(hook_app, order.number)
    assert paid.status == OrderStatus.PAID
    assert [(p.provider_reference, p.status) for p in paid.payments] == [
        (SESSION, PaymentStatus.SUCCEEDED)]
    assert stock(hook_app, variant) == (8, 0)
    assert counts(hook_app, order.number) == {"mails": 1, "events": 1}


def test_a_replayed_event_is_answered_but_not_applied_again(client, hook_app, order,
                                                            monkeypatch):
    calls = []
    real = order_services.payment_succeeded

    def spy(*args, **kwargs):
        calls.append(kwargs["reference"])
        return real(*args, **kwargs)

    monkeypatch.setattr(order_services, "payment_succeeded", spy)
    payload = event_payload("checkout.session.completed", paid_session(order), "evt_replayed")

    first = post_event(client, payload, sign(payload, SECRET))
    again = post_event(client, payload, sign(payload, SECRET))

    assert (first.status_code, first.json["outcome"]) == (200, "paid")
    assert (again.status_code, again.json["outcome"]) == (200, "duplicate")
    assert calls == [SESSION]
    assert counts(hook_app, order.number) == {"mails": 1, "events": 1}


def test_an_event_for_an_unknown_order_is_logged_and_accepted(client, hook_app, order, caplog):
    session = session_object("HS-NOSUCH22", 999999, 4490, session_id="cs_test_elsewhere")
    with caplog.at_level(logging.WARNING):
        response = send(client, "checkout.session.completed", session)

    assert (response.status_code, response.json["outcome"]) == (200, "unknown_order")
    assert "names no order of ours" in caplog.text
    assert load_order(hook_app, order.number).status == OrderStatus.PENDING_PAYMENT
    assert [row.outcome for row in event_rows(hook_app)] == ["unknown_order"]


def test_metadata_naming_another_order_id_is_not_trusted(client, hook_app, order):
    session = paid_session(order)
    session["metadata"]["order_id"] = str(order.id + 1000)
    response = send(client, "checkout.session.completed", session)
    assert response.json["outcome"] == "unknown_order"
    assert load_order(hook_app, order.number).status == OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize("change", [{"total_minor": 4489}, {"total_minor": 449000},
                                    {"currency": "usd"}])
def test_a_wrong_amount_or_currency_flags_the_order_and_does_not_pay_it(
        client, hook_app, order, variant, change):
    response = send(client, "checkout.session.completed", paid_session(order, **change))

    assert response.status_code == 200
    flagged = load_order(hook_app, order.number)
    assert flagged.status == OrderStatus.PENDING_PAYMENT
    assert flagged.flagged
    assert "not marked paid" in flagged.flag_reason
    assert flagged.payments[0].status == PaymentStatus.PENDING
    assert stock(hook_app, variant) == (10, 2)
    assert counts(hook_app, order.number)["mails"] == 0


def test_an_unpaid_completion_waits_for_the_async_payment(client, hook_app, order):
    waiting = send(client, "checkout.session.completed", paid_session(order, paid=False))
    assert waiting.json["outcome"] == "awaiting_payment"
    assert load_order(hook_app, order.number).status == OrderStatus.PENDING_PAYMENT

    settled = send(client, "checkout.session.async_payment_succeeded", paid_session(order))
    assert settled.json["outcome"] == "paid"
    assert load_order(hook_app, order.number).status == OrderStatus.PAID
    assert counts(hook_app, order.number) == {"mails": 1, "events": 2}


def test_a_failed_async_payment_fails_the_order_and_releases_the_stock(
        client, hook_app, order, variant):
    send(client, "checkout.session.completed", paid_session(order, paid=False))
    response = send(client, "checkout.session.async_payment_failed",
                    paid_session(order, paid=False))

    assert response.json["outcome"] == "failed"
    failed = load_order(hook_app, order.number)
    assert failed.status == OrderStatus.PAYMENT_FAILED
    assert failed.payments[0].status == PaymentStatus.FAILED
    assert stock(hook_app, variant) == (10, 0)


def test_an_expired_session_expires_the_order_and_releases_the_stock(
        client, hook_app, order, variant):
    response = send(client, "checkout.session.expired",
                    paid_session(order, paid=False, status="expired"))

    assert response.json["outcome"] == "expired"
    assert load_order(hook_app, order.number).status == OrderStatus.EXPIRED
    assert stock(hook_app, variant) == (10, 0)


def test_an_older_session_expiring_leaves_the_newer_attempt_alone(
        client, hook_app, order, variant):
    with hook_app.app_context():
        fresh = _db.session.get(Order, order.id)
        record_payment_started(fresh, provider="stripe", reference="cs_test_second_attempt")
        _db.session.commit()

    response = send(client, "checkout.session.expired",
                    paid_session(order, paid=False, status="expired"))

    assert response.json["outcome"] == "superseded"
    assert load_order(hook_app, order.number).status == OrderStatus.PENDING_PAYMENT
    assert stock(hook_app, variant) == (10, 2)


def test_a_late_expiry_after_payment_changes_nothing(client, hook_app, order, variant):
    send(client, "checkout.session.completed", paid_session(order))
    response = send(client, "checkout.session.expired", paid_session(order, status="expired"))
    assert response.json["outcome"] == "no_change"
    assert load_order(hook_app, order.number).status == OrderStatus.PAID
    assert stock(hook_app, variant) == (8, 0)


def test_other_event_types_are_recorded_and_ignored(client, hook_app, order):
    response = send(client, "customer.created", {"id": "cus_123", "object": "customer"})
    assert (response.status_code, response.json["outcome"]) == (200, "ignored")
    assert [(row.event_type, row.outcome) for row in event_rows(hook_app)] == [
        ("customer.created", "ignored")]


def test_zero_decimal_currency_amounts_are_whole_units(client, app, db, make, monkeypatch):
    japan_shop(app, monkeypatch)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", SECRET)
    variant = make(VariantFactory, price=Decimal("1500"), currency="JPY", stock_on_hand=5)
    order = load_order(app, place_order(app, [(variant, 2)], session_id=SESSION,
                                        address=JP_ADDRESS))
    assert (order.total, order.currency) == (Decimal("3500.00"), "JPY")

    wrong = send(client, "checkout.session.completed",
                 paid_session(order, total_minor=350000, currency="jpy"))
    assert wrong.status_code == 200
    assert load_order(app, order.number).status == OrderStatus.PENDING_PAYMENT

    right = send(client, "checkout.session.completed",
                 paid_session(order, total_minor=3500, currency="jpy"))
    assert right.json["outcome"] == "paid"
    assert load_order(app, order.number).status == OrderStatus.PAID
