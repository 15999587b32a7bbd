"""Admin: articles. List, write with a live preview, schedule, publish, take off the site.

An edit form carries the version the editor opened; if someone else saved in between,
the editor gets a 409 with their text intact and a link to the saved version.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from storefront.admin.blueprint import bp
from storefront.admin.common import EDITORS, save_form
from storefront.admin.content.forms import ArticleForm
from storefront.admin.content.preview import article_preview
from storefront.admin.forms import ConfirmForm
from storefront.audit.services import last_change
from storefront.catalog.images import ImageRejected
from storefront.content import editing, errors, pictures, reading
from storefront.content.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    Author,
    Condition,
    QuestionStatus,
    ReaderQuestion,
)
from storefront.db import utcnow
from storefront.extensions import db
from storefront.security import MAX_ID, roles_required
from storefront.slugs import slugify

ARTICLES_PER_PAGE = 50
STATES = {"draft": "Drafts", "scheduled": "Scheduled", "published": "Published"}


# --- The list ----------------------------------------------------------------------------

def _in_state(query, state: str, now):
    if state == "draft":
        return query.where(Article.status == ArticleStatus.DRAFT)
    if state == "published":
        return query.where(Article.visible_clause(now))
    if state == "scheduled":
        return query.where(Article.status != ArticleStatus.DRAFT,
                           ~Article.visible_clause(now))
    return query


@bp.get("/articles")
@roles_required(*EDITORS)
def articles():
    state = request.args.get("status", "")
    state = state if state in STATES else ""
    search = request.args.get("q", "").strip()[:200]
    now = utcnow()
    query = _in_state(select(Article), state, now).order_by(Article.updated_at.desc(),
                                                           Article.id.desc())
    if search:
        query = query.where(or_(Article.title.icontains(search, autoescape=True),
                                Article.slug.contains(search.lower(), autoescape=True)))
    page = db.paginate(query, per_page=ARTICLES_PER_PAGE, error_out=False)
    return render_template("admin/content/articles.html", page=page, state=state,
                           states=STATES, search=search, now=now)


# --- The editor --------------------------------------------------------------------------

def article_form(**kwargs) -> ArticleForm:
    form = ArticleForm(**kwargs)
    authors = list(db.session.scalars(select(Author).order_by(Author.name, Author.id)))
    form.author.choices = [(author.id, author.name) for author in authors]
    form.reviewer.choices = [("", "Not reviewed yet")] + [
        (author.id, f"{author.name}, {author.credentials}") for author in authors]
    form.conditions.choices = [(condition.id, condition.name)
                               for condition in reading.all_conditions()]
    return form


def _saved_data(article: Article) -> dict:
    """The form's starting values for a saved article."""
    status = article.status
    if status == ArticleStatus.SCHEDULED and article.is_visible():
        status = ArticleStatus.PUBLISHED  # its time has come: it is on the site
    data = {name: getattr(article, name) for name in (
        "title", "slug", "question", "summary", "body", "published_at", "reviewed_on",
        "hero_image_key", "hero_image_alt", "version")}
    data.update(kind=article.kind.value, status=status.value, author=article.author_id,
                reviewer=article.reviewer_id, conditions=[c.id for c in article.conditions])
    return data


def _open_question(question_id) -> ReaderQuestion | None:
    """The reader question an article is being written for, if it still needs an answer."""
    if not isinstance(question_id, int) or not 0 < question_id <= MAX_ID:
        return None
    question = db.session.get(ReaderQuestion, question_id)
    if question is None or question.status == QuestionStatus.ANSWERED:
        return None
    return question


def _editor(form: ArticleForm, article: Article | None, question: ReaderQuestion | None,
            status: int = 200, **context):
    html = render_template(
        "admin/content/article_form.html", form=form, article=article, question=question,
        hero_url=pictures.picture_url(form.hero_image_key.data, 400), now=utcnow(),
        **context)
    return html, status


@bp.route("/articles/new", methods=["GET", "POST"], endpoint="articles_new")
@roles_required(*EDITORS)
def articles_new():
    if request.method == "POST":
        return _submitted(None)
    question = _open_question(request.args.get("question", type=int))
    data = {"kind": ArticleKind.QA.value, "status": ArticleStatus.DRAFT.value}
    if question is not None:
        data.update(question=question.question, question_id=question.id)
    return _editor(article_form(data=data), None, question)


@bp.route("/articles/<int:article_id>/edit", methods=["GET", "POST"],
          endpoint="articles_edit")
@roles_required(*EDITORS)
def articles_edit(article_id: int):
    article = db.get_or_404(Article, article_id)
    if request.method == "POST":
        return _submitted(article)
    return _editor(article_form(data=_saved_data(article)), article, None)


def _store_hero(form: ArticleForm) -> bool:
    """Keep an uploaded hero picture (so a re-shown form does not lose it)."""
    if form.remove_hero.data:
        form.hero_image_key.data = ""
        return True
    if not form.hero_image.data:
        return True
    try:
        form.hero_image_key.data = pictures.store_picture(
            form.hero_image.data.stream, "articles", pictures.HERO_MIN_WIDTH)
    except ImageRejected as error:
        form.hero_image.errors = [*form.hero_image.errors, error.message]
        return False
    return True


def _publish_time(form: ArticleForm, article: Article | None):
    """The chosen time; the stored one when the form shows it unchanged (to the minute)."""
    chosen = form.published_at.data
    stored = article.published_at if article is not None else None
    if chosen and stored and chosen == stored.replace(second=0, microsecond=0):
        return stored
    return chosen


def _fields(form: ArticleForm, article: Article | None) -> editing.ArticleFields:
    if not form.slug.data:
        form.slug.data = slugify(form.title.data)
    reviewer = db.session.get(Author, form.reviewer.data) if form.reviewer.data else None
    author = db.session.get(Author, form.author.data)
    assert author is not None  # validate_choice: one of the authors listed
    conditions = list(db.session.scalars(
        select(Condition).where(Condition.id.in_(form.conditions.data or []))))
    return editing.ArticleFields(
        slug=form.slug.data, title=form.title.data, body=form.body.data or "",
        author=author, kind=ArticleKind(form.kind.data),
        status=ArticleStatus(form.status.data), question=form.question.data,
        summary=form.summary.data or "", published_at=_publish_time(form, article),
        reviewed_on=form.reviewed_on.data, reviewer=reviewer, conditions=conditions,
        hero_image_key=form.hero_image_key.data or None,
        hero_image_alt=(form.hero_image_alt.data or "") if form.hero_image_key.data else "",
    )


def _expected_version(form: ArticleForm) -> int | None:
    if request.form.get("action") == "overwrite" and form.overwrite_version.data:
        return form.overwrite_version.data
    return form.version.data


def _submitted(article: Article | None):
    form = article_form()
    question = _open_question(form.question_id.data)
    previewing = request.form.get("action") == "preview"
    valid = previewing or form.validate()
    picture_kept = _store_hero(form)
    if previewing:
        return _editor(form, article, question, preview=article_preview(form.body.data))
    return _save(form, article, question, valid=valid and picture_kept)


def _save(form: ArticleForm, article: Article | None, question: ReaderQuestion | None,
          valid: bool):
    article_id = article.id if article is not None else None  # read before any rollback

    def save() -> tuple[Article, bool]:
        saved = editing.save_article(
            _fields(form, article), article, actor=current_user,
            expected_version=_expected_version(form), question=question)
        return saved, question is not None and question.status == QuestionStatus.ANSWERED

    def refused(error):
        if isinstance(error, errors.ArticleConflict):
            return _conflict(form, article_id, question, error.message)
        return None

    return save_form(
        form, save, valid=valid, refused=refused,
        success=lambda result: _saved_message(result[0], question, result[1]),
        redirect_to=lambda result: url_for("admin.articles_edit", article_id=result[0].id),
        page=lambda status: _editor(form, article, question, status=status))


def _saved_message(article: Article, question, answered: bool) -> str:
    message = f"“{article.title}” is saved."
    if answered:
        message += f" {question.name}'s question is answered and they have the e-mail."
    elif question is not None:
        message += (f" {question.name}'s question is linked to it; they get the e-mail when "
                    "the article is published.")
    return message


def _conflict(form: ArticleForm, article_id: int, question, message: str):
    current = db.session.get(Article, article_id)
    if current is None:
        abort(404)
    form.overwrite_version.data = current.version
    return _editor(form, current, question, status=409, conflict_message=message,
                   last_change=last_change("article", current.id))


# --- The saved version, and taking an article off the site -----------------------------

@bp.get("/articles/<int:article_id>", endpoint="articles_show")
@roles_required(*EDITORS)
def articles_show(article_id: int):
    article = db.get_or_404(Article, article_id)
    return render_template("admin/content/article_show.html", article=article,
                           preview=article_preview(article.body),
                           last_change=last_change("article", article.id),
                           hero_url=pictures.picture_url(article.hero_image_key, 400),
                           now=utcnow())


@bp.post("/articles/<int:article_id>/unpublish", endpoint="articles_unpublish")
@roles_required(*EDITORS)
def articles_unpublish(article_id: int):
    article = db.get_or_404(Article, article_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    editing.unpublish_article(article, actor=current_user)
    db.session.commit()
    flash(f"“{article.title}” is off the site and back to draft. Its address is kept, so "
          "you can publish it again.", "success")
    return redirect(url_for("admin.articles_edit", article_id=article.id), code=303)
