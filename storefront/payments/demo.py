"""Demo payments: a page on this site that approves or declines. No money moves.

It is the default when no Stripe key is configured, and it reports outcomes through the
same order services a real provider uses, so stock, discounts and e-mail behave the same.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from storefront.errors import DomainError, render_error
from storefront.extensions import db
from storefront.money import quantize
from storefront.orders import services
from storefront.orders.models import Order, Payment
from storefront.orders.payment_providers import PaymentStart, RefundResult
from storefront.security import safe_next_url

PROVIDER = "demo"
DEMO_SALT = "demo-payment"
TOKEN_MAX_AGE = 24 * 3600
DECLINED = "The demo card was declined"

bp = Blueprint("demo_payments", __name__, url_prefix="/pay/demo")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEMO_SALT)


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class DemoProvider:
    name = PROVIDER
    label = "Demo payment"
    min_reservation_minutes = 0

    def start(self, order: Order, *, success_url: str, cancel_url: str) -> PaymentStart:
        reference = f"demo_{secrets.token_hex(12)}"
        token = _serializer().dumps({"o": order.number, "r": reference,
                                     "s": _local(success_url), "c": _local(cancel_url)})
        return PaymentStart(redirect_url=url_for("demo_payments.pay", token=token),
                            reference=reference)

    def refund(self, payment: Payment, amount: Decimal) -> RefundResult:
        return RefundResult(reference=f"demo_re_{secrets.token_hex(12)}", amount=quantize(amount))


def _attempt(token: str) -> tuple[Order, dict] | None:
    try:
        data = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("o"), str):
        return None
    order = db.session.scalar(select(Order).where(Order.number == data["o"]))
    return (order, data) if order is not None else None


@bp.route("/<token>", methods=["GET", "POST"])
def pay(token: str):
    attempt = _attempt(token)
    if attempt is None:
        return render_error(404, "This payment link is not valid or has expired. Your cart is "
                                 "saved; please check out again.")
    order, data = attempt
    if request.method == "GET":
        return render_template("payments/demo.html", order=order, token=token,
                               cancel_url=safe_next_url(data.get("c")))
    action = request.form.get("action")
    if action == "approve":
        return _approve(order, data)
    if action == "decline":
        return _decline(order)
    return render_error(400, "Choose “Approve payment” or “Decline payment”.")


def _report(outcome, order: Order) -> str | None:
    """Tell the order services what happened and commit; a refusal's message, if any."""
    try:
        outcome(order)
    except DomainError as error:
        db.session.rollback()
        return error.message
    db.session.commit()
    return None


def _approve(order: Order, data: dict):
    problem = _report(lambda o: services.payment_succeeded(
        o, provider=PROVIDER, reference=data["r"], amount=o.total, currency=o.currency), order)
    if problem:
        return render_error(409, problem)
    return redirect(safe_next_url(data.get("s"))
                    or url_for("checkout.confirmation", number=order.number))


def _decline(order: Order):
    problem = _report(lambda o: services.payment_failed(o, reason=DECLINED), order)
    if problem:
        return render_error(409, problem)
    flash(f"Your payment didn't go through: {DECLINED}. Your cart is saved, so you can try "
          "again.", "error")
    return redirect(url_for("checkout.review"))
