"""Admin pages for products: the list with bulk archive/activate, creating and editing."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.admin.common import save_form
from storefront.admin.forms import ConfirmForm
from storefront.admin.inventory.forms import (
    BulkStatusForm,
    ImageUploadForm,
    ProductForm,
)
from storefront.catalog import editing as services
from storefront.catalog.models import Product, ProductStatus
from storefront.extensions import db
from storefront.forms import INVALID_FORM_STATUS
from storefront.inventory import queries
from storefront.security import roles_required

BULK_STATUS = {"archive": ProductStatus.ARCHIVED, "activate": ProductStatus.ACTIVE}


@bp.get("/products")
@roles_required(Role.ADMIN)
def products():
    return _render_products()


def _render_products(form: BulkStatusForm | None = None, status: int = 200):
    filters = queries.ProductFilters.from_args(request.args)
    page = queries.product_page(filters)
    html = render_template(
        "admin/inventory/products.html", page=page, filters=filters,
        stock=queries.stock_by_product([product.id for product in page.items]),
        categories=queries.categories(), statuses=list(ProductStatus),
        bulk_form=form or BulkStatusForm())
    return html, status


def _list_url(**extra) -> str:
    filters = queries.ProductFilters.from_args(request.args)
    page = request.args.get("page", type=int)
    values: dict[str, Any] = filters.url_args()  # Any: url_for's own keywords are typed
    return url_for("admin.products", **values, page=page if page and page > 1 else None,
                   **extra)


@bp.post("/products/bulk")
@roles_required(Role.ADMIN)
def products_bulk():
    form = BulkStatusForm()
    if not form.validate_on_submit():
        flash("Choose Archive or Activate, and tick the products to change.", "error")
        return _render_products(form, status=INVALID_FORM_STATUS)
    chosen = db.session.scalars(select(Product).where(Product.id.in_(form.product_ids.data))
                                .order_by(Product.id)).all()
    if not chosen:
        flash("Tick at least one product in the list first.", "error")
        return _render_products(form, status=INVALID_FORM_STATUS)
    status = BULK_STATUS[form.action.data]
    changed = services.set_status(list(chosen), status, current_user)
    db.session.commit()
    unchanged = len(chosen) - changed
    note = f" ({unchanged} already {status.value})" if unchanged else ""
    flash(f"{changed} product{'' if changed == 1 else 's'} now {status.value}{note}.",
          "success")
    return redirect(_list_url(), code=303)


@bp.route("/products/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def products_new():
    form = ProductForm().load_choices()
    return save_form(
        form, lambda: services.create_product(form.fields(), current_user),
        success=lambda product: (f"{product.name} was created as {product.status.value}. "
                                 "Add its sizes and pictures below."),
        redirect_to=lambda product: url_for("admin.products_edit", product_id=product.id),
        template="admin/inventory/product_new.html")


def render_product(product: Product, form: ProductForm | None = None,
                   image_form: ImageUploadForm | None = None, status: int = 200):
    """The product's page: its details form, sizes, pictures; any form may carry errors."""
    stock = queries.stock_by_product([product.id]).get(product.id, queries.ProductStock())
    html = render_template(
        "admin/inventory/product_edit.html", product=product, stock=stock,
        form=form or ProductForm.for_product(product),
        image_form=image_form or ImageUploadForm(), confirm_form=ConfirmForm())
    return html, status


def product_or_404(product_id: int) -> Product:
    product = queries.product_for_edit(product_id)
    if product is None:
        abort(404)
    return product


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def products_edit(product_id: int):
    product = product_or_404(product_id)
    form = ProductForm.for_product(product)
    return save_form(
        form, lambda: services.update_product(product, form.fields(), current_user),
        success=lambda diff: f"Saved {product.name}." if diff else "Nothing had changed.",
        redirect_to=url_for("admin.products_edit", product_id=product.id),
        page=lambda status: render_product(product, form=form, status=status))


@bp.post("/products/<int:product_id>/archive")
@roles_required(Role.ADMIN)
def products_archive(product_id: int):
    product = db.get_or_404(Product, product_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.set_status([product], ProductStatus.ARCHIVED, current_user)
    db.session.commit()
    flash(f"{product.name} is archived: shoppers no longer see it. Its orders and stock "
          "history are kept.", "success")
    return redirect(url_for("admin.products_edit", product_id=product.id), code=303)
