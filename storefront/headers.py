"""Headers on every response: security (CSP without inline script, no framing, HSTS in
production) and the request id, added by a small WSGI middleware as the response starts.

Doing this below Flask rather than in an ``after_request`` hook keeps it off werkzeug's
``Headers`` object (whose ``setdefault`` raises and catches an exception per missing
header); it cost a fifth of what a cached page costs to serve. A header a view set itself
is left as it is.
"""

from __future__ import annotations

import re
import secrets
from functools import lru_cache

from flask import Flask

from storefront.media import public_origin

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_ENVIRON = "storefront.request_id"
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


@lru_cache(maxsize=16)
def content_security_policy(extra_form_actions: tuple[str, ...],
                            image_origins: tuple[str, ...] = ()) -> str:
    """The policy text; built once per set of payment and picture origins, not on every
    response."""
    form_action = " ".join(["'self'", *extra_form_actions])
    img_src = " ".join(["'self'", "data:", *image_origins])
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {img_src}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        f"form-action {form_action}",
        "frame-ancestors 'none'",
    ])


@lru_cache(maxsize=16)
def security_headers(extra_form_actions: tuple[str, ...],
                     image_origins: tuple[str, ...] = ()) -> tuple[tuple[str, str, str], ...]:
    """(name, lower-case name, value) of each header every response carries."""
    headers = [
        ("Content-Security-Policy", content_security_policy(extra_form_actions, image_origins)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    return tuple((name, name.lower(), value) for name, value in headers)


def _form_action_origins(config) -> tuple[str, ...]:
    """Where our forms may lead after a redirect: the payment provider's hosted page."""
    origins = list(config.get("CSP_FORM_ACTION_EXTRA", []))
    if config.get("STRIPE_SECRET_KEY"):
        origins.append(config.get("STRIPE_CHECKOUT_ORIGIN", "https://checkout.stripe.com"))
    return tuple(origins)


def request_id_of(environ) -> str:
    """The load balancer's request id when it is a sane one, else a new one."""
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    return incoming if _VALID_ID.fullmatch(incoming) else secrets.token_hex(8)


class ResponseHeaders:
    """WSGI middleware around the Flask app: gives each request its id (in the environ, for
    the logs) and adds the security headers and ``X-Request-ID`` to each response."""

    def __init__(self, app: Flask, wsgi_app):
        self.config = app.config
        self.wsgi_app = wsgi_app
        # Pictures in an object store or behind a CDN are linked from its origin.
        origin = public_origin(app.config)
        self.image_origins = (origin,) if origin else ()

    def _extra_headers(self, environ, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        config = self.config
        present = {name.lower() for name, _ in headers}
        extra = [(name, value) for name, lower, value
                 in security_headers(_form_action_origins(config), self.image_origins)
                 if lower not in present]
        if (config.get("APP_ENV") == "production"
                and (environ.get("wsgi.url_scheme") == "https" or config.get("HSTS_ALWAYS"))
                and "strict-transport-security" not in present):
            extra.append(HSTS)
        if "x-request-id" not in present:
            extra.append((REQUEST_ID_HEADER, environ[REQUEST_ID_ENVIRON]))
        return extra

    def __call__(self, environ, start_response):
        environ[REQUEST_ID_ENVIRON] = request_id_of(environ)

        def start(status, headers, exc_info=None):
            return start_response(status, headers + self._extra_headers(environ, headers),
                                  exc_info)

        return self.wsgi_app(environ, start)


def register_response_headers(app: Flask) -> None:
    """Install the middleware (before ProxyFix wraps the app, so it sees the real scheme)."""
    app.wsgi_app = ResponseHeaders(app, app.wsgi_app)  # type: ignore[method-assign]  # Flask's documented way to add WSGI middleware
