"""The Stripe provider against the local fake Stripe: sessions, refunds, and Stripe failing."""

from __future__ import annotations

import socket
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from storefront.db import utcnow
from storefront.extensions import db as _db
from storefront.orders import services as order_services
from storefront.orders.models import Order, OrderStatus, PaymentStatus
from storefront.orders.payment_providers import (
    PaymentError,
    PaymentUnavailable,
    get_provider,
    reservation_minutes,
)
from storefront.payments.stripe_provider import (
    UNAVAILABLE,
    discounted_amounts,
    session_expiry,
    stripe_client,
)
from tests.factories import (
    JP_ADDRESS,
    DiscountCodeFactory,
    ProductFactory,
    VariantFactory,
    japan_shop,
)
from tests.helpers.stripe_support import (
    deliver,
    load_order,
    minor,
    pay_on_hosted_page,
    place_order,
    post_event,
    refund,
    session_items,
    stripe_refunds,
)

# localstripe registers plain functions as aiohttp handlers, which aiohttp now frowns upon.
pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")


@pytest.fixture
def cream(make):
    product = make(ProductFactory, name="Barrier Cream", variant=False)
    return make(VariantFactory, product=product, price=Decimal("24.50"), size_label="50 ml",
                stock_on_hand=10)


@pytest.fixture
def serum(make):
    product = make(ProductFactory, name="Niacinamide Serum", variant=False)
    return make(VariantFactory, product=product, price=Decimal("8.33"), size_label="30 ml",
                stock_on_hand=10)


def start(app, number: str):
    """Start a Stripe payment for the order, recorded the way checkout records it."""
    with app.app_context():
        order = _db.session.scalar(select(Order).where(Order.number == number))
        started = get_provider("stripe").start(
            order, success_url="http://shop.test/checkout/orders/x",
            cancel_url="http://shop.test/checkout/orders/x/cancelled")
        order_services.record_payment_started(order, provider="stripe",
                                              reference=started.reference)
        _db.session.commit()
        return started


# -- pure helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(("amounts", "discount"), [
    ([4900, 1333], 623), ([1000, 1000, 1000], 1000), ([999], 999), ([1, 2, 3], 5),
    ([2500, 0, 7500], 1), ([5000, 5000], 0),
])
def test_a_discount_is_spread_over_the_lines_to_the_cent(amounts, discount):
    result = discounted_amounts(amounts, discount)
    assert sum(result) == sum(amounts) - discount
    assert all(0 <= new <= old for new, old in zip(result, amounts, strict=True))
    shares = [old - new for new, old in zip(result, amounts, strict=True)]
    exact = [discount * amount / sum(amounts) for amount in amounts]
    assert all(abs(share - ideal) < 1 for share, ideal in zip(shares, exact, strict=True))


def test_the_session_lifetime_follows_the_reservation_within_stripes_limits(app_ctx):
    now = int(utcnow().timestamp())
    assert abs(session_expiry(utcnow() + timedelta(minutes=15)) - (now + 30 * 60 + 30)) <= 2
    # A reservation of the 31 minutes held for Stripe, made a few seconds ago, is kept.
    held = utcnow() + timedelta(minutes=31) - timedelta(seconds=5)
    assert session_expiry(held) == int(held.timestamp())
    assert abs(session_expiry(utcnow() + timedelta(hours=2)) - (now + 7200)) <= 2
    longest = now + 23 * 3600 + 55 * 60
    assert abs(session_expiry(utcnow() + timedelta(days=3)) - longest) <= 2
    assert abs(session_expiry(None) - longest) <= 2


# -- the session ---------------------------------------------------------------------------


def test_the_checkout_session_carries_our_lines_prices_and_references(app, fake_stripe, cream,
                                                                      serum):
    number = place_order(app, [(cream, 1), (serum, 2)], email="maya@example.com")
    order = load_order(app, number)
    assert order.total == Decimal("46.06")  # 24.50 + 2 x 8.33 + 4.90 shipping

    started = start(app, number)

    session = fake_stripe.sessions[started.reference]
    assert started.redirect_url == session["url"]
    assert session_items(fake_stripe, started.reference) == [
        ("Barrier Cream (50 ml)", 2450, 1), ("Niacinamide Serum (30 ml)", 833, 2),
        ("Standard delivery (3 to 5 working days)", 490, 1)]
    assert (session["amount_total"], session["currency"]) == (4606, "eur")
    assert session["client_reference_id"] == number
    assert session["metadata"] == {"order_number": number, "order_id": str(order.id)}
    assert session["_intent_metadata"] == session["metadata"]
    assert session["customer_email"] == "maya@example.com"
    assert session["expires_at"] >= time.time() + 30 * 60
    assert session["expires_at"] == int(order.reservation_expires_at.timestamp())
    assert "session_id={CHECKOUT_SESSION_ID}" in session["success_url"]
    assert session["success_url"].startswith("http://shop.test/checkout/stripe/return?")
    assert session["cancel_url"].startswith("http://shop.test/checkout/stripe/cancel/")
    assert [p.provider_reference for p in load_order(app, number).payments] == [
        started.reference]


def test_a_discounted_order_is_sent_as_discounted_lines_that_add_up(app, fake_stripe, make,
                                                                   cream, serum):
    make(DiscountCodeFactory, code="GLOW15", value=Decimal("15"))
    number = place_order(app, [(cream, 2), (serum, 3)], code="GLOW15")
    order = load_order(app, number)
    assert order.discount_total == Decimal("11.10")  # 15 % of 49.00 + 24.99; free delivery

    started = start(app, number)

    # 11.10 split 7.35 / 3.75 in proportion to 49.00 / 24.99 (the odd cent to the larger
    # rounding loss), each line sent once with its quantity in the name.
    assert session_items(fake_stripe, started.reference) == [
        ("Barrier Cream (50 ml) x 2", 4165, 1), ("Niacinamide Serum (30 ml) x 3", 2124, 1)]
    assert fake_stripe.sessions[started.reference]["amount_total"] == minor(order.total) == 6289


def test_prices_without_tax_get_a_vat_line(app, fake_stripe, cream, monkeypatch):
    monkeypatch.setitem(app.config, "PRICES_INCLUDE_TAX", False)
    number = place_order(app, [(cream, 1)])
    order = load_order(app, number)
    assert order.tax_total > 0
    assert not order.prices_include_tax

    started = start(app, number)

    items = session_items(fake_stripe, started.reference)
    assert items[-1] == ("VAT (21%)", minor(order.tax_total), 1)
    assert fake_stripe.sessions[started.reference]["amount_total"] == minor(order.total)


def test_a_zero_decimal_currency_is_sent_in_whole_units(app, fake_stripe, make, monkeypatch):
    japan_shop(app, monkeypatch)
    variant = make(VariantFactory, price=Decimal("1500"), currency="JPY", size_label="100 ml")
    started = start(app, place_order(app, [(variant, 2)], address=JP_ADDRESS))

    session = fake_stripe.sessions[started.reference]
    assert (session["amount_total"], session["currency"]) == (3500, "jpy")
    assert [amount for _, amount, _ in session_items(fake_stripe, started.reference)] == [
        1500, 500]


def test_a_repeated_start_of_the_same_attempt_gets_the_same_session(app, fake_stripe, cream):
    number = place_order(app, [(cream, 1)])
    with app.app_context():
        order = _db.session.scalar(select(Order).where(Order.number == number))
        provider = get_provider("stripe")
        urls = {"success_url": "http://shop.test/a", "cancel_url": "http://shop.test/b"}
        first, again = provider.start(order, **urls), provider.start(order, **urls)
        order_services.record_payment_started(order, provider="stripe",
                                              reference=first.reference)
        next_attempt = provider.start(order, **urls)
    assert first.reference == again.reference != next_attempt.reference
    assert len(fake_stripe.sessions) == 2


# -- Stripe unreachable, slow or failing ---------------------------------------------------


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("trouble", ["down", "slow", "500", "401"])
def test_stripe_in_trouble_means_payment_unavailable(app, fake_stripe, cream, monkeypatch,
                                                     trouble):
    if trouble == "down":
        monkeypatch.setitem(app.config, "STRIPE_API_BASE", closed_port())
    elif trouble == "slow":
        monkeypatch.setitem(app.config, "STRIPE_TIMEOUT", 0.3)
        fake_stripe.trouble = ("slow", 2)
    else:
        fake_stripe.trouble = ("status", int(trouble))
    number = place_order(app, [(cream, 1)])

    with app.app_context():
        order = _db.session.scalar(select(Order).where(Order.number == number))
        with pytest.raises(PaymentUnavailable) as raised:
            get_provider("stripe").start(order, success_url="http://shop.test/a",
                                         cancel_url="http://shop.test/b")
    assert raised.value.message == UNAVAILABLE


@pytest.mark.parametrize(("status", "message"), [
    (402, "Your card was declined."),
    (400, "We could not start the payment. Please check your details and try again, "
          "or contact us if it keeps happening."),
])
def test_a_refused_request_is_the_shoppers_error_not_an_outage(app, fake_stripe, cream, status,
                                                                message):
    fake_stripe.trouble = ("status", status, "Your card was declined.")
    number = place_order(app, [(cream, 1)])
    with app.app_context():
        order = _db.session.scalar(select(Order).where(Order.number == number))
        with pytest.raises(PaymentError) as raised:
            get_provider("stripe").start(order, success_url="http://shop.test/a",
                                         cancel_url="http://shop.test/b")
    assert not isinstance(raised.value, PaymentUnavailable)
    assert raised.value.message == message


def test_without_a_secret_key_stripe_is_unavailable(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", None)
    with pytest.raises(PaymentUnavailable):
        get_provider("stripe").refund(None, Decimal("1.00"))


# -- refunds -------------------------------------------------------------------------------


def paid_order(app, client, fake, variant) -> tuple[str, str]:
    number = place_order(app, [(variant, 2)])
    session_id = start(app, number).reference
    pay_on_hosted_page(fake, session_id)
    deliver(client, fake, "checkout.session.completed")
    assert load_order(app, number).status == OrderStatus.PAID
    return number, session_id


def test_partial_then_full_refund_through_stripe(app, client, fake_stripe, cream):
    number, session_id = paid_order(app, client, fake_stripe, cream)  # 49.00 + 4.90

    refund(app, number, "10.00")
    order = load_order(app, number)
    assert order.status == OrderStatus.PARTIALLY_REFUNDED
    assert (order.payments[0].status, order.payments[0].amount_refunded) == (
        PaymentStatus.PARTIALLY_REFUNDED, Decimal("10.00"))
    assert stripe_refunds(fake_stripe, session_id) == [1000]

    refund(app, number, "43.90")
    order = load_order(app, number)
    assert order.status == OrderStatus.REFUNDED
    assert order.payments[0].status == PaymentStatus.REFUNDED
    assert sorted(r.amount for r in order.refunds) == [Decimal("10.00"), Decimal("43.90")]
    assert stripe_refunds(fake_stripe, session_id) == [1000, 4390]

    # Stripe's charge.refunded events for both arrive afterwards: already recorded.
    responses = deliver(client, fake_stripe, "charge.refunded")
    assert [r.json["outcome"] for r in responses] == ["no_change", "no_change"]
    assert len(load_order(app, number).refunds) == 2


def test_a_refund_made_on_stripe_is_recorded_from_the_webhook(app, client, fake_stripe, cream):
    number, session_id = paid_order(app, client, fake_stripe, cream)
    with app.app_context():
        stripe_client().v1.refunds.create(params={
            "payment_intent": fake_stripe.sessions[session_id]["payment_intent"],
            "amount": 1590})

    responses = deliver(client, fake_stripe, "charge.refunded")
    assert [r.json["outcome"] for r in responses] == ["refunded"]
    order = load_order(app, number)
    assert order.status == OrderStatus.PARTIALLY_REFUNDED
    assert [r.amount for r in order.refunds] == [Decimal("15.90")]
    assert order.refunds[0].reference.startswith("re_")


def test_a_refund_stripe_refuses_changes_nothing(app, client, fake_stripe, cream):
    number, _ = paid_order(app, client, fake_stripe, cream)
    fake_stripe.trouble = ("status", 400, "Charge has already been refunded.")
    with pytest.raises(PaymentError):
        refund(app, number, "5.00")
    order = load_order(app, number)
    assert (order.status, order.refunds) == (OrderStatus.PAID, [])


def test_a_refund_event_while_stripe_is_down_is_retried_later(app, client, fake_stripe, cream):
    number, session_id = paid_order(app, client, fake_stripe, cream)
    with app.app_context():
        stripe_client().v1.refunds.create(params={
            "payment_intent": fake_stripe.sessions[session_id]["payment_intent"]})
    [event] = fake_stripe.events
    fake_stripe.trouble = ("status", 500)

    assert post_event(client, event.payload, event.signature).status_code == 503
    assert load_order(app, number).status == OrderStatus.PAID

    fake_stripe.trouble = None
    retried = post_event(client, event.payload, event.signature)
    assert (retried.status_code, retried.json["outcome"]) == (200, "refunded")
    assert load_order(app, number).status == OrderStatus.REFUNDED


def test_stripe_orders_hold_stock_as_long_as_the_session_lives(app):
    with app.app_context():
        assert reservation_minutes("demo") == app.config["RESERVATION_MINUTES"]
        assert reservation_minutes("stripe") == max(app.config["RESERVATION_MINUTES"], 31)
