"""Form pieces every admin area uses: the one-button forms, and amounts typed by staff.

Each area's own forms are in its ``forms.py`` (``storefront.admin.<area>.forms``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms import SelectField
from wtforms.validators import ValidationError

from storefront.forms import ShopForm

# The largest amount a money column holds (Numeric(10, 2)).
MAX_AMOUNT = Decimal("99999999.99")


class ConfirmForm(ShopForm):
    """A button that changes something: only the CSRF token travels."""


class MoveForm(ShopForm):
    """Up and down buttons of an ordered list."""

    direction = SelectField(choices=["up", "down"])


def parse_amount(raw: str | None, *, allow_zero: bool = False) -> Decimal:
    """An amount typed by a person (``12.50``, ``12,50``, ``$12.50``); ValueError with a
    message. Zero only when ``allow_zero`` (a free delivery)."""
    text = (raw or "").strip().replace(",", ".").lstrip("€$£¥").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise ValueError("Enter an amount such as 12.50.") from error
    if not amount.is_finite():
        raise ValueError("Enter an amount such as 12.50.")
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)  # only NaN and infinity have a letter here
    if exponent < -2:
        raise ValueError("Use at most two decimal places.")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError("Enter an amount greater than zero." if not allow_zero
                         else "Enter an amount of zero or more.")
    if amount > MAX_AMOUNT:
        raise ValueError("That amount is too large.")
    return amount


def amount_check(optional: bool, allow_zero: bool = False):
    """A validator reading the field as an amount (``parse_amount``); an empty field is
    None when ``optional``."""

    def check(form, field) -> None:
        if optional and not (field.data or "").strip():
            field.data = None
            return
        try:
            field.data = parse_amount(field.data, allow_zero=allow_zero)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    return check
