"""CSRF tokens exactly as Flask-WTF makes them, with the signer built once per key.

Flask-WTF's ``generate_csrf`` builds a new ``URLSafeTimedSerializer`` on every call; for a
cached page served to a new visitor that was half of what the token cost. This makes the
same token (a random secret kept in the session, signed with Flask-WTF's salt) that
Flask-WTF's ``CSRFProtect`` and ``validate_csrf`` check, and shares its per-request copy in
``g``, so forms built by Flask-WTF on the same page carry the same token.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from flask import current_app, g, session
from itsdangerous import URLSafeTimedSerializer

SALT = "wtf-csrf-token"  # Flask-WTF's


@lru_cache(maxsize=8)
def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def csrf_secret_key(app) -> str | bytes:
    return app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key


def token_for(secret_key: str | bytes, secret: str) -> str:
    """The signed token for a visitor whose session holds ``secret``."""
    return _serializer(secret_key).dumps(secret)


def new_secret() -> str:
    return secrets.token_hex(20)


def generate_csrf() -> str:
    """This visitor's signed token (their secret is made and kept in the session if new)."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    if token is None:
        if not isinstance(session.get(field), str):
            session[field] = new_secret()
        token = token_for(csrf_secret_key(current_app), session[field])
        setattr(g, field, token)
    return token
