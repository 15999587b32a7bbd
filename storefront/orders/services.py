"""What happens to an order after it is placed. The payment providers call these.

``payment_succeeded``, ``payment_failed``, ``payment_expired`` and ``refund_recorded``
are what a provider's return page or webhook reports through; each locks the order's
row first, so two reports about one order (a webhook and a redirect arriving together)
are handled one after the other, and each is idempotent. Services flush; callers commit.

Invariants kept here: an order that is ``pending_payment`` holds reserved stock; one in
``HOLDS_DISCOUNT`` holds a use of its discount code. ``_move`` gives both back when an
order leaves those statuses.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import ScalarSelect, exists, func, select
from sqlalchemy.orm import selectinload

from storefront import metrics
from storefront.cart import services as cart_services
from storefront.db import utcnow
from storefront.discounts import services as discounts
from storefront.discounts.models import DiscountCode
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.inventory import services as inventory
from storefront.mail import queue_mail
from storefront.money import format_money, quantize, smallest_unit
from storefront.orders import emails
from storefront.orders.discount_uses import uses_by_customer
from storefront.orders.links import order_url
from storefront.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
)
from storefront.orders.payment_providers import PaymentError, get_provider
from storefront.orders.status import (
    HOLDS_DISCOUNT,
    HOLDS_RESERVATION,
    SOLD,
    IllegalTransition,
    record_event,
    transition,
)

S = OrderStatus
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: easy to read out
SETTLED = (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED)


class RefundError(DomainError):
    status_code = 422


class FulfilmentError(DomainError):
    status_code = 422


class NoteError(DomainError):
    status_code = 422


# What a refund's note says about where it came from (for the metrics); others were made by
# staff (with an actor) or reported by the provider (a webhook, without one).
REFUND_SOURCES = {"automatic refund": "automatic", "order cancelled": "cancellation"}
# Staff-only notes are order events of this kind (never shown to the shopper).
NOTE_KIND = "note"
NOTE_MAX_LENGTH = 2000
CARRIER_MAX_LENGTH = 60
TRACKING_MAX_LENGTH = 60


def new_order_number() -> str:
    """A random, unused number such as ``HS-7K2M9QXD``."""
    while True:
        number = "HS-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
        if db.session.scalar(select(Order.id).where(Order.number == number)) is None:
            return number


def lock_order(order: Order) -> Order:
    """Re-read ``order`` with its row locked until the transaction ends."""
    query = (
        select(Order)
        .where(Order.id == order.id)
        .options(selectinload(Order.lines), selectinload(Order.payments),
                 selectinload(Order.refunds))
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(query).one()


def stock_lines(order: Order) -> list:
    """The order's lines whose variant still exists (what stock changes apply to)."""
    return [line for line in order.lines if line.variant_id is not None]


def _move(order: Order, new_status: OrderStatus, *, actor=None, note: str = "") -> None:
    """Change status and give back the reservation and discount use the order stops holding."""
    old = order.status
    transition(order, new_status, actor=actor, note=note)
    if old in HOLDS_RESERVATION and new_status not in HOLDS_RESERVATION and new_status != S.PAID:
        inventory.release(stock_lines(order))
    if old in HOLDS_DISCOUNT and new_status not in HOLDS_DISCOUNT:
        discounts.release_use(order.discount_code_id)


def flag(order: Order, reason: str) -> None:
    """Mark the order for a person to look at, with why."""
    order.flagged = True
    order.flag_reason = (order.flag_reason + "\n" if order.flag_reason else "") + reason
    record_event(order, "flagged", reason)
    db.session.flush()


# Payments -------------------------------------------------------------------------------

def record_payment_started(order: Order, *, provider: str, reference: str) -> Payment:
    """Remember the provider's reference for a payment that has begun.

    A provider may have added the Payment row itself in ``start``; then it is kept.
    """
    payment = next((p for p in order.payments
                    if p.provider == provider and p.provider_reference == reference), None)
    if payment is None:
        payment = Payment(provider=provider, provider_reference=reference, amount=order.total,
                          currency=order.currency)
        order.payments.append(payment)
    payment.raw_status = payment.raw_status or "started"
    record_event(order, "payment_started", f"{provider} {reference}")
    db.session.flush()
    _count_payment(provider, "started")
    return payment


def _count_payment(provider: str, outcome: str) -> None:
    metrics.count_on_commit(db.session, metrics.PAYMENTS, provider=provider, outcome=outcome)


def _payment_for(order: Order, provider: str, reference: str) -> Payment | None:
    payment = db.session.scalar(select(Payment).where(
        Payment.provider == provider, Payment.provider_reference == reference))
    if payment is not None:
        return payment
    # A provider may report under a different id than it started with (session vs intent).
    pending = [p for p in order.payments if p.provider == provider
               and p.status == PaymentStatus.PENDING]
    if len(pending) == 1:
        pending[0].provider_reference = reference
        return pending[0]
    return None


def _mismatch(order: Order, amount: Decimal, currency: str) -> bool:
    return (quantize(Decimal(amount), order.currency) != order.total
            or (currency or "").upper() != order.currency.upper())


def payment_succeeded(order: Order, *, provider: str, reference: str, amount: Decimal,
                      currency: str) -> bool:
    """Record a successful payment; False if this payment was already recorded or refused.

    An amount or currency that differs from the order flags it and does not mark it paid.
    """
    order = lock_order(order)
    payment = _payment_for(order, provider, reference)
    if payment is not None and (payment.status in SETTLED or payment.order_id != order.id):
        if payment.order_id != order.id:
            flag(order, f"Payment {reference} ({provider}) belongs to another order.")
        _count_payment(provider, "repeat")
        return False
    if _mismatch(order, amount, currency):
        flag(order, f"Payment {reference} ({provider}) was {amount} {currency}, but the order "
                    f"total is {order.total} {order.currency}; it was not marked paid.")
        if payment is not None:
            payment.raw_status = "amount or currency mismatch"
        _count_payment(provider, "mismatch")
        return False
    if payment is None:
        payment = Payment(order=order, provider=provider, provider_reference=reference,
                          amount=order.total, currency=order.currency)
        db.session.add(payment)
    payment.status = PaymentStatus.SUCCEEDED
    payment.raw_status = "succeeded"
    db.session.flush()
    _count_payment(provider, "succeeded")
    _apply_payment(order, payment)
    return True


def _apply_payment(order: Order, payment: Payment) -> None:
    if order.status == S.PENDING_PAYMENT:
        inventory.commit_sale(stock_lines(order), order_id=order.id)
        _mark_paid(order, payment)
    elif order.status in (S.EXPIRED, S.PAYMENT_FAILED):
        problem = _take_again(order)
        if problem is None:
            _mark_paid(order, payment)
        else:
            _refund_unfulfillable(order, payment, problem)
    elif order.status == S.CANCELLED:
        _refund_unfulfillable(order, payment, "the order had been cancelled")
    else:
        flag(order, f"A second payment ({payment.provider} {payment.provider_reference}) "
                    f"arrived for an order that is already {order.status.label.lower()}; "
                    "please refund it.")


def _take_again(order: Order) -> str | None:
    """Sell the stock (and discount use) of an order whose holds were given back.

    Returns None on success, or why it could not be done (then nothing was changed).
    """
    release_overdue_holds(line.variant_id for line in stock_lines(order))
    savepoint = db.session.begin_nested()
    try:
        inventory.sell_unreserved(stock_lines(order), order_id=order.id)
        code = db.session.get(DiscountCode, order.discount_code_id or 0)
        if code is not None:
            discounts.hold_use(code, require_active=False, uses_by_customer=uses_by_customer(
                order.email, user_id=order.user_id, exclude_order_id=order.id))
    except (inventory.OutOfStock, discounts.DiscountRefused) as error:
        savepoint.rollback()
        return error.message
    savepoint.commit()
    return None


def _mark_paid(order: Order, payment: Payment) -> None:
    order.paid_at = utcnow()
    transition(order, S.PAID, note=f"{payment.provider} {payment.provider_reference}")
    cart_services.remove_variants(order.cart_id, [line.variant_id for line in stock_lines(order)])
    emails.send_confirmation(order)


def _refund_unfulfillable(order: Order, payment: Payment, why: str) -> None:
    """Money arrived for an order we can no longer fulfil: send it straight back."""
    try:
        result = get_provider(payment.provider).refund(payment, payment.amount)
    except PaymentError as error:
        flag(order, f"Paid, but the order can't be fulfilled ({why}) and the automatic "
                    f"refund failed ({error.message}); please refund it by hand.")
        return
    _move(order, S.REFUNDED, note=f"Paid after it could no longer be fulfilled ({why}); "
                                  "refunded automatically.")
    _add_refund(order, payment, result.amount, result.reference, note="automatic refund")
    emails.send_unfulfillable(order, why)


def payment_failed(order: Order, *, reason: str) -> bool:
    """The shopper's payment was refused: stock goes back on sale. False if not pending."""
    order = lock_order(order)
    if order.status != S.PENDING_PAYMENT:
        return False
    for payment in order.payments:
        if payment.status == PaymentStatus.PENDING:
            payment.status = PaymentStatus.FAILED
            payment.raw_status = reason[:300]
            _count_payment(payment.provider, "failed")
    _move(order, S.PAYMENT_FAILED, note=reason)
    return True


def payment_expired(order: Order) -> bool:
    """Nobody paid in time: stock goes back on sale. False if not pending."""
    order = lock_order(order)
    if order.status != S.PENDING_PAYMENT:
        return False
    _move(order, S.EXPIRED, note="The reservation ran out before the payment arrived.")
    return True


def abandon_unstarted(order: Order, reason: str) -> None:
    """The payment could not even begin: cancel the order and give its stock back."""
    order = lock_order(order)
    if order.status == S.PENDING_PAYMENT:
        _move(order, S.CANCELLED, note=reason)


def failure_reason(order: Order) -> str:
    """Why the order's payment failed, as recorded when it did."""
    for event in reversed(order.events):
        if event.to_status == S.PAYMENT_FAILED.value:
            return event.note
    return ""


# Refunds and cancellation ---------------------------------------------------------------

def _refundable_payment(order: Order) -> Payment | None:
    payments = [p for p in order.payments
                if p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)]
    return payments[-1] if payments else None


def refund_tax(order: Order, payment: Payment, amount: Decimal) -> Decimal:
    """The tax in a refund of ``amount`` from ``payment``: the order's tax in proportion to
    what has been refunded of the payment so far, this refund included, less the tax already
    given back. So each refund carries its share, and refunding everything returns exactly
    the order's tax."""
    if not payment.amount or not order.tax_total:
        return Decimal("0.00")
    given = sum((refund.tax_amount for refund in payment.refunds), Decimal("0.00"))
    refunded = min(payment.amount_refunded + amount, payment.amount)
    due = quantize(order.tax_total * refunded / payment.amount, order.currency)
    return min(max(due - given, Decimal("0.00")), order.tax_total - given)


def _add_refund(order: Order, payment: Payment, amount: Decimal, reference: str, *,
                actor=None, note: str = "") -> Refund:
    """Write a refund against ``payment`` (the order row is locked by the caller)."""
    refund = Refund(order=order, payment=payment, amount=amount, reference=reference,
                    tax_amount=refund_tax(order, payment, amount),
                    actor_id=getattr(actor, "id", actor), note=note)
    db.session.add(refund)
    payment.amount_refunded = payment.amount_refunded + amount
    payment.status = (PaymentStatus.REFUNDED if payment.amount_refunded >= payment.amount
                      else PaymentStatus.PARTIALLY_REFUNDED)
    tax = (f", of which {format_money(refund.tax_amount, order.currency)} tax"
           if refund.tax_amount else "")
    record_event(order, "refund",
                 f"{format_money(amount, order.currency)}{tax} ({reference})", actor=actor)
    db.session.flush()
    source = REFUND_SOURCES.get(note) or ("staff" if actor is not None else "provider")
    metrics.count_on_commit(db.session, metrics.REFUNDS, source=source)
    return refund


def refund_recorded(order: Order, *, amount: Decimal, reference: str, actor=None) -> bool:
    """Record a refund the provider made; False if ``reference`` was recorded already."""
    order = lock_order(order)
    if any(refund.reference == reference for refund in order.refunds):
        return False
    amount = quantize(Decimal(amount), order.currency)
    payment = _refundable_payment(order)
    remaining = payment.amount - payment.amount_refunded if payment else Decimal(0)
    if payment is None or not 0 < amount <= remaining:
        flag(order, f"A refund of {amount} ({reference}) was reported, but only {remaining} "
                    "of this order's payment was left to refund.")
        return False
    refund = _add_refund(order, payment, amount, reference, actor=actor)
    if order.status in SOLD:
        fully = payment.amount_refunded >= payment.amount
        _move(order, S.REFUNDED if fully else S.PARTIALLY_REFUNDED, actor=actor,
              note=f"{format_money(amount, order.currency)} refunded")
    emails.send_refunded(order, refund)
    return True


def refund(order: Order, amount: Decimal, *, actor) -> None:
    """Refund ``amount`` of a paid order through its payment provider, then record it."""
    order = lock_order(order)
    amount = quantize(Decimal(amount), order.currency)
    payment = _refundable_payment(order)
    if order.status not in SOLD or payment is None:
        raise RefundError(f"Order {order.number} has no payment that can be refunded.")
    remaining = payment.amount - payment.amount_refunded
    if not 0 < amount <= remaining:
        smallest = format_money(smallest_unit(order.currency), order.currency)
        raise RefundError(f"Enter an amount from {smallest} to "
                          f"{format_money(remaining, order.currency)}.")
    result = get_provider(payment.provider).refund(payment, amount)
    refund_recorded(order, amount=result.amount, reference=result.reference, actor=actor)


def cancel(order: Order, *, actor, note: str = "") -> None:
    """Cancel an unpaid or paid (not yet sent) order: stock goes back, payment refunded,
    the shopper e-mailed (``note`` is for staff and stays out of the e-mail)."""
    order = lock_order(order)
    if order.status == S.PENDING_PAYMENT:
        _move(order, S.CANCELLED, actor=actor, note=note or "Cancelled before payment.")
        emails.send_cancelled(order, Decimal("0.00"), was_paid=False)
        return
    if order.status not in (S.PAID, S.PARTIALLY_REFUNDED):
        raise IllegalTransition(order, S.CANCELLED)
    payment = _refundable_payment(order)
    remaining = payment.amount - payment.amount_refunded if payment else Decimal(0)
    # The refund goes first: if the provider refuses, nothing here has changed.
    result = (get_provider(payment.provider).refund(payment, remaining)
              if payment is not None and remaining else None)
    inventory.restock(stock_lines(order), order_id=order.id, actor_id=getattr(actor, "id", actor),
                      note=f"order {order.number} cancelled")
    _move(order, S.CANCELLED, actor=actor, note=note or "Cancelled after payment.")
    if payment is not None and result is not None:
        _add_refund(order, payment, result.amount, result.reference, actor=actor,
                    note="order cancelled")
    emails.send_cancelled(order, result.amount if result is not None else Decimal("0.00"),
                          was_paid=True)


# Sending and staff notes ----------------------------------------------------------------

def _check_fulfilment(carrier: str, tracking: str) -> None:
    if not carrier or not tracking:
        raise FulfilmentError("Enter the carrier and the tracking number.")
    if len(carrier) > CARRIER_MAX_LENGTH or len(tracking) > TRACKING_MAX_LENGTH:
        raise FulfilmentError(f"Use at most {CARRIER_MAX_LENGTH} characters for the carrier "
                              f"and {TRACKING_MAX_LENGTH} for the tracking number.")


def fulfil(order: Order, carrier: str, tracking: str, *, actor) -> Order:
    """Mark a paid order as sent with its carrier and tracking number; e-mails the shopper.

    IllegalTransition unless the order is paid (or partly refunded) and not yet sent.
    """
    carrier, tracking = (carrier or "").strip(), (tracking or "").strip()
    _check_fulfilment(carrier, tracking)
    order = lock_order(order)
    _move(order, S.FULFILLED, actor=actor, note=f"{carrier}, tracking number {tracking}")
    order.carrier, order.tracking_number, order.fulfilled_at = carrier, tracking, utcnow()
    queue_mail(order.email, f"Your order {order.number} is on its way", "order_shipped",
               order=order, url=order_url(order))
    db.session.flush()
    return order


def add_note(order: Order, text: str, *, actor) -> None:
    """Add a staff-only note to the order's history."""
    text = (text or "").strip()
    if not text:
        raise NoteError("Write the note first.")
    if len(text) > NOTE_MAX_LENGTH:
        raise NoteError(f"Keep the note under {NOTE_MAX_LENGTH:,} characters "
                        f"(it has {len(text):,}).")
    record_event(order, NOTE_KIND, text, actor=actor)
    db.session.flush()


# Reservations that ran out --------------------------------------------------------------

def release_overdue_holds(variant_ids: Iterable[int] | None = None, *,
                          limit: int | None = None, now: datetime | None = None) -> int:
    """Expire unpaid orders whose stock hold has run out; how many were expired.

    Only those holding any of ``variant_ids`` when given (else all, at most ``limit``).
    This is the one place where a hold past its time is given back, and everything that
    decides on stock (adding to a cart, checking out, paying late, an admin's stock change
    or import, the product page) runs it first for the variants concerned: so a hold past
    its time never blocks anything, whether or not a worker sweeps them.
    """
    query = (
        select(Order)
        .where(Order.status == S.PENDING_PAYMENT,
               Order.reservation_expires_at <= (now or utcnow()))
        .order_by(Order.reservation_expires_at)
        .limit(limit)
        # Two requests releasing at once each take different orders, never wait; one that
        # skips an order waits for its stock rows instead, and then sees them given back.
        .with_for_update(skip_locked=True)
    )
    if variant_ids is not None:
        ids = sorted(set(variant_ids))
        if not ids:
            return 0
        query = query.where(exists().where(OrderLine.order_id == Order.id,
                                           OrderLine.variant_id.in_(ids)))
    return sum(payment_expired(order) for order in db.session.scalars(query).all())


def next_hold_expiry(now: datetime) -> ScalarSelect:
    """When the next stock hold of an unpaid order runs out after ``now`` (NULL if none
    does), as a subquery the page cache asks along with its other moments."""
    return select(func.min(Order.reservation_expires_at)).where(
        Order.status == S.PENDING_PAYMENT, Order.reservation_expires_at > now
    ).scalar_subquery()


def release_expired_reservations(now: datetime | None = None, limit: int = 100) -> int:
    """Expire unpaid orders whose reservation has run out; how many were expired."""
    return release_overdue_holds(limit=limit, now=now)


def release_expired_lazily() -> int:
    """A small sweep run when a cart or checkout page loads (cheap when there is nothing)."""
    return release_expired_reservations(limit=current_app.config["RESERVATION_SWEEP_LIMIT"])


def order_numbers(order_ids: set[int]) -> dict[int, str]:
    """The number of each of these orders (those that exist), by id."""
    return dict(db.session.execute(
        select(Order.id, Order.number).where(Order.id.in_(order_ids))).all())


# Guest orders joining an account ------------------------------------------------------

def attach_guest_orders(user, **_signal_data) -> int:
    """Give ``user`` the guest orders placed with their (now confirmed) e-mail address.

    ``create_app`` connects it to ``accounts.services.email_confirmed`` (whose view
    commits)."""
    orders = db.session.scalars(
        select(Order).where(Order.user_id.is_(None), Order.email == user.email.lower())
    ).all()
    for order in orders:
        order.user_id = user.id
        record_event(order, "joined_account", f"joined the account of {user.email}")
    db.session.flush()
    return len(orders)
