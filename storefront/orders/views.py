"""A customer's orders in their account, and a guest's order through its signed link."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.errors import render_error
from storefront.extensions import db
from storefront.orders import links, services
from storefront.orders.models import Order

bp = Blueprint("orders", __name__)
ORDERS_PER_PAGE = 20


@bp.get("/account/orders")
@login_required
def my_orders():
    query = (
        select(Order)
        .where(Order.user_id == current_user.id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .options(selectinload(Order.lines))
    )
    page = db.paginate(query, per_page=ORDERS_PER_PAGE, error_out=False)
    return render_template("orders/list.html", page=page)


@bp.get("/account/orders/<number>")
@login_required
def order_detail(number: str):
    order = db.session.scalar(
        select(Order).where(Order.number == number[:16], Order.user_id == current_user.id)
    )
    if order is None:
        abort(404)
    return render_template("orders/detail.html", order=order,
                           failure=services.failure_reason(order))


@bp.get("/orders/view/<token>")
def guest_order(token: str):
    order = links.order_for_token(token)
    if order is None:
        days = current_app.config["GUEST_ORDER_LINK_MAX_AGE"] // 86400
        return render_error(404, "This order link is not valid or is more than "
                                 f"{days} days old. If you have an account, log in to see "
                                 "your orders; otherwise please contact us.")
    return render_template("orders/detail.html", order=order,
                           failure=services.failure_reason(order))
