"""The "Ask a dermatologist" form. Shape only; the rules live in services."""

from __future__ import annotations

import re

from wtforms import (
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length

from storefront.catalog.models import SkinType
from storefront.content.questions import QUESTION_MAX, QUESTION_MIN
from storefront.forms import GuestForm

# Control characters other than tab and newline: PostgreSQL refuses NUL in text, and the
# rest only ever come from pasted garbage.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


SKIN_TYPE_CHOICES = [SelectChoice("", "Not sure, or I'd rather not say")] + [
    SelectChoice(skin_type.value, skin_type.label) for skin_type in SkinType
]


class AskForm(GuestForm):
    name = StringField(
        "Your first name",
        filters=[clean_text],
        validators=[DataRequired("Tell us what to call you."),
                    Length(max=120, message="Please use at most 120 characters.")],
        render_kw={"autocomplete": "given-name", "maxlength": 120},
    )
    email = EmailField(
        "E-mail",
        filters=[clean_text],
        validators=[DataRequired("Enter your e-mail address so we can confirm we have "
                                 "your question."),
                    Email("Enter an e-mail address like name@example.com."),
                    Length(max=254, message="That e-mail address is too long.")],
        render_kw={"autocomplete": "email", "maxlength": 254},
        description="Only for telling you that we have your question, and if we answer it.",
    )
    question = TextAreaField(
        "Your question",
        filters=[clean_text],
        validators=[
            DataRequired("Write your question."),
            Length(min=QUESTION_MIN, max=QUESTION_MAX,
                   message=f"Please write between {QUESTION_MIN} and {QUESTION_MAX:,} "
                           "characters (you wrote %(length)d)."),
        ],
        render_kw={"rows": 8, "maxlength": QUESTION_MAX},
        description=(f"{QUESTION_MIN} to {QUESTION_MAX:,} characters. Describe what you "
                     "see, where, and for how long. Please leave out anything that could "
                     "identify you."),
    )
    skin_type = SelectField(
        "Your skin type (optional)",
        choices=SKIN_TYPE_CHOICES,
        default="",
        validate_choice=True,
    )
    # The article the reader was reading (its address), when they came from one.
    article = HiddenField(filters=[clean_text])
    # A trap for bots: hidden from people by CSS and from screen readers by aria-hidden.
    website = StringField("Leave this field empty", render_kw={
        "autocomplete": "off", "tabindex": "-1",
    })

    def chosen_skin_type(self) -> SkinType | None:
        return SkinType(self.skin_type.data) if self.skin_type.data else None

    @property
    def looks_automated(self) -> bool:
        return bool((self.website.data or "").strip())
