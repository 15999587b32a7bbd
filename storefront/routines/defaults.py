"""The routine rules a shop starts with: steps, ingredient classes and a conflict.

Editors change them in the back office (/admin/routine). ``seed_default_rules`` creates
whatever is missing, looked up by slug, and links the categories and key ingredients of
the same slugs that are not linked yet; running it again changes nothing. It is part of
``flask seed-demo`` and ``flask seed-routine-rules``. Flushes only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from storefront.catalog.models import Category, Ingredient
from storefront.extensions import db
from storefront.routines.models import (
    ConflictRule,
    IngredientClass,
    RoutineStep,
    StepKind,
    TimeOfDay,
    ingredient_class_member,
    routine_step_category,
)

MORNING, EVENING, BOTH = TimeOfDay.MORNING, TimeOfDay.EVENING, TimeOfDay.BOTH


@dataclass(frozen=True)
class DefaultStep:
    slug: str
    name: str
    kind: StepKind
    morning: bool
    evening: bool
    categories: tuple[str, ...]
    hint: str


@dataclass(frozen=True)
class DefaultClass:
    slug: str
    name: str
    active: bool
    avoid_in_pregnancy: bool
    time_of_day: TimeOfDay
    ingredients: tuple[str, ...]
    note: str


STEPS = (
    DefaultStep("cleanse", "Cleanse", StepKind.BASIC, True, True, ("cleansers",),
                "A gentle wash. The actives belong in the treatments, where they stay on "
                "the skin long enough to work."),
    DefaultStep("treat", "Treat", StepKind.TREATMENTS, True, True,
                ("serums", "treatments", "exfoliants"),
                "The products for your concerns: at most three actives."),
    DefaultStep("moisturise", "Moisturise", StepKind.BASIC, True, True, ("moisturisers",),
                "Keeps the skin barrier comfortable, so the treatments are easier to "
                "tolerate."),
    DefaultStep("sunscreen", "Sunscreen", StepKind.SUNSCREEN, True, False, ("sunscreen",),
                "SPF 30 or more, every morning, as the last step."),
)

CLASSES = (
    DefaultClass("retinoid", "Retinoid", True, True, EVENING,
                 ("retinol", "adapalene", "tretinoin"),
                 "Used in the evening: light breaks retinoids down, and they make skin "
                 "more sensitive to the sun."),
    DefaultClass("strong-acid", "Strong exfoliating acid", True, False, EVENING,
                 ("glycolic-acid", "salicylic-acid"),
                 "Used in the evening, a few times a week: acids make skin more "
                 "sensitive to the sun."),
    DefaultClass("gentle-acid", "Gentle acid", True, False, BOTH,
                 ("azelaic-acid", "lactic-acid"), ""),
    DefaultClass("benzoyl-peroxide", "Benzoyl peroxide", True, False, MORNING,
                 ("benzoyl-peroxide",),
                 "Used in the morning: it can inactivate some retinoids if both are on the "
                 "skin at once."),
    DefaultClass("antioxidant", "Antioxidant", True, False, MORNING, ("vitamin-c",),
                 "Used in the morning, under sunscreen, to help defend against daylight."),
    DefaultClass("barrier", "Barrier support", False, False, BOTH,
                 ("niacinamide", "ceramides", "hyaluronic-acid", "urea"), ""),
)

CONFLICTS = (
    ("retinoid", "strong-acid",
     "Retinoids and strong exfoliating acids irritate when they are used on the same "
     "evening, so use them on alternate evenings: the retinoid one evening, the acid the "
     "next."),
)


def _by_slug(model) -> dict:
    return {row.slug: row for row in db.session.scalars(select(model))}


def _seed_steps(lines: list[str]) -> None:
    steps, categories = _by_slug(RoutineStep), _by_slug(Category)
    linked = set(db.session.scalars(select(routine_step_category.c.category_id)))
    made = 0
    for position, data in enumerate(STEPS):
        step = steps.get(data.slug)
        if step is None:
            step = RoutineStep(slug=data.slug, name=data.name, kind=data.kind,
                               morning=data.morning, evening=data.evening, hint=data.hint,
                               position=position, essential=True)
            db.session.add(step)
            made += 1
        for slug in data.categories:
            category = categories.get(slug)
            if category is not None and category.id not in linked:
                step.categories.append(category)
                linked.add(category.id)
    db.session.flush()
    if made:
        lines.append(f"Routines: created {made} steps")


def _seed_classes(lines: list[str]) -> dict[str, IngredientClass]:
    classes, ingredients = _by_slug(IngredientClass), _by_slug(Ingredient)
    linked = set(db.session.scalars(select(ingredient_class_member.c.ingredient_id)))
    made = 0
    for position, data in enumerate(CLASSES):
        kind = classes.get(data.slug)
        if kind is None:
            kind = classes[data.slug] = IngredientClass(
                slug=data.slug, name=data.name, active=data.active,
                avoid_in_pregnancy=data.avoid_in_pregnancy, time_of_day=data.time_of_day,
                note=data.note, position=position)
            db.session.add(kind)
            made += 1
        for slug in data.ingredients:
            ingredient = ingredients.get(slug)
            if ingredient is not None and ingredient.id not in linked:
                kind.ingredients.append(ingredient)
                linked.add(ingredient.id)
    db.session.flush()
    if made:
        lines.append(f"Routines: created {made} ingredient classes")
    return classes


def _seed_conflicts(classes: dict[str, IngredientClass], lines: list[str]) -> None:
    pairs = {frozenset((rule.first_class_id, rule.second_class_id))
             for rule in db.session.scalars(select(ConflictRule))}
    made = 0
    for first, second, explanation in CONFLICTS:
        if first not in classes or second not in classes:
            continue
        pair = frozenset((classes[first].id, classes[second].id))
        if pair not in pairs:
            db.session.add(ConflictRule(first=classes[first], second=classes[second],
                                        explanation=explanation))
            pairs.add(pair)
            made += 1
    db.session.flush()
    if made:
        lines.append(f"Routines: created {made} conflict rule{'s' if made > 1 else ''}")


def seed_default_rules() -> list[str]:
    """Create the missing default steps, classes and conflicts; say what was done."""
    lines: list[str] = []
    _seed_steps(lines)
    _seed_conflicts(_seed_classes(lines), lines)
    return lines or ["Routines: the default steps, classes and conflicts exist"]
