"""Broken on purpose: the mail server down, the database connections killed, a worker killed
in the middle of placing an order, the payment service back after an outage.

Stripe down, slow past the client timeout or answering 500 at checkout is in
tests/test_stripe_checkout.py (clear message, cart kept, stock released); here the
shopper tries again once it is back.
"""

from __future__ import annotations

import os
import select as select_module
import signal
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from storefront.cart import services as cart_services
from storefront.cart.models import Cart
from storefront.catalog.models import Variant
from storefront.discounts.models import DiscountCode
from storefront.extensions import db as _db
from storefront.inventory.models import StockMovement
from storefront.mail.models import OutboxMessage
from storefront.orders.models import Order, OrderStatus
from tests.conftest import build_schema, create_postgres_database, free_port, make_test_app
from tests.factories import (
    DiscountCodeFactory,
    ProductFactory,
    VariantFactory,
    add_to_cart,
    fill_checkout,
    pay_with_demo,
    press_pay,
)
from tests.stripe_support import stock
from tests.test_stripe_checkout import checkout, cream  # noqa: F401  (cream: a fixture)

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")


# -- The mail server ---------------------------------------------------------------------------

def test_smtp_down_the_order_is_placed_and_its_mail_waits_until_smtp_is_back(
        app, client, make, mailbox, monkeypatch):
    working_port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    variant = make(VariantFactory, product=make(ProductFactory, name="Barrier Cream",
                                                variant=False))
    add_to_cart(client, variant.id)
    fill_checkout(client, email="maya@example.com")
    paid = pay_with_demo(client)

    assert paid.status_code == 302
    confirmation = client.get(paid.headers["Location"])
    assert confirmation.status_code == 200
    assert "Thank you for your order" in confirmation.get_data(as_text=True)
    with app.app_context():
        order = _db.session.scalar(select(Order).order_by(Order.id.desc()))
        assert order.status == OrderStatus.PAID
        [waiting] = _db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient == "maya@example.com")).all()
        assert waiting.sent_at is None and waiting.last_error
        assert order.number in waiting.subject
    assert mailbox == []

    monkeypatch.setitem(app.config, "MAIL_PORT", working_port)
    result = app.test_cli_runner().invoke(args=["send-outbox"])
    assert result.exit_code == 0, result.output
    assert [message["Subject"] for message in mailbox] == [waiting.subject]
    with app.app_context():
        assert _db.session.get(OutboxMessage, waiting.id).sent_at is not None


# -- The payment service comes back --------------------------------------------------------------

def test_after_a_stripe_outage_the_same_cart_goes_on_to_pay(app, client, fake_stripe,
                                                              cream):  # noqa: F811
    fake_stripe.trouble = ("status", 500)
    failed = checkout(client, cream)
    assert failed.status_code == 503
    assert "The payment service is unavailable" in failed.get_data(as_text=True)
    assert stock(app, cream) == (10, 0)

    fake_stripe.trouble = None

    again = press_pay(client)
    assert again.status_code == 303
    assert again.headers["Location"].startswith(f"{fake_stripe.base_url}/_config/checkout/")
    assert stock(app, cream) == (10, 2)  # held once, for the attempt that reached Stripe
    with app.app_context():
        statuses = _db.session.scalars(select(Order.status).order_by(Order.id)).all()
    assert statuses[-2:] == [OrderStatus.CANCELLED, OrderStatus.PENDING_PAYMENT]


# -- The database -------------------------------------------------------------------------------

@pytest.fixture
def committed_app(database_url, tmp_path):
    """An app on its own throwaway PostgreSQL database, where requests really commit."""
    if database_url.startswith("sqlite"):
        pytest.skip("killing server connections and processes mid-transaction is a "
                    "PostgreSQL matter; SQLite has no server")
    url, drop = create_postgres_database("sf_faults")
    app = make_test_app(url, tmp_path)
    build_schema(app)
    yield app, url
    with app.app_context():
        _db.engine.dispose()
    drop()


def _terminate_connections(url: str) -> int:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            return len(connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).all())
    finally:
        engine.dispose()


def _select_one(app) -> None:
    with app.app_context(), _db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def test_connections_killed_between_requests_are_replaced(committed_app, tmp_path):
    app, url = committed_app
    with app.app_context():
        variant = VariantFactory(product=ProductFactory(name="Barrier Cream", variant=False))
        _db.session.commit()
        variant_id = variant.id
    client = app.test_client()
    assert add_to_cart(client, variant_id).status_code == 302
    assert client.get("/readyz").status_code == 200

    # Proof that the kill bites: without the pre-ping, a pooled connection is found dead.
    bare = make_test_app(url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False})
    _select_one(bare)
    assert _terminate_connections(url) >= 2
    with pytest.raises(OperationalError):
        _select_one(bare)
    with bare.app_context():
        _db.engine.dispose()

    assert client.get("/readyz").status_code == 200
    assert add_to_cart(client, variant_id).status_code == 302
    page = client.get("/cart/").get_data(as_text=True)
    assert "Barrier Cream" in page
    with app.app_context():
        [line] = _db.session.scalar(select(Cart)).lines
        assert line.quantity == 2


def test_a_connection_killed_inside_a_transaction_rolls_back_cleanly(committed_app):
    """The original error surfaces and the session can roll back (a database restart in
    the middle of a request); the next request gets a new connection."""
    app, url = committed_app
    with app.app_context():
        _db.session.execute(text("SELECT 1"))  # a transaction is open on a connection
        _terminate_connections(url)
        with pytest.raises(OperationalError):
            _db.session.execute(text("SELECT 1"))
        _db.session.rollback()  # raised PendingRollbackError from a cache listener
    assert app.test_client().get("/readyz").status_code == 200


# -- A worker killed in the middle of placing an order ------------------------------------------

_PLACE_AND_HANG = textwrap.dedent("""
    import sys, time
    from storefront.cart.models import Cart
    from storefront.checkout import services as checkout
    from storefront.extensions import db
    from tests.conftest import make_test_app
    from tests.factories import checkout_address, method_id

    app = make_test_app(sys.argv[1], sys.argv[2])
    with app.app_context():
        details = checkout.CheckoutDetails(
            email="maya@example.com", shipping_method=method_id("standard"),
            address=checkout_address(), discount_code="ONCE")
        order = checkout.place_order(db.session.get(Cart, int(sys.argv[3])), details,
                                     user_id=None)
        db.session.flush()  # the order, its lines, the stock held and the code's use: written
        print("RESERVED", order.id, flush=True)
        time.sleep(120)     # ... and killed here, before the commit
        db.session.commit()
""")


def _wait_for_line(process, prefix: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select_module.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            if line.startswith(prefix):
                return line
            if not line and process.poll() is not None:
                break
    raise AssertionError(f"no {prefix!r} line: {process.stderr.read()[-2000:]}")


def _sessions_in_transaction(url: str) -> int:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%'")).scalar()
    finally:
        engine.dispose()


def test_a_worker_killed_while_placing_an_order_leaves_no_trace(committed_app, tmp_path):
    app, url = committed_app
    with app.app_context():
        variant = VariantFactory(product=ProductFactory(variant=False), stock_on_hand=5,
                                 price=Decimal("20.00"))
        DiscountCodeFactory(code="ONCE", max_uses=1)
        cart = Cart()
        _db.session.add(cart)
        _db.session.flush()
        cart_services.add_item(cart, variant.id, 2)
        _db.session.commit()
        variant_id, cart_id = variant.id, cart.id

    worker = subprocess.Popen(
        [sys.executable, "-c", _PLACE_AND_HANG, url, str(tmp_path / "worker"), str(cart_id)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_line(worker, "RESERVED")
        assert _sessions_in_transaction(url) == 1  # the order is written, not committed
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
        worker.stdout.close()
        worker.stderr.close()
    deadline = time.monotonic() + 30
    while _sessions_in_transaction(url) and time.monotonic() < deadline:
        time.sleep(0.1)  # the server notices the closed connection and rolls back

    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(Order)) == 0
        variant = _db.session.get(Variant, variant_id)
        assert (variant.stock_on_hand, variant.stock_reserved) == (5, 0)
        assert _db.session.scalar(select(func.count()).select_from(StockMovement)) == 0
        assert _db.session.scalar(select(DiscountCode.times_used)) == 0

    # Nothing is left locked: the same cart is placed at once.
    from storefront.checkout import services as checkout
    from tests.factories import checkout_address, method_id

    with app.app_context():
        _db.session.execute(text("SET lock_timeout = '3s'"))
        order = checkout.place_order(_db.session.get(Cart, cart_id), checkout.CheckoutDetails(
            email="maya@example.com", shipping_method=method_id("standard"),
            address=checkout_address(), discount_code="ONCE"), user_id=None)
        _db.session.commit()
        assert order.status == OrderStatus.PENDING_PAYMENT
        variant = _db.session.get(Variant, variant_id)
        assert (variant.stock_on_hand, variant.stock_reserved) == (5, 2)
