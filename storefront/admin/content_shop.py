"""Admin: the shop's introduction, the doctor's own words at the top of the shop and home."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from storefront.admin.blueprint import bp
from storefront.admin.content import EDITORS
from storefront.admin.forms_content import ShopTextForm
from storefront.content import shop
from storefront.content.models import Author
from storefront.extensions import db
from storefront.forms import INVALID_FORM_STATUS, attach_error
from storefront.security import roles_required


def _form(**kwargs) -> ShopTextForm:
    form = ShopTextForm(**kwargs)
    form.author.choices = [("", "Nobody (unsigned)")] + [
        (author.id, f"{author.name}, {author.credentials}")
        for author in db.session.scalars(select(Author).order_by(Author.name, Author.id))]
    return form


def _page(form: ShopTextForm, status: int = 200):
    html = render_template("admin/content/shop_introduction.html", form=form,
                           text=shop.shop_text(shop.SHOP_INTRODUCTION))
    return html, status


@bp.route("/shop-introduction", methods=["GET", "POST"])
@roles_required(*EDITORS)
def shop_introduction():
    if request.method == "GET":
        text = shop.shop_text(shop.SHOP_INTRODUCTION)
        data = ({"heading": text.heading, "body": text.body, "author": text.author_id}
                if text else {})
        return _page(_form(data=data))
    form = _form()
    if not form.validate_on_submit():
        return _page(form, INVALID_FORM_STATUS)
    author = db.session.get(Author, form.author.data) if form.author.data else None
    try:
        shop.save_shop_text(shop.SHOP_INTRODUCTION, form.heading.data, form.body.data, author,
                            actor=current_user)
    except shop.ShopTextError as error:
        db.session.rollback()
        attach_error(form, error.message, error.field)
        return _page(form, INVALID_FORM_STATUS)
    db.session.commit()
    flash("The shop's introduction is saved.", "success")
    return redirect(url_for("admin.shop_introduction"), code=303)
