"""Jobs that ended without finishing their work, kept for an admin to see and act on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storefront.db import utcnow
from storefront.extensions import Model


class FailedJob(Model):
    __tablename__ = "failed_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The queue's id for the job; None when it ran inline (no Redis configured).
    job_id: Mapped[str | None] = mapped_column(String(100))
    function: Mapped[str] = mapped_column(String(200))
    # JSON: {"args": [...], "kwargs": {...}}, enough to run the job again.
    arguments: Mapped[str] = mapped_column(Text)
    error: Mapped[str] = mapped_column(String(500))
    details: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=1)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolution: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<FailedJob {self.id} {self.function} resolved={self.resolved_at is not None}>"
