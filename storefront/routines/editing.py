"""The back office's side of routines: the steps and their order, the ingredient classes and
the conflicts. Every change is audited with the values before and after; functions flush,
the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from storefront.audit import services as audit
from storefront.catalog.models import Category, Ingredient
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.routines.models import (
    ConflictRule,
    IngredientClass,
    RoutineStep,
    StepKind,
    TimeOfDay,
)
from storefront.routines.services import RETINOID
from storefront.slugs import slugify

STEP_AUDIT_FIELDS = ["name", "hint", "kind", "position", "morning", "evening", "essential"]
CLASS_AUDIT_FIELDS = ["name", "active", "avoid_in_pregnancy", "time_of_day", "note"]
ONE_OF_EACH = (StepKind.TREATMENTS, StepKind.SUNSCREEN)


class RoutineEditError(DomainError):
    """A change the routine rules cannot take; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _text(value: str | None, max_length: int, message: str, field_name: str,
          required: bool = True) -> str:
    value = (value or "").strip()
    if (required and not value) or len(value) > max_length:
        raise RoutineEditError(message, field_name)
    return value


def _new_slug(model, name: str) -> str:
    base = slugify(name, 36) or "item"
    taken = set(db.session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


# --- Steps ---------------------------------------------------------------------------------

@dataclass
class StepFields:
    name: str
    kind: StepKind = StepKind.BASIC
    hint: str = ""
    morning: bool = True
    evening: bool = True
    essential: bool = True
    categories: list[Category] = field(default_factory=list)


def step_state(step: RoutineStep) -> dict:
    state = audit.snapshot(step, STEP_AUDIT_FIELDS)
    state["categories"] = sorted(category.slug for category in step.categories)
    return state


def all_steps() -> list[RoutineStep]:
    return list(db.session.scalars(select(RoutineStep).order_by(RoutineStep.position,
                                                                 RoutineStep.id)))


def _check_kind(fields: StepFields, step: RoutineStep | None) -> None:
    if step is not None and step.kind == StepKind.SUNSCREEN and fields.kind != step.kind:
        raise RoutineEditError("The sunscreen step stays a sunscreen step: every morning "
                               "routine ends with SPF 30 or more.", "kind")
    if fields.kind in ONE_OF_EACH:
        other = db.session.scalar(select(RoutineStep).where(
            RoutineStep.kind == fields.kind,
            RoutineStep.id != (step.id if step is not None else -1)))
        if other is not None:
            what = "treatment" if fields.kind == StepKind.TREATMENTS else "sunscreen"
            raise RoutineEditError(f"“{other.name}” is already the routine's {what} step; a "
                                   "routine has one.", "kind")


def _check_categories(fields: StepFields, step: RoutineStep | None) -> None:
    for category in fields.categories:
        owner = db.session.scalar(select(RoutineStep).join(RoutineStep.categories).where(
            Category.id == category.id))
        if owner is not None and owner is not step:
            raise RoutineEditError(f"{category.name} already fills the step “{owner.name}”. "
                                   "A category fills one step only.", "categories")


def _check_step(fields: StepFields, step: RoutineStep | None) -> None:
    _text(fields.name, 60, "Give the step a name of at most 60 characters.", "name")
    _text(fields.hint, 300, "Keep the explanation to at most 300 characters.", "hint",
          required=False)
    _check_kind(fields, step)
    if fields.kind != StepKind.SUNSCREEN and not (fields.morning or fields.evening):
        raise RoutineEditError("Tick the morning, the evening or both.", "morning")
    _check_categories(fields, step)


def save_step(fields: StepFields, step: RoutineStep | None = None, *, actor) -> RoutineStep:
    """Create a step (last in the order) or change one. Sunscreen is a morning step."""
    _check_step(fields, step)
    before = step_state(step) if step is not None else None
    if step is None:
        last = db.session.scalar(select(func.max(RoutineStep.position)))
        step = RoutineStep(slug=_new_slug(RoutineStep, fields.name),
                           position=(last if last is not None else -1) + 1)
        db.session.add(step)
    step.name, step.hint, step.kind = fields.name.strip(), fields.hint.strip(), fields.kind
    step.essential = fields.essential
    sunscreen = fields.kind == StepKind.SUNSCREEN
    step.morning, step.evening = (True, False) if sunscreen else (fields.morning,
                                                                   fields.evening)
    step.categories = list(fields.categories)
    db.session.flush()
    audit.record_change(
        actor, "routine_step.created" if before is None else "routine_step.updated",
        step, f"Routine step “{step.name}”", before, step_state(step))
    return step


def move_step(step: RoutineStep, offset: int, *, actor) -> None:
    """Move a step up (-1) or down (+1) the routine."""
    steps = all_steps()
    place = steps.index(step)
    target = min(max(place + offset, 0), len(steps) - 1)
    if target == place:
        return
    before = step_state(step)
    steps.insert(target, steps.pop(place))
    for position, item in enumerate(steps):
        item.position = position
    db.session.flush()
    audit.record_change(actor, "routine_step.moved", step, f"Routine step “{step.name}” moved",
                        before, step_state(step))


def delete_step(step: RoutineStep, *, actor) -> None:
    if step.kind == StepKind.SUNSCREEN:
        raise RoutineEditError("The sunscreen step can't be removed: every morning routine "
                               "ends with SPF 30 or more. You can rename it or change its "
                               "categories.")
    before = step_state(step)
    db.session.delete(step)
    db.session.flush()
    for position, item in enumerate(all_steps()):
        item.position = position
    db.session.flush()
    audit.record_change(actor, "routine_step.deleted", step,
                        f"Routine step “{before['name']}” removed", before, None)


# --- Ingredient classes --------------------------------------------------------------------

@dataclass
class ClassFields:
    name: str
    active: bool = True
    avoid_in_pregnancy: bool = False
    time_of_day: TimeOfDay = TimeOfDay.BOTH
    note: str = ""
    ingredients: list[Ingredient] = field(default_factory=list)


def class_state(kind: IngredientClass) -> dict:
    state = audit.snapshot(kind, CLASS_AUDIT_FIELDS)
    state["ingredients"] = sorted(ingredient.slug for ingredient in kind.ingredients)
    return state


def all_classes() -> list[IngredientClass]:
    return list(db.session.scalars(select(IngredientClass).order_by(
        IngredientClass.position, IngredientClass.name)))


def _check_class(fields: ClassFields, kind: IngredientClass | None) -> None:
    _text(fields.name, 80, "Give the class a name of at most 80 characters.", "name")
    _text(fields.note, 300, "Keep the note to at most 300 characters.", "note",
          required=False)
    for ingredient in fields.ingredients:
        owner = db.session.scalar(select(IngredientClass).join(
            IngredientClass.ingredients).where(Ingredient.id == ingredient.id))
        if owner is not None and owner is not kind:
            raise RoutineEditError(f"{ingredient.name} is already in the class "
                                   f"“{owner.name}”. A key ingredient is in one class only.",
                                   "ingredients")


def save_class(fields: ClassFields, kind: IngredientClass | None = None, *,
               actor) -> IngredientClass:
    """Create or change an ingredient class (its address, used by the rules, stays)."""
    _check_class(fields, kind)
    before = class_state(kind) if kind is not None else None
    if kind is None:
        last = db.session.scalar(select(func.max(IngredientClass.position)))
        kind = IngredientClass(slug=_new_slug(IngredientClass, fields.name),
                               position=(last if last is not None else -1) + 1)
        db.session.add(kind)
    kind.name, kind.note = fields.name.strip(), fields.note.strip()
    kind.active, kind.avoid_in_pregnancy = fields.active, fields.avoid_in_pregnancy
    kind.time_of_day = fields.time_of_day
    kind.ingredients = list(fields.ingredients)
    db.session.flush()
    audit.record_change(actor, "ingredient_class.created" if before is None
                        else "ingredient_class.updated", kind, f"Ingredient class “{kind.name}”",
                        before, class_state(kind))
    return kind


def conflicts_of(kind: IngredientClass) -> list[ConflictRule]:
    return list(db.session.scalars(select(ConflictRule).where(
        (ConflictRule.first_class_id == kind.id) | (ConflictRule.second_class_id == kind.id))
        .order_by(ConflictRule.id)))


def delete_class(kind: IngredientClass, *, actor) -> None:
    """Remove a class and the conflicts that name it (each audited)."""
    if kind.slug == RETINOID:
        raise RoutineEditError("The retinoid class can't be removed: the routine needs it "
                               "for readers who already use a prescription retinoid. You "
                               "can change its ingredients and what it does.")
    for rule in conflicts_of(kind):
        delete_conflict(rule, actor=actor)
    before = class_state(kind)
    db.session.delete(kind)
    db.session.flush()
    audit.record_change(actor, "ingredient_class.deleted", kind,
                        f"Ingredient class “{before['name']}” removed", before, None)


# --- Conflicts ---------------------------------------------------------------------------

@dataclass
class ConflictFields:
    first: IngredientClass | None
    second: IngredientClass | None
    explanation: str


def conflict_state(rule: ConflictRule) -> dict:
    return {"first": rule.first.slug, "second": rule.second.slug,
            "explanation": rule.explanation}


def _conflict_label(rule: ConflictRule) -> str:
    return f"Conflict “{rule.first.name}” / “{rule.second.name}”"


def all_conflicts() -> list[ConflictRule]:
    return list(db.session.scalars(select(ConflictRule).order_by(ConflictRule.id)))


def _check_conflict(fields: ConflictFields, rule: ConflictRule | None) -> None:
    if fields.first is None or fields.second is None:
        raise RoutineEditError("Choose the two classes.", "first")
    if fields.first.id == fields.second.id:
        raise RoutineEditError("Choose two different classes.", "second")
    _text(fields.explanation, 500, "Say why they don't go together, for readers (at most "
          "500 characters).", "explanation")
    pair = {fields.first.id, fields.second.id}
    for other in all_conflicts():
        if other is not rule and {other.first_class_id, other.second_class_id} == pair:
            raise RoutineEditError("There is already a rule for these two classes; change "
                                   "that one instead.", "first")


def save_conflict(fields: ConflictFields, rule: ConflictRule | None = None, *,
                  actor) -> ConflictRule:
    _check_conflict(fields, rule)
    # _check_conflict refuses a missing class.
    assert fields.first is not None
    assert fields.second is not None
    before = conflict_state(rule) if rule is not None else None
    if rule is None:
        rule = ConflictRule()
        db.session.add(rule)
    rule.first, rule.second = fields.first, fields.second
    rule.explanation = fields.explanation.strip()
    db.session.flush()
    audit.record_change(actor, "routine_conflict.created" if before is None
                        else "routine_conflict.updated", rule, _conflict_label(rule), before,
                        conflict_state(rule))
    return rule


def delete_conflict(rule: ConflictRule, *, actor) -> None:
    before, label = conflict_state(rule), _conflict_label(rule)
    db.session.delete(rule)
    db.session.flush()
    audit.record_change(actor, "routine_conflict.deleted", rule, f"{label} removed", before, None)
