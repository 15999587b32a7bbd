"""Build my routine: the questions, the routine at its shareable address, the one-press add
to the cart, and the routine saved in an account."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from storefront.caching import cached_page
from storefront.cart.visitor import remember, visitor_cart_for_change
from storefront.catalog.models import SkinType
from storefront.content import reading
from storefront.errors import render_error
from storefront.extensions import db
from storefront.orders.services import release_expired_lazily
from storefront.origin import guest_form
from storefront.routines import services
from storefront.routines.answers import (
    BUDGETS,
    LIST_ARGS,
    SENSITIVITIES,
    SINGLE_ARGS,
    STEP_CHOICES,
    AnswerProblems,
    Answers,
    has_answers,
    ticked,
)

bp = Blueprint("routines", __name__)
UNREADABLE = ("We couldn't read that routine's answers. Please answer the questions again: "
              "it takes less than a minute.")


def _form_context(conditions, args, problems: dict[str, str] | None = None) -> dict:
    return {"conditions": conditions, "chosen": ticked(args, services.condition_order(
        conditions)), "problems": problems or {}, "sensitivities": SENSITIVITIES,
        "step_choices": STEP_CHOICES, "budgets": BUDGETS, "skin_types": list(SkinType)}


def routine_url(answers: Answers, **extra) -> str:
    return url_for("routines.build", **answers.url_values(), **extra)


def _routine_page(answers: Answers, conditions, template: str = "routines/routine.html",
                  **context):
    try:
        routine = services.build_routine(answers, services.chosen_conditions(answers,
                                                                             conditions))
    except services.RoutineNotReady:
        routine = None
    return render_template(template, routine=routine, answers=answers,
                           **_form_context(conditions, request.args), **context)


@bp.get("/routine")
@cached_page(args=SINGLE_ARGS, lists=LIST_ARGS)
def build():
    conditions = reading.all_conditions()
    if not has_answers(request.args):
        return render_template("routines/questions.html",
                               **_form_context(conditions, request.args))
    try:
        answers = services.answers_from(request.args, conditions)
    except AnswerProblems as problems:
        html = render_template("routines/questions.html",
                               **_form_context(conditions, request.args, problems.problems))
        return html, 400
    return _routine_page(answers, conditions)


def _posted_answers(conditions) -> Answers | None:
    try:
        return services.answers_from(request.form, conditions)
    except AnswerProblems:
        return None


@bp.post("/routine/cart")
@guest_form
def add_to_cart():
    """"Add the whole routine to the cart": one POST with the answers, never product ids."""
    conditions = reading.all_conditions()
    answers = _posted_answers(conditions)
    if answers is None:
        return render_error(400, UNREADABLE)
    release_expired_lazily()  # a hold past its time never keeps a product out
    try:
        routine = services.build_routine(answers, services.chosen_conditions(answers,
                                                                             conditions))
    except services.RoutineNotReady:
        return render_error(404, "The routine builder isn't open yet.")
    cart = visitor_cart_for_change()
    result = services.add_to_cart(cart, routine)
    if not result.added and not result.already:
        db.session.rollback()
        for problem in result.problems or ["Nothing in this routine can be bought right now."]:
            flash(problem, "warning")
        return redirect(routine_url(answers), code=303)
    db.session.commit()
    remember(cart)
    _tell(result)
    return redirect(url_for("cart.view_cart"), code=303)


def _tell(result: services.CartResult) -> None:
    count = len(result.added)
    if count:
        flash(f"Added {count} product{'' if count == 1 else 's'} from your routine to your "
              f"cart: {', '.join(result.added)}.", "success")
    if result.already:
        flash(f"Already in your cart, so left as they were: {', '.join(result.already)}.",
              "info")
    for problem in result.problems:
        flash(problem, "warning")


@bp.post("/routine/save")
@login_required
def save():
    answers = _posted_answers(reading.all_conditions())
    if answers is None:
        return render_error(400, UNREADABLE)
    services.save_routine(current_user.id, answers)
    db.session.commit()
    flash("Your routine is saved in your account.", "success")
    return redirect(url_for("routines.saved"), code=303)


@bp.get("/account/routine")
@login_required
def saved():
    kept = services.saved_routine(current_user.id)
    conditions = reading.all_conditions()
    answers = services.saved_answers(kept, conditions) if kept else None
    if answers is None:
        return render_template("routines/saved.html", kept=kept, routine=None, answers=None,
                               **_form_context(conditions, request.args))
    return _routine_page(answers, conditions, "routines/saved.html", kept=kept)


@bp.post("/account/routine/forget")
@login_required
def forget():
    if services.forget_routine(current_user.id):
        db.session.commit()
        flash("Your saved routine is gone from your account.", "success")
    return redirect(url_for("routines.saved"), code=303)
