"""Discount codes a shopper can enter at checkout."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from storefront.db import TimestampMixin, enum_column
from storefront.extensions import Model
from storefront.money import format_money, money_column


class DiscountKind(enum.StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


def normalise_code(code: str) -> str:
    """Codes are compared without case or surrounding spaces: ``" glow10 "`` is ``GLOW10``."""
    return (code or "").strip().upper()


class DiscountCode(TimestampMixin, Model):
    """``times_used`` counts orders holding the code: placed and waiting for payment, or paid.

    A use is taken when an order is placed (one guarded UPDATE, so a limit of 3 never
    allows a 4th) and given back if that order's payment fails, expires or is cancelled.
    """

    __tablename__ = "discount_code"
    __table_args__ = (
        CheckConstraint("value > 0", name="value_positive"),
        CheckConstraint("kind <> 'percent' OR value <= 100", name="percent_at_most_100"),
        CheckConstraint("times_used >= 0", name="times_used_not_negative"),
        CheckConstraint("max_uses IS NULL OR max_uses > 0", name="max_uses_positive"),
        CheckConstraint("max_uses_per_customer IS NULL OR max_uses_per_customer > 0",
                        name="max_uses_per_customer_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored upper-case (see ``normalise_code``), so the unique index is case-insensitive.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[DiscountKind] = mapped_column(enum_column(DiscountKind))
    # A percentage (10 = 10 %) or an amount in the shop's currency.
    value: Mapped[Decimal] = mapped_column(Numeric(10, 2, asdecimal=True))
    minimum_subtotal: Mapped[Decimal | None] = mapped_column(money_column())
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    max_uses: Mapped[int | None]
    max_uses_per_customer: Mapped[int | None]
    times_used: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<DiscountCode {self.code}>"

    @validates("code")
    def _normalise(self, _key: str, value: str) -> str:
        return normalise_code(value)

    def describe(self, currency: str) -> str:
        """``10% off`` or ``€5.00 off``."""
        if self.kind == DiscountKind.PERCENT:
            return f"{self.value.normalize():f}% off"
        return f"{format_money(self.value, currency)} off"
