"""Back-in-stock alerts: asking, confirming (guests), leaving, and the one e-mail.

A guest's request counts once they follow the signed link in the confirmation e-mail
(double opt-in); a logged-in customer's with a confirmed address counts at once. When a
size is available again, ``notify_back_in_stock`` picks the people waiting for it with one
guarded UPDATE (``... SET notified_at = now WHERE notified_at IS NULL ... RETURNING``) and
queues their e-mails in the same transaction: of two restocks racing, the second finds
nobody left to pick, so each request gets exactly one e-mail. Every e-mail carries a link
that deletes the request.

When stock comes back (``inventory.stock_returned``) the variants are noted in the session;
once its transaction has committed, a job (``storefront.jobs.tasks:notify_back_in_stock``)
e-mails whoever waits for them. The periodic sweep of the same job catches anything else
(a size made active again, a confirmation after the restock). Services flush; the caller
commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import Flask, current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import CursorResult, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from storefront import queue
from storefront.alerts.models import StockAlert
from storefront.catalog.models import Product, ProductStatus, Variant
from storefront.db import listen_once, utcnow
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.inventory.services import stock_returned
from storefront.mail import queue_mail
from storefront.urls import public_url

CONFIRM_SALT = "stock-alert-confirm"
LEAVE_SALT = "stock-alert-leave"
NOTIFY_JOB = "storefront.jobs.tasks:notify_back_in_stock"
_PENDING, _READY = "stock_returned_pending", "stock_returned_ready"
KEEP_NOTIFIED = timedelta(days=90)  # then the e-mail address is forgotten
_AVAILABLE = Variant.stock_on_hand - Variant.stock_reserved


class AlertError(DomainError):
    """A request that cannot be taken; ``field`` names the form field to blame."""

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.field = field
        self.status_code = status


class InvalidLink(AlertError):
    def __init__(self) -> None:
        super().__init__("This link is not valid or has expired. If you still want an "
                         "e-mail when the product is back, ask again on its page.",
                         status=400)


@dataclass(frozen=True)
class Requested:
    """What became of a request: ``"waiting"`` (counts now), ``"confirm"`` (the e-mail to
    confirm it is sent) or ``"already"`` (this address was already waiting)."""

    alert: StockAlert
    outcome: str


# --- Who may ask for what ------------------------------------------------------------------

def variant_for_alert(variant_id: int) -> Variant:
    """The size asked about, if it is one the shop sells and it is out of stock now."""
    variant = db.session.scalar(select(Variant).where(Variant.id == variant_id)
                                .options(joinedload(Variant.product)))
    if variant is None or not variant.active or not variant.product.is_sold:
        raise AlertError("We can't find that product in the shop any more.", status=404)
    if variant.available > 0:
        raise AlertError(f"Good news: {variant.product.name} ({variant.size_label}) is in "
                         "stock now, so you can add it to your cart.", status=409)
    return variant


def _digest(email: str) -> str:
    return hashlib.blake2b(email.encode(), digest_size=8).hexdigest()


def _serializer(salt: str):
    key = current_app.config["SECRET_KEY"]
    timed = salt == CONFIRM_SALT
    return (URLSafeTimedSerializer if timed else URLSafeSerializer)(key, salt=salt)


def token(alert: StockAlert, salt: str) -> str:
    """A link's token naming ``alert`` (and, by a digest, its e-mail address)."""
    return _token(alert.id, alert.email, salt)


def _token(alert_id: int, email: str, salt: str) -> str:
    return _serializer(salt).dumps({"a": alert_id, "e": _digest(email)})


def alert_for_token(value: str, salt: str) -> StockAlert | None:
    """The request a link names; InvalidLink when forged or too old, None when it is gone."""
    try:
        if salt == CONFIRM_SALT:
            data = _serializer(salt).loads(
                value, max_age=current_app.config["EMAIL_CONFIRM_MAX_AGE"])
        else:
            data = _serializer(salt).loads(value)
    except BadSignature as error:
        raise InvalidLink() from error
    alert_id = data.get("a") if isinstance(data, dict) else None
    if not isinstance(alert_id, int) or not 0 < alert_id < 2**31:
        raise InvalidLink()
    alert = db.session.scalar(select(StockAlert).where(StockAlert.id == alert_id)
                              .options(joinedload(StockAlert.variant)
                                       .joinedload(Variant.product)))
    if alert is None or _digest(alert.email) != data.get("e"):
        return None
    return alert


# --- Asking --------------------------------------------------------------------------------

def _waiting(variant_id: int, email: str) -> StockAlert | None:
    return db.session.scalar(select(StockAlert).where(
        StockAlert.variant_id == variant_id, StockAlert.email == email,
        StockAlert.notified_at.is_(None)))


def _send_confirmation(alert: StockAlert) -> None:
    product = alert.variant.product
    queue_mail(alert.email, f"Confirm: e-mail me when {product.name} is back",
               "stock_alert_confirm", alert=alert, product=product, variant=alert.variant,
               url=public_url("alerts.confirm", token=token(alert, CONFIRM_SALT)),
               leave_url=public_url("alerts.leave", token=token(alert, LEAVE_SALT)),
               days=current_app.config["EMAIL_CONFIRM_MAX_AGE"] // 86400)


def _insert(variant: Variant, email: str, user_id: int | None,
            confirmed: bool) -> StockAlert | None:
    """A new request, or None when the same one was made at the same moment."""
    alert = StockAlert(variant_id=variant.id, email=email, user_id=user_id,
                       confirmed_at=utcnow() if confirmed else None)
    try:
        with db.session.begin_nested():
            db.session.add(alert)
    except IntegrityError:  # the unique index of waiting requests: it exists now
        return None
    alert.variant = variant
    return alert


def request_alert(variant_id: int, email: str, user=None) -> Requested:
    """Ask for an e-mail when ``variant_id`` is back. ``user``: the logged-in customer
    (their request counts at once when it is their confirmed address)."""
    variant = variant_for_alert(variant_id)
    email = (email or "").strip().lower()
    own = user is not None and user.email == email
    confirmed = own and user.email_confirmed_at is not None
    alert = _waiting(variant.id, email)
    if alert is None:
        alert = _insert(variant, email, user.id if own else None, confirmed)
        if alert is not None:
            if not confirmed:
                _send_confirmation(alert)
            return Requested(alert, "waiting" if confirmed else "confirm")
        alert = _waiting(variant.id, email)
        assert alert is not None  # the unique index refused ours: the same request is there
    if alert.confirmed_at is not None:
        return Requested(alert, "already")
    if confirmed:
        alert.confirmed_at = utcnow()
        db.session.flush()
        return Requested(alert, "waiting")
    _send_confirmation(alert)  # asked again before confirming: the link again
    return Requested(alert, "confirm")


def confirm(alert: StockAlert) -> None:
    """The guest followed the link: their request counts (and is answered at once if the
    size is back already)."""
    if alert.confirmed_at is None:
        alert.confirmed_at = utcnow()
        db.session.flush()
        stock_may_have_returned([alert.variant_id])


def leave(alert: StockAlert) -> None:
    """Forget the request and its e-mail address."""
    db.session.delete(alert)
    db.session.flush()


# --- Telling them ---------------------------------------------------------------------------

def _back(variant_ids: list[int] | None):
    """The sizes on sale again that confirmed requests wait for."""
    query = (select(Variant).join(Variant.product)
             .where(Variant.active.is_(True), Product.status == ProductStatus.ACTIVE,
                    Product.prescription_only.is_(False), _AVAILABLE > 0,
                    exists().where(StockAlert.variant_id == Variant.id,
                                   StockAlert.confirmed_at.is_not(None),
                                   StockAlert.notified_at.is_(None)))
             .options(joinedload(Variant.product)).order_by(Variant.id))
    if variant_ids is not None:
        query = query.where(Variant.id.in_(sorted(set(variant_ids))))
    return db.session.scalars(query).all()


def _send_back_in_stock(variant: Variant, alert_id: int, email: str) -> None:
    product = variant.product
    queue_mail(email, f"{product.name} is back in stock", "stock_alert_back",
               product=product, variant=variant,
               url=public_url("catalog.product_detail", slug=product.slug,
                              variant=variant.id),
               leave_url=public_url("alerts.leave", token=_token(alert_id, email, LEAVE_SALT)))


def notify_back_in_stock(variant_ids: list[int] | None = None) -> int:
    """E-mail everyone whose confirmed request waits for one of ``variant_ids`` (all sizes
    when None) that is available again; how many were e-mailed. Each request is picked by
    one guarded UPDATE, so it is e-mailed once however many of these run at once."""
    sent = 0
    for variant in _back(variant_ids):
        picked = db.session.execute(
            update(StockAlert)
            .where(StockAlert.variant_id == variant.id, StockAlert.confirmed_at.is_not(None),
                   StockAlert.notified_at.is_(None))
            .values(notified_at=utcnow())
            .returning(StockAlert.id, StockAlert.email)
            .execution_options(synchronize_session=False)).all()
        for alert_id, email in picked:
            _send_back_in_stock(variant, alert_id, email)
        sent += len(picked)
    return sent


def forget_old(now: datetime | None = None) -> int:
    """Delete requests nobody confirmed in time, and those answered long ago."""
    now = now or utcnow()
    unconfirmed = now - timedelta(seconds=current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    result = cast("CursorResult[Any]", db.session.execute(delete(StockAlert).where(or_(
        (StockAlert.confirmed_at.is_(None)) & (StockAlert.created_at < unconfirmed),
        StockAlert.notified_at < now - KEEP_NOTIFIED))))
    return result.rowcount or 0


def waiting_counts(variant_ids: list[int]) -> dict[int, int]:
    """How many confirmed requests wait for each of ``variant_ids``."""
    if not variant_ids:
        return {}
    rows = db.session.execute(
        select(StockAlert.variant_id, func.count())
        .where(StockAlert.variant_id.in_(variant_ids), StockAlert.confirmed_at.is_not(None),
               StockAlert.notified_at.is_(None))
        .group_by(StockAlert.variant_id))
    return {variant_id: count for variant_id, count in rows}


# --- After a restock commits ------------------------------------------------------------

def stock_may_have_returned(variant_ids: list[int]) -> None:
    """Note sizes whose stock went up; their waiting requests are answered after commit."""
    db.session.info.setdefault(_PENDING, set()).update(variant_ids)


def _on_stock_returned(_sender, variant_ids: list[int], **_extra) -> None:
    stock_may_have_returned(variant_ids)


def install_listeners() -> None:
    """Sizes noted by ``stock_may_have_returned`` become ready when their transaction commits,
    and are forgotten when it rolls back (called by create_app)."""
    listen_once(Session, "after_commit", _ready)
    listen_once(Session, "after_rollback", _forget)


def _ready(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_READY, set()).update(pending)


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def enqueue_committed(_exc: BaseException | None = None) -> None:
    """Start the job for the sizes whose restock committed (at the end of a request, a
    command or a job). Without a queue the job runs here, before the outbox is sent."""
    if not db.session.registry.has():
        return
    ready = db.session.info.pop(_READY, None)
    if not ready:
        return
    try:
        queue.enqueue(NOTIFY_JOB, sorted(ready))
    except queue.QueueUnavailable as error:  # the periodic sweep answers them later
        current_app.logger.warning("Back-in-stock e-mails wait for the sweep: %s", error)


def install(app: Flask) -> None:
    """Listen for restocks and start the job after each commit (once per app)."""
    stock_returned.connect(_on_stock_returned)
    # Registered after the outbox's own teardown, so it runs first: the e-mails this job
    # queues are sent by the outbox's teardown right after.
    app.teardown_request(enqueue_committed)
    app.teardown_appcontext(enqueue_committed)
