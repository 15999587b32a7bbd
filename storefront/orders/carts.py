"""What orders say about the carts they were placed from (``Order.cart_id``).

The cart sits below orders and never asks about them; its callers pass these in: whether
unpaid orders hold stock (the cart page's one statement), the orders a guest cart hands
to the account's cart at log-in, and the carts pruning keeps while an order may be paid.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlalchemy import Select, bindparam, exists, update

from storefront.cart import services as cart_services
from storefront.cart.models import Cart
from storefront.extensions import db
from storefront.orders.models import Order, OrderStatus


def _unpaid_order_of_cart():
    """SQL: an unpaid order placed from the cart's row (its stock is still held)."""
    return exists().where(Order.cart_id == Cart.id,
                          Order.status == OrderStatus.PENDING_PAYMENT)


def _overdue():
    """SQL: somebody's unpaid order whose hold has run out by the bound ``now``."""
    return exists().where(Order.status == OrderStatus.PENDING_PAYMENT,
                          Order.reservation_expires_at <= bindparam("now"))


@cache
def _state_statements() -> dict[str, Select]:
    """``cart.services.cart_state``'s statements with the orders' answers, built once."""
    return cart_services.state_statements(holds_stock=_unpaid_order_of_cart(),
                                          overdue=_overdue())


def cart_state(user_id: int | None, guest_token: str | None) -> cart_services.CartState:
    """What the visitor's cart page shows, and whether there is held stock to give back
    first: the cart's own unpaid orders hold some, or somebody's hold has run out."""
    return cart_services.cart_state(_state_statements(), user_id, guest_token)


def move_orders(guest: Cart, target: Cart) -> None:
    """The orders placed from a guest cart now come from the account's cart it is merged
    into (``cart.services.merge_into``, called next), so paying one empties that cart."""
    db.session.execute(update(Order).where(Order.cart_id == guest.id)
                       .values(cart_id=target.id).execution_options(synchronize_session=False))


def prune_guest_carts(older_than: timedelta, limit: int = 5000) -> int:
    """Delete guest carts untouched for ``older_than`` (their lines go with them); how many.

    A cart an unpaid order was placed from is kept while that order may still be paid;
    the orders of the carts deleted keep no link to them.
    """
    ids = cart_services.stale_guest_carts(older_than, keep=_unpaid_order_of_cart(),
                                          limit=limit)
    if ids:
        db.session.execute(update(Order).where(Order.cart_id.in_(ids)).values(cart_id=None))
        cart_services.delete_carts(ids)
    return len(ids)
