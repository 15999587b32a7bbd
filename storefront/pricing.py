"""Order arithmetic as pure functions on Decimal. Nothing here reads the database.

Amounts are rounded to the currency's smallest unit (cents; whole yen), half up, at three
defined points and nowhere else:
1. each line total (unit price times quantity);
2. the discount, once, on the subtotal;
3. the tax, once, on everything taxed (goods after discount, plus delivery where the
   destination taxes it).
The subtotal and total are sums of already-rounded amounts, so they are exact. The discount
and the tax are then shared out over the lines (and delivery) in proportion, to the unit,
so each order line keeps its part and the parts add up exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from storefront.money import quantize, smallest_unit

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
    # Each line's share of the tax (after its share of the discount), and delivery's.
    line_taxes: tuple[Decimal, ...] = ()
    shipping_tax: Decimal = ZERO

    @property
    def goods(self) -> Decimal:
        """What the products cost after the discount."""
        return self.subtotal - self.discount


def line_total(unit_price: Decimal, quantity: int, currency: str | None = None) -> Decimal:
    return quantize(Decimal(unit_price) * quantity, currency)


def subtotal(line_totals: Iterable[Decimal], currency: str | None = None) -> Decimal:
    return quantize(sum(line_totals, ZERO), currency)


def percent_discount(amount: Decimal, percent: Decimal, currency: str | None = None) -> Decimal:
    """``percent`` % of ``amount``, rounded, never more than ``amount`` nor below zero."""
    if percent <= 0:
        return ZERO
    return min(quantize(amount * Decimal(percent) / HUNDRED, currency), amount)


def fixed_discount(amount: Decimal, off: Decimal, currency: str | None = None) -> Decimal:
    """``off`` taken from ``amount``, never taking it below zero."""
    if off <= 0:
        return ZERO
    return min(quantize(off, currency), amount)


def tax_amount(taxed: Decimal, rate: Decimal, *, included: bool,
               currency: str | None = None) -> Decimal:
    """The tax in ``taxed`` (prices include tax) or on top of it (they don't)."""
    if rate <= 0:
        return ZERO
    if included:
        return quantize(taxed * rate / (1 + rate), currency)
    return quantize(taxed * rate, currency)


def allocate(amount: Decimal, weights: Sequence[Decimal],
             currency: str | None = None) -> list[Decimal]:
    """Share ``amount`` out over ``weights`` in proportion, to the smallest unit, adding up
    exactly: each share is rounded down, and the units left over go to the shares that
    lost the most in rounding (ties: the earlier one)."""
    unit = smallest_unit(currency) if currency else Decimal("0.01")
    total = sum(weights, ZERO)
    if not weights or total <= 0 or amount == 0:
        return [ZERO for _ in weights]
    exact = [amount * weight / total for weight in weights]
    shares = [share.quantize(unit, rounding=ROUND_FLOOR) for share in exact]
    left = int((amount - sum(shares, ZERO)) / unit)
    by_loss = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_loss[:left]:
        shares[i] += unit
    return [quantize(share, currency) for share in shares]


def totals(line_totals: Sequence[Decimal], *, discount: Decimal, shipping: Decimal,
           tax_rate: Decimal, prices_include_tax: bool, shipping_taxable: bool = True,
           currency: str | None = None) -> Totals:
    """Put an order's amounts together; ``discount`` is capped at the subtotal."""
    line_totals = list(line_totals)
    sub = subtotal(line_totals, currency)
    discount = min(max(quantize(discount, currency), ZERO), sub)
    shipping = quantize(shipping, currency)
    taxed_shipping = shipping if shipping_taxable else ZERO
    tax = tax_amount(sub - discount + taxed_shipping, tax_rate, included=prices_include_tax,
                     currency=currency)
    line_discounts = allocate(discount, line_totals, currency)
    nets = [total - off for total, off in zip(line_totals, line_discounts, strict=True)]
    *line_taxes, shipping_tax = allocate(tax, [*nets, taxed_shipping], currency)
    total = sub - discount + shipping + (ZERO if prices_include_tax else tax)
    return Totals(sub, discount, shipping, tax, total, tax_rate, prices_include_tax,
                  tuple(line_taxes), shipping_tax)
