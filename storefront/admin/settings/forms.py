"""The settings area's forms: the shop's particulars, shipping zones, deliveries and tax
rates, search synonyms. Shape only; the rules are in ``storefront.settings.services``,
``storefront.shipping.editing`` and ``storefront.search.synonyms``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from storefront.admin.forms import amount_check
from storefront.content.forms import clean_text
from storefront.forms import ShopForm
from storefront.search import synonyms
from storefront.search.models import SynonymKind
from storefront.settings import services
from storefront.shipping import editing

MAX_DAYS = 365
PERCENT_PLACES = 3  # 8.875 %: a rate keeps five decimals (0.08875)


# --- The shop's particulars -------------------------------------------------------------

class ShopSettingsForm(ShopForm):
    name = StringField("Shop name", validators=[Length(max=services.NAME_MAX)])
    email = StringField("Contact e-mail", validators=[Length(max=services.EMAIL_MAX)],
                        render_kw={"autocomplete": "off", "inputmode": "email"})
    address = TextAreaField("Postal address", validators=[Length(max=1000)],
                            render_kw={"rows": 5})


# --- Shipping and taxes -----------------------------------------------------------------

class ZoneForm(ShopForm):
    name = StringField("Name", filters=[clean_text],
                       validators=[DataRequired("Give the zone a name."),
                                   Length(max=80, message="Use at most 80 characters.")],
                       render_kw={"maxlength": 80})
    places = TextAreaField(
        "Countries and states",
        validators=[DataRequired("Enter at least one country, such as US."),
                    Length(max=4000, message="Use at most 4,000 characters.")],
        render_kw={"rows": 4},
        description="Two-letter country codes, separated by commas or lines: US, CA. For one "
                    "state or province write the country, a dash and its code or name: US-AK, "
                    "US-Hawaii. Addresses in a state listed in some zone get only that "
                    "zone's deliveries; the rest of the country gets those of the zones "
                    "listing the whole country.")


def _days(label: str) -> IntegerField:
    return IntegerField(label, validators=[
        InputRequired("Enter a number of working days."),
        NumberRange(min=0, max=MAX_DAYS, message=f"Enter 0 to {MAX_DAYS} days.")],
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_DAYS})


class MethodForm(ShopForm):
    name = StringField("Name", filters=[clean_text],
                       validators=[DataRequired("Give the delivery a name."),
                                   Length(max=80, message="Use at most 80 characters.")],
                       render_kw={"maxlength": 80},
                       description="What shoppers choose, such as “Standard shipping”.")
    price = StringField("Price", validators=[InputRequired("Enter the price (0 for free)."),
                                             amount_check(optional=False, allow_zero=True)],
                        render_kw={"inputmode": "decimal", "maxlength": 14})
    free_from = StringField("Free from (optional)",
                            validators=[amount_check(optional=True, allow_zero=True)],
                            render_kw={"inputmode": "decimal", "maxlength": 14},
                            description="Free when the goods, after any discount, cost at "
                                        "least this. Empty: never free.")
    min_days = _days("Shortest delivery time (working days)")
    max_days = _days("Longest delivery time (working days)")
    position = IntegerField("Order in the list", default=0,
                            validators=[Optional(), NumberRange(min=0, max=1000, message=(
                                "Enter 0 to 1,000."))],
                            render_kw={"inputmode": "numeric"},
                            description="Lower numbers are listed first.")
    active = BooleanField("Offered to shoppers", default=True)

    def settings(self) -> editing.MethodSettings:
        return editing.MethodSettings(
            name=self.name.data, price=self.price.data, free_from=self.free_from.data,
            min_days=self.min_days.data, max_days=self.max_days.data,
            position=self.position.data or 0, active=self.active.data)


class RateForm(ShopForm):
    place = StringField("Country or state",
                        validators=[DataRequired("Enter the country, such as DE, or a state, "
                                                 "such as US-WA.")],
                        render_kw={"maxlength": 110, "autocomplete": "off"},
                        description="A country code (DE), or the country, a dash and a state "
                                    "or province (US-WA). A state's rate wins over its "
                                    "country's.")
    name = StringField("Name on the bill", filters=[clean_text],
                       validators=[DataRequired("Name the tax, such as VAT or Sales tax."),
                                   Length(max=40, message="Use at most 40 characters.")],
                       render_kw={"maxlength": 40})
    percent = StringField("Rate (%)", validators=[InputRequired("Enter the rate in percent.")],
                          render_kw={"inputmode": "decimal", "maxlength": 8},
                          description="6.5 for 6.5 %, 8.875 for 8.875 %. 0 charges no tax "
                                      "there (and says so on the bill).")

    def validate_percent(self, field) -> None:
        try:
            value = Decimal((field.data or "").strip().rstrip("%").replace(",", "."))
        except InvalidOperation as error:
            raise ValidationError("Enter the rate as a number, such as 6.5.") from error
        exponent = value.as_tuple().exponent  # "n", "N" or "F" when it is not finite
        if not isinstance(exponent, int) or exponent < -PERCENT_PLACES:
            raise ValidationError(f"Enter the rate with at most {PERCENT_PLACES} decimals, "
                                  "such as 8.875.")
        field.data = value
    shipping_taxable = BooleanField("Delivery is taxed too", default=True)


# --- Search synonyms --------------------------------------------------------------------

class SynonymForm(ShopForm):
    kind = RadioField(
        "How it works",
        choices=[SelectChoice(SynonymKind.ONE_WAY.value,
                              "One way: a search for the words typed also finds the words "
                              "below (not the other way round)"),
                 SelectChoice(SynonymKind.MULTI_WAY.value,
                              "Same meaning: each of the words typed finds all the others")],
        validators=[InputRequired("Choose one way or same meaning.")],
        default=SynonymKind.ONE_WAY.value,
    )
    terms = StringField(
        "Words shoppers type", filters=[clean_text],
        validators=[DataRequired("Enter the words shoppers type."),
                    Length(max=synonyms.MAX_LIST_LENGTH,
                           message=f"Use at most {synonyms.MAX_LIST_LENGTH} characters.")],
        render_kw={"maxlength": synonyms.MAX_LIST_LENGTH, "autocomplete": "off"},
        description="Words or phrases separated by commas, for example: sunblock, sun cream.",
    )
    targets = StringField(
        "Also find (one way only)", filters=[clean_text],
        validators=[Optional(),
                    Length(max=synonyms.MAX_LIST_LENGTH,
                           message=f"Use at most {synonyms.MAX_LIST_LENGTH} characters.")],
        render_kw={"maxlength": synonyms.MAX_LIST_LENGTH, "autocomplete": "off"},
        description="Words the shop's pages use, separated by commas, for example: sunscreen.",
    )
    next = HiddenField()

    def settings(self) -> synonyms.SynonymSettings:
        return synonyms.SynonymSettings(SynonymKind(self.kind.data), self.terms.data or "",
                                        self.targets.data or "")
