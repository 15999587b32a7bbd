"""A discount code's limit per customer counts that customer's orders holding a use of it.

Orders sit above discounts, so the count is made here and handed to
``discounts.check_code`` and ``discounts.hold_use`` by their callers (checkout, orders)::

    discounts.check_code(raw, subtotal=..., currency=...,
                         uses_by_customer=uses_by_customer(email, user_id=user_id))
"""

from __future__ import annotations

from sqlalchemy import func, or_, select

from storefront.accounts.models import User
from storefront.discounts.models import DiscountCode
from storefront.discounts.services import UsesByCustomer, customer_address
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.orders.status import HOLDS_DISCOUNT


def _to_address(email: str):
    """Orders placed with ``email`` or any +tag variant of it (stored lower-case)."""
    address = customer_address(email)
    local, _, domain = address.rpartition("@")
    if not local:
        return Order.email == address
    tagged = (Order.email.startswith(f"{local}+", autoescape=True)
              & Order.email.endswith(f"@{domain}", autoescape=True))
    return (Order.email == address) | tagged


def count_uses(code: DiscountCode, email: str | None, *, user_id: int | None = None,
               exclude_order_id: int | None = None) -> int:
    """Orders by this customer that hold a use of ``code`` (placed, not failed or cancelled).

    The customer is the address typed at checkout, compared as
    ``discounts.customer_address`` does, and, when they are logged in, their account: its
    orders whatever address they typed, and orders placed as a guest with the account's
    own address.
    """
    who = [_to_address(email)] if email else []
    if user_id is not None:
        who.append(Order.user_id == user_id)
        account = db.session.get(User, user_id)
        if account is not None:
            who.append(_to_address(account.email))
    if not who:
        return 0
    query = select(func.count()).select_from(Order).where(
        Order.discount_code_id == code.id, or_(*who), Order.status.in_(HOLDS_DISCOUNT))
    if exclude_order_id is not None:
        query = query.where(Order.id != exclude_order_id)
    return db.session.scalar(query) or 0


def uses_by_customer(email: str | None, *, user_id: int | None = None,
                     exclude_order_id: int | None = None) -> UsesByCustomer:
    """What the discount rules call to count the uses of a code by the customer typing
    ``email`` (logged in as ``user_id``), leaving out the order ``exclude_order_id``."""
    def count(code: DiscountCode) -> int:
        return count_uses(code, email, user_id=user_id, exclude_order_id=exclude_order_id)
    return count
