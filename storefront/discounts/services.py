"""Whether a discount code applies, how much it takes off, and its usage counter.

A use is *held* when an order is placed (a guarded UPDATE of ``times_used``) and given
back when that order's payment fails, expires or the order is cancelled. Holding at
placement rather than counting at payment means nobody pays with a code that is then
refused: the shopper hears "used up" before paying. The guarded UPDATE also locks the
code's row until the order is committed, so the per-customer count read just after it
cannot race with another order by the same customer.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm.util import identity_key

from storefront.checkout import pricing
from storefront.db import utcnow
from storefront.discounts.models import DiscountCode, DiscountKind, normalise_code
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.money import format_money


class DiscountRefused(DomainError):
    """The code can't be used on this order; the message says why."""

    status_code = 422


def _date(moment: datetime) -> str:
    return f"{moment:%-d %B %Y}"


def find_code(raw: str) -> DiscountCode | None:
    code = normalise_code(raw)
    if not code or len(code) > 40:
        return None
    return db.session.scalar(select(DiscountCode).where(DiscountCode.code == code))


def uses_by_customer(code: DiscountCode, email: str, *, exclude_order_id: int | None = None
                     ) -> int:
    """Orders by ``email`` that hold a use of ``code`` (placed and not failed or cancelled)."""
    from storefront.orders.models import Order
    from storefront.orders.status import HOLDS_DISCOUNT

    query = select(func.count()).select_from(Order).where(
        Order.discount_code_id == code.id,
        Order.email == email.strip().lower(),
        Order.status.in_(HOLDS_DISCOUNT),
    )
    if exclude_order_id is not None:
        query = query.where(Order.id != exclude_order_id)
    return db.session.scalar(query) or 0


def _check_dates(code: DiscountCode, now: datetime) -> None:
    if code.starts_at is not None and now < code.starts_at:
        raise DiscountRefused(f"The code {code.code} can be used from {_date(code.starts_at)}.")
    if code.ends_at is not None and now >= code.ends_at:
        raise DiscountRefused(f"The code {code.code} expired on {_date(code.ends_at)}.")


def _check_limits(code: DiscountCode, email: str | None) -> None:
    if code.max_uses is not None and code.times_used >= code.max_uses:
        raise DiscountRefused(f"The code {code.code} has been used up.")
    per_customer = code.max_uses_per_customer
    if per_customer is not None and email and uses_by_customer(code, email) >= per_customer:
        times = "once" if per_customer == 1 else f"{per_customer} times"
        raise DiscountRefused(f"The code {code.code} can be used {times} per customer, and "
                              "you have already used it.")


def check_code(raw: str, *, subtotal: Decimal, email: str | None, currency: str,
               now: datetime | None = None) -> DiscountCode:
    """The code if it applies to an order of ``subtotal`` by ``email``; else DiscountRefused."""
    code = find_code(raw)
    if code is None:
        raise DiscountRefused(f"We don't recognise the code “{normalise_code(raw)[:40]}”. "
                              "Please check the spelling.")
    if not code.active:
        raise DiscountRefused(f"The code {code.code} is no longer active.")
    _check_dates(code, now or utcnow())
    minimum = code.minimum_subtotal
    if minimum is not None and subtotal < minimum:
        raise DiscountRefused(
            f"The code {code.code} needs a subtotal of at least {format_money(minimum, currency)}"
            f". Add {format_money(minimum - subtotal, currency)} more to use it."
        )
    _check_limits(code, email)
    return code


def discount_for(code: DiscountCode | None, subtotal: Decimal) -> Decimal:
    """How much ``code`` takes off ``subtotal`` (never more than the subtotal)."""
    if code is None:
        return pricing.ZERO
    if code.kind == DiscountKind.PERCENT:
        return pricing.percent_discount(subtotal, code.value)
    return pricing.fixed_discount(subtotal, code.value)


def hold_use(code: DiscountCode, *, email: str, order_id: int,
             require_active: bool = True) -> None:
    """Take one use of ``code`` for an order; DiscountRefused when none is left.

    ``require_active=False`` is for an order paid late, whose code was valid when placed.
    """
    guards = [(DiscountCode.max_uses.is_(None))
              | (DiscountCode.times_used < DiscountCode.max_uses)]
    if require_active:
        guards.append(DiscountCode.active.is_(True))
    savepoint = db.session.begin_nested()
    taken = db.session.execute(
        update(DiscountCode)
        .where(DiscountCode.id == code.id, *guards)
        .values(times_used=DiscountCode.times_used + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    problem = None
    if taken != 1:
        problem = f"Sorry, the code {code.code} has just been used up."
    elif (code.max_uses_per_customer is not None
          and uses_by_customer(code, email, exclude_order_id=order_id)
          >= code.max_uses_per_customer):
        problem = f"You have already used the code {code.code}."
    if problem:
        savepoint.rollback()
    else:
        savepoint.commit()
    _expire_usage(code.id)
    if problem:
        raise DiscountRefused(problem)


def release_use(code_id: int | None) -> None:
    """Give back a use held by an order that will not be paid."""
    if code_id is None:
        return
    db.session.execute(
        update(DiscountCode)
        .where(DiscountCode.id == code_id, DiscountCode.times_used > 0)
        .values(times_used=DiscountCode.times_used - 1)
        .execution_options(synchronize_session=False)
    )
    _expire_usage(code_id)


def _expire_usage(code_id: int) -> None:
    code = db.session.identity_map.get(identity_key(DiscountCode, code_id))
    if code is not None:
        db.session.expire(code, ["times_used"])
