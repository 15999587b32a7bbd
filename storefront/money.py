"""Money as Decimal with a currency; conversion to and from minor units (cents)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Numeric

CENT = Decimal("0.01")
# Currencies whose smallest unit is the whole unit (Stripe's "zero-decimal" list, in part).
ZERO_DECIMAL = {"JPY", "KRW", "VND", "CLP", "ISK"}
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def money_column() -> Numeric:
    """A column type for amounts: exact, two decimal places, read back as Decimal."""
    return Numeric(10, 2, asdecimal=True)


def quantize(amount: Decimal) -> Decimal:
    """Round to cents, halves away from zero (the way shoppers expect)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def to_minor_units(amount: Decimal, currency: str) -> int:
    if currency.upper() in ZERO_DECIMAL:
        return int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return int(quantize(amount) * 100)


def from_minor_units(units: int, currency: str) -> Decimal:
    if currency.upper() in ZERO_DECIMAL:
        return Decimal(units)
    return quantize(Decimal(units) / 100)


def format_money(amount: Decimal | None, currency: str = "EUR") -> str:
    """``€12.50``; amounts always with two decimals except zero-decimal currencies."""
    if amount is None:
        return ""
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    digits = 0 if currency.upper() in ZERO_DECIMAL else 2
    number = f"{Decimal(amount):,.{digits}f}"
    return f"{symbol}{number}" if symbol else f"{number} {currency.upper()}"
