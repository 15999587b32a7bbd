"""Admin pages for brands: their names, and their financial ties to the shop."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.admin.common import save_form
from storefront.admin.inventory.forms import BrandForm
from storefront.catalog import editing as services
from storefront.catalog.models import Brand, Product
from storefront.extensions import db
from storefront.security import roles_required


@bp.get("/brands")
@roles_required(Role.ADMIN)
def brands():
    counts = dict(db.session.execute(
        select(Product.brand_id, func.count()).group_by(Product.brand_id)).all())
    rows = db.session.scalars(select(Brand).order_by(func.lower(Brand.name), Brand.id))
    return render_template("admin/inventory/brands.html", brands=list(rows), counts=counts)


@bp.route("/brands/<int:brand_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def brands_edit(brand_id: int):
    brand = db.get_or_404(Brand, brand_id)
    if request.method == "GET":
        return _brand_page(BrandForm.for_brand(brand), brand)
    form = BrandForm()
    return save_form(
        form, lambda: services.update_brand(brand, form.fields(), current_user),
        success=lambda diff: f"{brand.name} is saved." if diff else "Nothing was changed.",
        redirect_to=url_for("admin.brands"),
        page=lambda status: _brand_page(form, brand, status))


def _brand_page(form: BrandForm, brand: Brand, status: int = 200):
    return render_template("admin/inventory/brand_form.html", form=form, brand=brand), status
