"""Security headers on every response: CSP without inline script, no framing, HSTS in production."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, current_app, request


@lru_cache(maxsize=16)
def content_security_policy(extra_form_actions: tuple[str, ...]) -> str:
    """The policy text; built once per set of payment origins, not on every response."""
    form_action = " ".join(["'self'", *extra_form_actions])
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        f"form-action {form_action}",
        "frame-ancestors 'none'",
    ])


def _form_action_origins(config) -> list[str]:
    """Where our forms may lead after a redirect: the payment provider's hosted page."""
    origins = list(config.get("CSP_FORM_ACTION_EXTRA", []))
    if config.get("STRIPE_SECRET_KEY"):
        origins.append(config.get("STRIPE_CHECKOUT_ORIGIN", "https://checkout.stripe.com"))
    return origins


def _set_security_headers(response):
    config = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy",
                       content_security_policy(tuple(_form_action_origins(config))))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if config.get("APP_ENV") == "production" and (request.is_secure or config.get("HSTS_ALWAYS")):
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(_set_security_headers)
