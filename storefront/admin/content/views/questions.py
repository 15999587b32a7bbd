"""Admin: the inbox of questions readers sent through "Ask a dermatologist".

A question is answered by an article readers can see; the reader then gets an e-mail
with the link. Questions can also be rejected, marked as spam, or moved back to new.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from storefront.admin.blueprint import bp
from storefront.admin.common import EDITORS, save_form
from storefront.admin.content.forms import AnswerForm, QuestionStatusForm
from storefront.content import errors
from storefront.content import questions as reader_questions
from storefront.content.models import Article, QuestionStatus, ReaderQuestion
from storefront.extensions import db
from storefront.security import roles_required
from storefront.sqlite import changes_data

QUESTIONS_PER_PAGE = 50
ANSWER_CHOICES_LIMIT = 500
FILTERS = {"new": "New", "answered": "Answered", "rejected": "Rejected", "spam": "Spam",
           "all": "All"}
DONE_MESSAGES = {
    QuestionStatus.REJECTED: "The question is rejected.",
    QuestionStatus.SPAM: "The question is marked as spam.",
    QuestionStatus.NEW: "The question is back in the inbox.",
}


def _filter_from(value: str | None) -> str:
    return value if value in FILTERS else "new"


@bp.get("/questions")
@changes_data  # answers the questions whose article came out since
@roles_required(*EDITORS)
def questions():
    # Scheduled answers that came out since: answered (and the readers told) before listing.
    if reader_questions.answer_questions_now_visible():
        db.session.commit()
    shown = _filter_from(request.args.get("status"))
    query = select(ReaderQuestion).options(joinedload(ReaderQuestion.article),
                                           joinedload(ReaderQuestion.asked_from))
    if shown == "all":
        query = query.order_by(case((ReaderQuestion.status == QuestionStatus.NEW, 0), else_=1))
    else:
        query = query.where(ReaderQuestion.status == QuestionStatus(shown))
    query = query.order_by(ReaderQuestion.created_at.desc(), ReaderQuestion.id.desc())
    page = db.paginate(query, per_page=QUESTIONS_PER_PAGE, error_out=False)
    counts = dict(db.session.execute(
        select(ReaderQuestion.status, func.count()).group_by(ReaderQuestion.status)).all())
    return render_template("admin/questions/inbox.html", page=page, shown=shown,
                           filters=FILTERS, counts=counts)


def answer_form(question: ReaderQuestion, **kwargs) -> AnswerForm:
    form = AnswerForm(**kwargs)
    visible = db.session.execute(
        select(Article.id, Article.title, Article.kind)
        .where(Article.visible_clause())
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(ANSWER_CHOICES_LIMIT)).all()
    form.article.choices = [("", "Choose an article")] + [
        (row.id, f"{row.title} ({row.kind.label})") for row in visible]
    if form.article.data is None and question.article_id is not None:
        form.article.data = question.article_id
    return form


def _question_page(question: ReaderQuestion, form: AnswerForm, status: int = 200):
    html = render_template("admin/questions/question.html", question=question, form=form,
                           status_form=QuestionStatusForm())
    return html, status


@bp.get("/questions/<int:question_id>", endpoint="questions_show")
@roles_required(*EDITORS)
def questions_show(question_id: int):
    question = db.get_or_404(ReaderQuestion, question_id)
    return _question_page(question, answer_form(question))


@bp.post("/questions/<int:question_id>/answer", endpoint="questions_answer")
@roles_required(*EDITORS)
def questions_answer(question_id: int):
    question = db.get_or_404(ReaderQuestion, question_id)
    form = answer_form(question)

    def answer() -> Article:
        article = db.session.get(Article, form.article.data)
        assert article is not None  # validate_choice: one of the articles listed
        reader_questions.answer_question(question, article, actor=current_user)
        return article

    return save_form(
        form, answer,
        success=lambda article: (f"The question from {question.name} is answered; they "
                                 f"have an e-mail with the link to “{article.title}”."),
        redirect_to=url_for("admin.questions"),
        page=lambda status: _question_page(question, form, status))


@bp.post("/questions/<int:question_id>/status", endpoint="questions_status")
@roles_required(*EDITORS)
def questions_status(question_id: int):
    question = db.get_or_404(ReaderQuestion, question_id)
    form = QuestionStatusForm()
    if not form.validate_on_submit():
        abort(400)
    status = QuestionStatus(form.status.data)
    try:
        reader_questions.set_question_status(question, status, actor=current_user)
    except errors.ContentError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _question_page(question, answer_form(question), 409)
    db.session.commit()
    flash(DONE_MESSAGES[status], "success")
    back_to = _filter_from(request.args.get("back"))
    return redirect(url_for("admin.questions", status=back_to), code=303)
