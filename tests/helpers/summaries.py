"""Reading an order summary as a shopper does: do the amounts shown add up to the total shown?

A summary (the cart's table, the checkout's "Your order", an order's page) is read as:
- its item lines' amounts, which must add up to the subtotal;
- its rows up to the total (Subtotal, Discount, Delivery, tax), whose amounts must add up to
  the total. A row whose value is words ("chosen in the next step") adds nothing; "Free" is 0;
  a discount is shown with a minus sign.
Anything under the total ("incl. VAT", "Refunded") is not one of these rows: it adds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

MINUS = "\N{MINUS SIGN}"  # how the pages write a discount, before its amount
_AMOUNT = re.compile(rf"(?P<sign>[{MINUS}-])?[^\d{MINUS}-]*?(?P<digits>\d[\d,]*(?:\.\d+)?)\D*")


def amount(text: str) -> Decimal | None:
    """"$1,234.50" -> 1234.50, MINUS + "€4.85" -> -4.85, "Free" -> 0; None for words alone."""
    text = " ".join(text.split())
    if text.lower() == "free":
        return Decimal(0)
    found = _AMOUNT.fullmatch(text)
    if found is None:
        return None
    value = Decimal(found["digits"].replace(",", ""))
    return -value if found["sign"] else value


@dataclass
class Summary:
    name: str
    lines: list[str] = field(default_factory=list)  # each item line's amount, as shown
    rows: list[tuple[str, str]] = field(default_factory=list)  # (label, value) up to the total
    total: tuple[str, str] = ("", "")

    def problems(self) -> list[str]:
        """What does not add up, in words (empty when everything does)."""
        found = []
        values = {label: amount(value) for label, value in self.rows}
        if amount(self.total[1]) is None:
            found.append(f"{self.name}: the total {self.total} shows no amount")
        if self.lines:
            subtotal = values.get("Subtotal")
            lines_sum = sum((amount(line) for line in self.lines), Decimal(0))
            if subtotal != lines_sum:
                found.append(f"{self.name}: the lines {self.lines} add up to {lines_sum}, "
                             f"the subtotal shown is {subtotal}")
        rows_sum = sum((value for value in values.values() if value is not None), Decimal(0))
        if rows_sum != amount(self.total[1]):
            found.append(f"{self.name}: {self.rows} add up to {rows_sum}, but {self.total} "
                         "is shown")
        return found
