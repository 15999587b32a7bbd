"""Fixtures: one app per database backend, per-test transactions, a real SMTP server.

Every test that uses ``app`` runs twice: on SQLite and on PostgreSQL. The PostgreSQL
run uses a throwaway database created on the server named by ``TEST_DATABASE_URL``
and is skipped, with the reason, when that is unset or unreachable.

Isolation: the schema is created once per backend; each test runs inside a
transaction on one connection that is rolled back afterwards. Requests made through
the test client commit into savepoints of that transaction.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from flask.globals import app_ctx as current_app_context
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from storefront import caching
from storefront.extensions import db as _db
from storefront.extensions import limiter
from tests.factories import use_preset
from tests.helpers.apps import (
    BACKENDS,
    build_schema,
    create_postgres_database,
    free_port,
    make_test_app,
)
from tests.helpers.caching import page_cache
from tests.helpers.stripe_fake import fake

# Fixtures shared by tests of several features live beside their helpers.
pytest_plugins = ["tests.helpers.admin", "tests.helpers.jobs", "tests.helpers.stripe_support"]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "test.db")
        return
    url, drop = create_postgres_database()
    yield url
    drop()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = make_test_app(database_url, tmp_path_factory.mktemp("instance"))
    build_schema(app)
    yield app
    with app.app_context():
        _db.engine.dispose()


def _current_app_context_id() -> int:
    """The per-test session's scope: the app context in use, as Flask-SQLAlchemy's own
    (``app_ctx`` is werkzeug's LocalProxy; ``_get_current_object`` is its documented way to
    the object behind it)."""
    return id(current_app_context._get_current_object())


@pytest.fixture(autouse=True)
def _fresh_limits_and_pages(request):
    """Each test starts with no request counted and no page stored, as its database starts
    with no row of an earlier test: a page an earlier test rendered is never served to it
    (``make test`` runs the modules in parallel, in an order that changes with timing)."""
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        with app.app_context():
            limiter.reset()
        if caching.EXTENSION in app.extensions:
            page_cache(app).bump()


@pytest.fixture
def db(app):
    """The database, with every change of this test rolled back at its end."""
    with app.app_context():
        engine = _db.engine
    connection = engine.connect()
    transaction = connection.begin()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    original = _db.session
    _db.session = scoped_session(factory, scopefunc=_current_app_context_id)
    try:
        yield _db
    finally:
        _db.session = original
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def app_ctx(app, db):
    """Run the test body inside an app context (do not make requests inside it)."""
    with app.app_context():
        yield


class MailCollector(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture(scope="session")
def smtp_server():
    handler = MailCollector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(app, smtp_server, monkeypatch):
    """A real SMTP server the app sends to; returns the list of received messages."""
    smtp_server.handler.messages.clear()
    monkeypatch.setitem(app.config, "MAIL_SERVER", smtp_server.hostname)
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    return smtp_server.handler.messages


@pytest.fixture
def us_shop(app, db, monkeypatch):
    """The demo's own shop for this test: USD, sales tax added by state, delivering to the
    United States and Canada (the EU zones and rates are gone until the test ends)."""
    use_preset(app, monkeypatch, "us")
    return app


@pytest.fixture
def count_queries(app):
    """Count SQL statements: ``with count_queries() as counter: ...; counter.count``."""
    @contextmanager
    def counter():
        with app.app_context():
            engine = _db.engine
        result = type("QueryCount", (), {"count": 0, "statements": []})()

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                result.count += 1
                result.statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield result
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter


@pytest.fixture
def make(app, db):
    """Create a row with a factory and commit it: ``user = make(UserFactory, name=...)``.

    The object comes back detached with its columns loaded, for use between requests.
    """

    def create(factory, **kwargs):
        with app.app_context():
            obj = factory(**kwargs)
            _db.session.commit()
            _db.session.refresh(obj)
            _db.session.expunge(obj)
        return obj

    return create


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path):
    """A brand-new empty database (no schema) on each backend, for migrations and CLI."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "empty.db")
        return
    url, drop = create_postgres_database("sf_empty")
    yield url
    drop()


@pytest.fixture
def fresh_app(empty_database_url, tmp_path):
    """An app on an empty database, for tests that build the schema themselves."""
    app = make_test_app(empty_database_url, tmp_path)
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="session")
def stripe_server():
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_stripe(app, stripe_server, monkeypatch):
    """A local fake Stripe (tests/helpers/stripe_fake.py) the app talks to over HTTP, empty
    per test.

    Its signed events wait in ``fake_stripe.events`` for the test to deliver to the webhook.
    """
    stripe_server.reset()
    stripe_server.webhook_secret = "whsec_test_0123456789abcdef"
    settings = {
        "PAYMENT_PROVIDER": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_fake_0123456789",
        "STRIPE_API_BASE": stripe_server.base_url,
        "STRIPE_WEBHOOK_SECRET": stripe_server.webhook_secret,
        "STRIPE_TIMEOUT": 5.0,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    return stripe_server
