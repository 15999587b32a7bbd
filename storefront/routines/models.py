"""What editors manage for routines (steps, ingredient classes, conflicts) and saved routines.

The steps, in order, make up the morning and the evening routine; each is filled from the
product categories linked to it. Ingredient classes sort key ingredients into what the rules
need to know (a retinoid, a strong exfoliating acid, ...): whether it counts as an active
treatment, whether it is avoided in pregnancy, and when in the day it is used. A conflict
names two classes that are not used in the same routine; they go on alternate days.
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Category, Ingredient
from storefront.db import TimestampMixin, enum_column
from storefront.extensions import Model, db


class StepKind(enum.StrEnum):
    BASIC = "basic"
    TREATMENTS = "treatments"
    SUNSCREEN = "sunscreen"

    @property
    def label(self) -> str:
        return {"basic": "One product that suits the skin type",
                "treatments": "The treatments for the reader's concerns",
                "sunscreen": "Sunscreen, SPF 30 or more, every morning"}[self.value]


class TimeOfDay(enum.StrEnum):
    MORNING = "morning"
    EVENING = "evening"
    BOTH = "both"

    @property
    def label(self) -> str:
        return {"morning": "Morning", "evening": "Evening",
                "both": "Morning and evening"}[self.value]


# A category fills at most one step (its id is the key).
routine_step_category = Table(
    "routine_step_category",
    db.metadata,
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
    Column("step_id", ForeignKey("routine_step.id", ondelete="CASCADE"), nullable=False,
           index=True),
)

# A key ingredient belongs to at most one class (its id is the key).
ingredient_class_member = Table(
    "ingredient_class_member",
    db.metadata,
    Column("ingredient_id", ForeignKey("ingredient.id", ondelete="CASCADE"), primary_key=True),
    Column("class_id", ForeignKey("ingredient_class.id", ondelete="CASCADE"), nullable=False,
           index=True),
)


class RoutineStep(TimestampMixin, Model):
    """One step of the routine (cleanse, treat, ...), in the order editors choose."""

    __tablename__ = "routine_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    hint: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind), default=StepKind.BASIC)
    position: Mapped[int] = mapped_column(default=0)
    morning: Mapped[bool] = mapped_column(default=True)
    evening: Mapped[bool] = mapped_column(default=True)
    # Part of the essential routine; the complete one has every step.
    essential: Mapped[bool] = mapped_column(default=True)

    categories: Mapped[list[Category]] = relationship(
        secondary=routine_step_category, order_by="Category.position, Category.name")

    def __repr__(self) -> str:
        return f"<RoutineStep {self.slug}>"

    def used_at(self, time: TimeOfDay) -> bool:
        return self.morning if time == TimeOfDay.MORNING else self.evening


class IngredientClass(TimestampMixin, Model):
    """A kind of key ingredient the routine's rules know about, such as a retinoid."""

    __tablename__ = "ingredient_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    # Counts towards the most active treatments a routine has.
    active: Mapped[bool] = mapped_column(default=True)
    avoid_in_pregnancy: Mapped[bool] = mapped_column(default=False)
    time_of_day: Mapped[TimeOfDay] = mapped_column(enum_column(TimeOfDay),
                                                   default=TimeOfDay.BOTH)
    # Why it is used when it is, for readers: "Light breaks retinoids down."
    note: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)

    ingredients: Mapped[list[Ingredient]] = relationship(
        secondary=ingredient_class_member, order_by="Ingredient.name")

    def __repr__(self) -> str:
        return f"<IngredientClass {self.slug}>"


class ConflictRule(TimestampMixin, Model):
    """Two classes that are not used in the same routine: they go on alternate days."""

    __tablename__ = "routine_conflict"
    __table_args__ = (
        UniqueConstraint("first_class_id", "second_class_id", name="uq_routine_conflict_pair"),
        CheckConstraint("first_class_id <> second_class_id", name="two_classes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_class_id: Mapped[int] = mapped_column(
        ForeignKey("ingredient_class.id", ondelete="CASCADE"), index=True)
    second_class_id: Mapped[int] = mapped_column(
        ForeignKey("ingredient_class.id", ondelete="CASCADE"), index=True)
    # Shown to readers whose routine it changes.
    explanation: Mapped[str] = mapped_column(String(500))

    first: Mapped[IngredientClass] = relationship(foreign_keys=[first_class_id])
    second: Mapped[IngredientClass] = relationship(foreign_keys=[second_class_id])

    def __repr__(self) -> str:
        return f"<ConflictRule {self.first_class_id}/{self.second_class_id}>"


class SavedRoutine(TimestampMixin, Model):
    """An account's routine: the answers it was built from, as its shareable query string.

    The routine itself is built again from them each time, so it follows stock and the
    recommendations as they change.
    """

    __tablename__ = "saved_routine"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         unique=True)
    answers: Mapped[str] = mapped_column(String(600))
