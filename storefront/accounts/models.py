"""Customer, editor and admin accounts."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storefront.accounts.passwords import hash_password, password_matches
from storefront.addresses import FIELDS
from storefront.db import TimestampMixin, enum_column, utcnow
from storefront.extensions import Model


class Role(enum.StrEnum):
    CUSTOMER = "customer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def _new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, TimestampMixin, Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.CUSTOMER)
    active: Mapped[bool] = mapped_column(default=True)
    email_confirmed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Changes whenever the password does: it is part of the log-in cookies, so changing
    # the password ends every other session, and it makes a reset link work only once.
    session_token: Mapped[str] = mapped_column(String(32), default=_new_session_token)
    # Not a column: the token of the log-in (a ``UserLogin``) this object was loaded for,
    # set by ``storefront.accounts.logins``; ``get_id`` puts it in both log-in cookies.
    # Its type only for type checkers: SQLAlchemy would take an annotation for a column.
    if TYPE_CHECKING:
        login_token: str | None
    login_token = None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)
        self.session_token = _new_session_token()
        self.updated_at = utcnow()

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}:{self.login_token or ''}"

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.EDITOR, Role.ADMIN)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class UserLogin(Model):
    """One log-in on one device: its cookies are good while this row exists.

    Logging out deletes the row, so a copy of the session or remember-me cookie taken
    before is refused from then on; changing the password deletes all of a user's rows.
    Only a digest of the token is stored.
    """

    __tablename__ = "user_login"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<UserLogin {self.id} of user {self.user_id}>"


class SavedAddress(TimestampMixin, Model):
    """An address in a customer's address book, checked as checkout checks one
    (``storefront.addresses.normalise``) and kept with the same field names."""

    __tablename__ = "saved_address"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    name: Mapped[str] = mapped_column(String(120))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    city_area: Mapped[str] = mapped_column(String(100), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country_area: Mapped[str] = mapped_column(String(100), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    sorting_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(String(40), default="")
    is_default: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<SavedAddress {self.id} of user {self.user_id}>"

    @property
    def address(self) -> dict[str, str]:
        """The address with checkout's field names (``storefront.addresses.FIELDS``)."""
        return {name: getattr(self, name) or "" for name in FIELDS}
