"""Each log-in is a row of its own, so logging out on one device ends that log-in there.

Flask-Login keeps ``User.get_id()`` in the session cookie and, with "keep me logged in",
in the remember-me cookie too. That id is ``<user id>:<session token>:<log-in token>``: a
request is logged in only while the user is active, the session token is the user's
current one (it changes with the password) and a ``UserLogin`` row holds the digest of
the log-in token and has not expired. Logging out deletes that row, which revokes both
cookies of that log-in wherever copies of them are, and leaves the user's other devices
logged in. A log-in lasts at most as long as the longer of the two cookies may
(``REMEMBER_COOKIE_DURATION``, ``PERMANENT_SESSION_LIFETIME``); expired rows are
deleted whenever someone logs in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from storefront.accounts.models import User, UserLogin
from storefront.db import utcnow
from storefront.extensions import db

TOKEN_BYTES = 24
MAX_USER_ID = 2**31 - 1  # the id column's range: a larger number is nobody


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime() -> timedelta:
    """How long a log-in may last: as long as the longer-lived of its two cookies."""
    remember = current_app.config.get("REMEMBER_COOKIE_DURATION", timedelta(days=365))
    if not isinstance(remember, timedelta):
        remember = timedelta(seconds=int(remember))
    return max(remember, current_app.permanent_session_lifetime)


def start_login(user: User) -> None:
    """Record a new log-in for ``user``, whose ``get_id()`` then names it; flushes.

    Commit, then hand the user to ``flask_login.login_user``.
    """
    now = utcnow()
    db.session.execute(delete(UserLogin).where(UserLogin.expires_at <= now))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(UserLogin(user_id=user.id, token_digest=_digest(token),
                             expires_at=now + lifetime()))
    db.session.flush()
    user.login_token = token


def end_login(user: User) -> None:
    """End the log-in ``user`` was loaded for (logging out): its cookies stop working."""
    if user.login_token:
        db.session.execute(delete(UserLogin).where(
            UserLogin.user_id == user.id, UserLogin.token_digest == _digest(user.login_token)))
    user.login_token = None


def end_all_logins(user: User) -> None:
    """End every log-in of ``user``, on every device (the password changed)."""
    db.session.execute(delete(UserLogin).where(UserLogin.user_id == user.id))
    user.login_token = None


def user_for_login(login_id: str) -> User | None:
    """The user a log-in id from a cookie belongs to, if that log-in is still on."""
    parts = login_id.split(":")
    if len(parts) != 3:
        return None
    raw_id, session_token, token = parts
    if not (raw_id.isdigit() and int(raw_id) <= MAX_USER_ID and session_token and token):
        return None
    user = db.session.scalar(
        select(User)
        .join(UserLogin, UserLogin.user_id == User.id)
        .where(User.id == int(raw_id), User.session_token == session_token,
               User.active.is_(True), UserLogin.token_digest == _digest(token),
               UserLogin.expires_at > utcnow()))
    if user is not None:
        user.login_token = token
    return user
