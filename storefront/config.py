"""Settings read from the environment, with safe defaults for a fresh checkout."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

TRUE_WORDS = {"1", "true", "yes", "on"}
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The settings are not safe or not complete enough to start."""


def _bool(value: str | None, default: bool = False) -> bool:
    return default if value is None else value.strip().lower() in TRUE_WORDS


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at the psycopg 3 driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(instance_path: str) -> str:
    """A random key kept in instance/ so sessions survive restarts in development."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _mail_settings(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Halden Skin <shop@localhost>"),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "10")),
    }


def _stripe_settings(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_PUBLISHABLE_KEY": env.get("STRIPE_PUBLISHABLE_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE") or None,
        "STRIPE_TIMEOUT": float(env.get("STRIPE_TIMEOUT", "10")),
    }


def _scale_out_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """More than one process or host: background jobs (RQ on ``REDIS_URL``, inline without
    it), where uploads live, and rate limits that survive a Redis outage."""
    return {
        "JOBS_QUEUE": env.get("JOBS_QUEUE", "storefront"),
        "JOB_TIMEOUT": int(env.get("JOB_TIMEOUT", "600")),
        # Seconds to wait before each retry of a failed job; one retry per number.
        "JOB_RETRY_INTERVALS": env.get("JOB_RETRY_INTERVALS", "10,60,300"),
        "RESERVATION_RELEASE_SECONDS": int(env.get("RESERVATION_RELEASE_SECONDS", "60")),
        "OUTBOX_RETRY_SECONDS": int(env.get("OUTBOX_RETRY_SECONDS", "300")),
        "CART_PRUNE_SECONDS": int(env.get("CART_PRUNE_SECONDS", "3600")),
        "QUESTION_SWEEP_SECONDS": int(env.get("QUESTION_SWEEP_SECONDS", "300")),
        "GUEST_CART_DAYS": int(env.get("GUEST_CART_DAYS", "30")),
        "OUTBOX_MAX_ATTEMPTS": int(env.get("OUTBOX_MAX_ATTEMPTS", "10")),
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", ""),
        # Redis down: count in each process rather than answer every log-in with a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "MEDIA_ROOT": env.get("MEDIA_ROOT") or None,
        "MEDIA_STORAGE": env.get("MEDIA_STORAGE", "local"),
        # The page cache (storefront/caching.py): pages in Redis when there is one, unless
        # PAGE_CACHE_STORE=local keeps them in each worker (the generation stays shared).
        "PAGE_CACHE_ENABLED": _bool(env.get("PAGE_CACHE_ENABLED"), default=True),
        "PAGE_CACHE_REDIS_URL": env.get("PAGE_CACHE_REDIS_URL") or None,
        "PAGE_CACHE_STORE": env.get("PAGE_CACHE_STORE") or None,
        "PAGE_CACHE_TIMEOUT": int(env.get("PAGE_CACHE_TIMEOUT", "600")),
        "PAGE_CACHE_THRESHOLD": int(env.get("PAGE_CACHE_THRESHOLD", "1000")),
        # Search (storefront/search): searches are counted in each worker's memory and
        # written at most this often, by a page being rendered (0: by every render).
        "SEARCH_LOG_FLUSH_SECONDS": int(env.get("SEARCH_LOG_FLUSH_SECONDS", "60")),
        "SEARCH_LOG_DAYS": int(env.get("SEARCH_LOG_DAYS", "400")),
        # The periodic job that rebuilds the vocabulary and forgets old counts (0: off).
        "SEARCH_UPKEEP_SECONDS": int(env.get("SEARCH_UPKEEP_SECONDS", "3600")),
        "SUGGEST_RATE_LIMIT": env.get("SUGGEST_RATE_LIMIT", "120 per minute"),
    }


def _base_settings(env: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    app_env = env.get("APP_ENV", "development")
    production = app_env == "production"
    default_db = "sqlite:///" + str(Path(instance_path) / "storefront.db")
    redis_url = env.get("REDIS_URL") or None
    return {
        "APP_ENV": app_env,
        "DEBUG": _bool(env.get("FLASK_DEBUG")),
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "SHOP_NAME": env.get("SHOP_NAME", "Halden Skin"),
        "SHOP_CURRENCY": env.get("SHOP_CURRENCY", "EUR"),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(env.get("DATABASE_URL", default_db)),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "RESET_RATE_LIMIT": env.get("RESET_RATE_LIMIT", "5 per 15 minutes"),
        "REGISTER_RATE_LIMIT": env.get("REGISTER_RATE_LIMIT", "10 per hour"),
        "ASK_RATE_LIMIT": env.get("ASK_RATE_LIMIT", "5 per hour"),
        # Refused discount codes (guessing codes), and presses of "Pay" (each holds stock).
        "DISCOUNT_RATE_LIMIT": env.get("DISCOUNT_RATE_LIMIT", "10 per 15 minutes"),
        "CHECKOUT_RATE_LIMIT": env.get("CHECKOUT_RATE_LIMIT", "10 per 10 minutes"),
        "PASSWORD_RESET_MAX_AGE": int(env.get("PASSWORD_RESET_MAX_AGE", "3600")),
        "EMAIL_CONFIRM_MAX_AGE": int(env.get("EMAIL_CONFIRM_MAX_AGE", str(3 * 24 * 3600))),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(10 * 1024 * 1024))),
        # The most pixels an uploaded picture may declare (checked before it is decoded).
        "MAX_IMAGE_PIXELS": int(env.get("MAX_IMAGE_PIXELS", "40000000")),
        "TAX_RATE": Decimal(env.get("TAX_RATE", "0.20")),
        "PRICES_INCLUDE_TAX": _bool(env.get("PRICES_INCLUDE_TAX"), default=True),
        "SHIPPING_STANDARD": Decimal(env.get("SHIPPING_STANDARD", "4.90")),
        "SHIPPING_EXPRESS": Decimal(env.get("SHIPPING_EXPRESS", "9.90")),
        "FREE_SHIPPING_THRESHOLD": Decimal(env.get("FREE_SHIPPING_THRESHOLD", "50.00")),
        "RESERVATION_MINUTES": int(env.get("RESERVATION_MINUTES", "15")),
        "RESERVATION_SWEEP_LIMIT": int(env.get("RESERVATION_SWEEP_LIMIT", "20")),
        "GUEST_ORDER_LINK_MAX_AGE": int(env.get("GUEST_ORDER_LINK_MAX_AGE", str(30 * 24 * 3600))),
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": 30 * 24 * 3600,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "LOG_FORMAT": env.get("LOG_FORMAT", "json" if production else "text"),
    }


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to run a production app that is not safe, naming every reason."""
    problems = []
    secret = config.get("SECRET_KEY") or ""
    if len(secret) < MIN_SECRET_LENGTH:
        problems.append(
            f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_LENGTH} "
            "characters (for example: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    if config.get("DEBUG"):
        problems.append("debug mode must be off (unset FLASK_DEBUG)")
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems) + ".")


def load_config(
    instance_path: str,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the settings from the environment, then apply explicit overrides."""
    env = dict(os.environ if environ is None else environ)
    if overrides and "APP_ENV" in overrides:
        env["APP_ENV"] = overrides["APP_ENV"]
    config = _base_settings(env, instance_path)
    config.update(_mail_settings(env))
    config.update(_stripe_settings(env))
    config.update(_scale_out_settings(env))
    config.update(overrides or {})
    if config["APP_ENV"] == "production":
        check_production(config)
    elif not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret(instance_path)
    return config
