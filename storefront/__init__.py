"""Storefront: a dermatologist's skincare shop with editorial Q&A content.

``create_app`` is the one place that wires the app: every extension, middleware, template
helper, payment provider, cache, signal receiver, SQLAlchemy event listener and blueprint is
registered here or in a ``register_*``/``init_app``/``install*`` function called here by name.
Blueprints only add routes. No module registers anything when it is imported, except the
stock ledger's guard, which belongs to its model (storefront/inventory/models.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_login import user_logged_in
from werkzeug.middleware.proxy_fix import ProxyFix

from storefront import caching, mail, metrics, sqlite
from storefront import models as _models  # noqa: F401  (every model, for Alembic and create_all)
from storefront.accounts import address_views
from storefront.accounts import views as accounts_views
from storefront.accounts.services import email_confirmed
from storefront.admin import views as admin_views
from storefront.alerts import services as alerts
from storefront.alerts import views as alerts_views
from storefront.cart import views as cart_views
from storefront.cart.visitor import merge_at_login
from storefront.catalog import views as catalog_views
from storefront.catalog.page_tags import track_catalog
from storefront.catalog.templating import fill_price_holes
from storefront.checkout import views as checkout_views
from storefront.cli import register_commands
from storefront.config import load_config
from storefront.content import shop as content_shop
from storefront.content import views as content_views
from storefront.content.page_tags import next_publication, track_content
from storefront.db import render_migration_type
from storefront.errors import register_error_handlers
from storefront.extensions import csrf, db, limiter, login_manager, migrate
from storefront.headers import register_response_headers
from storefront.mail import deliver_committed
from storefront.main import views as main_views
from storefront.observability import configure_logging
from storefront.ops import views as ops_views
from storefront.orders import views as orders_views
from storefront.orders.services import attach_guest_orders, next_hold_expiry
from storefront.origin import register_origin_check
from storefront.payments import demo as demo_payments
from storefront.payments import stripe_views, webhooks
from storefront.payments.providers import register_payment_providers
from storefront.reviews import views as reviews_views
from storefront.routines import views as routines_views
from storefront.search import counting as search_counting
from storefront.search import schema as search_schema
from storefront.search import views as search_views
from storefront.search import vocabulary as search_vocabulary
from storefront.security import register_input_guards
from storefront.sessions import register_sessions
from storefront.settings import services as shop_settings
from storefront.templating import register_template_helpers

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
    # Order matters where a comment says so: Flask runs before_request hooks in the order
    # they are registered and teardown functions in the reverse order.
    install_database_listeners()  # before db.init_app makes the engines
    _register_request_handling(app)
    _register_extensions(app)
    _register_page_cache(app)
    _register_features(app)
    _register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    _register_middleware(app)
    return app


def install_database_listeners() -> None:
    """Every SQLAlchemy event listener (on all sessions, engines and the metadata), by module.

    They are process-wide, not per app: each ``install_listeners`` registers its own once,
    however many apps a process builds (the tests build many). Besides ``create_app``, code
    that writes to a database without an app calls this (bench/seed.py). Listeners of one
    event run in the order registered; none relies on another's, and this is the order
    they had when importing a module registered them.
    """
    sqlite.install_listeners()  # every SQLite connection: WAL, foreign keys, BEGIN IMMEDIATE
    metrics.install_listeners()  # counts made on commit
    caching.install_listeners()  # the page tags a transaction touched, bumped at its end
    shop_settings.install_listeners()  # the shop's particulars read again after a change
    mail.install_listeners()  # queued e-mails ready to send once committed
    alerts.install_listeners()  # restocked sizes ready for back-in-stock e-mails
    search_vocabulary.install_listeners()  # a saved page's new words, for spelling
    search_schema.install_listeners()  # db.create_all()/drop_all() and the search tables


def _register_middleware(app: Flask) -> None:
    """What runs around Flask, innermost first: the response headers, ProxyFix (so they
    see the real scheme/host), then the request-time metrics."""
    register_response_headers(app)
    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented middleware
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    metrics.install_middleware(app)  # outermost: its time includes every layer


def _register_request_handling(app: Flask) -> None:
    configure_logging(app)
    metrics.init_app(app)
    register_input_guards(app)
    register_sessions(app)
    register_origin_check(app)  # before CSRF tokens and the views' rate limits are looked at


def _register_extensions(app: Flask) -> None:
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
    # A view's own limit (log-in, reset, ...) counts only requests that passed the origin
    # and CSRF checks, since it runs with the view; no other request pays for limits.
    limiter.init_app(app)
    csrf.init_app(app)
    # Registered after Flask-SQLAlchemy's own teardown, so it runs before the session closes.
    app.teardown_request(deliver_committed)
    app.teardown_appcontext(deliver_committed)


def _register_page_cache(app: Flask) -> None:
    """The page cache (storefront/caching.py): which rows make pages, and the moments when
    time alone changes them."""
    track_catalog()
    track_content()
    fill_price_holes()
    cache = caching.init_app(app)
    if cache is not None:
        cache.add_scheduled_change(next_publication)
        # Pages showing stock are made again once a hold runs out (and give it back).
        cache.add_scheduled_change(next_hold_expiry)


def _register_features(app: Flask) -> None:
    """What features do for each other, and the app-wide state a feature keeps."""
    register_payment_providers()
    # The shop's particulars are kept with which of its pages (content's) are written.
    shop_settings.install(app, content_shop.WRITTEN_PAGES)
    search_counting.install(app)  # the search page counts every search, cached or not
    # Back-in-stock e-mails start after each commit. Registered after the outbox's own
    # teardown (_register_extensions), so it runs first: the e-mails this job queues are
    # sent by the outbox's teardown right after.
    alerts.install(app)
    # A guest's cart joins the account's at log-in (the log-in view has committed).
    user_logged_in.connect(merge_at_login, app)
    # A confirmed e-mail address brings the guest orders placed with it (the view commits).
    email_confirmed.connect(attach_guest_orders)


# Each module exposes ``bp``. No two of their rules share a URL and method, and werkzeug
# tries rules by how specific they are, not in this order; nothing else depends on it
# (the page cache, template helpers and signals are registered above, not by blueprints).
BLUEPRINT_MODULES = [
    main_views,
    ops_views,
    accounts_views,
    address_views,
    admin_views,
    catalog_views,
    content_views,
    search_views,
    webhooks,
    stripe_views,
    cart_views,
    checkout_views,
    orders_views,
    reviews_views,
    routines_views,
    alerts_views,
    demo_payments,
]


def _register_blueprints(app: Flask) -> None:
    for module in BLUEPRINT_MODULES:
        app.register_blueprint(module.bp)
