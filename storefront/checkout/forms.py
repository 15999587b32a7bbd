"""Checkout forms, one per step. They check shape; prices and codes are checked by services."""

from __future__ import annotations

from functools import lru_cache

from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from storefront import addresses
from storefront.forms import ShopForm, attach_error


class EmailForm(ShopForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired("Enter your e-mail address."),
                    Email("Enter an e-mail address like name@example.com."),
                    Length(max=254, message="That e-mail address is too long.")],
        render_kw={"autocomplete": "email"},
        description="We send your order confirmation here.",
    )


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AddressForm(ShopForm):
    """The delivery address of one country (``address_form`` builds the class per country):
    its fields in the order the country writes them, checked by ``addresses.normalise``."""

    layout: addresses.CountryLayout  # set on each country's class

    country = SelectField("Country", choices=[], validate_choice=False, filters=[_strip],
                          render_kw={"autocomplete": "country"})
    phone = TelField(
        "Phone (optional)", filters=[_strip],
        validators=[Optional(), Length(max=40, message="Use at most 40 characters.")],
        render_kw={"autocomplete": "tel"},
        description="Only for the courier, if they can't find you.",
    )

    @property
    def address_fields(self) -> list:
        return [self[field.name] for field in self.layout.fields]

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then the country's; ``self.address`` is the result."""
        if not super().validate(extra_validators):
            return False
        raw = {field.name: field.data or "" for field in [*self.address_fields, self.phone]}
        try:
            self.address = addresses.normalise({**raw, "country": self.country.data or ""})
        except addresses.AddressInvalid as error:
            for name, message in error.errors.items():
                attach_error(self, message, name)
            return False
        return True


def _address_field(spec: addresses.AddressField):
    render_kw = {"autocomplete": spec.autocomplete}
    length = Length(max=spec.max_length, message=f"Use at most {spec.max_length} characters.")
    if spec.choices:
        choices = [SelectChoice("", f"Choose the {spec.noun}"),
                   *(SelectChoice(key, label) for key, label in spec.choices)]
        return SelectField(spec.label, choices=choices, validate_choice=False,
                           validators=[length], render_kw=render_kw)
    return StringField(spec.label, filters=[_strip], validators=[length], render_kw=render_kw)


@lru_cache(maxsize=300)
def _address_form_class(country: str) -> type[AddressForm]:
    layout = addresses.layout(country)
    assert layout is not None  # address_form passes only countries the address data knows
    fields = {spec.name: _address_field(spec) for spec in layout.fields}
    return type(f"AddressForm{country}", (AddressForm,), {"layout": layout, **fields})


def address_form(country: str, countries: list[tuple[str, str]], **kwargs) -> AddressForm:
    """The address form for ``country`` (the default country's when it is not one),
    offering ``countries`` (code, name)."""
    code = country.upper() if addresses.is_country(country) else addresses.default_country()
    form = _address_form_class(code or "US")(**kwargs)
    form.country.choices = [SelectChoice("", "Choose a country"),
                            *(SelectChoice(code, name) for code, name in countries)]
    return form


class ShippingForm(ShopForm):
    """The delivery methods reaching the address (``choices`` set by the view)."""

    method = RadioField("Delivery", choices=[],
                        validators=[InputRequired("Choose how we should send your order.")])


class DiscountForm(ShopForm):
    code = StringField(
        "Discount code", validators=[Length(max=40, message="That code is too long.")],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )


class PayForm(ShopForm):
    """The CSRF token, a fingerprint of what the review page showed (everything else is
    already in the checkout): "Pay" pays for exactly what was reviewed, or nothing; and,
    when the shop has terms, the shopper's acceptance of the version shown."""

    reviewed = HiddenField()
    terms_version = HiddenField()
    accept_terms = BooleanField("I accept the terms and conditions")

    def accepted_terms(self) -> int | None:
        """The version of the terms the shopper ticked, or None when they did not."""
        version = (self.terms_version.data or "").strip()
        if not self.accept_terms.data or not version.isdigit() or len(version) > 9:
            return None
        return int(version)
