"""Admin: skin conditions and the products or key ingredients recommended for each."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from storefront.admin.blueprint import bp
from storefront.admin.common import EDITORS, save_form
from storefront.admin.content.forms import ConditionForm, RecommendationForm
from storefront.admin.forms import ConfirmForm, MoveForm
from storefront.catalog.models import Ingredient, Product, ProductStatus
from storefront.content import editing, picks, reading
from storefront.content.models import (
    Condition,
    Recommendation,
    RecommendationRole,
    article_condition,
)
from storefront.extensions import db
from storefront.security import roles_required
from storefront.slugs import slugify

# --- Conditions ---------------------------------------------------------------------------


@bp.get("/conditions")
@roles_required(*EDITORS)
def conditions():
    counts = dict(db.session.execute(
        select(Recommendation.condition_id, func.count()).group_by(Recommendation.condition_id)
    ).all())
    article_counts = dict(db.session.execute(
        select(article_condition.c.condition_id, func.count())
        .group_by(article_condition.c.condition_id)).all())
    return render_template("admin/content/conditions.html",
                           conditions=reading.all_conditions(), counts=counts,
                           article_counts=article_counts)


def _condition_page(form: ConditionForm, condition: Condition | None, status: int = 200):
    html = render_template("admin/content/condition_form.html", form=form,
                           condition=condition)
    return html, status


def _save_condition(form: ConditionForm, condition: Condition | None):
    def save() -> Condition:
        if not form.slug.data:
            form.slug.data = slugify(form.name.data, 80)
        fields = editing.ConditionFields(
            name=form.name.data, slug=form.slug.data, summary=form.summary.data,
            causes=form.causes.data or "", what_helps=form.what_helps.data or "",
            position=form.position.data)
        return editing.save_condition(fields, condition, actor=current_user)

    return save_form(
        form, save, success=lambda saved: f"“{saved.name}” is saved.",
        redirect_to=lambda saved: url_for("admin.conditions_edit", condition_id=saved.id),
        page=lambda status: _condition_page(form, condition, status))


@bp.route("/conditions/new", methods=["GET", "POST"], endpoint="conditions_new")
@roles_required(*EDITORS)
def conditions_new():
    form = ConditionForm()
    if request.method == "POST":
        return _save_condition(form, None)
    return _condition_page(form, None)


@bp.route("/conditions/<int:condition_id>/edit", methods=["GET", "POST"],
          endpoint="conditions_edit")
@roles_required(*EDITORS)
def conditions_edit(condition_id: int):
    condition = db.get_or_404(Condition, condition_id)
    if request.method == "POST":
        return _save_condition(ConditionForm(), condition)
    return _condition_page(ConditionForm(obj=condition), condition)


# --- Recommendations ----------------------------------------------------------------------

def _product_label(product_id: int, name: str, status: ProductStatus, rx: bool) -> str:
    notes = [] if status == ProductStatus.ACTIVE else [f"{status.value}, not on sale"]
    if rx:
        notes.append("prescription only")
    return f"{name} ({', '.join(notes)})" if notes else name


def recommendation_form(**kwargs) -> RecommendationForm:
    form = RecommendationForm(**kwargs)
    products = db.session.execute(
        select(Product.id, Product.name, Product.status, Product.prescription_only)
        .order_by(func.lower(Product.name), Product.id)).all()
    form.product.choices = [("", "No product (recommend an ingredient)")] + [
        (row.id, _product_label(*row)) for row in products]
    ingredients = db.session.execute(
        select(Ingredient.id, Ingredient.name).order_by(func.lower(Ingredient.name))).all()
    form.ingredient.choices = [("", "No ingredient (recommend a product)")] + [
        (row.id, row.name) for row in ingredients]
    return form


def _recommendations_of(condition: Condition) -> list[Recommendation]:
    query = (
        select(Recommendation).where(Recommendation.condition_id == condition.id)
        .options(joinedload(Recommendation.ingredient),
                 joinedload(Recommendation.product).selectinload(Product.variants))
        .order_by(Recommendation.position, Recommendation.id))
    return list(db.session.scalars(query))


def _recommendations_page(condition: Condition, form: RecommendationForm, status: int = 200):
    html = render_template(
        "admin/content/recommendations.html", condition=condition, form=form,
        recommendations=_recommendations_of(condition), pick_state=picks.pick_state,
        move_form=MoveForm(), action_form=ConfirmForm())
    return html, status


def _recommendation_fields(form: RecommendationForm) -> editing.RecommendationFields:
    product = db.session.get(Product, form.product.data) if form.product.data else None
    ingredient = (db.session.get(Ingredient, form.ingredient.data)
                  if form.ingredient.data else None)
    return editing.RecommendationFields(
        why=form.why.data or "", how_to_use=form.how_to_use.data or "", product=product,
        ingredient=ingredient, place=form.place.data,
        role=RecommendationRole(form.role.data))


@bp.route("/conditions/<int:condition_id>/recommendations", methods=["GET", "POST"],
          endpoint="conditions_recommendations")
@roles_required(*EDITORS)
def conditions_recommendations(condition_id: int):
    condition = db.get_or_404(Condition, condition_id)
    form = recommendation_form()
    return save_form(
        form, lambda: editing.add_recommendation(condition, _recommendation_fields(form),
                                                  actor=current_user),
        success="The recommendation is added.",
        redirect_to=url_for("admin.conditions_recommendations", condition_id=condition.id),
        page=lambda status: _recommendations_page(condition, form, status))


def _list_url(rec: Recommendation) -> str:
    return url_for("admin.conditions_recommendations", condition_id=rec.condition_id)


def _back_to_list(rec: Recommendation):
    return redirect(_list_url(rec), code=303)


def _recommendation_page(rec: Recommendation, form: RecommendationForm, status: int = 200):
    html = render_template("admin/content/recommendation_form.html", rec=rec, form=form,
                           condition=rec.condition)
    return html, status


@bp.route("/recommendations/<int:rec_id>/edit", methods=["GET", "POST"],
          endpoint="conditions_recommendation_edit")
@roles_required(*EDITORS)
def conditions_recommendation_edit(rec_id: int):
    rec = db.get_or_404(Recommendation, rec_id)
    if request.method == "GET":
        data = {"product": rec.product_id, "ingredient": rec.ingredient_id, "why": rec.why,
                "how_to_use": rec.how_to_use, "role": rec.role.value,
                "place": rec.position + 1}
        return _recommendation_page(rec, recommendation_form(data=data))
    form = recommendation_form()
    return save_form(
        form, lambda: editing.update_recommendation(rec, _recommendation_fields(form),
                                                     actor=current_user),
        success="The recommendation is saved.",
        redirect_to=lambda _saved: _list_url(rec),
        page=lambda status: _recommendation_page(rec, form, status))


@bp.post("/recommendations/<int:rec_id>/move", endpoint="conditions_recommendation_move")
@roles_required(*EDITORS)
def conditions_recommendation_move(rec_id: int):
    rec = db.get_or_404(Recommendation, rec_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    editing.move_recommendation(rec, -1 if form.direction.data == "up" else 1,
                                 actor=current_user)
    db.session.commit()
    return _back_to_list(rec)


@bp.post("/recommendations/<int:rec_id>/delete", endpoint="conditions_recommendation_delete")
@roles_required(*EDITORS)
def conditions_recommendation_delete(rec_id: int):
    rec = db.get_or_404(Recommendation, rec_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    condition_id = rec.condition_id
    editing.remove_recommendation(rec, actor=current_user)
    db.session.commit()
    flash("The recommendation is removed.", "success")
    return redirect(url_for("admin.conditions_recommendations", condition_id=condition_id),
                    code=303)

