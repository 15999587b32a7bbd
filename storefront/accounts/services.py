"""Account rules: registration, credentials, tokens and roles. Services flush; callers commit."""

from __future__ import annotations

from blinker import signal
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from storefront.accounts.logins import end_all_logins
from storefront.accounts.models import Role, User
from storefront.accounts.passwords import (
    check_password_strength,
    check_unknown_password,
    hash_password,
    needs_rehash,
)
from storefront.audit import services as audit
from storefront.db import utcnow
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.mail import queue_mail
from storefront.urls import public_url

# Sent with the user once their address is confirmed (orders joins their guest orders).
email_confirmed = signal("storefront.email-confirmed")
RESET_SALT = "password-reset"
CONFIRM_SALT = "email-confirm"


class AccountError(DomainError):
    """An account action that cannot be done; ``field`` names the form field to blame."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidToken(AccountError):
    """A reset or confirmation link that is wrong, used or expired."""


class LastAdminError(AccountError):
    """The change would leave the shop without an admin."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register_user(name: str, email: str, password: str, role: Role = Role.CUSTOMER) -> User:
    """Create an account and queue the address-confirmation e-mail."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise AccountError(
            "An account already uses this e-mail address. Log in, or reset your password "
            "if you have forgotten it.",
            field="email",
        )
    problem = check_password_strength(password, email=email, name=name)
    if problem:
        raise AccountError(problem, field="password")
    user = User(name=name.strip(), email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    send_confirmation(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same cost whether or not it exists)."""
    user = find_user_by_email(email)
    if user is None:
        check_unknown_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        # The same password under the configured cost; the session token stays (this is
        # not a password change, other sessions go on).
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise AccountError("Your current password is not correct.", field="current_password")
    _set_new_password(user, new)


def _set_new_password(user: User, password: str) -> None:
    problem = check_password_strength(password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem, field="password")
    user.set_password(password)
    end_all_logins(user)
    db.session.flush()


def update_profile(user: User, name: str) -> None:
    user.name = name.strip()
    db.session.flush()


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _load_token(token: str, salt: str, max_age: int) -> dict:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidToken("This link has expired. Please ask for a new one.") from error
    except BadSignature as error:
        raise InvalidToken("This link is not valid. Please ask for a new one.") from error
    if not isinstance(data, dict):
        raise InvalidToken("This link is not valid. Please ask for a new one.")
    return data


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    token = _serializer(RESET_SALT).dumps({"uid": user.id, "st": user.session_token})
    queue_mail(
        user.email,
        "Reset your password",
        "password_reset",
        user=user,
        url=public_url("accounts.reset_password", token=token),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


def user_for_reset_token(token: str) -> User:
    """The user a reset link belongs to; a link stops working once the password changes."""
    data = _load_token(token, RESET_SALT, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, data.get("uid")) if isinstance(data.get("uid"), int) else None
    if user is None or not user.is_active or data.get("st") != user.session_token:
        raise InvalidToken("This link has already been used or is no longer valid.")
    return user


def reset_password(token: str, password: str) -> User:
    user = user_for_reset_token(token)
    _set_new_password(user, password)
    return user


def send_confirmation(user: User) -> None:
    token = _serializer(CONFIRM_SALT).dumps({"uid": user.id, "email": user.email})
    queue_mail(
        user.email,
        "Please confirm your e-mail address",
        "confirm_email",
        user=user,
        url=public_url("accounts.confirm_email", token=token),
    )


def confirm_email(token: str) -> User:
    data = _load_token(token, CONFIRM_SALT, current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    user = db.session.get(User, data.get("uid")) if isinstance(data.get("uid"), int) else None
    if user is None or data.get("email") != user.email:
        raise InvalidToken("This link is not valid. Please ask for a new one.")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.flush()
        email_confirmed.send(user)
    return user


def lock_admins() -> list[int]:
    """The ids of the active admins, their rows locked until the transaction ends.

    Taking away an admin's role locks them all first (in id order, so two callers never
    deadlock): of two admins demoting each other at the same moment, the second waits for
    the first to commit and then counts one admin, not two. SQLite, which has no row
    locks, lets one writer in at a time.
    """
    return list(db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))
        .order_by(User.id).with_for_update()))


def set_role(user: User, role: Role, actor: User | None = None) -> None:
    """Change a user's role; the last active admin keeps theirs."""
    if role != Role.ADMIN:
        admins = lock_admins()
        if user.id in admins and len(admins) <= 1:
            raise LastAdminError("This is the only admin; make someone else an admin first.")
    if user.role == role:
        return
    before = audit.snapshot(user, ["role"])
    user.role = role
    db.session.flush()
    audit.record(actor, "user.role_changed", user, f"{user.email} is now {role.label.lower()}",
                 before=before, after=audit.snapshot(user, ["role"]))


def create_or_promote_admin(email: str, password: str, name: str = "Administrator") -> User:
    """Make EMAIL an admin with this password, creating the account if needed."""
    user = find_user_by_email(email)
    if user is None:
        return register_user(name, email, password, role=Role.ADMIN)
    _set_new_password(user, password)
    user.role = Role.ADMIN
    user.active = True
    db.session.flush()
    return user
