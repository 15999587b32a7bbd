"""Back-office order forms: filters for the list, and the actions on one order.

They check shape only; whether an order may be sent, cancelled or refunded is decided by
``storefront.orders.services`` (and its status machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from storefront.admin.forms import parse_amount
from storefront.content.forms import clean_text
from storefront.forms import ShopForm
from storefront.orders.models import OrderStatus
from storefront.orders.services import (
    CARRIER_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TRACKING_MAX_LENGTH,
)

# Offered as suggestions (a <datalist>); any carrier may be typed.
CARRIERS = ("USPS", "UPS", "FedEx", "Canada Post", "DHL", "PostNL", "DPD", "GLS", "bpost",
            "Royal Mail", "La Poste", "Japan Post")


class FulfilForm(ShopForm):
    carrier = StringField(
        "Carrier", filters=[clean_text],
        validators=[DataRequired("Enter the carrier, such as PostNL or DHL."),
                    Length(max=CARRIER_MAX_LENGTH,
                           message=f"Use at most {CARRIER_MAX_LENGTH} characters.")],
        render_kw={"list": "carriers", "maxlength": CARRIER_MAX_LENGTH, "autocomplete": "off"},
    )
    tracking_number = StringField(
        "Tracking number", filters=[clean_text],
        validators=[DataRequired("Enter the tracking number from the carrier's label."),
                    Length(max=TRACKING_MAX_LENGTH,
                           message=f"Use at most {TRACKING_MAX_LENGTH} characters."),
                    Regexp(r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$",
                           message="Use the letters, digits and dashes on the label.")],
        render_kw={"maxlength": TRACKING_MAX_LENGTH, "autocomplete": "off"},
        description="The customer receives it by e-mail.",
    )


class CancelForm(ShopForm):
    reason = StringField(
        "Reason (staff only, optional)", filters=[clean_text],
        validators=[Optional(), Length(max=300, message="Use at most 300 characters.")],
        render_kw={"maxlength": 300},
    )


class RefundForm(ShopForm):
    amount = StringField(
        "Amount to refund",
        validators=[DataRequired("Enter the amount to refund.")],
        render_kw={"inputmode": "decimal", "maxlength": 14, "autocomplete": "off"},
    )

    def validate_amount(self, field) -> None:
        try:
            field.data = parse_amount(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error


class NoteForm(ShopForm):
    text = TextAreaField(
        "Internal note", filters=[clean_text],
        validators=[DataRequired("Write the note first."),
                    Length(max=NOTE_MAX_LENGTH,
                           message=f"Keep the note under {NOTE_MAX_LENGTH:,} characters.")],
        render_kw={"rows": 3, "maxlength": NOTE_MAX_LENGTH},
        description="Only staff see notes; the customer never does.",
    )


@dataclass(frozen=True)
class OrderFilters:
    """The order list's filters from the query string, and what was wrong with them."""

    status: OrderStatus | None = None
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""
    flagged: bool = False
    problems: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args) -> OrderFilters:
        problems: list[str] = []
        status = _status(args.get("status", ""), problems)
        date_from = _date(args.get("from", ""), "From", problems)
        date_to = _date(args.get("to", ""), "To", problems)
        if date_from and date_to and date_to < date_from:
            problems.append("The “To” date is before the “From” date; both were ignored.")
            date_from = date_to = None
        return cls(status=status, date_from=date_from, date_to=date_to,
                   search=(clean_text(args.get("q", "")) or "")[:200],
                   flagged=args.get("flagged") == "1",
                   problems=tuple(problems))

    def args(self, **extra) -> dict:
        """The query string for these filters (for pagination links)."""
        values = {"status": self.status.value if self.status else None,
                  "from": self.date_from.isoformat() if self.date_from else None,
                  "to": self.date_to.isoformat() if self.date_to else None,
                  "q": self.search or None, "flagged": "1" if self.flagged else None, **extra}
        return {key: value for key, value in values.items() if value is not None}


def _status(raw: str, problems: list[str]) -> OrderStatus | None:
    if not raw:
        return None
    try:
        return OrderStatus(raw)
    except ValueError:
        problems.append(f"There is no order status “{raw[:40]}”; showing every status.")
        return None


def _date(raw: str, label: str, problems: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f"The “{label}” date “{raw[:40]}” is not a date like 2025-03-31; "
                        "it was ignored.")
        return None
