"""What the payment providers remember themselves: the Stripe events already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storefront.db import utcnow
from storefront.extensions import Model


class StripeEvent(Model):
    """One row per Stripe event id ever received: the unique id turns replays into no-ops.

    Stripe delivers an event at least once (retries, several endpoints, a resend from the
    dashboard), so the webhook inserts this row first and does nothing more when the
    insert hits the unique constraint.
    """

    __tablename__ = "stripe_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    order_number: Mapped[str | None] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(40), default="received")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<StripeEvent {self.event_id} {self.event_type} {self.outcome}>"
