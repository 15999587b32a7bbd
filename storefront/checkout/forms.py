"""Checkout forms, one per step. They check shape; prices and codes are checked by services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from storefront.checkout.addresses import COUNTRIES, PostcodeError, normalise_postcode
from storefront.orders.models import ShippingMethod


class EmailForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired("Enter your e-mail address."),
                    Email("Enter an e-mail address like name@example.com."),
                    Length(max=254, message="That e-mail address is too long.")],
        render_kw={"autocomplete": "email"},
        description="We send your order confirmation here.",
    )


def _text(label: str, required: str | None, max_length: int, autocomplete: str, **kw):
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(Length(max=max_length, message=f"Use at most {max_length} characters."))
    return StringField(label, validators=validators, render_kw={"autocomplete": autocomplete},
                       filters=[lambda value: value.strip() if value else value], **kw)


class AddressForm(FlaskForm):
    name = _text("Full name", "Enter the name of the person receiving the parcel.", 120, "name")
    line1 = _text("Street and house number", "Enter the street and house number.", 200,
                  "address-line1")
    line2 = _text("Flat, floor or building (optional)", None, 200, "address-line2")
    city = _text("Town or city", "Enter the town or city.", 100, "address-level2")
    postcode = _text("Postcode", "Enter the postcode.", 20, "postal-code")
    country = SelectField(
        "Country", choices=[SelectChoice("", "Choose a country"),
                 *(SelectChoice(code, name) for code, name in COUNTRIES)], validate_choice=False,
        validators=[AnyOf([code for code, _ in COUNTRIES],
                          message="Choose a country from the list.")],
        render_kw={"autocomplete": "country"},
    )
    phone = TelField(
        "Phone (optional)",
        validators=[Optional(), Length(max=40, message="Use at most 40 characters."),
                    Regexp(r"^\+?[0-9 ()./-]{6,}$",
                           message="Enter a phone number using digits, spaces and a leading +.")],
        render_kw={"autocomplete": "tel"},
        description="Only for the courier, if they can't find you.",
    )

    def validate_postcode(self, field) -> None:
        if self.country.data not in dict(COUNTRIES):
            return
        try:
            field.data = normalise_postcode(self.country.data, field.data)
        except PostcodeError as error:
            raise ValidationError(str(error)) from error


class ShippingForm(FlaskForm):
    method = RadioField(
        "Delivery",
        choices=[SelectChoice(method.value, method.label) for method in ShippingMethod],
        validators=[InputRequired("Choose how we should send your order.")],
    )


class DiscountForm(FlaskForm):
    code = StringField(
        "Discount code", validators=[Length(max=40, message="That code is too long.")],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )


class PayForm(FlaskForm):
    """The CSRF token and a fingerprint of what the review page showed (everything else is
    already in the checkout): "Pay" pays for exactly what was reviewed, or nothing."""

    reviewed = HiddenField()
