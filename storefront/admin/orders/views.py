"""Admin pages for orders: the list with filters, one order with its history, and the
actions staff take on it (send, cancel, refund, note).

Each action goes through ``storefront.orders.services`` (so through the status machine),
writes to the order's events there, and is recorded in the audit log here; the request
commits once. A refund or a cancellation of a paid order asks the payment provider first
(with the order row locked): if the provider refuses or is unreachable, nothing is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from storefront.accounts.models import Role, User
from storefront.admin.blueprint import bp
from storefront.admin.common import save_form
from storefront.admin.orders.forms import (
    CARRIERS,
    CancelForm,
    FulfilForm,
    NoteForm,
    OrderFilters,
    RefundForm,
)
from storefront.audit import services as audit
from storefront.content.models import Article
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.forms import attach_error
from storefront.money import format_money
from storefront.orders import services as order_services
from storefront.orders.models import Order, OrderStatus, Payment, PaymentStatus
from storefront.orders.payment_providers import PaymentError, PaymentUnavailable
from storefront.orders.status import SOLD, IllegalTransition, can_transition
from storefront.security import roles_required

ORDERS_PER_PAGE = 50
ORDER_NUMBER = re.compile(r"[A-Z0-9-]{1,16}")
AUDIT_FIELDS = ["status", "amount_refunded", "carrier", "tracking_number", "fulfilled_at"]
REFUNDABLE = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)


# The list ---------------------------------------------------------------------------------

def _start_of(day) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def orders_query(filters: OrderFilters):
    """Orders matching ``filters``, newest first."""
    query = select(Order).order_by(Order.created_at.desc(), Order.id.desc())
    if filters.status:
        query = query.where(Order.status == filters.status)
    if filters.date_from:
        query = query.where(Order.created_at >= _start_of(filters.date_from))
    if filters.date_to:
        query = query.where(Order.created_at < _start_of(filters.date_to) + timedelta(days=1))
    if filters.flagged:
        query = query.where(Order.flagged.is_(True))
    if filters.search:
        term = filters.search
        query = query.where(or_(
            Order.number.contains(term.upper(), autoescape=True),
            Order.email.contains(term.lower(), autoescape=True),
            Order.shipping_name.icontains(term, autoescape=True),
        ))
    return query


@bp.get("/orders")
@roles_required(Role.ADMIN)
def orders():
    filters = OrderFilters.from_args(request.args)
    page = db.paginate(orders_query(filters), per_page=ORDERS_PER_PAGE, error_out=False)
    html = render_template("admin/orders/list.html", page=page, filters=filters,
                           statuses=list(OrderStatus))
    return html, 400 if filters.problems else 200


# One order --------------------------------------------------------------------------------

def _load_order(number: str) -> Order:
    number = number.strip().upper()
    if not ORDER_NUMBER.fullmatch(number):
        abort(404)
    query = (
        select(Order).where(Order.number == number)
        .options(selectinload(Order.lines), selectinload(Order.refunds),
                 selectinload(Order.events),
                 selectinload(Order.payments).selectinload(Payment.refunds))
    )
    order = db.session.scalar(query)
    if order is None:
        abort(404)
    return order


def refundable_amount(order: Order) -> Decimal:
    """What is left to refund of the payment a refund would go against (as the service does)."""
    payments = [p for p in order.payments if p.status in REFUNDABLE]
    return payments[-1].amount - payments[-1].amount_refunded if payments else Decimal("0.00")


def _people(order: Order) -> dict[int, User]:
    ids = {e.actor_id for e in order.events} | {r.actor_id for r in order.refunds}
    ids.discard(None)
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _articles(order: Order) -> dict[int, Article]:
    ids = {line.source_article_id for line in order.lines} - {None}
    if not ids:
        return {}
    query = select(Article).where(Article.id.in_(ids))
    return {article.id: article for article in db.session.scalars(query)}


def _render_order(order: Order, status: int = 200, **forms):
    remaining = refundable_amount(order)
    forms.setdefault("fulfil_form", FulfilForm(formdata=None))
    forms.setdefault("cancel_form", CancelForm(formdata=None))
    forms.setdefault("refund_form", RefundForm(formdata=None, data={"amount": remaining}))
    forms.setdefault("note_form", NoteForm(formdata=None))
    html = render_template(
        "admin/orders/detail.html", order=order, people=_people(order),
        articles=_articles(order), refundable=remaining, carriers=CARRIERS,
        statuses=list(OrderStatus),
        can_fulfil=can_transition(order.status, OrderStatus.FULFILLED),
        can_cancel=can_transition(order.status, OrderStatus.CANCELLED),
        can_refund=order.status in SOLD and remaining > 0,
        notes=[e for e in order.events if e.kind == order_services.NOTE_KIND],
        **forms,
    )
    return html, status


@bp.get("/orders/<number>")
@roles_required(Role.ADMIN)
def orders_show(number: str):
    return _render_order(_load_order(number))


# Actions ----------------------------------------------------------------------------------

def _refusal_status(error: DomainError) -> int:
    if isinstance(error, PaymentUnavailable):
        return 503
    if isinstance(error, PaymentError):
        return 409  # the provider said no (e.g. already refunded there)
    return error.status_code


def _refusal_message(error: DomainError) -> str:
    # The providers' messages are written for shoppers; say what it means for the order.
    if isinstance(error, PaymentUnavailable):
        return ("The payment provider could not be reached, so nothing was refunded and the "
                "order is unchanged. Please try again in a few minutes.")
    if isinstance(error, PaymentError):
        return f"The payment provider refused: {error.message} The order is unchanged."
    return error.message


def _refused(number: str, error: DomainError, form_name: str, form, field: str):
    """Show the order again, unchanged (``save_form`` rolled back), with why the action was
    not done."""
    if isinstance(error, IllegalTransition | PaymentError):
        flash(_refusal_message(error), "error")
    else:
        attach_error(form, error.message, field)
    return _render_order(_load_order(number), _refusal_status(error), **{form_name: form})


def _perform(number: str, action: str, change: Callable[[Order], str], *, form_name: str,
             form, field: str):
    """Run ``change`` (it returns a summary), audit it and commit; or show the refusal."""
    order = _load_order(number)

    def act() -> str:
        before = audit.snapshot(order, AUDIT_FIELDS)
        summary = change(order)
        audit.record(current_user, action, order, summary, before=before,
                     after=audit.snapshot(order, AUDIT_FIELDS))
        return summary

    return save_form(
        form, act, success=lambda summary: f"{summary}.",
        redirect_to=url_for("admin.orders_show", number=order.number),
        refused=lambda error: _refused(number, error, form_name, form, field),
        page=lambda status: _render_order(order, status, **{form_name: form}))


@bp.post("/orders/<number>/fulfil")
@roles_required(Role.ADMIN)
def orders_fulfil(number: str):
    form = FulfilForm()

    def change(order: Order) -> str:
        order_services.fulfil(order, form.carrier.data, form.tracking_number.data,
                              actor=current_user)
        return (f"Order {order.number} marked as sent with {order.carrier} "
                f"({order.tracking_number}); the customer has been e-mailed")

    return _perform(number, "order.fulfilled", change, form_name="fulfil_form", form=form,
                    field="tracking_number")


@bp.post("/orders/<number>/cancel")
@roles_required(Role.ADMIN)
def orders_cancel(number: str):
    form = CancelForm()

    def change(order: Order) -> str:
        refunded_before = order.amount_refunded
        order_services.cancel(order, actor=current_user, note=form.reason.data or "")
        refunded = order.amount_refunded - refunded_before
        money = f", {format_money(refunded, order.currency)} refunded" if refunded else ""
        return f"Order {order.number} cancelled{money}; the customer has been e-mailed"

    return _perform(number, "order.cancelled", change, form_name="cancel_form", form=form,
                    field="reason")


@bp.post("/orders/<number>/refund")
@roles_required(Role.ADMIN)
def orders_refund(number: str):
    form = RefundForm()

    def change(order: Order) -> str:
        if order.status not in SOLD:
            raise IllegalTransition(order, OrderStatus.REFUNDED)
        order_services.refund(order, form.amount.data, actor=current_user)
        return (f"Refunded {format_money(form.amount.data, order.currency)} of order "
                f"{order.number}; the customer has been e-mailed")

    return _perform(number, "order.refunded", change, form_name="refund_form", form=form,
                    field="amount")


@bp.post("/orders/<number>/notes")
@roles_required(Role.ADMIN)
def orders_note(number: str):
    form = NoteForm()

    def change(order: Order) -> str:
        order_services.add_note(order, form.text.data, actor=current_user)
        text = form.text.data
        excerpt = text if len(text) <= 160 else text[:159] + "…"
        return f"Note added to order {order.number}: “{excerpt}”"

    return _perform(number, "order.note_added", change, form_name="note_form", form=form,
                    field="text")
