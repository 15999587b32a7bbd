"""The discount code form; shape only, the rules are in ``storefront.discounts.services``."""

from __future__ import annotations

from datetime import UTC

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from storefront.admin.forms import amount_check
from storefront.content.forms import clean_text
from storefront.discounts import services as discounts
from storefront.discounts.models import DiscountCode, DiscountKind, normalise_code
from storefront.forms import ShopForm

LIMIT_MAX = 1_000_000
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _limit(label: str) -> IntegerField:
    return IntegerField(
        label, validators=[Optional(), NumberRange(min=1, max=LIMIT_MAX, message=(
            f"Enter a whole number from 1 to {LIMIT_MAX:,}, or leave it empty for no limit."))],
        render_kw={"inputmode": "numeric", "min": 1}, description="Empty: no limit.",
    )


def _moment(label: str, description: str) -> DateTimeLocalField:
    return DateTimeLocalField(
        label, format=DATETIME_FORMATS, validators=[Optional()], description=description,
        invalid_value_message="Enter a date and time such as 2025-03-31 09:00.")


class DiscountCodeForm(ShopForm):
    code = StringField(
        "Code", filters=[lambda value: normalise_code(value) if value else value],
        validators=[DataRequired("Enter the code customers will type."),
                    Length(min=3, max=40, message="Use 3 to 40 characters."),
                    Regexp(r"^[A-Z0-9_-]+$",
                           message="Use only letters, digits, dashes and underscores.")],
        render_kw={"maxlength": 40, "autocomplete": "off"},
        description="Customers can type it in any case; it is stored in capitals.",
    )
    description = StringField(
        "Description (optional)", filters=[clean_text],
        validators=[Optional(), Length(max=200, message="Use at most 200 characters.")],
        render_kw={"maxlength": 200},
    )
    kind = RadioField(
        "Kind of discount",
        choices=[SelectChoice(DiscountKind.PERCENT.value, "A percentage of the subtotal"),
                 SelectChoice(DiscountKind.FIXED.value, "A fixed amount off")],
        validators=[InputRequired("Choose a percentage or a fixed amount.")],
        default=DiscountKind.PERCENT.value,
    )
    value = StringField(
        "Value", validators=[DataRequired("Enter the percentage or the amount."),
                             amount_check(optional=False)],
        render_kw={"inputmode": "decimal", "maxlength": 14},
        description="For a percentage, 10 means 10 % off. For an amount, 5.00 means 5.00 off.",
    )
    minimum_subtotal = StringField(
        "Minimum subtotal (optional)", validators=[amount_check(optional=True)],
        render_kw={"inputmode": "decimal", "maxlength": 14},
        description="The code works only from this subtotal up. Empty: no minimum.",
    )
    starts_at = _moment("Starts (UTC, optional)", "Empty: usable straight away.")
    ends_at = _moment("Ends (UTC, optional)", "Empty: no end date.")
    max_uses = _limit("Total uses allowed (optional)")
    max_uses_per_customer = _limit("Uses per customer (optional)")
    active = BooleanField("Active (customers can use it)", default=True)

    def settings(self) -> discounts.CodeSettings:
        def utc(moment):
            return moment.replace(tzinfo=UTC) if moment else None

        return discounts.CodeSettings(
            code=self.code.data, description=self.description.data or "",
            kind=DiscountKind(self.kind.data), value=self.value.data,
            minimum_subtotal=self.minimum_subtotal.data, starts_at=utc(self.starts_at.data),
            ends_at=utc(self.ends_at.data), max_uses=self.max_uses.data,
            max_uses_per_customer=self.max_uses_per_customer.data, active=self.active.data,
        )


def form_data(code: DiscountCode) -> dict:
    """A code's settings as the form shows them."""
    data = {name: getattr(code, name) for name in discounts.SETTINGS}
    data["kind"] = code.kind.value
    data["value"] = f"{code.value:f}"
    data["minimum_subtotal"] = (f"{code.minimum_subtotal:f}"
                                if code.minimum_subtotal is not None else "")
    for name in ("starts_at", "ends_at"):
        if data[name] is not None:
            data[name] = data[name].astimezone(UTC).replace(tzinfo=None)
    return data
