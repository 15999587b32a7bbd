"""Admin: the shop's own words. Its introduction (at the top of the shop and the home page)
and its pages (about, contact, shipping, returns, privacy, terms, legal notice), written in
Markdown with a preview; every save is audited and every change of wording is a version."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from storefront.admin.blueprint import bp
from storefront.admin.common import EDITORS, save_form
from storefront.admin.content.forms import ShopPageForm, ShopTextForm
from storefront.audit.services import last_change
from storefront.content import pages, shop
from storefront.content.models import Author, ShopText
from storefront.content.rendering import fill_shortcodes, render_markdown
from storefront.extensions import db
from storefront.security import roles_required


def _with_authors(form):
    form.author.choices = [("", "Nobody (unsigned)")] + [
        (author.id, f"{author.name}, {author.credentials}")
        for author in db.session.scalars(select(Author).order_by(Author.name, Author.id))]
    return form


def _saved_data(text: ShopText | None) -> dict:
    return ({"heading": text.heading, "body": text.body, "author": text.author_id}
            if text else {})


def _saver(key: str, form, body_max: int):
    """What saves the form's text for ``key`` (for ``save_form``)."""

    def save() -> None:
        author = db.session.get(Author, form.author.data) if form.author.data else None
        shop.save_shop_text(key, form.heading.data, form.body.data, author,
                            actor=current_user, body_max=body_max)

    return save


# --- The introduction --------------------------------------------------------------------

def _introduction_page(form: ShopTextForm, status: int = 200):
    html = render_template("admin/content/shop_introduction.html", form=form,
                           text=shop.shop_text(shop.SHOP_INTRODUCTION))
    return html, status


@bp.route("/shop-introduction", methods=["GET", "POST"])
@roles_required(*EDITORS)
def shop_introduction():
    if request.method == "GET":
        text = shop.shop_text(shop.SHOP_INTRODUCTION)
        return _introduction_page(_with_authors(ShopTextForm(data=_saved_data(text))))
    form = _with_authors(ShopTextForm())
    return save_form(form, _saver(shop.SHOP_INTRODUCTION, form, shop.BODY_MAX),
                     success="The shop's introduction is saved.",
                     redirect_to=url_for("admin.shop_introduction"),
                     page=lambda status: _introduction_page(form, status))


# --- The shop's pages --------------------------------------------------------------------

@bp.get("/shop-pages")
@roles_required(*EDITORS)
def shop_pages():
    texts = {text.key: text for text in db.session.scalars(
        select(ShopText).where(ShopText.key.in_(pages.PAGE_KEYS)))}
    return render_template("admin/content/shop_pages.html", pages=pages.SHOP_PAGES,
                           texts=texts, is_shown=pages.is_shown)


def _page_or_404(key: str) -> pages.ShopPage:
    page = pages.PAGES.get(key)
    if page is None:
        abort(404)
    return page


def _preview(body: str) -> Markup:
    return fill_shortcodes(render_markdown(body or ""), lambda code: None)


def _editor(page: pages.ShopPage, form: ShopPageForm, status: int = 200, preview=None):
    text = shop.shop_text(page.key)
    html = render_template(
        "admin/content/shop_page_form.html", page=page, form=form, text=text,
        preview=preview, last_change=last_change("shoptext", text.id) if text else None)
    return html, status


@bp.route("/shop-pages/<key>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def shop_pages_edit(key: str):
    page = _page_or_404(key)
    if request.method == "GET":
        form = ShopPageForm(data=_saved_data(shop.shop_text(page.key)) or {
            "heading": page.heading})
        return _editor(page, _with_authors(form))
    form = _with_authors(ShopPageForm())
    if request.form.get("action") == "preview":
        return _editor(page, form, preview=_preview(form.body.data))
    return save_form(form, _saver(page.key, form, shop.PAGE_BODY_MAX),
                     success=f"“{page.label}” is saved and on the site.",
                     redirect_to=url_for("admin.shop_pages_edit", key=page.key),
                     page=lambda status: _editor(page, form, status))
