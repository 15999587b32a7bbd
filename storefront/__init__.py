"""Storefront: a dermatologist's skincare shop with editorial Q&A content."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from storefront import caching
from storefront.catalog.page_tags import track_catalog
from storefront.config import load_config
from storefront.content.page_tags import next_publication, track_content
from storefront.db import render_migration_type
from storefront.extensions import csrf, db, limiter, login_manager, migrate
from storefront.orders.services import next_hold_expiry
from storefront.origin import register_origin_check

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error pages, commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(load_config(app.instance_path, overrides=config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _register_request_handling(app)
    _register_extensions(app)
    _register_page_cache(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_templating(app)
    _register_commands(app)
    _register_middleware(app)
    return app


def _register_middleware(app: Flask) -> None:
    """What runs around Flask, innermost first: the response headers, ProxyFix (so they
    see the real scheme/host), then the request-time metrics."""
    from storefront.headers import register_response_headers
    from storefront.metrics import install_middleware

    register_response_headers(app)
    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented middleware
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    install_middleware(app)  # outermost: its time includes every layer


def _register_request_handling(app: Flask) -> None:
    from storefront import metrics
    from storefront.observability import configure_logging
    from storefront.security import register_input_guards

    configure_logging(app)
    metrics.init_app(app)
    register_input_guards(app)
    register_origin_check(app)  # before the rate limits and CSRF tokens are looked at


def _register_extensions(app: Flask) -> None:
    from storefront import models  # noqa: F401  (every model, for Alembic and create_all)
    from storefront.mail import deliver_committed

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_type,
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    # App-wide limits are checked before CSRF; a view's own limit (log-in, reset, ...) counts
    # only requests that passed the CSRF check, since it runs with the view.
    limiter.init_app(app)
    limiter.request_filter(caching.is_cached_page)  # no limits to look up for those pages
    csrf.init_app(app)
    # Registered after Flask-SQLAlchemy's own teardown, so it runs before the session closes.
    app.teardown_request(deliver_committed)
    app.teardown_appcontext(deliver_committed)


def _register_page_cache(app: Flask) -> None:
    """The page cache (storefront/caching.py): which rows make pages, and the moments when
    time alone changes them."""
    track_catalog()
    track_content()
    cache = caching.init_app(app)
    if cache is not None:
        cache.add_scheduled_change(next_publication)
        # Pages showing stock are made again once a hold runs out (and give it back).
        cache.add_scheduled_change(next_hold_expiry)


# One line per feature; each module exposes ``bp``.
BLUEPRINT_MODULES = [
    "storefront.main.views",
    "storefront.ops.views",
    "storefront.accounts.views",
    "storefront.accounts.address_views",
    "storefront.admin.views",
    "storefront.catalog.views",
    "storefront.content.views",
    "storefront.search.views",
    "storefront.payments.webhooks",  # also registers the Stripe provider
    "storefront.payments.stripe_views",
    "storefront.cart.views",  # also installs the header's cart count
    "storefront.checkout.views",
    "storefront.orders.views",
    "storefront.reviews.views",
    "storefront.routines.views",
    "storefront.alerts.views",
    "storefront.payments.demo",  # also registers the demo payment provider
]


def _register_blueprints(app: Flask) -> None:
    for module_name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(module_name).bp)


def _register_errors(app: Flask) -> None:
    from storefront.errors import register_error_handlers

    register_error_handlers(app)


def _register_templating(app: Flask) -> None:
    from storefront.templating import register_template_helpers

    register_template_helpers(app)


def _register_commands(app: Flask) -> None:
    from storefront.cli import register_commands

    register_commands(app)
