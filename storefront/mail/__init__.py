"""E-mail through an outbox: queued in the request's transaction, sent after its commit.

A message is a database row written together with the change that caused it, so
mail never describes something that was rolled back, and a message that could not
be sent (SMTP down) stays in the outbox for ``flask send-outbox``.

After the commit the committed messages go to a background job
(``storefront.jobs.tasks:deliver_mail``): with ``REDIS_URL`` set a worker sends them,
retrying with back-off, so no web request waits for the mail server; without Redis
the job runs at once in the same process. Rows being sent are locked (``SKIP
LOCKED``), so a worker's delivery and the periodic outbox sweep never send one twice.
"""

from __future__ import annotations

import smtplib

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront import queue
from storefront.db import listen_once, utcnow
from storefront.extensions import db
from storefront.mail import transport
from storefront.mail.models import OutboxMessage

PENDING_KEY = "outbox_pending"
READY_KEY = "outbox_ready"
DELIVERY_JOB = "storefront.jobs.tasks:deliver_mail"

__all__ = ["OutboxMessage", "deliver_committed", "deliver_messages", "queue_mail",
           "send_outbox"]


def queue_mail(to: str, subject: str, template: str, **context) -> OutboxMessage:
    """Render ``mail/<template>.txt`` and ``.html`` and queue them for after the commit."""
    context.setdefault("subject", subject)
    message = OutboxMessage(
        recipient=to,
        subject=subject,
        text_body=render_template(f"mail/{template}.txt", **context),
        html_body=render_template(f"mail/{template}.html", **context),
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(PENDING_KEY, set()).add(message.id)
    return message


def install_listeners() -> None:
    """Queued messages become ready to send when their transaction commits, and are
    forgotten when it rolls back (called by create_app)."""
    listen_once(Session, "after_commit", _mark_ready)
    listen_once(Session, "after_rollback", _forget_pending)


def _mark_ready(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending:
        session.info.setdefault(READY_KEY, set()).update(pending)


def _forget_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def _deliver(messages: list[OutboxMessage]) -> int:
    """Try to send; record the outcome on each message. Returns how many were sent."""
    if not messages:
        return 0
    try:
        results = transport.send(messages)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("Mail server unavailable, %d kept: %s", len(messages), error)
        results = {message.id: f"mail server unavailable: {error}"[:500] for message in messages}
    sent = 0
    for message in messages:
        problem = results.get(message.id)
        message.attempts += 1
        if problem is None:
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        else:
            message.last_error = problem
    return sent


def deliver_committed(_exc: BaseException | None = None) -> None:
    """Hand the messages whose transaction has committed to the delivery job (at teardown)."""
    if not db.session.registry.has():
        return  # this request never opened a database session, so it queued no mail
    ready = db.session.info.pop(READY_KEY, None)
    if not ready:
        return
    try:
        queue.enqueue(DELIVERY_JOB, sorted(ready))
    except queue.QueueUnavailable as error:
        # The rows are committed: the outbox sweep (or ``flask send-outbox``) sends them.
        current_app.logger.warning("%d e-mail(s) kept in the outbox: %s", len(ready), error)


def deliver_messages(message_ids: list[int]) -> tuple[int, int]:
    """Send those of these messages that are still unsent. Returns (sent, unsent). Flushes."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.sent_at.is_(None))
        .order_by(OutboxMessage.id)
        .with_for_update(skip_locked=True)
    )
    messages = list(db.session.scalars(query))
    sent = _deliver(messages)
    db.session.flush()
    return sent, len(messages) - sent


def send_outbox(limit: int = 500, max_attempts: int | None = None) -> tuple[int, int]:
    """Send unsent messages, oldest first. Returns (sent, still unsent). Flushes only.

    ``max_attempts`` leaves out messages tried that often already (the periodic sweep
    gives up on them; ``flask send-outbox`` does not).
    """
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if max_attempts is not None:
        query = query.where(OutboxMessage.attempts < max_attempts)
    messages = list(db.session.scalars(query))
    sent = _deliver(messages)
    db.session.flush()
    return sent, len(messages) - sent
