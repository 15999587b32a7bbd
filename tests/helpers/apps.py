"""Apps for tests: the backends, a test app's settings, its schema, throwaway PostgreSQL
databases and free ports (the fixtures in tests/conftest.py build on these)."""

from __future__ import annotations

import os
import socket
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from storefront import create_app
from storefront.config import normalise_database_url
from storefront.demo.shipping import seed_shipping
from storefront.extensions import db as _db

BACKENDS = ["sqlite", "postgresql"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_admin_engine():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres)")
    url = make_url(normalise_database_url(url))
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        pytest.skip(f"PostgreSQL at {url.host}:{url.port} is not reachable: {error.orig}")
    return engine, url


def create_postgres_database(prefix: str = "sf_test") -> tuple[str, callable]:
    """A new empty PostgreSQL database and a function that drops it."""
    engine, url = postgres_admin_engine()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


TEST_PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


def make_test_app(database_url: str, tmp_path, **overrides):
    settings = {
        "APP_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": None,
        "SERVER_NAME": "shop.test",
        "SHOP_URL": "http://shop.test",
        "RATELIMIT_STORAGE_URI": "memory://",
        "REDIS_URL": None,  # jobs run inline; tests that want Redis say so
        # The EU shop (EUR, VAT included): most tests were written for it. The US shop
        # (the demo's default) is tested through the ``us_shop`` fixture.
        "SHOP_PRESET": "eu",
        # scrypt at 1/32 of the shop's cost: 5 ms a log-in instead of 200 on this machine
        # (tests log in a few thousand times). tests/accounts checks the shop's own default.
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
    }
    settings.update(overrides)
    app = create_app(settings)
    app.instance_path = str(tmp_path)
    return app


def build_schema(app) -> None:
    """The tables, and the delivery zones and tax rates of the app's SHOP_PRESET (without
    a zone nothing can be delivered, so nothing can be bought)."""
    with app.app_context():
        _db.create_all()
        seed_shipping(app.config["SHOP_PRESET"])
        _db.session.commit()
