"""Back-office forms for articles, conditions, recommendations, authors, questions, the
shop's texts and the routine rules (steps, ingredient classes, conflicts).

Shape only: choices come from the database (set by the views), the rules live in
``storefront.content.editing`` and ``storefront.routines.editing``.
"""

from __future__ import annotations

from datetime import UTC

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from storefront.content.forms import clean_text
from storefront.content.models import (
    ArticleKind,
    ArticleStatus,
    QuestionStatus,
    RecommendationRole,
)
from storefront.forms import MultiCheckboxField, ShopForm
from storefront.routines.models import StepKind, TimeOfDay

MAX_POSITION = 10_000
STATUS_LABELS = {
    ArticleStatus.DRAFT: "Draft (only staff can see it)",
    ArticleStatus.SCHEDULED: "Scheduled (appears at the publish time)",
    ArticleStatus.PUBLISHED: "Published (on the site now)",
}


def optional_int(value) -> int | None:
    """"" (nothing chosen) as None, anything else as a whole number (ValueError if not)."""
    if value is None or value == "":
        return None
    return int(value)


def _too_long(limit: int) -> Length:
    return Length(max=limit, message=f"Please use at most {limit:,} characters.")


class HiddenIntegerField(IntegerField):
    """A whole number carried in a hidden input; the view may change what it shows."""

    widget = HiddenInput()

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class ArticleForm(ShopForm):
    title = StringField("Title", filters=[clean_text], validators=[
        DataRequired("Give the article a title."), _too_long(200)])
    slug = StringField(
        "Address", filters=[clean_text], validators=[Optional(), _too_long(120)],
        description="The end of the web address, such as milia-what-helps. Leave it empty "
                    "to make one from the title. Changing it on a published article breaks "
                    "links to it.")
    kind = SelectField("Kind", choices=[SelectChoice(kind.value, kind.label)
                                        for kind in ArticleKind])
    question = TextAreaField(
        "The reader's question", filters=[clean_text], validators=[_too_long(5000)],
        render_kw={"rows": 4},
        description="Shown above a Q&A answer. Needed for Q&A; leave out anything that "
                    "could identify the reader.")
    summary = TextAreaField(
        "Summary", filters=[clean_text], validators=[_too_long(500)], render_kw={"rows": 2},
        description="One or two sentences for article lists and search results.")
    body = TextAreaField(
        "Body (Markdown)", filters=[clean_text], validators=[_too_long(100_000)],
        render_kw={"rows": 22, "class": "markdown-input"},
        description="Markdown: ## for a heading, **bold**, - for a list. "
                    "[[product:slug]] on a line of its own shows a live product card; "
                    "[[article:slug]] links to another article.")
    conditions = MultiCheckboxField("Skin conditions", coerce=int)
    author = SelectField("Author", coerce=int, validate_choice=True)
    reviewer = SelectField("Medically reviewed by", coerce=optional_int)
    reviewed_on = DateField("Medically reviewed on", validators=[Optional()])
    status = SelectField("Status", choices=[SelectChoice(status.value, label)
                                            for status, label in STATUS_LABELS.items()])
    published_at = DateTimeLocalField(
        "Publish time (UTC)", tz=UTC, validators=[Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        description="Scheduled: when the article appears (must be in the future). "
                    "Published: leave empty for now.")
    hero_image = FileField("Hero image (optional)",
                           description="A JPEG, PNG or WebP at least 800 pixels wide.")
    hero_image_alt = StringField(
        "Describe the hero image", filters=[clean_text], validators=[_too_long(200)],
        description="For people who cannot see it, such as “Close-up of milia under the eye”.")
    hero_image_key = StringField(widget=HiddenInput(), filters=[clean_text],
                                 validators=[Optional(), Regexp(r"^articles/[0-9a-f]{24}$")])
    remove_hero = BooleanField("Remove the hero image")
    version = HiddenIntegerField(validators=[Optional()])
    overwrite_version = HiddenIntegerField(validators=[Optional()])
    question_id = HiddenIntegerField(validators=[Optional()])

    def validate_hero_image_alt(self, field) -> None:
        has_picture = (self.hero_image_key.data or self.hero_image.data) \
            and not self.remove_hero.data
        if has_picture and not field.data:
            raise ValidationError("Describe the picture in a few words.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for hidden in (self.version, self.overwrite_version, self.question_id,
                       self.hero_image_key):
            if hidden.errors:
                self.form_errors.append("Part of this form was damaged on the way. Copy "
                                        "your text somewhere safe and reload the page.")
                return False
        return valid


class ConditionForm(ShopForm):
    name = StringField("Name", filters=[clean_text], validators=[
        DataRequired("Give the condition a name."), _too_long(80)])
    slug = StringField(
        "Address", filters=[clean_text], validators=[Optional(), _too_long(80)],
        description="The end of the web address, such as milia. Leave it empty to make one "
                    "from the name.")
    summary = TextAreaField("Summary", filters=[clean_text], render_kw={"rows": 3},
                            validators=[DataRequired("Summarise the condition."),
                                        _too_long(500)])
    causes = TextAreaField("Causes (Markdown)", filters=[clean_text],
                           validators=[_too_long(50_000)],
                           render_kw={"rows": 10, "class": "markdown-input"})
    what_helps = TextAreaField("What helps (Markdown)", filters=[clean_text],
                               validators=[_too_long(50_000)],
                               render_kw={"rows": 10, "class": "markdown-input"})
    position = IntegerField(
        "Position in the list", default=0,
        validators=[NumberRange(0, MAX_POSITION, "Use a whole number from 0 to 10,000.")],
        description="Lower numbers come first on the conditions page.")


class RecommendationForm(ShopForm):
    product = SelectField("Product", coerce=optional_int, validate_choice=True)
    ingredient = SelectField("Key ingredient", coerce=optional_int, validate_choice=True)
    why = TextAreaField("Why it helps", filters=[clean_text], render_kw={"rows": 3},
                        validators=[DataRequired("Say why it helps."), _too_long(2000)])
    how_to_use = StringField("How to use", filters=[clean_text], validators=[_too_long(300)])
    role = SelectField(
        "Its job for this condition", default=RecommendationRole.TREAT.value,
        choices=[SelectChoice(role.value, role.label) for role in RecommendationRole],
        description="Products with the same job for a condition are offered as alternatives "
                    "to a prescription medicine, those of the same ingredient family first.")
    place = IntegerField(
        "Place in the list", validators=[
            Optional(), NumberRange(1, MAX_POSITION, "Use a whole number from 1.")],
        description="1 is shown first. Leave empty to keep the place (new ones go last).")


class AuthorForm(ShopForm):
    name = StringField("Name", filters=[clean_text], validators=[
        DataRequired("Give the author's name."), _too_long(120)])
    slug = StringField(
        "Address", filters=[clean_text], validators=[Optional(), _too_long(80)],
        description="A short name for addresses, such as dr-halden. Leave it empty to make "
                    "one from the name.")
    credentials = StringField(
        "Credentials", filters=[clean_text], validators=[
            DataRequired("Give the author's credentials."), _too_long(200)],
        description="Shown after the name, such as “MD, board-certified dermatologist”.")
    bio = TextAreaField("Biography", filters=[clean_text], validators=[_too_long(5000)],
                        render_kw={"rows": 5}, description="Plain text, shown under articles.")
    photo = FileField("Photo (optional)",
                      description="A JPEG, PNG or WebP at least 200 pixels wide.")
    photo_key = StringField(widget=HiddenInput(), filters=[clean_text],
                            validators=[Optional(), Regexp(r"^authors/[0-9a-f]{24}$")])
    photo_alt = StringField(
        "Describe the photo", filters=[clean_text], validators=[_too_long(200)],
        description="For people who cannot see it, such as “Dr. Halden smiling, in a blue "
                    "blouse”. Needed with a photo.")
    remove_photo = BooleanField("Remove the photo")
    statements = TextAreaField(
        "What the author vouches for", filters=[clean_text], validators=[_too_long(2000)],
        render_kw={"rows": 4},
        description="One statement a line, shown as a list in the author box under each "
                    "article, such as “I write and research every article myself.” The "
                    "shop's financial ties are added from the brands' records.")


class ShopTextForm(ShopForm):
    heading = StringField("Heading", filters=[clean_text], validators=[
        DataRequired("Give the text a heading."), _too_long(120)])
    body = TextAreaField(
        "Text (Markdown)", filters=[clean_text],
        validators=[DataRequired("Write the text."), _too_long(3000)],
        render_kw={"rows": 10, "class": "markdown-input"})
    author = SelectField("Signed by", coerce=optional_int, validate_choice=True)


class ShopPageForm(ShopForm):
    """One of the shop's pages (about, contact, terms, ...): longer than the introduction."""

    heading = StringField("Heading", filters=[clean_text], validators=[
        DataRequired("Give the page a heading."), _too_long(120)])
    body = TextAreaField(
        "Text (Markdown)", filters=[clean_text],
        validators=[DataRequired("Write the page's text."), _too_long(40_000)],
        render_kw={"rows": 20, "class": "markdown-input"})
    author = SelectField("Signed by", coerce=optional_int, validate_choice=True)


class AnswerForm(ShopForm):
    article = SelectField("Article that answers it", coerce=optional_int, validate_choice=True,
                          validators=[DataRequired("Choose the article that answers it.")])


class QuestionStatusForm(ShopForm):
    status = SelectField(choices=[QuestionStatus.REJECTED.value, QuestionStatus.SPAM.value,
                                  QuestionStatus.NEW.value])


# --- The routine rules ---------------------------------------------------------------------

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
