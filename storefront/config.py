"""Settings read from the environment, with safe defaults for a fresh checkout."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from storefront import sqlite
from storefront.money import check_currency

TRUE_WORDS = {"1", "true", "yes", "on"}
MIN_SECRET_LENGTH = 32
# SHOP_PRESET: where the shop sells, and so its defaults (each can still be set on its own).
# ``us``: the Seattle practice, prices in USD without tax, sales tax added by state; ``eu``:
# prices in EUR including the VAT of the country delivered to. ``flask seed-demo`` gives
# each its delivery zones and tax rates; each keeps its own SQLite file by default.
PRESETS: dict[str, dict[str, str]] = {
    "us": {"SHOP_CURRENCY": "USD", "SHOP_LOCALE": "en_US", "PRICES_INCLUDE_TAX": "false",
           "TAX_LABEL": "Sales tax", "DATABASE_FILE": "storefront.db"},
    "eu": {"SHOP_CURRENCY": "EUR", "SHOP_LOCALE": "en_IE", "PRICES_INCLUDE_TAX": "true",
           "TAX_LABEL": "VAT", "DATABASE_FILE": "storefront-eu.db"},
}
DEFAULT_PRESET = "us"


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


def _list(value: str | None) -> list[str] | None:
    """A comma-separated setting as a list; None when it is unset or empty."""
    items = [item.strip() for item in (value or "").split(",") if item.strip()]
    return items or None


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
        "REVIEW_INVITE_SECONDS": int(env.get("REVIEW_INVITE_SECONDS", "3600")),
        # The sweep that e-mails those waiting for a size back in stock (a restock starts
        # it at once too) and forgets requests never confirmed or answered long ago.
        "BACK_IN_STOCK_SECONDS": int(env.get("BACK_IN_STOCK_SECONDS", "300")),
        "GUEST_CART_DAYS": int(env.get("GUEST_CART_DAYS", "30")),
        "OUTBOX_MAX_ATTEMPTS": int(env.get("OUTBOX_MAX_ATTEMPTS", "10")),
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", ""),
        # Redis down or refusing writes: count in each process rather than answer every
        # log-in with a 500; log anything else that goes wrong counting, and let it through.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # A Redis that hangs fails the count in a second instead of holding the request.
        "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 1.0, "socket_connect_timeout": 1.0},
        # The page cache (storefront/caching.py): pages in Redis when there is one, unless
        # PAGE_CACHE_STORE=local keeps them in each worker (the tags' versions stay shared).
        "PAGE_CACHE_ENABLED": _bool(env.get("PAGE_CACHE_ENABLED"), default=True),
        "PAGE_CACHE_REDIS_URL": env.get("PAGE_CACHE_REDIS_URL") or None,
        "PAGE_CACHE_STORE": env.get("PAGE_CACHE_STORE") or None,
        "PAGE_CACHE_TIMEOUT": int(env.get("PAGE_CACHE_TIMEOUT", "600")),
        # How long a shared cache (nginx, prod/nginx-site.conf) may keep an anonymous page.
        "PAGE_CACHE_EDGE_SECONDS": int(env.get("PAGE_CACHE_EDGE_SECONDS", "30")),
        "PAGE_CACHE_THRESHOLD": int(env.get("PAGE_CACHE_THRESHOLD", "1000")),
        # With pages in Redis, each worker keeps copies of those it served lately, up to
        # this many bytes (0: none).
        "PAGE_CACHE_NEAR_BYTES": int(env.get("PAGE_CACHE_NEAR_BYTES", str(64 * 1024 * 1024))),
        # Redis slower than this is taken as down; after a failure the cache rests (pages
        # rendered for each visitor) this long before it asks Redis again.
        "PAGE_CACHE_REDIS_TIMEOUT": float(env.get("PAGE_CACHE_REDIS_TIMEOUT", "0.5")),
        "PAGE_CACHE_RETRY_SECONDS": float(env.get("PAGE_CACHE_RETRY_SECONDS", "5")),
        # Search (storefront/search): searches are counted in each worker's memory and
        # written at most this often, by a page being rendered (0: by every render).
        "SEARCH_LOG_FLUSH_SECONDS": int(env.get("SEARCH_LOG_FLUSH_SECONDS", "60")),
        "SEARCH_LOG_DAYS": int(env.get("SEARCH_LOG_DAYS", "400")),
        # The periodic job that rebuilds the vocabulary and forgets old counts (0: off).
        "SEARCH_UPKEEP_SECONDS": int(env.get("SEARCH_UPKEEP_SECONDS", "3600")),
        "SUGGEST_RATE_LIMIT": env.get("SUGGEST_RATE_LIMIT", "120 per minute"),
    }


def _media_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Where pictures live (storefront/media.py): a folder, or an S3-compatible bucket."""
    return {
        "MEDIA_STORAGE": env.get("MEDIA_STORAGE", "local"),
        "MEDIA_ROOT": env.get("MEDIA_ROOT") or None,
        "MEDIA_PUBLIC_URL": env.get("MEDIA_PUBLIC_URL") or None,
        "MEDIA_S3_BUCKET": env.get("MEDIA_S3_BUCKET") or None,
        "MEDIA_S3_ENDPOINT_URL": env.get("MEDIA_S3_ENDPOINT_URL") or None,
        "MEDIA_S3_REGION": env.get("MEDIA_S3_REGION") or None,
        "MEDIA_S3_ACCESS_KEY_ID": env.get("MEDIA_S3_ACCESS_KEY_ID") or None,
        "MEDIA_S3_SECRET_ACCESS_KEY": env.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
        "MEDIA_S3_PREFIX": env.get("MEDIA_S3_PREFIX") or "",
        "MEDIA_S3_ADDRESSING": env.get("MEDIA_S3_ADDRESSING") or None,
    }


def _metrics_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Prometheus metrics (storefront/metrics.py): never public."""
    return {
        # The bearer token a scraper sends to GET /metrics; without it /metrics is 404.
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        # ``flask worker``: the private address its metrics listener binds (host:port).
        "METRICS_BIND": env.get("METRICS_BIND") or None,
    }


def preset_of(env: Mapping[str, str]) -> str:
    preset = (env.get("SHOP_PRESET") or DEFAULT_PRESET).strip().lower()
    if preset not in PRESETS:
        raise ConfigError(f"SHOP_PRESET must be one of {', '.join(sorted(PRESETS))}, "
                          f"not {preset!r}.")
    return preset


def _shop_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The shop's currency, locale and tax mode: the preset's unless set one by one."""
    preset = preset_of(env)
    defaults = PRESETS[preset]

    def setting(name: str) -> str:
        return env.get(name) or defaults[name]

    return {
        "SHOP_PRESET": preset,
        "SHOP_CURRENCY": setting("SHOP_CURRENCY").strip().upper(),
        # Babel locale for prices and numbers; its territory is the address form's first
        # country (en_US: the United States).
        "SHOP_LOCALE": setting("SHOP_LOCALE").strip(),
        # True: shelf prices include the VAT of the country delivered to ("incl. VAT");
        # False: tax is added at checkout by destination (US sales tax by state).
        "PRICES_INCLUDE_TAX": _bool(env.get("PRICES_INCLUDE_TAX"),
                                    default=_bool(defaults["PRICES_INCLUDE_TAX"])),
        # What tax is called where no rate names it ("VAT", "Sales tax").
        "TAX_LABEL": setting("TAX_LABEL"),
    }


def _base_settings(env: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    app_env = env.get("APP_ENV", "development")
    production = app_env == "production"
    database_file = PRESETS[preset_of(env)]["DATABASE_FILE"]
    default_db = "sqlite:///" + str(Path(instance_path) / database_file)
    redis_url = env.get("REDIS_URL") or None
    # Where the shop is seen from outside: every link in an e-mail or handed to a payment
    # provider starts with it, never with the Host header of a request. Production says it.
    default_url = None if production else f"http://127.0.0.1:{env.get('PORT', '5000')}"
    return {
        "APP_ENV": app_env,
        "DEBUG": _bool(env.get("FLASK_DEBUG")),
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "SHOP_NAME": env.get("SHOP_NAME", "Halden Skin"),
        # The defaults of the admin's shop settings: the contact e-mail (else the address
        # of MAIL_DEFAULT_SENDER) and the postal address, lines separated by ";".
        "SHOP_EMAIL": env.get("SHOP_EMAIL") or None,
        "SHOP_ADDRESS": env.get("SHOP_ADDRESS") or "",
        "SHOP_URL": env.get("SHOP_URL") or default_url,
        # Host names the app answers to (others get 400); unset: any, as a proxy sends it.
        "TRUSTED_HOSTS": _list(env.get("TRUSTED_HOSTS")),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(env.get("DATABASE_URL", default_db)),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # SQLite only: seconds a write waits for another one to finish (storefront/sqlite.py).
        "SQLITE_BUSY_TIMEOUT": float(env.get("SQLITE_BUSY_TIMEOUT", "10")),
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
        "RESERVATION_MINUTES": int(env.get("RESERVATION_MINUTES", "15")),
        "RESERVATION_SWEEP_LIMIT": int(env.get("RESERVATION_SWEEP_LIMIT", "20")),
        "GUEST_ORDER_LINK_MAX_AGE": int(env.get("GUEST_ORDER_LINK_MAX_AGE", str(30 * 24 * 3600))),
        # Buyers are invited to review this many days after their order is sent, through a
        # signed link that works for REVIEW_LINK_MAX_AGE seconds (180 days).
        "REVIEW_INVITE_DAYS": int(env.get("REVIEW_INVITE_DAYS", "14")),
        "REVIEW_LINK_MAX_AGE": int(env.get("REVIEW_LINK_MAX_AGE", str(180 * 24 * 3600))),
        "REVIEW_VOTE_RATE_LIMIT": env.get("REVIEW_VOTE_RATE_LIMIT", "30 per hour"),
        # Requests for a back-in-stock e-mail (each may send a confirmation e-mail).
        "STOCK_ALERT_RATE_LIMIT": env.get("STOCK_ALERT_RATE_LIMIT", "10 per hour"),
        # werkzeug's method for new password hashes: "scrypt" is N=2**15, r=8, p=1. A hash
        # made with other parameters is made again at the user's next log-in.
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD", "scrypt"),
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
    if not config.get("SHOP_URL"):
        problems.append("SHOP_URL must be set to the shop's public address, such as "
                        "https://shop.example.com (links in e-mails are made from it)")
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems) + ".")


def normalise_shop_url(url: str | None) -> str | None:
    """The shop's public address without a trailing slash; ConfigError if it is not one."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"SHOP_URL must be the shop's public address, such as "
                          f"https://shop.example.com, not {url!r}.")
    return parts.geturl().rstrip("/")


def load_config(
    instance_path: str,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the settings from the environment, then apply explicit overrides."""
    env = dict(os.environ if environ is None else environ)
    for name in ("APP_ENV", "SHOP_PRESET"):  # they decide other defaults
        if overrides and name in overrides:
            env[name] = overrides[name]
    config = _base_settings(env, instance_path)
    config.update(_shop_settings(env))
    config.update(_mail_settings(env))
    config.update(_stripe_settings(env))
    config.update(_scale_out_settings(env))
    config.update(_media_settings(env))
    config.update(_metrics_settings(env))
    config.update(overrides or {})
    config["SHOP_URL"] = normalise_shop_url(config.get("SHOP_URL"))
    config["SQLALCHEMY_ENGINE_OPTIONS"] = sqlite.engine_options(config)
    problem = check_currency(config["SHOP_CURRENCY"])
    if problem:
        raise ConfigError(problem + ".")
    if config["APP_ENV"] == "production":
        check_production(config)
    elif not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret(instance_path)
    return config
