"""The stock ledger: one row for every change of a variant's ``stock_on_hand``."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Variant
from storefront.db import enum_column, utcnow
from storefront.extensions import Model


class StockReason(enum.StrEnum):
    SALE = "sale"
    CANCELLATION = "cancellation"
    RECEIVED = "received"
    DAMAGED = "damaged"
    COUNT_CORRECTION = "count_correction"
    RETURN = "return"
    IMPORT = "import"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# What staff may choose when they adjust stock by hand (sales and cancellations come
# from orders).
ADJUSTMENT_REASONS = (
    StockReason.RECEIVED,
    StockReason.DAMAGED,
    StockReason.COUNT_CORRECTION,
    StockReason.RETURN,
    StockReason.IMPORT,
)


class StockMovement(Model):
    """An append-only record: ``quantity_change`` moved on-hand stock from before to after."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        CheckConstraint("quantity_change <> 0", name="quantity_change_not_zero"),
        CheckConstraint("on_hand_after = on_hand_before + quantity_change",
                        name="on_hand_adds_up"),
        CheckConstraint("on_hand_after >= 0", name="on_hand_after_not_negative"),
        Index("ix_stock_movement_variant_created", "variant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: the ledger outlives nothing it describes; variants are archived, not deleted.
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id", ondelete="RESTRICT"))
    quantity_change: Mapped[int]
    on_hand_before: Mapped[int]
    on_hand_after: Mapped[int]
    reason: Mapped[StockReason] = mapped_column(enum_column(StockReason))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("shop_order.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    variant: Mapped[Variant] = relationship()

    def __repr__(self) -> str:
        return f"<StockMovement variant={self.variant_id} {self.quantity_change:+d} {self.reason}>"


class LedgerIsAppendOnly(RuntimeError):
    """A stock movement was changed or deleted; corrections are new movements."""


# Unlike the session-wide listeners that create_app installs, this one stays here, with the
# model: it is the model's own invariant (like a CheckConstraint), listens to this one
# class only, and must hold wherever StockMovement is used, app or not, so it is
# registered with the class itself.
@event.listens_for(StockMovement, "before_update")
@event.listens_for(StockMovement, "before_delete")
def _refuse_rewrites(_mapper, _connection, target: StockMovement) -> None:
    raise LedgerIsAppendOnly(f"stock movement {target.id} cannot be changed; add a new one")
