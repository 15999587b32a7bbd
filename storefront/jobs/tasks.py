"""The shop's background jobs. Each flushes only; the runner commits (see
``storefront.queue.runner``)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from storefront.alerts import services as alerts
from storefront.content import questions
from storefront.mail import deliver_messages, send_outbox
from storefront.orders import carts as order_carts
from storefront.orders import services as orders
from storefront.queue import JobIncomplete
from storefront.reviews import services as reviews

# Orders expired by one run of the periodic sweep; the next run takes the rest.
RELEASE_BATCH = 500
OUTBOX_BATCH = 500


def deliver_mail(message_ids: list[int]) -> int:
    """Send these outbox messages (those still unsent); how many went.

    JobIncomplete when some could not go: their tries are recorded and kept, and the
    job is tried again with back-off (the periodic ``retry_outbox`` keeps trying too).
    """
    sent, unsent = deliver_messages(message_ids)
    if unsent:
        raise JobIncomplete(f"{unsent} e-mail(s) could not be sent yet; they wait in the outbox")
    return sent


def retry_outbox() -> int:
    """Periodic: send what waits in the outbox (mail server was down, worker was stopped)."""
    sent, _unsent = send_outbox(limit=OUTBOX_BATCH,
                                max_attempts=current_app.config["OUTBOX_MAX_ATTEMPTS"])
    return sent


def release_expired_reservations() -> int:
    """Periodic: expire unpaid orders whose reservation ran out, giving their stock back."""
    return orders.release_expired_reservations(limit=RELEASE_BATCH)


def prune_guest_carts() -> int:
    """Periodic: delete guest carts untouched for ``GUEST_CART_DAYS``."""
    return order_carts.prune_guest_carts(timedelta(days=current_app.config["GUEST_CART_DAYS"]))


def answer_questions_now_visible() -> int:
    """Periodic: e-mail the readers whose question a scheduled article answers, once it
    is out."""
    return questions.answer_questions_now_visible()


def invite_reviewers() -> int:
    """Periodic: e-mail the buyers of orders sent ``REVIEW_INVITE_DAYS`` ago an invitation
    to review what they bought (once per order)."""
    return reviews.send_due_invitations()


def notify_back_in_stock(variant_ids: list[int] | None = None) -> int:
    """E-mail whoever waits for these sizes, now back in stock (once each); periodically
    (without ids) for every size, forgetting requests never confirmed or long answered."""
    sent = alerts.notify_back_in_stock(variant_ids)
    if variant_ids is None:
        alerts.forget_old()
    return sent
