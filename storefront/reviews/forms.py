"""The review form and the back office's moderation form. Shape only; rules in services."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from storefront.catalog.models import SkinType
from storefront.content.forms import SKIN_TYPE_CHOICES, clean_text
from storefront.forms import MultiCheckboxField, ShopForm
from storefront.reviews.models import AgeRange, ReviewStatus
from storefront.reviews.services import (
    BODY_MAX,
    BODY_MIN,
    NAME_MAX,
    REASON_MAX,
    TITLE_MAX,
    ReviewFields,
)

STAR_CHOICES = [SelectChoice(stars, label) for stars, label in (
    (5, "5 stars: excellent"), (4, "4 stars: good"), (3, "3 stars: all right"),
    (2, "2 stars: disappointing"), (1, "1 star: poor"))]
AGE_CHOICES = [SelectChoice("", "I'd rather not say")] + [
    SelectChoice(age.value, age.label) for age in AgeRange]


def _too_long(limit: int) -> Length:
    return Length(max=limit, message=f"Please use at most {limit:,} characters.")


class ReviewForm(ShopForm):
    rating = RadioField("Your rating", choices=STAR_CHOICES, coerce=int,
                        validators=[InputRequired("Choose from 1 to 5 stars.")])
    title = StringField(
        "Title", filters=[clean_text],
        validators=[DataRequired("Give your review a title."), _too_long(TITLE_MAX)],
        render_kw={"maxlength": TITLE_MAX},
        description="In a few words, such as “Calmed my redness in two weeks”.")
    body = TextAreaField(
        "Your review", filters=[clean_text],
        validators=[DataRequired("Write what you thought of the product."),
                    Length(min=BODY_MIN, max=BODY_MAX,
                           message=f"Please write between {BODY_MIN} and {BODY_MAX:,} "
                                   "characters (you wrote %(length)d).")],
        render_kw={"rows": 8, "maxlength": BODY_MAX},
        description="How you used it, for how long, and what changed. Please leave out "
                    "anything that could identify you.")
    skin_type = SelectField("Your skin type (optional)", choices=SKIN_TYPE_CHOICES, default="")
    age_range = SelectField("Your age (optional)", choices=AGE_CHOICES, default="")
    concerns = MultiCheckboxField("What did you use it for? (optional)", coerce=int,
                                  choices=[])
    display_name = StringField(
        "Name shown with your review", filters=[clean_text],
        validators=[DataRequired("Tell us the name to show with your review."),
                    _too_long(NAME_MAX)],
        render_kw={"maxlength": NAME_MAX, "autocomplete": "off"},
        description="We suggest your first name and the first letter of your last name. "
                    "Your e-mail address is never shown.")

    def review_fields(self) -> ReviewFields:
        return ReviewFields(
            rating=self.rating.data, title=self.title.data, body=self.body.data,
            display_name=self.display_name.data,
            skin_type=SkinType(self.skin_type.data) if self.skin_type.data else None,
            age_range=AgeRange(self.age_range.data) if self.age_range.data else None,
            concern_ids=list(self.concerns.data or []))

    def fill_from(self, review) -> None:
        """Show the reviewer's review as they left it."""
        self.rating.data = review.rating
        self.title.data, self.body.data = review.title, review.body
        self.display_name.data = review.display_name
        self.skin_type.data = review.skin_type.value if review.skin_type else ""
        self.age_range.data = review.age_range.value if review.age_range else ""
        self.concerns.data = [condition.id for condition in review.concerns]


MODERATION_CHOICES = [ReviewStatus.APPROVED.value, ReviewStatus.REJECTED.value,
                      ReviewStatus.SPAM.value]


class ModerationForm(ShopForm):
    status = SelectField(choices=MODERATION_CHOICES)
    reason = TextAreaField(
        "Why it is rejected", filters=[clean_text],
        validators=[Optional(), _too_long(REASON_MAX)],
        render_kw={"rows": 4, "maxlength": REASON_MAX},
        description="Sent to the reviewer, who can change the review and send it again.")
