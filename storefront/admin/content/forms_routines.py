"""Back-office forms for the routine rules: steps, ingredient classes, conflicts.

Shape only: choices come from the database (set by the views), the rules live in
``storefront.routines.editing``.
"""

from __future__ import annotations

from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from storefront.admin.forms_content import MultiCheckboxField
from storefront.content.forms import clean_text
from storefront.forms import ShopForm
from storefront.routines.models import StepKind, TimeOfDay


def _too_long(limit: int) -> Length:
    return Length(max=limit, message=f"Please use at most {limit:,} characters.")


class StepForm(ShopForm):
    name = StringField("Name", filters=[clean_text], validators=[
        DataRequired("Give the step a name."), _too_long(60)],
        description="As readers see it, such as Cleanse.")
    kind = SelectField("What fills it", choices=[SelectChoice(kind.value, kind.label)
                                                 for kind in StepKind],
                       default=StepKind.BASIC.value)
    hint = TextAreaField("What it is for", filters=[clean_text], validators=[_too_long(300)],
                         description="Shown to readers when nothing in stock suits them "
                                     "for this step.")
    morning = BooleanField("In the morning routine", default=True)
    evening = BooleanField("In the evening routine", default=True)
    essential = BooleanField("In the essential routine too (the complete one has every step)",
                             default=True)
    categories = MultiCheckboxField("Filled from these product categories", coerce=int)


class ClassForm(ShopForm):
    name = StringField("Name", filters=[clean_text], validators=[
        DataRequired("Give the class a name."), _too_long(80)],
        description="Such as Retinoid or Strong exfoliating acid.")
    active = BooleanField("Counts as an active treatment (a routine has at most three)",
                          default=True)
    avoid_in_pregnancy = BooleanField("Avoided in pregnancy, while breastfeeding and when "
                                      "trying for a baby")
    time_of_day = SelectField("When it is used", choices=[
        SelectChoice(time.value, time.label) for time in TimeOfDay],
        default=TimeOfDay.BOTH.value)
    note = TextAreaField("Why then, for readers", filters=[clean_text],
                         validators=[_too_long(300)])
    ingredients = MultiCheckboxField("Key ingredients in this class", coerce=int)


class ConflictForm(ShopForm):
    first = SelectField("One class", coerce=int)
    second = SelectField("The other class", coerce=int)
    explanation = TextAreaField("Why, for readers", filters=[clean_text], validators=[
        DataRequired("Say why they don't go together."), _too_long(500)],
        description="Shown to readers whose routine has both: they use them on alternate "
                    "days.")
