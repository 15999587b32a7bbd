"""Where Stripe's hosted page sends the shopper back: paid (return) or not (cancel)."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from storefront.errors import render_error
from storefront.extensions import db
from storefront.orders import services as orders
from storefront.orders.payment_providers import PaymentError
from storefront.payments.stripe_events import (
    cancel_checkout,
    confirm_session,
    order_for_reference,
    order_to_cancel,
)
from storefront.security import safe_next_url
from storefront.sqlite import changes_data

bp = Blueprint("stripe_checkout", __name__, url_prefix="/checkout/stripe")

SESSION_ID = re.compile(r"cs_[A-Za-z0-9_]{8,250}")
NOT_FOUND = ("We can't find that payment. If you were charged, you'll receive an e-mail "
             "from us; otherwise your cart is saved, so you can check out again.")


@bp.get("/return")
@changes_data
def payment_return():
    """Stripe's ``success_url``: ask Stripe how the session ended, then show the order."""
    session_id = request.args.get("session_id", "")
    order = order_for_reference(session_id) if SESSION_ID.fullmatch(session_id) else None
    if order is None:
        return render_error(404, NOT_FOUND)
    try:
        confirm_session(order, session_id)
    except PaymentError as error:  # the webhook will bring the news instead
        current_app.logger.warning("Stripe session %s not confirmed on return: %s",
                                   session_id, error.message)
    db.session.commit()
    next_url = safe_next_url(request.args.get("next"))
    if next_url:  # the checkout's confirmation page: paid, processing or failed
        return redirect(next_url)
    return render_template("payments/stripe_return.html", order=order,
                           reason=orders.failure_reason(order))


@bp.get("/cancel/<token>")
@changes_data
def payment_cancel(token: str):
    """Stripe's ``cancel_url``: close the session, give the stock back, back to checkout."""
    found = order_to_cancel(token)
    if found is None:
        return render_error(404, NOT_FOUND)
    order, next_url = found
    try:
        outcome = cancel_checkout(order)
    except PaymentError:  # completed at Stripe, but not readable now: the webhook will tell
        outcome = "unconfirmed"
    db.session.commit()
    if outcome == "cancelled":  # the checkout's own page says so and shows the review
        return redirect(next_url or url_for("checkout.review"))
    return redirect(url_for("checkout.confirmation", number=order.number))
