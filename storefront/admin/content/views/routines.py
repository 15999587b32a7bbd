"""Admin: the routine rules editors manage: the steps and their order, the ingredient
classes the rules know about, and the conflicts that put two classes on alternate days."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from storefront.admin.blueprint import bp
from storefront.admin.common import EDITORS, save_form
from storefront.admin.content.forms import ClassForm, ConflictForm, StepForm
from storefront.admin.forms import ConfirmForm, MoveForm
from storefront.catalog.models import Category, Ingredient
from storefront.extensions import db
from storefront.routines import editing
from storefront.routines.models import ConflictRule, IngredientClass, RoutineStep, StepKind
from storefront.routines.models import TimeOfDay as Time
from storefront.routines.services import MAX_ACTIVES, MIN_SPF
from storefront.security import roles_required


def _back():
    return redirect(url_for("admin.routine"), code=303)


def _save(form, action, success, page):
    """Save a routine form; back to the rules page, or ``page`` again with the problems."""
    return save_form(form, action, success=success, redirect_to=url_for("admin.routine"),
                     page=page)


@bp.get("/routine")
@roles_required(*EDITORS)
def routine():
    return render_template(
        "admin/routines/index.html", steps=editing.all_steps(), classes=editing.all_classes(),
        conflicts=editing.all_conflicts(), move_form=MoveForm(), action_form=ConfirmForm(),
        max_actives=MAX_ACTIVES, min_spf=MIN_SPF)


# --- Steps ---------------------------------------------------------------------------------

def step_form(**kwargs) -> StepForm:
    form = StepForm(**kwargs)
    form.categories.choices = [(row.id, row.name) for row in db.session.execute(
        select(Category.id, Category.name).order_by(Category.position, Category.name))]
    return form


def _step_page(form: StepForm, step: RoutineStep | None, status: int = 200):
    return render_template("admin/routines/step_form.html", form=form, step=step), status


def _save_step(form: StepForm, step: RoutineStep | None):
    def save() -> RoutineStep:
        chosen = set(form.categories.data or [])
        fields = editing.StepFields(
            name=form.name.data, kind=StepKind(form.kind.data), hint=form.hint.data or "",
            morning=form.morning.data, evening=form.evening.data,
            essential=form.essential.data, categories=list(db.session.scalars(
                select(Category).where(Category.id.in_(chosen)))))
        return editing.save_step(fields, step, actor=current_user)

    return _save(form, save, lambda saved: f"The step “{saved.name}” is saved.",
                 lambda status: _step_page(form, step, status))


@bp.route("/routine/steps/new", methods=["GET", "POST"], endpoint="routine_step_new")
@roles_required(*EDITORS)
def routine_step_new():
    form = step_form()
    if request.method == "POST":
        return _save_step(form, None)
    return _step_page(form, None)


@bp.route("/routine/steps/<int:step_id>/edit", methods=["GET", "POST"],
          endpoint="routine_step_edit")
@roles_required(*EDITORS)
def routine_step_edit(step_id: int):
    step = db.get_or_404(RoutineStep, step_id)
    if request.method == "POST":
        return _save_step(step_form(), step)
    data = {"name": step.name, "kind": step.kind.value, "hint": step.hint,
            "morning": step.morning, "evening": step.evening, "essential": step.essential,
            "categories": [category.id for category in step.categories]}
    return _step_page(step_form(data=data), step)


@bp.post("/routine/steps/<int:step_id>/move", endpoint="routine_step_move")
@roles_required(*EDITORS)
def routine_step_move(step_id: int):
    step = db.get_or_404(RoutineStep, step_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    editing.move_step(step, -1 if form.direction.data == "up" else 1, actor=current_user)
    db.session.commit()
    return _back()


@bp.post("/routine/steps/<int:step_id>/delete", endpoint="routine_step_delete")
@roles_required(*EDITORS)
def routine_step_delete(step_id: int):
    step = db.get_or_404(RoutineStep, step_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = step.name
    try:
        editing.delete_step(step, actor=current_user)
    except editing.RoutineEditError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back()
    db.session.commit()
    flash(f"The step “{name}” is removed.", "success")
    return _back()


# --- Ingredient classes --------------------------------------------------------------------

def class_form(**kwargs) -> ClassForm:
    form = ClassForm(**kwargs)
    form.ingredients.choices = [(row.id, row.name) for row in db.session.execute(
        select(Ingredient.id, Ingredient.name).order_by(func.lower(Ingredient.name)))]
    return form


def _class_page(form: ClassForm, kind: IngredientClass | None, status: int = 200):
    return render_template("admin/routines/class_form.html", form=form, kind=kind), status


def _save_class(form: ClassForm, kind: IngredientClass | None):
    def save() -> IngredientClass:
        chosen = set(form.ingredients.data or [])
        fields = editing.ClassFields(
            name=form.name.data, active=form.active.data,
            avoid_in_pregnancy=form.avoid_in_pregnancy.data,
            time_of_day=Time(form.time_of_day.data), note=form.note.data or "",
            ingredients=list(db.session.scalars(select(Ingredient).where(
                Ingredient.id.in_(chosen)))))
        return editing.save_class(fields, kind, actor=current_user)

    return _save(form, save, lambda saved: f"The class “{saved.name}” is saved.",
                 lambda status: _class_page(form, kind, status))


@bp.route("/routine/classes/new", methods=["GET", "POST"], endpoint="routine_class_new")
@roles_required(*EDITORS)
def routine_class_new():
    form = class_form()
    if request.method == "POST":
        return _save_class(form, None)
    return _class_page(form, None)


@bp.route("/routine/classes/<int:class_id>/edit", methods=["GET", "POST"],
          endpoint="routine_class_edit")
@roles_required(*EDITORS)
def routine_class_edit(class_id: int):
    kind = db.get_or_404(IngredientClass, class_id)
    if request.method == "POST":
        return _save_class(class_form(), kind)
    data = {"name": kind.name, "active": kind.active,
            "avoid_in_pregnancy": kind.avoid_in_pregnancy,
            "time_of_day": kind.time_of_day.value, "note": kind.note,
            "ingredients": [ingredient.id for ingredient in kind.ingredients]}
    return _class_page(class_form(data=data), kind)


@bp.post("/routine/classes/<int:class_id>/delete", endpoint="routine_class_delete")
@roles_required(*EDITORS)
def routine_class_delete(class_id: int):
    kind = db.get_or_404(IngredientClass, class_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = kind.name
    try:
        editing.delete_class(kind, actor=current_user)
    except editing.RoutineEditError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back()
    db.session.commit()
    flash(f"The class “{name}” is removed, with the conflicts that named it.", "success")
    return _back()


# --- Conflicts -----------------------------------------------------------------------------

def conflict_form(**kwargs) -> ConflictForm:
    form = ConflictForm(**kwargs)
    choices = [(kind.id, kind.name) for kind in editing.all_classes()]
    form.first.choices = form.second.choices = choices
    return form


def _conflict_page(form: ConflictForm, rule: ConflictRule | None, status: int = 200):
    html = render_template("admin/routines/conflict_form.html", form=form, rule=rule)
    return html, status


def _save_conflict(form: ConflictForm, rule: ConflictRule | None):
    def save() -> None:
        fields = editing.ConflictFields(
            first=db.session.get(IngredientClass, form.first.data),
            second=db.session.get(IngredientClass, form.second.data),
            explanation=form.explanation.data or "")
        editing.save_conflict(fields, rule, actor=current_user)

    return _save(form, save, "The conflict rule is saved.",
                 lambda status: _conflict_page(form, rule, status))


@bp.route("/routine/conflicts/new", methods=["GET", "POST"], endpoint="routine_conflict_new")
@roles_required(*EDITORS)
def routine_conflict_new():
    form = conflict_form()
    if request.method == "POST":
        return _save_conflict(form, None)
    return _conflict_page(form, None)


@bp.route("/routine/conflicts/<int:conflict_id>/edit", methods=["GET", "POST"],
          endpoint="routine_conflict_edit")
@roles_required(*EDITORS)
def routine_conflict_edit(conflict_id: int):
    rule = db.get_or_404(ConflictRule, conflict_id)
    if request.method == "POST":
        return _save_conflict(conflict_form(), rule)
    data = {"first": rule.first_class_id, "second": rule.second_class_id,
            "explanation": rule.explanation}
    return _conflict_page(conflict_form(data=data), rule)


@bp.post("/routine/conflicts/<int:conflict_id>/delete", endpoint="routine_conflict_delete")
@roles_required(*EDITORS)
def routine_conflict_delete(conflict_id: int):
    rule = db.get_or_404(ConflictRule, conflict_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    editing.delete_conflict(rule, actor=current_user)
    db.session.commit()
    flash("The conflict rule is removed.", "success")
    return _back()
