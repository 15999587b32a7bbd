"""Who waits for which size to come back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Variant
from storefront.db import utcnow
from storefront.extensions import Model


class StockAlert(Model):
    """One person waiting for one size (variant) to be back in stock.

    A guest's request counts once they confirm it from the e-mail (``confirmed_at``); an
    account's with a confirmed e-mail address counts at once. ``notified_at`` is set by the
    single guarded UPDATE that also decides who is e-mailed, so each request gets one
    e-mail however many restocks race. A person waits for a size once at a time.
    """

    __tablename__ = "stock_alert"
    __table_args__ = (
        Index("ix_stock_alert_variant_notified", "variant_id", "notified_at"),
        Index("uq_stock_alert_waiting", "variant_id", "email", unique=True,
              postgresql_where=text("notified_at IS NULL"),
              sqlite_where=text("notified_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]

    variant: Mapped[Variant] = relationship()

    def __repr__(self) -> str:
        return f"<StockAlert {self.id} variant={self.variant_id}>"
