"""Order arithmetic as pure functions on Decimal. Nothing here reads the database.

Rounding to cents (half up) happens at three defined points and nowhere else:
1. each line total (unit price times quantity);
2. the discount, once, on the subtotal;
3. the tax, once, on everything taxed (goods after discount, plus shipping).
The subtotal and total are sums of already-rounded amounts, so they are exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from storefront.money import quantize

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    tax_rate: Decimal
    prices_include_tax: bool

    @property
    def goods(self) -> Decimal:
        """What the products cost after the discount."""
        return self.subtotal - self.discount


def line_total(unit_price: Decimal, quantity: int) -> Decimal:
    return quantize(Decimal(unit_price) * quantity)


def subtotal(line_totals: Iterable[Decimal]) -> Decimal:
    return quantize(sum(line_totals, ZERO))


def percent_discount(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount``, rounded, never more than ``amount`` nor below zero."""
    if percent <= 0:
        return ZERO
    return min(quantize(amount * Decimal(percent) / HUNDRED), amount)


def fixed_discount(amount: Decimal, off: Decimal) -> Decimal:
    """``off`` taken from ``amount``, never taking it below zero."""
    if off <= 0:
        return ZERO
    return min(quantize(off), amount)


def shipping_cost(method: str, goods: Decimal, *, rates: Mapping[str, Decimal],
                  free_standard_from: Decimal | None) -> Decimal:
    """The price of ``method``; standard is free once ``goods`` reach the threshold."""
    if method == "standard" and free_standard_from is not None and goods >= free_standard_from:
        return ZERO
    return quantize(rates[method])


def tax_amount(taxed: Decimal, rate: Decimal, *, included: bool) -> Decimal:
    """The tax in ``taxed`` (prices include tax) or on top of it (they don't)."""
    if rate <= 0:
        return ZERO
    if included:
        return quantize(taxed * rate / (1 + rate))
    return quantize(taxed * rate)


def totals(line_totals: Iterable[Decimal], *, discount: Decimal, shipping: Decimal,
           tax_rate: Decimal, prices_include_tax: bool) -> Totals:
    """Put an order's amounts together; ``discount`` is capped at the subtotal."""
    sub = subtotal(line_totals)
    discount = min(max(quantize(discount), ZERO), sub)
    taxed = sub - discount + quantize(shipping)
    tax = tax_amount(taxed, tax_rate, included=prices_include_tax)
    total = taxed if prices_include_tax else taxed + tax
    return Totals(sub, discount, quantize(shipping), tax, total, tax_rate, prices_include_tax)
