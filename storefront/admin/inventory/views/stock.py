"""Admin pages for stock: a size's ledger with its adjustment form, and the low-stock list."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.admin.common import save_form
from storefront.admin.inventory.forms import StockAdjustmentForm
from storefront.alerts import services as alerts
from storefront.extensions import db
from storefront.inventory import editing as services
from storefront.inventory import queries
from storefront.inventory.models import StockReason
from storefront.orders import services as orders
from storefront.security import roles_required


@bp.route("/products/variants/<int:variant_id>/stock", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def products_stock(variant_id: int):
    variant = queries.variant_with_product(variant_id)
    if variant is None:
        abort(404)
    if orders.release_overdue_holds([variant.id]):  # show what is really held
        db.session.commit()
    form = StockAdjustmentForm()
    return save_form(
        form, lambda: services.adjust(variant, form.quantity.data,
                                      StockReason(form.reason.data), current_user,
                                      note=form.note.data or ""),
        success=lambda after: f"{variant.sku}: {form.quantity.data:+d}, now {after} on hand.",
        redirect_to=url_for("admin.products_stock", variant_id=variant.id),
        error_field="quantity",
        page=lambda status: (render_template(
            "admin/inventory/stock.html", variant=variant, product=variant.product,
            form=form, page=queries.ledger_page(variant, orders.order_numbers)), status))


@bp.get("/stock/low")
@roles_required(Role.ADMIN)
def low_stock():
    page = queries.low_stock_page()
    waiting = alerts.waiting_counts([variant.id for variant in page.items])
    return render_template("admin/inventory/low_stock.html", page=page, waiting=waiting)
