"""Admin pages for discount codes: the list with usage, create, edit, deactivate.

The rules a code's settings must follow, and the audit entries, are in
``storefront.discounts.services`` (``save_code``, ``deactivate``).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.admin.common import save_form
from storefront.admin.discounts.forms import DiscountCodeForm, form_data
from storefront.content.forms import clean_text
from storefront.db import utcnow
from storefront.discounts import services as discounts
from storefront.discounts.models import DiscountCode, normalise_code
from storefront.extensions import db
from storefront.security import roles_required

CODES_PER_PAGE = 50


@bp.get("/discounts", endpoint="discounts")
@roles_required(Role.ADMIN)
def discounts_list():
    search = clean_text(request.args.get("q", ""))[:40]
    query = select(DiscountCode).order_by(DiscountCode.active.desc(), DiscountCode.code)
    if search:
        query = query.where(or_(
            DiscountCode.code.contains(normalise_code(search), autoescape=True),
            DiscountCode.description.icontains(search, autoescape=True)))
    page = db.paginate(query, per_page=CODES_PER_PAGE, error_out=False)
    return render_template("admin/discounts/list.html", page=page, search=search, now=utcnow())


def _save(form: DiscountCodeForm, code: DiscountCode | None):
    """Validate and save; the page again (422) with the problems, or a redirect."""
    return save_form(
        form, lambda: discounts.save_code(form.settings(), code, actor=current_user),
        success=lambda saved: (("Nothing was changed.", "info") if saved is None
                               else f"Discount code {saved.code} saved."),
        redirect_to=url_for("admin.discounts"),
        template="admin/discounts/form.html", code=code)


@bp.route("/discounts/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def discounts_new():
    return _save(DiscountCodeForm(), None)


@bp.route("/discounts/<int:code_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def discounts_edit(code_id: int):
    code = db.get_or_404(DiscountCode, code_id)
    return _save(DiscountCodeForm(data=form_data(code)), code)


@bp.post("/discounts/<int:code_id>/deactivate")
@roles_required(Role.ADMIN)
def discounts_deactivate(code_id: int):
    code = db.get_or_404(DiscountCode, code_id)
    if discounts.deactivate(code, actor=current_user):
        db.session.commit()
        flash(f"Discount code {code.code} deactivated; checkout no longer accepts it.",
              "success")
    else:
        flash(f"Discount code {code.code} was already inactive.", "info")
    return redirect(url_for("admin.discounts"), 303)
