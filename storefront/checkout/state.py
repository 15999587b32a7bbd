"""What the shopper has entered so far, kept in the session between steps.

Each step stores its answer here, so going back to change one keeps all the others.
"""

from __future__ import annotations

from flask import session

from storefront.addresses import FIELDS
from storefront.checkout.services import Address, CheckoutDetails

SESSION_KEY = "checkout"
ORDERS_KEY = "placed_orders"
STEPS = [
    ("email", "E-mail"),
    ("address", "Address"),
    ("shipping", "Delivery"),
    ("discount", "Discount code"),
    ("review", "Review and pay"),
]
STEP_NAMES = [name for name, _ in STEPS]


def load() -> dict:
    data = session.get(SESSION_KEY)
    return dict(data) if isinstance(data, dict) else {}


def save(state: dict) -> None:
    session[SESSION_KEY] = state


ADDRESS_FIELDS = FIELDS


def _answered(state: dict, step: str) -> bool:
    value = state.get(step)
    if step == "address":
        return isinstance(value, dict) and set(value) == set(ADDRESS_FIELDS)
    if step == "shipping":  # a delivery method's id; whether it reaches the address is
        return isinstance(value, str) and value.isdigit()  # checked on the review
    return isinstance(value, str) and (step == "discount" or bool(value))


def first_missing(state: dict) -> str:
    """The first step without a usable answer (``review`` once every step has one)."""
    return next((name for name in STEP_NAMES[:-1] if not _answered(state, name)), "review")


def reached(state: dict, step: str) -> bool:
    """Whether every step before ``step`` has an answer."""
    return STEP_NAMES.index(step) <= STEP_NAMES.index(first_missing(state))


def address_of(state: dict) -> Address | None:
    """The address given, when the address step has its answer."""
    return Address(**state["address"]) if _answered(state, "address") else None


def details(state: dict) -> CheckoutDetails:
    return CheckoutDetails(
        email=state["email"],
        address=Address(**state["address"]),
        shipping_method=state["shipping"],
        discount_code=state.get("discount", ""),
    )


def remember_order(number: str) -> None:
    """Let this browser see the order's confirmation page (the last few orders)."""
    numbers = [n for n in session.get(ORDERS_KEY, []) if n != number][-9:]
    session[ORDERS_KEY] = [*numbers, number]


def placed_here(number: str) -> bool:
    return number in session.get(ORDERS_KEY, [])
