"""Account forms. Validation here is about shape; account rules live in services."""

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

from storefront.accounts.passwords import MAX_LENGTH
from storefront.forms import ShopForm

EMAIL_FIELD_ARGS = {
    "validators": [
        DataRequired("Enter your e-mail address."),
        Email("Enter an e-mail address like name@example.com."),
        Length(max=254, message="That e-mail address is too long."),
    ],
    "render_kw": {"autocomplete": "email"},
}


def _new_password(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired("Choose a password."),
            Length(max=MAX_LENGTH, message=f"Use at most {MAX_LENGTH} characters."),
        ],
        render_kw={"autocomplete": "new-password"},
        description="At least 10 characters. A few unrelated words make a strong one.",
    )


def _confirm_password(label: str = "Repeat the password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired("Repeat your password."),
            EqualTo("password", message="The two passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(ShopForm):
    email = EmailField("E-mail", **EMAIL_FIELD_ARGS)
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password."), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me logged in on this device")
    next = HiddenField()


class RegisterForm(ShopForm):
    name = StringField(
        "Your name",
        validators=[DataRequired("Tell us your name."), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField("E-mail", **EMAIL_FIELD_ARGS)
    password = _new_password()
    confirm = _confirm_password()


class ResetRequestForm(ShopForm):
    email = EmailField("E-mail", **EMAIL_FIELD_ARGS)


class ResetPasswordForm(ShopForm):
    password = _new_password("New password")
    confirm = _confirm_password()


class ChangePasswordForm(ShopForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password."), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password("New password")
    confirm = _confirm_password()


class ProfileForm(ShopForm):
    name = StringField(
        "Your name",
        validators=[DataRequired("Tell us your name."), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
