"""Shoppers pressing "Pay" at once on SQLite, where one writer at a time gets in.

Real commits on a database file of the test's own (not the per-test transaction, which
shares one connection): each press runs in its own thread, with its own test client, app
context, Session and connection, as a threaded server would run it. The payment goes to the
fake Stripe over HTTP, as in production.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storefront.catalog.models import Variant
from storefront.demo.shipping import seed_shipping
from storefront.extensions import db as _db
from storefront.orders.models import Order, OrderStatus
from tests.factories import ProductFactory, VariantFactory, add_to_cart, fill_checkout
from tests.factories.orders import reviewed_from
from tests.helpers import csrf_from
from tests.helpers.apps import make_test_app

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")

GUESTS = 3
PRESSES = 6  # each guest presses "Pay" this many times at once, as an impatient one would


def _shop(tmp_path, stripe, **settings):
    """An app on its own SQLite file, paying through the fake Stripe, errors as in production;
    yields it with the id of a product size with 100 in stock."""
    stripe.reset()
    app = make_test_app(
        f"sqlite:///{tmp_path / 'shop.db'}", tmp_path, TESTING=False,
        CHECKOUT_RATE_LIMIT="1000 per minute", PAYMENT_PROVIDER="stripe",
        STRIPE_SECRET_KEY="sk_test_fake_0123456789", STRIPE_API_BASE=stripe.base_url,
        STRIPE_WEBHOOK_SECRET=stripe.webhook_secret, STRIPE_TIMEOUT=10.0, **settings)
    with app.app_context():
        _db.create_all()
        seed_shipping(app.config["SHOP_PRESET"])  # where the guests' orders are delivered
        variant = VariantFactory(product=ProductFactory(variant=False), stock_on_hand=100,
                                 price=Decimal("20.00"))
        _db.session.commit()
        variant_id = variant.id
    yield app, variant_id
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def sqlite_shop(tmp_path, stripe_server):
    yield from _shop(tmp_path, stripe_server)


def _ready_to_pay(app, variant_id: int, guest: int) -> tuple[str, dict]:
    """A guest with one item, every step answered: (their session cookie, the Pay form)."""
    client = app.test_client()
    assert add_to_cart(client, variant_id, "1").status_code == 302
    review = fill_checkout(client, email=f"guest{guest}@example.com")
    assert review.status_code == 200
    cookie = client.get_cookie("session", domain="shop.test")
    html = review.get_data(as_text=True)
    return cookie.value, {"csrf_token": csrf_from(html), "reviewed": reviewed_from(html)}


def _press_pay(app, cookie: str, form: dict, start: threading.Barrier):
    client = app.test_client()
    client.set_cookie("session", cookie, domain="shop.test")
    start.wait(timeout=30)
    response = client.post("/checkout/pay", data=form)
    return response.status_code, response.headers.get("Location", ""), response.headers


def _all_at_once(work, count: int) -> list:
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            results[index] = work(index)
        except Exception as error:  # reported by the caller's assertion, with its type
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_three_guests_pressing_pay_at_once_all_get_an_answer(sqlite_shop, stripe_server):
    app, variant_id = sqlite_shop
    guests = [_ready_to_pay(app, variant_id, guest) for guest in range(GUESTS)]
    presses = [guests[index % GUESTS] for index in range(GUESTS * PRESSES)]
    start = threading.Barrier(len(presses))

    results = _all_at_once(lambda i: _press_pay(app, *presses[i], start), len(presses))

    assert not [r for r in results if isinstance(r, BaseException)], results
    outcome = Counter(
        "stripe" if location.startswith(f"{stripe_server.base_url}/_config/checkout/")
        else f"{status} {location}" for status, location, _ in results)
    # Each press placed its own order (releasing the guest's earlier attempt) and went on to
    # pay it: none was turned away by a busy database.
    assert outcome == {"stripe": GUESTS * PRESSES}, outcome
    assert all(status == 303 for status, _, _ in results)
    with app.app_context():
        waiting = _db.session.scalar(select(func.count()).select_from(Order).where(
            Order.status == OrderStatus.PENDING_PAYMENT))
        variant = _db.session.get(Variant, variant_id)
        assert (variant.stock_on_hand, variant.stock_reserved) == (100, waiting)
    assert waiting == GUESTS  # one live attempt per guest; the earlier ones gave stock back


@pytest.fixture
def locked_shop(tmp_path, stripe_server):
    """The shop, waiting 0.2 s for a busy database, and a way to hold its write lock."""
    for app, variant_id in _shop(tmp_path, stripe_server, SQLITE_BUSY_TIMEOUT=0.2):
        path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        holder = sqlite3.connect(path, isolation_level=None)
        yield app, variant_id, holder
        holder.close()


def test_a_database_too_busy_to_answer_gets_the_error_page_in_the_layout(locked_shop):
    app, variant_id, holder = locked_shop
    client = app.test_client()
    assert add_to_cart(client, variant_id, "1").status_code == 302  # a cart to count
    token = csrf_from(client.get("/cart/").get_data(as_text=True))

    holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than we wait
    try:
        response = client.post("/cart/add", data={"csrf_token": token,
                                                  "variant_id": variant_id, "quantity": "1"})
    finally:
        holder.execute("ROLLBACK")

    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert 'class="site-header"' in body
    assert "Medical disclaimer" in body
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Request-ID"]
    # Nothing half-done stayed behind: the next request finds the database as it was.
    assert "1 item" in client.get("/cart/").get_data(as_text=True)


def test_the_cart_page_is_read_while_another_process_writes(locked_shop):
    """Looking at the cart takes no write lock unless it has stock to give back: every
    visit reads the cart, and readers go on beside a writer (WAL)."""
    app, variant_id, holder = locked_shop
    client = app.test_client()
    assert add_to_cart(client, variant_id, "1").status_code == 302
    client.get("/cart/")  # the "Added" message is shown (and so gone)

    holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than we wait
    try:
        response = client.get("/cart/")
    finally:
        holder.execute("ROLLBACK")
    assert response.status_code == 200
    assert "1 item" in response.get_data(as_text=True)
