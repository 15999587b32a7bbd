"""Whether a discount code applies, how much it takes off, and its usage counter.

A use is *held* when an order is placed (a guarded UPDATE of ``times_used``) and given
back when that order's payment fails, expires or the order is cancelled. Holding at
placement rather than counting at payment means nobody pays with a code that is then
refused: the shopper hears "used up" before paying. The guarded UPDATE also locks the
code's row until the order is committed, so the per-customer count read just after it
cannot race with another order by the same customer.

The per-customer limit counts that customer's orders holding a use. Orders sit above
discounts, so they count them (``storefront.orders.discount_uses``): the caller passes
the count in as a function, called only for a code with such a limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from storefront import pricing
from storefront.audit import services as audit
from storefront.db import utcnow
from storefront.discounts.models import DiscountCode, DiscountKind, normalise_code
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.money import format_money, quantize

# How many orders of the shopper at hand hold a use of a code (placed, not failed or
# cancelled): ``storefront.orders.discount_uses.uses_by_customer`` makes one.
UsesByCustomer = Callable[[DiscountCode], int]


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


def customer_address(email: str) -> str:
    """An e-mail address as the per-customer limit compares it: without case, surrounding
    spaces or a ``+tag`` (``Maya+2@Example.com`` is ``maya@example.com``).

    Deliberately no more than that: dots in Gmail addresses, say, are left as they are.
    """
    address = (email or "").strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return address
    return f"{local[0]}{local[1:].split('+', 1)[0]}@{domain}"


def _check_dates(code: DiscountCode, now: datetime) -> None:
    if code.starts_at is not None and now < code.starts_at:
        raise DiscountRefused(f"The code {code.code} can be used from {_date(code.starts_at)}.")
    if code.ends_at is not None and now >= code.ends_at:
        raise DiscountRefused(f"The code {code.code} expired on {_date(code.ends_at)}.")


def _check_limits(code: DiscountCode, uses_by_customer: UsesByCustomer) -> None:
    if code.max_uses is not None and code.times_used >= code.max_uses:
        raise DiscountRefused(f"The code {code.code} has been used up.")
    per_customer = code.max_uses_per_customer
    if per_customer is not None and uses_by_customer(code) >= per_customer:
        times = "once" if per_customer == 1 else f"{per_customer} times"
        raise DiscountRefused(f"The code {code.code} can be used {times} per customer, and "
                              "you have already used it.")


def check_code(raw: str, *, subtotal: Decimal, currency: str,
               uses_by_customer: UsesByCustomer, now: datetime | None = None) -> DiscountCode:
    """The code if it applies to an order of ``subtotal`` by the customer whose orders
    holding a use ``uses_by_customer`` counts; else DiscountRefused."""
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
    _check_limits(code, uses_by_customer)
    return code


def discount_for(code: DiscountCode | None, subtotal: Decimal,
                 currency: str | None = None) -> Decimal:
    """How much ``code`` takes off ``subtotal`` (never more than the subtotal), rounded to
    ``currency``'s smallest unit."""
    if code is None:
        return pricing.ZERO
    if code.kind == DiscountKind.PERCENT:
        return pricing.percent_discount(subtotal, code.value, currency)
    return pricing.fixed_discount(subtotal, code.value, currency)


def hold_use(code: DiscountCode, *, uses_by_customer: UsesByCustomer,
             require_active: bool = True) -> None:
    """Take one use of ``code`` for an order; DiscountRefused when none is left, or when
    ``uses_by_customer`` (the customer's other orders holding a use, counted once the
    code's row is locked) reaches the code's limit per customer.

    ``require_active=False`` is for an order paid late, whose code was valid when placed.
    """
    guards: list[ColumnElement[bool]] = [(DiscountCode.max_uses.is_(None))
              | (DiscountCode.times_used < DiscountCode.max_uses)]
    if require_active:
        guards.append(DiscountCode.active.is_(True))
    savepoint = db.session.begin_nested()
    taken = cast("CursorResult[Any]", db.session.execute(
        update(DiscountCode)
        .where(DiscountCode.id == code.id, *guards)
        .values(times_used=DiscountCode.times_used + 1)
        .execution_options(synchronize_session=False)
    )).rowcount
    problem = None
    if taken != 1:
        problem = f"Sorry, the code {code.code} has just been used up."
    elif (code.max_uses_per_customer is not None
          and uses_by_customer(code) >= code.max_uses_per_customer):
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


# Managing codes in the back office --------------------------------------------------------

# The largest amount a money column holds (Numeric(10, 2)).
MAX_AMOUNT = Decimal("99999999.99")


class CodeInvalid(DomainError):
    """A code's settings break a rule; ``field`` names the form field it is about."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CodeSettings:
    """Everything staff set on a code (``times_used`` is the shop's to count)."""

    code: str
    description: str
    kind: DiscountKind
    value: Decimal
    minimum_subtotal: Decimal | None
    starts_at: datetime | None
    ends_at: datetime | None
    max_uses: int | None
    max_uses_per_customer: int | None
    active: bool


SETTINGS = [field.name for field in fields(CodeSettings)]


def _check_setting_amounts(settings: CodeSettings) -> None:
    if settings.value <= 0:
        raise CodeInvalid("Enter a value greater than zero.", "value")
    if settings.kind == DiscountKind.PERCENT and settings.value > 100:
        raise CodeInvalid("A percentage can be at most 100.", "value")
    if settings.value > MAX_AMOUNT:
        raise CodeInvalid("That amount is too large.", "value")
    minimum = settings.minimum_subtotal
    if minimum is not None and not 0 < minimum <= MAX_AMOUNT:
        raise CodeInvalid("Enter a minimum subtotal greater than zero, or leave it empty.",
                          "minimum_subtotal")


def _check_setting_limits(settings: CodeSettings, code: DiscountCode | None) -> None:
    total, per_customer = settings.max_uses, settings.max_uses_per_customer
    if total is not None and total < 1:
        raise CodeInvalid("Enter a limit of at least 1, or leave it empty.", "max_uses")
    if per_customer is not None and per_customer < 1:
        raise CodeInvalid("Enter a limit of at least 1, or leave it empty.",
                          "max_uses_per_customer")
    if total is not None and per_customer is not None and per_customer > total:
        raise CodeInvalid("The limit per customer can't be higher than the total limit.",
                          "max_uses_per_customer")
    used = code.times_used if code is not None else 0
    if total is not None and total < used:
        raise CodeInvalid(f"{used} orders already hold this code, so the total limit can't be "
                          f"lower than {used}. Deactivate the code to stop further use.",
                          "max_uses")


def check_settings(settings: CodeSettings, code: DiscountCode | None = None) -> None:
    """CodeInvalid if ``settings`` break a rule (``code``: the one being edited)."""
    if not normalise_code(settings.code):
        raise CodeInvalid("Enter the code customers will type.", "code")
    _check_setting_amounts(settings)
    if settings.starts_at and settings.ends_at and settings.ends_at <= settings.starts_at:
        raise CodeInvalid("The end must be after the start.", "ends_at")
    _check_setting_limits(settings, code)
    existing = find_code(settings.code)
    if existing is not None and existing is not code:
        raise CodeInvalid(f"There is already a code {existing.code}; choose another.", "code")


def _normalised_settings(settings: CodeSettings) -> CodeSettings:
    minimum = settings.minimum_subtotal
    return replace(settings, code=normalise_code(settings.code),
                   description=(settings.description or "").strip(),
                   value=quantize(settings.value),
                   minimum_subtotal=quantize(minimum) if minimum is not None else None)


def save_code(settings: CodeSettings, code: DiscountCode | None = None, *,
              actor) -> DiscountCode | None:
    """Create a code (``code`` None) or change one; audited.

    Returns the code, or None when an edit changed nothing.
    """
    settings = _normalised_settings(settings)
    check_settings(settings, code)
    before = audit.snapshot(code, SETTINGS) if code is not None else None
    if before is not None and audit.snapshot(settings, SETTINGS) == before:
        return None
    savepoint = db.session.begin_nested()
    target = code if code is not None else DiscountCode()
    for name in SETTINGS:
        setattr(target, name, getattr(settings, name))
    db.session.add(target)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same code saved at the same moment elsewhere
        savepoint.rollback()
        raise CodeInvalid(f"There is already a code {settings.code}; choose another.",
                          "code") from error
    savepoint.commit()
    action, verb = ("discount.updated", "changed") if before else ("discount.created", "created")
    audit.record(actor, action, target, f"Discount code {target.code} {verb}",
                 before=before, after=audit.snapshot(target, SETTINGS))
    return target


def deactivate(code: DiscountCode, *, actor) -> bool:
    """Stop a code being accepted at checkout; False if it was inactive already."""
    if not code.active:
        return False
    before = audit.snapshot(code, ["active"])
    code.active = False
    db.session.flush()
    audit.record(actor, "discount.deactivated", code, f"Discount code {code.code} deactivated",
                 before=before, after=audit.snapshot(code, ["active"]))
    return True
