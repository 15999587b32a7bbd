"""The cart page and the forms that change it (add, update, remove)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from storefront.caching import private_page
from storefront.cart import services
from storefront.cart.visitor import (
    remember,
    visitor_cart,
    visitor_cart_for_change,
    visitor_cart_state,
)
from storefront.checkout.services import quote, release_earlier_attempts
from storefront.extensions import db
from storefront.orders.services import (
    release_expired_lazily,
    release_overdue_holds,
)
from storefront.origin import guest_form
from storefront.security import safe_next_url
from storefront.sqlite import writing_from_now

bp = Blueprint("cart", __name__, url_prefix="/cart")


def _variant_ids(cart) -> list[int]:
    return [line.variant_id for line in cart.lines] if cart is not None else []


def release_stale_holds(cart) -> None:
    """Give back stock of unpaid orders whose time ran out (every one holding what is in
    this cart, a few others: cheap when there are none) and of this visitor's own earlier
    attempts to pay, then commit if anything changed."""
    released = release_overdue_holds(_variant_ids(cart)) if _variant_ids(cart) else 0
    if released + release_expired_lazily() + release_earlier_attempts(cart):
        db.session.commit()


def _rows(cart):
    currency = current_app.config["SHOP_CURRENCY"]
    priced = quote(cart)
    return priced, [
        {"line": line, "total": total, "problem": services.line_problem(line),
         "price_note": services.price_note(line, currency)}
        for line, total in priced.lines
    ]


def render_cart(status: int = 200, error: str | None = None):
    cart = visitor_cart()
    priced, rows = _rows(cart) if cart is not None and cart.lines else (None, [])
    html = render_template("cart/cart.html", cart=cart, quote=priced, rows=rows, error=error,
                           can_check_out=bool(rows) and not any(r["problem"] for r in rows))
    return html, status


def _shows(state: services.CartState) -> tuple:
    """What the cart page is made of: its key in the page cache (see ``private_page``)."""
    return ("cart", state.cart_id, state.lines)


@bp.get("/")
def view_cart():
    """Read without SQLite's write lock (every cart view reads; few give stock back), then,
    only when stock held too long must be given back, again in a transaction that writes."""
    state = visitor_cart_state()
    if state.overdue or state.holds_stock:
        db.session.rollback()  # the reading transaction ends: the next one takes the lock
        writing_from_now()
        release_stale_holds(visitor_cart())
        state = visitor_cart_state()
    return private_page(render_cart, _shows(state))


def _done(change: services.CartChange, cart, target: str):
    db.session.commit()
    remember(cart)
    for message in change.messages:
        flash(message, "warning" if change.capped else "success")
    return redirect(target)


@bp.post("/add")
@guest_form
def add():
    """The add-to-cart form posted by product pages and cards (see the form contract)."""
    form = request.form
    target = safe_next_url(form.get("next")) or url_for("cart.view_cart")
    try:
        variant_id = services.parse_id(form.get("variant_id"))
        quantity = services.parse_quantity(form.get("quantity", "1"))
        release_overdue_holds([variant_id])  # a hold past its time never blocks a sale
        cart = visitor_cart_for_change()
        change = services.add_item(cart, variant_id, quantity, form.get("source_article"))
    except services.CartError as error:
        db.session.rollback()
        return render_cart(error.status_code, error.message)
    return _done(change, cart, target)


@bp.post("/update")
def update():
    try:
        line_id = services.parse_id(request.form.get("line_id"), "item")
        quantity = services.parse_quantity(request.form.get("quantity"))
        cart = visitor_cart()
        release_overdue_holds(_variant_ids(cart))
        change = services.update_item(cart, line_id, quantity)
    except services.CartError as error:
        db.session.rollback()
        return render_cart(error.status_code, error.message)
    return _done(change, cart, url_for("cart.view_cart"))


@bp.post("/remove")
def remove():
    try:
        line_id = services.parse_id(request.form.get("line_id"), "item")
        message = services.remove_item(visitor_cart(), line_id)
    except services.CartError as error:
        db.session.rollback()
        return render_cart(error.status_code, error.message)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("cart.view_cart"))
