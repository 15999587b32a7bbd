"""Broken on purpose: the mail server down, the database connections killed, a worker killed
in the middle of placing an order, the payment service back after an outage, Redis down or
refusing writes (every cached page still right, and cached again once Redis is back).

Stripe down, slow past the client timeout or answering 500 at checkout is in
tests/payments/test_stripe_checkout.py (clear message, cart kept, stock released); here the
shopper tries again once it is back.
"""

from __future__ import annotations

import json
import os
import select as select_module
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from storefront import caching
from storefront.cart import services as cart_services
from storefront.cart.models import Cart
from storefront.catalog.models import Variant
from storefront.checkout import services as checkout_services
from storefront.discounts.models import DiscountCode
from storefront.extensions import db as _db
from storefront.inventory.models import StockMovement
from storefront.mail.models import OutboxMessage
from storefront.orders.models import Order, OrderStatus
from tests.factories import (
    ArticleFactory,
    ConditionFactory,
    DiscountCodeFactory,
    ProductFactory,
    RecommendationFactory,
    VariantFactory,
    add_to_cart,
    checkout_address,
    fill_checkout,
    method_id,
    pay_with_demo,
    press_pay,
)
from tests.helpers.apps import build_schema, create_postgres_database, free_port, make_test_app
from tests.helpers.caching import change, from_cache, html, page_cache, variant_of
from tests.helpers.stripe_support import checkout, stock

ROOT = Path(__file__).resolve().parents[2]
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
        assert waiting.sent_at is None
        assert waiting.last_error
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
                                                              cream):
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
    from tests.helpers.apps import make_test_app
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
    with app.app_context():
        _db.session.execute(text("SET lock_timeout = '3s'"))
        details = checkout_services.CheckoutDetails(
            email="maya@example.com", shipping_method=method_id("standard"),
            address=checkout_address(), discount_code="ONCE")
        order = checkout_services.place_order(_db.session.get(Cart, cart_id), details,
                                              user_id=None)
        _db.session.commit()
        assert order.status == OrderStatus.PENDING_PAYMENT
        variant = _db.session.get(Variant, variant_id)
        assert (variant.stock_on_hand, variant.stock_reserved) == (5, 2)


# -- Redis ------------------------------------------------------------------------------------

class RedisServer:
    """A redis-server of the test's own on a free port, to stop, start again (empty, as after
    a restart) or make refuse writes. The shared one at 6379 is never touched."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.client = redis.Redis.from_url(self.url, socket_timeout=5)

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def refuse_writes(self) -> None:
        """As when its memory is full: every write is refused, reads and deletions are not."""
        self.client.config_set("maxmemory-policy", "noeviction")
        self.client.config_set("maxmemory", "1")

    def take_writes(self) -> None:
        self.client.config_set("maxmemory", "0")

    def page_keys(self) -> set[bytes]:
        return set(self.client.scan_iter("storefront:page:*"))


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def on_redis(database_url: str, folder: Path, server: RedisServer, **settings):
    """A worker with its page cache, jobs and /readyz on ``server``. Rate limits stay in
    memory here: the limiter is one object per process (see test_rate_limits_... below)."""
    settings = {"REDIS_URL": server.url, "PAGE_CACHE_RETRY_SECONDS": 0, **settings}
    return make_test_app(database_url, folder, **settings)


PRODUCT = "/products/calm-serum"
ARTICLE = "Calming a rosacea flare"
# Every cached page, and what it must show.
PAGES = {"/": "Calm Serum", "/products": "Calm Serum", PRODUCT: "Calm Serum",
         "/articles": ARTICLE, "/articles/rosacea-flare": ARTICLE,
         "/search?q=calm": "Calm Serum", "/conditions/rosacea": "Calm Serum"}
PRICED = ("/", "/products", PRODUCT, "/search?q=calm")


@pytest.fixture
def redis_shop(redis_server, database_url, tmp_path, db):
    """A worker on its own Redis, the shop's pages, and a guest with two Calm Serums."""
    app = on_redis(database_url, tmp_path / "worker", redis_server)
    with app.app_context():
        serum = ProductFactory(name="Calm Serum", slug="calm-serum", featured_rank=1,
                               variant__price=Decimal("20.00"))
        rosacea = ConditionFactory(slug="rosacea", name="Rosacea")
        RecommendationFactory(condition=rosacea, product=serum, why="It calms the redness.")
        ArticleFactory(slug="rosacea-flare", title=ARTICLE,
                       conditions=[rosacea])
        _db.session.commit()
        variant_id = serum.variants[0].id
    shopper = app.test_client()
    assert add_to_cart(shopper, variant_id, "2").status_code == 302
    html(shopper, "/cart/")  # the "Added" message, shown once
    return app, shopper


def set_price(app, amount: str) -> None:
    change(app, lambda: setattr(variant_of("calm-serum"), "price", Decimal(amount)))


def every_page(app, shopper=None, price: str = "€20.00", old_price: str | None = None):
    """Each cached page for a new guest (and the cart for ``shopper``): 200, with its content
    and ``price``, never ``old_price``."""
    for url, content in PAGES.items():
        page = html(app.test_client(), url)
        assert content in page, url
        if url in PRICED:
            assert price in page, url
            assert old_price is None or old_price not in page, url
    if shopper is not None:
        cart = html(shopper, "/cart/")
        assert "Calm Serum" in cart
        assert price in cart


def every_page_from_the_cache(app, shopper, count_queries) -> None:
    """Each page read back from the store: no SQL (the cart: its one statement)."""
    for url in PAGES:
        from_cache(app.test_client(), count_queries, url)
    with count_queries() as counter:
        html(shopper, "/cart/")
    assert counter.count == 1, counter.statements


def readiness(app) -> tuple[int, dict]:
    response = app.test_client().get("/readyz")
    return response.status_code, response.get_json()


def test_with_redis_down_every_page_is_served_and_cached_again_once_it_is_back(
        redis_server, redis_shop, count_queries):
    app, shopper = redis_shop
    every_page(app, shopper)
    assert redis_server.page_keys()

    redis_server.stop()
    every_page(app, shopper)
    every_page(app, shopper)  # and again: nothing is served from a store that is away
    set_price(app, "24.50")  # the change cannot be announced: this worker owes it
    every_page(app, shopper, "€24.50", old_price="€20.00")
    status, ready = readiness(app)
    assert (status, ready["status"]) == (200, "degraded")
    assert "redis unreachable: ConnectionError" in ready["degraded"]
    assert [note for note in ready["degraded"] if note.startswith("page cache off")]

    redis_server.start()  # empty, as after a restart
    every_page(app, shopper, "€24.50", old_price="€20.00")
    assert redis_server.page_keys(), "pages are stored again"
    every_page_from_the_cache(app, shopper, count_queries)
    assert readiness(app) == (200, {"status": "ok"})


def test_with_redis_refusing_writes_pages_are_right_and_a_new_price_shows_at_once(
        redis_server, redis_shop, database_url, tmp_path, count_queries):
    app, shopper = redis_shop
    other = on_redis(database_url, tmp_path / "other", redis_server)  # a second worker
    every_page(app, shopper)
    every_page(other)
    stored = redis_server.page_keys()

    redis_server.refuse_writes()
    every_page(app, shopper)
    set_price(app, "24.50")  # refused: the token is deleted instead, for every worker
    for worker in (app, other):
        every_page(worker, price="€24.50", old_price="€20.00")
    every_page(app, shopper, "€24.50")
    assert redis_server.page_keys() == stored, "nothing could be stored"
    status, ready = readiness(app)
    assert (status, ready["status"]) == (200, "degraded")
    assert [note for note in ready["degraded"]
            if note.startswith("redis refuses writes: OutOfMemoryError")]

    redis_server.take_writes()
    every_page(app, shopper, "€24.50")
    set_price(other, "26.00")
    set_price(app, "27.00")
    for worker in (app, other):
        every_page(worker, price="€27.00", old_price="€26.00")
    every_page(app, shopper, "€27.00")
    every_page_from_the_cache(app, shopper, count_queries)
    assert readiness(app) == (200, {"status": "ok"})


def test_a_change_redis_refuses_entirely_keeps_the_worker_off_the_cache_until_announced(
        redis_server, redis_shop, database_url, tmp_path):
    """A read-only Redis (a replica) refuses the new token and its deletion too: the other
    workers cannot be told, but the worker that made the change serves nothing stored
    (though it reads the old token fine) until it has told them."""
    app, shopper = redis_shop
    other = on_redis(database_url, tmp_path / "other", redis_server)
    every_page(app, shopper)
    redis_server.client.replicaof("127.0.0.1", free_port())  # a replica of nobody: reads only

    set_price(app, "24.50")
    every_page(app, shopper, "€24.50", old_price="€20.00")
    every_page(app, shopper, "€24.50", old_price="€20.00")
    status, ready = readiness(app)
    assert (status, ready["status"]) == (200, "degraded")
    assert [note for note in ready["degraded"] if "could not be announced" in note]

    redis_server.client.replicaof("NO", "ONE")
    every_page(app, shopper, "€24.50", old_price="€20.00")  # and it announces the change
    every_page(other, price="€24.50", old_price="€20.00")
    assert readiness(app) == (200, {"status": "ok"})


def test_after_a_failure_redis_is_left_alone_for_a_while(redis_server, redis_shop,
                                                        database_url, tmp_path, monkeypatch):
    app = on_redis(database_url, tmp_path / "resting", redis_server,
                   PAGE_CACHE_RETRY_SECONDS=30)
    now = [1000.0]
    monkeypatch.setattr(caching, "monotonic", lambda: now[0])
    redis_server.stop()
    every_page(app)  # the first request fails and the cache rests
    redis_server.start()
    every_page(app)
    commands = redis_server.client.info("commandstats")
    assert not {"cmdstat_get", "cmdstat_set"} & commands.keys(), commands
    assert not redis_server.page_keys()

    now[0] += 31
    every_page(app)
    assert redis_server.page_keys(), "back in use once the rest is over"


RATE_LIMITS_ON_REDIS = textwrap.dedent("""
    import json, sys
    import redis
    from storefront import create_app
    from storefront.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1],
                      "SECRET_KEY": "k" * 40, "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_STORAGE_URI": sys.argv[2], "LOGIN_RATE_LIMIT": "2 per minute",
                      "ASK_RATE_LIMIT": "2 per minute"})
    with app.app_context():
        db.create_all()
    server = redis.Redis.from_url(sys.argv[2])
    server.config_set("maxmemory-policy", "noeviction")
    server.config_set("maxmemory", "1")
    client = app.test_client()
    question = {"name": "Ines", "email": "ines@example.com", "skin_type": "dry",
                "question": "Why do I get small white bumps around my eyes, and what helps?"}
    ask = [client.post("/ask", data=question).status_code for _ in range(2)]
    login = [client.post("/account/login", data={"email": "a@example.com", "password": "x"})
             .status_code for _ in range(3)]
    print(json.dumps({"ask": ask, "login": login}))
""")


def test_rate_limited_forms_answer_while_redis_refuses_writes(redis_server, tmp_path):
    """Redis down is tests/ops/test_prod_deploy.py's
    test_log_in_keeps_working_and_limited_while_redis_
    is_down. Its own process: the rate limiter is one object per process."""
    result = subprocess.run([sys.executable, "-c", RATE_LIMITS_ON_REDIS,
                             str(tmp_path / "shop.db"), redis_server.url], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers == {"ask": [302, 302], "login": [422, 422, 429]}, result.stderr[-3000:]


# -- Query strings a page does not read --------------------------------------------------------

def stored_page_keys(app, server: RedisServer) -> set:
    backend = page_cache(app).backend
    return server.page_keys() if page_cache(app).kind == "redis" else set(backend.stored_keys())


@pytest.mark.parametrize("store", ["redis", "local"])
def test_parameters_a_page_does_not_read_make_no_new_page(redis_server, database_url,
                                                          tmp_path, db, store):
    app = on_redis(database_url, tmp_path / store, redis_server, PAGE_CACHE_STORE=store)
    with app.app_context():
        ProductFactory(name="Calm Serum", slug="calm-serum")
        _db.session.commit()
    assert "Calm Serum" in html(app.test_client(), "/products")
    stored = stored_page_keys(app, redis_server)
    assert len(stored) == 1

    for number in range(40):
        page = html(app.test_client(), f"/products?utm_source=mail{number}&fbclid=x{number}")
        assert "Calm Serum" in page
        assert f"mail{number}" not in page
    assert stored_page_keys(app, redis_server) == stored, "junk is neither a key nor stored"

    # What the list reads makes its own page, whatever the order or the junk beside it;
    # the first value counts, as for the view.
    sorted_page = html(app.test_client(), "/products?sort=name&utm_source=a")
    assert 'name="next" value="/products?sort=name"' in sorted_page
    for url in ("/products?utm_source=b&sort=name", "/products?sort=name&sort=price_asc"):
        assert html(app.test_client(), url).count("Calm Serum") == \
            sorted_page.count("Calm Serum")
    product = html(app.test_client(), f"{PRODUCT}?variant=1&junk=%3Cb%3E")
    assert f'name="next" value="{PRODUCT}?variant=1"' in product
    assert len(stored_page_keys(app, redis_server)) == 3
