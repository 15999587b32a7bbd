"""Carts live in the database, so a shopper's cart survives devices and restarts."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Variant
from storefront.db import TimestampMixin, utcnow
from storefront.extensions import Model
from storefront.money import money_column

MAX_QUANTITY = 99
TOKEN_LENGTH = 43  # secrets.token_urlsafe(32): 256 random bits
ROUTINE_KEY_LENGTH = 255  # up to three condition slugs joined by "+"


def new_cart_token() -> str:
    return secrets.token_urlsafe(32)


class Cart(TimestampMixin, Model):
    """A guest's cart has no ``user_id``; each account has at most one cart.

    A guest's session names their cart by ``token``, never by ``id``: ids are given out
    again once a row is deleted (SQLite reuses the highest one), so a cookie kept from
    before would open somebody else's cart. A token is random, unique and never reused.
    """

    __tablename__ = "cart"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(TOKEN_LENGTH), unique=True,
                                       default=new_cart_token)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )

    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", order_by="CartLine.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Cart {self.id} user={self.user_id}>"  # never the token: it is a secret

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)


class CartLine(Model):
    """A variant in a cart. Prices are read from the variant; ``price_when_added`` is
    kept only to tell the shopper that a price changed since."""

    __tablename__ = "cart_line"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id", name="uq_cart_line_cart_variant"),
        CheckConstraint(f"quantity BETWEEN 1 AND {MAX_QUANTITY}", name="quantity_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id", ondelete="CASCADE"),
                                            index=True)
    quantity: Mapped[int]
    price_when_added: Mapped[Decimal] = mapped_column(money_column())
    source_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", ondelete="SET NULL")
    )
    # The routine it was added from (``Answers.attribution``: its concerns), if any.
    source_routine: Mapped[str | None] = mapped_column(String(ROUTINE_KEY_LENGTH))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    cart: Mapped[Cart] = relationship(back_populates="lines")
    variant: Mapped[Variant] = relationship()

    @property
    def unit_price(self) -> Decimal:
        return self.variant.price

    @property
    def price_changed(self) -> bool:
        return self.variant.price != self.price_when_added
