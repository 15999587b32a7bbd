"""Flask's signed-cookie sessions, with the signing serializer made once.

Flask's ``SecureCookieSessionInterface`` builds a new ``URLSafeTimedSerializer`` for every
request, before it even looks for a cookie (and building one serialises an empty dict to
check its kind): a tenth of what a page served from the cache costs. The serializer holds
nothing of a request, so one per set of keys serves them all. Everything else (the cookie,
its signature, its settings) is Flask's own.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

MAX_KEY_SETS = 16  # apps with other keys (tests make many): the oldest are forgotten


class ShopSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer for ``app``'s secret key (and fallbacks), made once."""
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            if len(self._serializers) >= MAX_KEY_SETS:
                self._serializers.clear()
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]


def register_sessions(app: Flask) -> None:
    app.session_interface = ShopSessionInterface()
