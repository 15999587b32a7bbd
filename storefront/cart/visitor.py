"""The cart of whoever is visiting: the account's when logged in, else the session's guest cart."""

from __future__ import annotations

from flask import flash, g, session
from flask_login import current_user

from storefront.cart import services
from storefront.cart.models import Cart
from storefront.extensions import db
from storefront.orders import carts as order_carts
from storefront.orders.services import release_overdue_holds

# The session names a guest's cart by its random token, never by its id (see ``Cart``).
SESSION_KEY = "cart"
# Where sessions kept the cart's id before: ignored and dropped, never looked up.
OLD_SESSION_KEY = "cart_id"


def _owner() -> tuple[int | None, str | None]:
    if OLD_SESSION_KEY in session:
        session.pop(OLD_SESSION_KEY)
    if current_user.is_authenticated:
        return current_user.id, None
    return None, services.guest_token(session.get(SESSION_KEY))


def visitor_cart() -> Cart | None:
    return services.find_cart(*_owner())


def visitor_cart_state() -> services.CartState:
    """What the visitor's cart page shows; the header's count comes with it."""
    state = order_carts.cart_state(*_owner())
    g.cart_count = state.item_count
    return state


def visitor_cart_for_change() -> Cart:
    """The visitor's cart, made if they have none yet (call ``remember`` after the commit)."""
    return services.get_or_create_cart(*_owner())


def remember(cart: Cart) -> None:
    """Keep a guest's cart token in the signed session cookie."""
    if cart.user_id is None:
        session[SESSION_KEY] = cart.token


def visitor_item_count() -> int:
    """The header's cart count: one small query per page, none for a visitor without a cart."""
    if "cart_count" not in g:
        g.cart_count = services.item_count(*_owner())
    return g.cart_count


def merge_at_login(_app, user, **_extra) -> None:
    """flask_login's ``user_logged_in``: bring the guest cart into the account's cart.

    The log-in view has committed already when this runs, so the merge commits on its own;
    if it fails, the guest cart stays in the session and is merged at the next log-in.
    """
    token = services.guest_token(session.get(SESSION_KEY))
    guest = services.find_cart(None, token) if token else None
    if guest is None:
        session.pop(SESSION_KEY, None)
        return
    had_items = bool(guest.lines)
    release_overdue_holds([line.variant_id for line in guest.lines])
    target = services.get_or_create_cart(user.id, None)
    # Orders placed from the guest cart empty the account's cart once they are paid.
    order_carts.move_orders(guest, target)
    messages = services.merge_into(guest, target)
    db.session.commit()
    session.pop(SESSION_KEY, None)
    g.pop("cart_count", None)
    if had_items:
        flash("The items you added before logging in are now in your cart.", "info")
    for message in messages:
        flash(message, "info")
