"""Money as Decimal with a currency: rounding to the currency's smallest unit, display in
the shop's locale (Babel), and the integer amounts payment providers want (minor units).

How many decimals a currency has comes from the Unicode CLDR through Babel (JPY 0, USD 2).
Stripe's own rule for amounts in its API differs in a few currencies (ISK is sent with two
decimals), so ``to_minor_units`` follows Stripe's published lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    is_currency,
)
from flask import current_app, has_app_context
from sqlalchemy import Numeric

CENT = Decimal("0.01")
DEFAULT_LOCALE = "en_US"
# The most decimals a shop's currency may have: amounts are stored with two.
MAX_DECIMALS = 2
# Stripe's zero-decimal currencies (https://docs.stripe.com/currencies#zero-decimal):
# amounts go over in whole units.
STRIPE_ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
})
# Stripe's three-decimal currencies: amounts go over in thousandths.
STRIPE_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def money_column() -> Numeric:
    """A column type for amounts: exact, two decimal places, read back as Decimal."""
    return Numeric(10, 2, asdecimal=True)


def decimals(currency: str) -> int:
    """How many decimals amounts in ``currency`` have (JPY 0, EUR 2)."""
    return get_currency_precision(currency.upper())


def smallest_unit(currency: str | None = None) -> Decimal:
    """The smallest amount of ``currency`` (the shop's when None): 0.01, or 1 for JPY."""
    return Decimal(1).scaleb(-decimals(currency or shop_currency()))


def quantize(amount: Decimal, currency: str | None = None) -> Decimal:
    """Round to the currency's smallest unit (cents when none is given), halves away from
    zero (the way shoppers expect). The result keeps two places so it compares and stores
    like every other amount."""
    unit = smallest_unit(currency) if currency else CENT
    rounded = Decimal(amount).quantize(unit, rounding=ROUND_HALF_UP)
    return rounded.quantize(CENT)


def check_currency(currency: str) -> str | None:
    """Why ``currency`` cannot be the shop's currency, or None when it can."""
    code = (currency or "").upper()
    if len(code) != 3 or not is_currency(code):
        return f"SHOP_CURRENCY must be an ISO 4217 currency code such as USD, EUR or JPY, " \
               f"not {currency!r}"
    if decimals(code) > MAX_DECIMALS:
        return f"SHOP_CURRENCY {code} has {decimals(code)} decimals; at most " \
               f"{MAX_DECIMALS} are supported"
    return None


def stripe_decimals(currency: str) -> int:
    """How many decimals Stripe's API expects in amounts of ``currency``."""
    code = currency.upper()
    if code in STRIPE_ZERO_DECIMAL:
        return 0
    return 3 if code in STRIPE_THREE_DECIMAL else 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    """``amount`` as the integer a payment provider (Stripe) wants: 12.50 USD is 1250,
    1500 JPY is 1500, 1500 ISK is 150000."""
    rounded = Decimal(amount).quantize(smallest_unit(currency), rounding=ROUND_HALF_UP)
    return int(rounded.scaleb(stripe_decimals(currency)))


def from_minor_units(units: int, currency: str) -> Decimal:
    return quantize(Decimal(units).scaleb(-stripe_decimals(currency)), currency)


def shop_currency() -> str:
    return current_app.config["SHOP_CURRENCY"] if has_app_context() else "USD"


def shop_locale() -> str:
    if has_app_context():
        return current_app.config.get("SHOP_LOCALE") or DEFAULT_LOCALE
    return DEFAULT_LOCALE


def format_money(amount: Decimal | None, currency: str | None = None) -> str:
    """``$12.50``, ``€12.50``, ``¥1,500``: written the way the shop's locale writes it, in
    ``currency`` (the shop's when None)."""
    if amount is None:
        return ""
    code, locale = (currency or shop_currency()).upper(), shop_locale()
    writer = money_writer(code, locale)
    amount = Decimal(amount)
    if writer is None or amount.is_signed() or not amount.is_finite():
        return format_currency(amount, code, locale=locale)
    return writer.write(amount)


@dataclass(frozen=True)
class MoneyWriter:
    """Babel's standard currency format for one currency in one locale, read from the CLDR
    once: a list page shows dozens of prices, and ``format_currency`` looks the locale's
    pattern, symbols and the currency's decimals up again for each."""

    prefix: str
    suffix: str
    decimals: int
    separators: dict[int, str]  # str.translate table: Python's "," and "." to the locale's

    def write(self, amount: Decimal) -> str:
        """``amount`` (not negative) as ``format_currency`` writes it: rounded half to even
        to the currency's decimals, grouped in threes."""
        number = f"{amount:,.{self.decimals}f}".translate(self.separators)
        return f"{self.prefix}{number}{self.suffix}"


@lru_cache(maxsize=64)
def money_writer(currency: str, locale: str) -> MoneyWriter | None:
    """The writer for ``currency`` in ``locale``, or None when the locale's pattern is one
    this shortcut does not copy (groups other than threes, as in India, quoted text,
    significant digits), so Babel writes every amount."""
    parsed = Locale.parse(locale)
    pattern = parsed.currency_formats["standard"]
    prefix, suffix = pattern.prefix[0], pattern.suffix[0]
    if (pattern.grouping != (3, 3) or pattern.int_prec[0] > 1 or pattern.exp_prec
            or pattern.scale or "@" in pattern.pattern or "'" in prefix + suffix
            or "¤¤" in prefix + suffix):
        return None
    symbol = get_currency_symbol(currency, parsed)
    return MoneyWriter(
        prefix.replace("¤", symbol), suffix.replace("¤", symbol),
        get_currency_precision(currency),
        str.maketrans({",": get_group_symbol(parsed, numbering_system="latn"),
                       ".": get_decimal_symbol(parsed, numbering_system="latn")}))
