"""POST /stripe/webhook: Stripe's signed events about payments and refunds.

Answers: 400 for anything unsigned, stale or unreadable (Stripe shows it in its
dashboard); 200 once the event is applied, was seen before, or is not ours; 503 when
Stripe itself could not be asked for details, so that Stripe delivers the event again.
"""

from __future__ import annotations

import stripe
from flask import Blueprint, abort, current_app, jsonify, request

from storefront import metrics
from storefront.extensions import csrf, db
from storefront.orders.payment_providers import PaymentUnavailable
from storefront.payments.stripe_events import (
    HANDLERS,
    MalformedEvent,
    handle_event,
    verified_event,
)

bp = Blueprint("stripe_webhook", __name__)


def _reply(status: int, **body):
    return jsonify(body), status


def _count(event_type: str, outcome: str) -> None:
    """One delivery, by type (only the types we handle, so senders cannot invent labels)."""
    metrics.count(metrics.WEBHOOKS, type=event_type if event_type in HANDLERS else "other",
                  outcome=outcome)


@bp.post("/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        abort(404)
    try:
        event = verified_event(request.get_data(), request.headers.get("Stripe-Signature"),
                               secret)
    except stripe.SignatureVerificationError:
        current_app.logger.warning("Stripe webhook with a bad or stale signature refused")
        _count("unverified", "invalid_signature")
        return _reply(400, error="invalid signature")
    except MalformedEvent:
        current_app.logger.warning("Stripe webhook with an unreadable body refused")
        _count("unverified", "malformed")
        return _reply(400, error="malformed event")
    try:
        outcome = handle_event(event)
    except PaymentUnavailable as error:
        db.session.rollback()
        current_app.logger.warning("Stripe event %s not applied yet: %s", event["id"], error)
        _count(event["type"], "retry_later")
        return _reply(503, error="try again later")
    db.session.commit()
    _count(event["type"], outcome)
    current_app.logger.info("Stripe event %s (%s): %s", event["id"], event["type"], outcome)
    return _reply(200, received=True, outcome=outcome)
