"""Articles tied to conditions, conditions tied to the products and ingredients that help."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Ingredient, Product, SkinType
from storefront.db import TimestampMixin, enum_column, utcnow
from storefront.extensions import Model, db


class ArticleKind(enum.StrEnum):
    QA = "qa"
    IN_DEPTH = "in_depth"

    @property
    def label(self) -> str:
        return {"qa": "Q&A", "in_depth": "In depth"}[self.value]


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


class RecommendationRole(enum.StrEnum):
    """The job a recommended product or ingredient does for a condition."""

    PREVENT = "prevent"
    TREAT = "treat"
    SOOTHE = "soothe"
    PROTECT = "protect"
    CARE = "care"

    @property
    def label(self) -> str:
        return {"prevent": "Prevention", "treat": "Treatment", "soothe": "Soothing",
                "protect": "Protection", "care": "Everyday care"}[self.value]


class QuestionStatus(enum.StrEnum):
    NEW = "new"
    ANSWERED = "answered"
    REJECTED = "rejected"
    SPAM = "spam"


article_condition = Table(
    "article_condition",
    db.metadata,
    Column("article_id", ForeignKey("article.id", ondelete="CASCADE"), primary_key=True),
    Column("condition_id", ForeignKey("condition.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class AuthorRules:
    """What an author's pages work out from the author's columns: a model's, or an
    article page's plain row (``storefront.content.reading.ShownAuthor``)."""

    __slots__ = ()
    if TYPE_CHECKING:  # the field the rules read (an annotation only: not mapped here)
        statements: str

    @property
    def statement_list(self) -> list[str]:
        return [line.strip() for line in self.statements.splitlines() if line.strip()]


class Author(AuthorRules, TimestampMixin, Model):
    __tablename__ = "author"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    credentials: Mapped[str] = mapped_column(String(200))
    bio: Mapped[str] = mapped_column(Text, default="")
    photo_key: Mapped[str | None] = mapped_column(String(120))
    photo_alt: Mapped[str] = mapped_column(String(200), default="")
    # What the author vouches for, one statement a line ("I write every article myself").
    statements: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Condition(TimestampMixin, Model):
    """A skin condition such as milia or rosacea; its texts are Markdown."""

    __tablename__ = "condition"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(String(500))
    causes: Mapped[str] = mapped_column(Text, default="")
    what_helps: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="condition", order_by="Recommendation.position, Recommendation.id",
        cascade="all, delete-orphan",
    )
    articles: Mapped[list[Article]] = relationship(
        secondary=article_condition, back_populates="conditions", viewonly=True
    )


class Article(TimestampMixin, Model):
    """A Q&A answer or an in-depth piece. The body is Markdown with editor shortcodes.

    Readers see it once ``status`` is scheduled or published and ``published_at`` has
    passed. ``version`` grows with every edit and keys the rendered-HTML cache.
    """

    __tablename__ = "article"
    __table_args__ = (
        Index("ix_article_status_published_at", "status", "published_at"),
        # The newest of one kind (the home page's latest answers) read in order.
        Index("ix_article_kind_published_at", "kind", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[ArticleKind] = mapped_column(enum_column(ArticleKind), default=ArticleKind.QA)
    status: Mapped[ArticleStatus] = mapped_column(
        enum_column(ArticleStatus), default=ArticleStatus.DRAFT
    )
    published_at: Mapped[datetime | None]
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("author.id"))
    hero_image_key: Mapped[str | None] = mapped_column(String(120))
    hero_image_alt: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(default=1)

    author: Mapped[Author] = relationship(foreign_keys=[author_id], lazy="joined",
                                          innerjoin=True)
    reviewer: Mapped[Author | None] = relationship(foreign_keys=[reviewer_id])
    conditions: Mapped[list[Condition]] = relationship(
        secondary=article_condition, back_populates="articles", order_by="Condition.position"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Article {self.slug}>"

    @classmethod
    def visible_clause(cls, now: datetime | ColumnElement[datetime] | None = None):
        """SQL condition: readers can see the article now (or at ``now``, a value or a
        bound parameter)."""
        now = utcnow() if now is None else now
        return and_(
            or_(cls.status == ArticleStatus.PUBLISHED, cls.status == ArticleStatus.SCHEDULED),
            cls.published_at.is_not(None),
            cls.published_at <= now,
        )

    def is_visible(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (
            self.status in (ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED)
            and self.published_at is not None
            and self.published_at <= now
        )


class Recommendation(TimestampMixin, Model):
    """A condition's link to a product or to a key ingredient, with the reason."""

    __tablename__ = "recommendation"
    __table_args__ = (
        CheckConstraint(
            "(product_id IS NULL) <> (ingredient_id IS NULL)",
            name="product_or_ingredient",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    condition_id: Mapped[int] = mapped_column(ForeignKey("condition.id", ondelete="CASCADE"),
                                              index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)
    ingredient_id: Mapped[int | None] = mapped_column(ForeignKey("ingredient.id"), index=True)
    why: Mapped[str] = mapped_column(Text)
    how_to_use: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[RecommendationRole] = mapped_column(
        enum_column(RecommendationRole), default=RecommendationRole.TREAT)
    position: Mapped[int] = mapped_column(default=0)

    condition: Mapped[Condition] = relationship(back_populates="recommendations")
    product: Mapped[Product | None] = relationship()
    ingredient: Mapped[Ingredient | None] = relationship()


class ReaderQuestion(TimestampMixin, Model):
    """A question sent through "Ask me something"."""

    __tablename__ = "reader_question"
    __table_args__ = (Index("ix_reader_question_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    question: Mapped[str] = mapped_column(Text)
    skin_type: Mapped[SkinType | None] = mapped_column(enum_column(SkinType))
    status: Mapped[QuestionStatus] = mapped_column(
        enum_column(QuestionStatus), default=QuestionStatus.NEW
    )
    article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id"))
    # The article the reader was reading when they asked (``article`` is the answer).
    asked_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]

    article: Mapped[Article | None] = relationship(foreign_keys=[article_id])
    asked_from: Mapped[Article | None] = relationship(foreign_keys=[asked_from_id])


class ShopText(TimestampMixin, Model):
    """A text the shop's editors write for a fixed place: the introduction at the top of
    the shop, or one of the shop's pages (about, contact, terms, ...). ``key`` names the
    place; ``author`` signs it. ``version`` grows whenever the heading or the text change,
    and each version is kept (``ShopTextRevision``): an order names the version of the
    terms its buyer accepted."""

    __tablename__ = "shop_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    heading: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("author.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    author: Mapped[Author | None] = relationship(lazy="joined")


class ShopTextRevision(Model):
    """One version of a shop text as it was published, never changed afterwards."""

    __tablename__ = "shop_text_revision"
    __table_args__ = (UniqueConstraint("shop_text_id", "version",
                                       name="uq_shop_text_revision_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_text_id: Mapped[int] = mapped_column(ForeignKey("shop_text.id", ondelete="CASCADE"))
    version: Mapped[int]
    heading: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                            ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
