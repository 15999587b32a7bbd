"""Orders after placement: the status machine, payments reported by a provider, refunds,
cancellation, reservations that run out, and the pages a customer or guest sees."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import itsdangerous.timed
import pytest
from sqlalchemy import func, select

from storefront.catalog.models import Variant
from storefront.db import utcnow
from storefront.extensions import db
from storefront.inventory import services as inventory
from storefront.inventory.models import StockMovement, StockReason
from storefront.mail.models import OutboxMessage
from storefront.orders import links, services
from storefront.orders.models import Order, OrderStatus, PaymentStatus
from storefront.orders.status import TRANSITIONS, IllegalTransition, transition
from tests.factories import (
    DiscountCodeFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    add_to_cart,
    fill_checkout,
    pay_with_demo,
    placed_order,
    press_pay,
)
from tests.helpers import first_link, login, submit, text_part

S = OrderStatus


def _variant(name="Barrier Cream", **kw):
    return VariantFactory(product=ProductFactory(name=name, variant=False), **kw)


def _stock(variant_id):
    variant = db.session.get(Variant, variant_id, populate_existing=True)
    return variant.stock_on_hand, variant.stock_reserved


def _pay(order, reference="pay_1", amount=None, currency="EUR", provider="demo"):
    return services.payment_succeeded(order, provider=provider, reference=reference,
                                      amount=order.total if amount is None else amount,
                                      currency=currency)


def _mail_subjects():
    return list(db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)))


# The status machine ---------------------------------------------------------------------

def test_every_illegal_move_raises_and_every_legal_one_is_recorded(app_ctx):
    order = placed_order(_variant(stock_on_hand=99))
    for current in S:
        for new in S:
            order.status = current
            if new in TRANSITIONS[current]:
                transition(order, new, note="test")
                assert order.status is new
                event = order.events[-1]
                assert (event.from_status, event.to_status) == (current.value, new.value)
            else:
                with pytest.raises(IllegalTransition):
                    transition(order, new)
                assert order.status is current


def test_the_table_has_the_moves_the_business_needs(app_ctx):
    assert TRANSITIONS[S.PENDING_PAYMENT] == {S.PAID, S.CANCELLED, S.PAYMENT_FAILED, S.EXPIRED}
    assert TRANSITIONS[S.PAID] == {S.FULFILLED, S.CANCELLED, S.REFUNDED, S.PARTIALLY_REFUNDED}
    assert {S.REFUNDED, S.PARTIALLY_REFUNDED, S.FULFILLED} <= TRANSITIONS[S.PARTIALLY_REFUNDED]
    assert TRANSITIONS[S.FULFILLED] == {S.REFUNDED, S.PARTIALLY_REFUNDED}
    assert TRANSITIONS[S.REFUNDED] == frozenset()


def test_illegal_transition_message_and_actor(app_ctx):
    admin = UserFactory()
    order = placed_order(_variant())
    with pytest.raises(IllegalTransition) as raised:
        transition(order, S.FULFILLED, actor=admin)
    assert raised.value.message == (f"Order {order.number} is “Waiting for payment” and can't "
                                    "become “Sent”.")
    transition(order, S.CANCELLED, actor=admin, note="customer asked")
    assert (order.events[-1].actor_id, order.events[-1].note) == (admin.id, "customer asked")


# Payments reported by a provider --------------------------------------------------------

def test_payment_succeeded_is_idempotent(app_ctx):
    variant = _variant(stock_on_hand=5)
    order = placed_order((variant, 2))
    assert order.number.startswith("HS-")
    assert len(order.number) == 11
    assert _stock(variant.id) == (5, 2)
    assert _pay(order, "pay_1") is True
    assert order.status is S.PAID
    assert order.paid_at is not None
    assert _pay(order, "pay_1") is False
    assert _stock(variant.id) == (3, 0)
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 1
    assert _mail_subjects() == [f"Your order {order.number} is confirmed"]
    assert [p.status for p in order.payments] == [PaymentStatus.SUCCEEDED]


@pytest.mark.parametrize(("amount", "currency"), [("0.01", "EUR"), (None, "USD"), ("999", "eur")])
def test_amount_or_currency_mismatch_flags_and_does_not_mark_paid(app_ctx, amount, currency):
    variant = _variant(stock_on_hand=5)
    order = placed_order(variant)
    wrong = Decimal(amount) if amount else None
    assert _pay(order, "pay_x", amount=wrong, currency=currency) is False
    assert order.status is S.PENDING_PAYMENT
    assert order.flagged
    assert "was not marked paid" in order.flag_reason
    assert _stock(variant.id) == (5, 1), "the reservation is untouched"
    assert _mail_subjects() == []


def test_lowercase_currency_and_an_equal_amount_are_accepted(app_ctx):
    order = placed_order(_variant())
    assert _pay(order, "pay_1", amount=Decimal("24.9"), currency="eur") is True
    assert order.status is S.PAID


def test_a_payment_started_by_the_provider_is_found_by_its_reference(app_ctx):
    order = placed_order(_variant())
    services.record_payment_started(order, provider="demo", reference="sess_1")
    services.record_payment_started(order, provider="demo", reference="sess_1")
    assert len(order.payments) == 1
    assert _pay(order, "sess_1") is True
    assert [(p.provider_reference, p.status) for p in order.payments] == [
        ("sess_1", PaymentStatus.SUCCEEDED)]


def test_a_second_payment_for_a_paid_order_is_flagged(app_ctx):
    order = placed_order(_variant())
    _pay(order, "pay_1")
    assert _pay(order, "pay_2") is True
    assert order.status is S.PAID
    assert order.flagged
    assert "second payment" in order.flag_reason


def test_payment_failed_releases_the_stock_and_keeps_the_reason(app_ctx):
    variant = _variant(stock_on_hand=5)
    order = placed_order((variant, 3))
    services.record_payment_started(order, provider="demo", reference="p")
    assert services.payment_failed(order, reason="Card declined") is True
    assert order.status is S.PAYMENT_FAILED
    assert services.failure_reason(order) == "Card declined"
    assert order.payments[0].status is PaymentStatus.FAILED
    assert _stock(variant.id) == (5, 0)
    assert services.payment_failed(order, reason="again") is False
    assert _stock(variant.id) == (5, 0)


def test_a_late_payment_takes_the_stock_again_when_it_is_still_there(app_ctx):
    variant = _variant(stock_on_hand=5)
    order = placed_order((variant, 2))
    assert services.payment_expired(order) is True
    assert _stock(variant.id) == (5, 0)
    assert _pay(order) is True
    assert order.status is S.PAID
    assert _stock(variant.id) == (3, 0)


def test_a_late_payment_without_stock_is_refunded_and_the_shopper_told(app_ctx):
    variant = _variant(stock_on_hand=2)
    order = placed_order((variant, 2))
    services.payment_expired(order)
    other = placed_order((variant, 2), email="quicker@example.com")
    assert _pay(other, "pay_other") is True
    assert _pay(order, "pay_late") is True
    assert order.status is S.REFUNDED
    assert [(r.amount, r.reference.startswith("demo_re_")) for r in order.refunds] == [
        (order.total, True)]
    assert order.payments[0].status is PaymentStatus.REFUNDED
    assert _stock(variant.id) == (0, 0)
    assert f"Your order {order.number}: payment refunded" in _mail_subjects()


def test_money_for_a_cancelled_order_is_sent_back(app_ctx):
    order = placed_order(_variant())
    services.cancel(order, actor=None)
    assert _pay(order) is True
    assert order.status is S.REFUNDED
    assert order.amount_refunded == order.total


# Refunds and cancellation ---------------------------------------------------------------

def test_refunds_partial_then_full_and_refund_recorded_is_idempotent(app_ctx):
    admin = UserFactory()
    order = placed_order((_variant(price=Decimal("30.00")), 2))  # 60.00, free delivery
    _pay(order)
    services.refund(order, Decimal("10.00"), actor=admin)
    assert order.status is S.PARTIALLY_REFUNDED
    reference = order.refunds[0].reference
    assert services.refund_recorded(order, amount=Decimal("10.00"), reference=reference) is False
    assert services.refund_recorded(order, amount=Decimal("5"), reference="re_dash") is True
    assert order.status is S.PARTIALLY_REFUNDED
    assert order.amount_refunded == Decimal("15.00")
    with pytest.raises(services.RefundError, match=r"from €0\.01 to €45\.00"):
        services.refund(order, Decimal("45.01"), actor=admin)
    services.refund(order, Decimal("45.00"), actor=admin)
    assert order.status is S.REFUNDED
    assert order.payments[0].status is PaymentStatus.REFUNDED
    assert order.refunds[0].actor_id == admin.id


def test_a_refund_larger_than_what_is_left_is_flagged_not_recorded(app_ctx):
    order = placed_order(_variant())
    _pay(order)
    assert services.refund_recorded(order, amount=order.total + 1, reference="re_big") is False
    assert order.flagged
    assert order.refunds == []
    assert order.status is S.PAID


def test_an_unpaid_order_cannot_be_refunded(app_ctx):
    order = placed_order(_variant())
    with pytest.raises(services.RefundError):
        services.refund(order, Decimal("1.00"), actor=None)


def test_cancelling_an_unpaid_order_releases_its_stock_and_discount(app_ctx):
    code = DiscountCodeFactory(code="SAVE", max_uses=5)
    variant = _variant(stock_on_hand=4)
    order = placed_order((variant, 3), code="SAVE")
    assert code.times_used == 1
    services.cancel(order, actor=None)
    assert order.status is S.CANCELLED
    assert _stock(variant.id) == (4, 0)
    assert code.times_used == 0


def test_cancelling_a_paid_order_restocks_through_the_ledger_and_refunds(app_ctx):
    admin = UserFactory()
    variant = _variant(stock_on_hand=4)
    order = placed_order((variant, 3))
    _pay(order)
    services.cancel(order, actor=admin)
    assert order.status is S.CANCELLED
    assert _stock(variant.id) == (4, 0)
    assert order.amount_refunded == order.total
    ledger = db.session.scalars(select(StockMovement).order_by(StockMovement.id)).all()
    assert [(m.quantity_change, m.reason, m.actor_id) for m in ledger] == [
        (-3, StockReason.SALE, None), (3, StockReason.CANCELLATION, admin.id)]
    with pytest.raises(IllegalTransition):
        services.cancel(order, actor=admin)


def test_a_sent_order_cannot_be_cancelled(app_ctx):
    order = placed_order(_variant())
    _pay(order)
    transition(order, S.FULFILLED)
    with pytest.raises(IllegalTransition):
        services.cancel(order, actor=None)


# Reservations that run out --------------------------------------------------------------

def test_release_expired_reservations_expires_only_overdue_unpaid_orders(app_ctx):
    variant = _variant(stock_on_hand=10)
    overdue, fresh, paid = (placed_order((variant, 2)) for _ in range(3))
    _pay(paid)
    past = utcnow() - timedelta(minutes=1)
    overdue.reservation_expires_at = past
    paid.reservation_expires_at = past
    db.session.flush()
    assert services.release_expired_reservations() == 1
    assert (overdue.status, fresh.status, paid.status) == (S.EXPIRED, S.PENDING_PAYMENT, S.PAID)
    assert _stock(variant.id) == (8, 2)
    later = utcnow() + timedelta(minutes=16)
    assert services.release_expired_reservations(now=later) == 1
    assert _stock(variant.id) == (8, 0)
    assert services.release_expired_reservations(now=later) == 0


def test_the_cli_command_releases_expired_reservations(app, db):
    with app.app_context():
        variant = _variant(stock_on_hand=3)
        order = placed_order((variant, 3))
        order.reservation_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        variant_id, order_id = variant.id, order.id
    result = app.test_cli_runner().invoke(args=["release-expired-reservations"])
    assert result.exit_code == 0, result.output
    assert "Released the reservations of 1 unpaid order(s)." in result.output
    with app.app_context():
        assert db.session.get(Order, order_id).status is S.EXPIRED
        assert _stock(variant_id) == (3, 0)


def test_opening_the_cart_releases_overdue_reservations(client, app, db):
    with app.app_context():
        variant = _variant(stock_on_hand=1)
        order = placed_order(variant)
        order.reservation_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        variant_id, order_id = variant.id, order.id
    assert client.get("/cart/").status_code == 200
    with app.app_context():
        assert db.session.get(Order, order_id).status is S.EXPIRED
        assert _stock(variant_id) == (1, 0)


# Pages ----------------------------------------------------------------------------------

def _buy(client, make, email="maya@example.com"):
    product = make(ProductFactory, name="Barrier Cream", variant=False)
    variant = make(VariantFactory, product=product)
    add_to_cart(client, variant.id)
    fill_checkout(client, email=email)
    return pay_with_demo(client, "approve")


def _latest_order(app):
    with app.app_context():
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        db.session.expunge(order)
        return order


def test_a_customer_sees_their_orders_and_not_anyone_elses(app, make, db):
    maya, ines = make(UserFactory), make(UserFactory)
    maya_client, ines_client = app.test_client(), app.test_client()
    login(maya_client, maya.email)
    _buy(maya_client, make, email=maya.email)
    order = _latest_order(app)
    assert order.user_id == maya.id

    listing = maya_client.get("/account/orders").get_data(as_text=True)
    assert order.number in listing
    assert "Paid" in listing
    detail = maya_client.get(f"/account/orders/{order.number}")
    assert detail.status_code == 200
    assert "Barrier Cream" in detail.get_data(as_text=True)
    assert "Your orders" in maya_client.get("/account/").get_data(as_text=True)

    login(ines_client, ines.email)
    assert order.number not in ines_client.get("/account/orders").get_data(as_text=True)
    assert ines_client.get(f"/account/orders/{order.number}").status_code == 404
    assert ines_client.get(f"/checkout/orders/{order.number}").status_code == 404
    assert app.test_client().get("/account/orders").status_code == 302


def test_the_guest_link_works_and_a_tampered_or_old_one_does_not(client, app, make, mailbox,
                                                                  monkeypatch):
    _buy(client, make)
    order = _latest_order(app)
    path = urlsplit(first_link(text_part(mailbox[0]), "/orders/view/")).path
    stranger = app.test_client()
    page = stranger.get(path)
    assert page.status_code == 200
    assert order.number in page.get_data(as_text=True)

    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert stranger.get(f"/orders/view/{tampered}").status_code == 404
    with app.test_request_context():
        other = links._serializer().dumps({"n": "HS-NOTREAL"})
        wrong_salt = itsdangerous.URLSafeTimedSerializer(app.config["SECRET_KEY"]).dumps(
            {"n": order.number})
    assert stranger.get(f"/orders/view/{other}").status_code == 404
    assert stranger.get(f"/orders/view/{wrong_salt}").status_code == 404

    later = time.time() + 31 * 24 * 3600
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = stranger.get(path)
    assert response.status_code == 404
    assert "more than 30 days old" in response.get_data(as_text=True)


def test_guest_orders_join_the_account_once_the_email_is_confirmed(client, app, make, mailbox):
    _buy(client, make, email="newbie@example.com")
    order = _latest_order(app)
    assert order.user_id is None
    mailbox.clear()
    submit(client, "/account/register", {"name": "New Bie", "email": "newbie@example.com",
                                         "password": "gentle cleanser daily",
                                         "confirm": "gentle cleanser daily"})
    assert order.number not in client.get("/account/orders").get_data(as_text=True)
    link = first_link(text_part(mailbox[0]), "/account/confirm/")
    client.get(urlsplit(link).path)
    assert order.number in client.get("/account/orders").get_data(as_text=True)
    assert _latest_order(app).user_id is not None


def test_confirmation_page_while_the_payment_is_processing(client, app, make):
    product = make(ProductFactory, variant=False)
    variant = make(VariantFactory, product=product)
    add_to_cart(client, variant.id)
    fill_checkout(client)
    response = press_pay(client)
    assert response.status_code == 303
    order = _latest_order(app)
    page = client.get(f"/checkout/orders/{order.number}").get_data(as_text=True)
    assert "Processing your payment" in page
    assert 'http-equiv="refresh"' in page
    assert app.test_client().get(f"/checkout/orders/{order.number}").status_code == 404


def test_inventory_and_orders_agree_after_a_full_refund(app_ctx):
    variant = _variant(stock_on_hand=3)
    order = placed_order(variant)
    _pay(order)
    services.refund(order, order.total, actor=None)
    assert order.status is S.REFUNDED
    assert _stock(variant.id) == (2, 0), "a refund alone does not put stock back"
    inventory.restock([(variant.id, 1)], reason=StockReason.RETURN, order_id=order.id)
    assert _stock(variant.id) == (3, 0)
