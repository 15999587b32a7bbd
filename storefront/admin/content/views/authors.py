"""Admin: the authors and medical reviewers named on articles."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from storefront.admin.blueprint import bp
from storefront.admin.common import EDITORS, save_form
from storefront.admin.content.forms import AuthorForm
from storefront.catalog.images import ImageRejected
from storefront.content import editing, pictures
from storefront.content.models import Article, Author
from storefront.extensions import db
from storefront.security import roles_required
from storefront.slugs import slugify


@bp.get("/authors")
@roles_required(*EDITORS)
def authors():
    counts = dict(db.session.execute(
        select(Article.author_id, func.count()).group_by(Article.author_id)).all())
    people = list(db.session.scalars(select(Author).order_by(Author.name, Author.id)))
    return render_template("admin/content/authors.html", authors=people, counts=counts,
                           picture_url=pictures.picture_url)


def _author_page(form: AuthorForm, author: Author | None, status: int = 200):
    html = render_template("admin/content/author_form.html", form=form, author=author,
                           photo_url=pictures.picture_url(form.photo_key.data, 200))
    return html, status


def _store_photo(form: AuthorForm) -> bool:
    """Keep an uploaded photo (so a re-shown form does not lose it)."""
    if form.remove_photo.data:
        form.photo_key.data = ""
        return True
    if not form.photo.data:
        return True
    try:
        form.photo_key.data = pictures.store_picture(form.photo.data.stream, "authors",
                                                     pictures.PHOTO_MIN_WIDTH)
    except ImageRejected as error:
        form.photo.errors = [*form.photo.errors, error.message]
        return False
    return True


def _save_author(form: AuthorForm, author: Author | None):
    valid = form.validate_on_submit()
    photo_kept = _store_photo(form)

    def save() -> Author:
        if not form.slug.data:
            form.slug.data = slugify(form.name.data, 80)
        fields = editing.AuthorFields(
            name=form.name.data, slug=form.slug.data, credentials=form.credentials.data,
            bio=form.bio.data or "", photo_key=form.photo_key.data or None,
            photo_alt=form.photo_alt.data or "", statements=form.statements.data or "")
        return editing.save_author(fields, author, actor=current_user)

    return save_form(form, save, valid=valid and photo_kept,
                     success=lambda saved: f"{saved.name} is saved.",
                     redirect_to=url_for("admin.authors"),
                     page=lambda status: _author_page(form, author, status))


@bp.route("/authors/new", methods=["GET", "POST"], endpoint="authors_new")
@roles_required(*EDITORS)
def authors_new():
    form = AuthorForm()
    if request.method == "POST":
        return _save_author(form, None)
    return _author_page(form, None)


@bp.route("/authors/<int:author_id>/edit", methods=["GET", "POST"], endpoint="authors_edit")
@roles_required(*EDITORS)
def authors_edit(author_id: int):
    author = db.get_or_404(Author, author_id)
    if request.method == "POST":
        return _save_author(AuthorForm(), author)
    return _author_page(AuthorForm(obj=author), author)
