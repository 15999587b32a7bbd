"""Reviews written by people who bought the product: one per order line, moderated.

A review is linked to the order line it reviews, so every review comes from a real
purchase ("verified buyer"). It is shown in the shop once an editor approves it; the
product's rating counts (``Product.rating_N_count``) count approved reviews only.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Product, SkinType
from storefront.content.models import Condition
from storefront.db import TimestampMixin, enum_column, utcnow
from storefront.extensions import Model, db
from storefront.orders.models import OrderLine


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"

    @property
    def label(self) -> str:
        return {"pending": "Waiting for approval", "approved": "Published",
                "rejected": "Not published", "spam": "Spam"}[self.value]

    @property
    def tone(self) -> str:
        return {"pending": "warn", "approved": "ok", "rejected": "", "spam": "danger"}[self.value]


class AgeRange(enum.StrEnum):
    UNDER_25 = "under_25"
    FROM_25 = "25_34"
    FROM_35 = "35_44"
    FROM_45 = "45_54"
    FROM_55 = "55_plus"

    @property
    def label(self) -> str:
        return {"under_25": "Under 25", "25_34": "25 to 34", "35_44": "35 to 44",
                "45_54": "45 to 54", "55_plus": "55 or over"}[self.value]


# The skin concerns (conditions) the reviewer used the product for.
review_concern = Table(
    "review_concern",
    db.metadata,
    Column("review_id", ForeignKey("review.id", ondelete="CASCADE"), primary_key=True),
    Column("condition_id", ForeignKey("condition.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Review(TimestampMixin, Model):
    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint("rating >= 1 AND rating <= 5", name="rating_from_1_to_5"),
        CheckConstraint("helpful_count >= 0", name="helpful_count_not_negative"),
        # The product page: a product's approved reviews, newest first.
        Index("ix_review_product_status_created", "product_id", "status", "created_at"),
        # The moderation queue: by status, newest first.
        Index("ix_review_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One review per order line: the line is the proof of purchase.
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_line.id", ondelete="CASCADE"), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # Where moderation e-mails go: the order's address when the review was written.
    email: Mapped[str] = mapped_column(String(254))
    # The name shown with the review, as the reviewer chose it ("Maya R." by default).
    display_name: Mapped[str] = mapped_column(String(60))
    rating: Mapped[int]
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    skin_type: Mapped[SkinType | None] = mapped_column(enum_column(SkinType))
    age_range: Mapped[AgeRange | None] = mapped_column(enum_column(AgeRange))
    status: Mapped[ReviewStatus] = mapped_column(enum_column(ReviewStatus),
                                                 default=ReviewStatus.PENDING)
    # Why an editor did not publish it (sent to the reviewer).
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    helpful_count: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None]
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    # When the reviewer last changed it after sending it.
    edited_at: Mapped[datetime | None]

    product: Mapped[Product] = relationship()
    order_line: Mapped[OrderLine] = relationship()
    concerns: Mapped[list[Condition]] = relationship(
        secondary=review_concern, order_by="Condition.position, Condition.name")

    def __repr__(self) -> str:
        return f"<Review {self.id} {self.rating}* {self.status}>"

    @property
    def is_published(self) -> bool:
        return self.status == ReviewStatus.APPROVED


class ReviewVote(Model):
    """"Helpful" from one visitor: an account (``u:<id>``) or a guest's random session token
    (``g:<token>``). The unique constraint is what keeps it to one vote each."""

    __tablename__ = "review_vote"
    __table_args__ = (UniqueConstraint("review_id", "voter", name="uq_review_vote_voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    voter: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewInvitation(Model):
    """The invitation to review an order's products: at most one per order, ever."""

    __tablename__ = "review_invitation"

    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"),
                                          primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    # False when nothing was left to review (the buyer had reviewed it all already).
    emailed: Mapped[bool] = mapped_column(default=True)
