"""Load with correctness: many shoppers race for a few units, paying through a fake Stripe.

Two store processes (gunicorn, two workers each) share one throwaway PostgreSQL database;
tests/helpers/stripe_fake.py plays Stripe on a loopback port. Every shopper is a thread with its own
HTTP session: it fills a cart and the checkout, waits until all are ready, then presses
"Pay" at the same moment as everyone else. The winners pay on the fake Stripe page and come
back to the shop. Then the figures are checked:

1. ``--units`` of one variant, ``--attempts`` shoppers: exactly ``units`` paid orders,
   stock 0 (none reserved), every other shopper told the item is out of stock, no 5xx;
2. a discount code with a limit of ``--code-limit`` uses, ``--code-attempts`` shoppers
   using it: exactly ``code-limit`` paid orders carry it, the others are told it is used up.

    make stress                      # 200 shoppers for 10 units, 2 processes
    .venv/bin/python scripts/stress.py --attempts 50 --units 5 --processes 1

It needs PostgreSQL (``TEST_DATABASE_URL`` or ``--database``, a server where it may create
and drop a database) and the test extras (localstripe, factory-boy). Loopback only.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import requests
from sqlalchemy import create_engine, func, make_url, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storefront import create_app  # noqa: E402
from storefront.catalog.models import Variant  # noqa: E402
from storefront.config import normalise_database_url  # noqa: E402
from storefront.demo.shipping import seed_shipping  # noqa: E402
from storefront.discounts.models import DiscountCode  # noqa: E402
from storefront.extensions import db  # noqa: E402
from storefront.orders.models import Order, OrderStatus  # noqa: E402
from tests.factories import (  # noqa: E402
    US_ADDRESS,
    DiscountCodeFactory,
    ProductFactory,
    VariantFactory,
    method_id,
)
from tests.helpers.stripe_fake import fake  # noqa: E402

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REVIEWED = re.compile(r'name="reviewed"[^>]*value="([^"]*)"')
TERMS_VERSION = re.compile(r'name="terms_version"[^>]*value="([^"]+)"')
FLASH = re.compile(r'<p class="flash flash-[a-z]+">(.*?)</p>', re.S)
SOLD_OUT = "out of stock"
USED_UP = "used up"
SECRET_KEY = "stress-test-secret-key-0123456789abcdef0123456789"  # noqa: S105  (a throwaway shop)
WEBHOOK_SECRET = "whsec_stress_0123456789abcdef"  # noqa: S105
REQUEST_TIMEOUT = 60
# The shop is the demo's (SHOP_PRESET=us): it delivers to the United States and Canada.
PRESET = "us"
ADDRESS = {"name": "Dana Whitfield", "line1": "1301 2nd Ave", "line2": "", "city": "Seattle",
           "country_area": "WA", "postcode": "98101", "country": "US", "phone": ""}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- The shop: a database, store processes, a fake Stripe -----------------------------------

@contextmanager
def throwaway_database(server_url: str):
    """A new, empty PostgreSQL database on ``server_url``'s server; dropped afterwards."""
    url = make_url(normalise_database_url(server_url))
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"sf_stress_{uuid.uuid4().hex[:12]}"
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def _app(database_url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY,
                       "SERVER_NAME": None, "SHOP_PRESET": PRESET})


@dataclass(frozen=True)
class Stock:
    variant_id: int
    slug: str
    delivery: str  # the id of the delivery method every shopper chooses
    code: str | None = None


def prepare_shop(database_url: str, units: int, code_limit: int, code_stock: int
                 ) -> tuple[Stock, Stock]:
    """The schema, the preset's delivery zones, a product with ``units`` units, and one
    (plenty of stock) with a code."""
    app = _app(database_url)
    with app.app_context():
        db.create_all()
        seed_shipping(PRESET)
        delivery = method_id("standard", US_ADDRESS)
        scarce = VariantFactory(product=ProductFactory(name="Last Jars Cream", variant=False),
                                stock_on_hand=units, price=Decimal("20.00"))
        plenty = VariantFactory(product=ProductFactory(name="Plenty Serum", variant=False),
                                stock_on_hand=code_stock, price=Decimal("30.00"))
        DiscountCodeFactory(code="RACE3", max_uses=code_limit)
        db.session.commit()
        shops = (Stock(scarce.id, scarce.product.slug, delivery),
                 Stock(plenty.id, plenty.product.slug, delivery, "RACE3"))
        db.engine.dispose()
    return shops


@contextmanager
def store_processes(database_url: str, stripe_base: str, processes: int, workers: int,
                    log_dir: Path):
    """``processes`` gunicorn servers on loopback ports; yields their base URLs."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY,
           "APP_ENV": "development", "SHOP_PRESET": PRESET,
           "STRIPE_SECRET_KEY": "sk_test_stress_0123456789",
           "STRIPE_API_BASE": stripe_base, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
           "STRIPE_TIMEOUT": "20", "GUNICORN_WORKERS": str(workers),
           "GUNICORN_TIMEOUT": "60", "GUNICORN_ACCESS_LOG": str(log_dir / "access.log"),
           "CHECKOUT_RATE_LIMIT": "1000000 per minute",
           "DISCOUNT_RATE_LIMIT": "1000000 per minute", "LOG_FORMAT": "text"}
    for name in ("REDIS_URL", "MAIL_SERVER", "FLASK_DEBUG"):
        env.pop(name, None)
    servers = []
    with ExitStack() as stack:
        for number in range(processes):
            port = free_port()
            log = stack.enter_context(open(log_dir / f"store{number}.log", "w"))
            server = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                 "--bind", f"127.0.0.1:{port}", "storefront:create_app()"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            servers.append((server, f"http://127.0.0.1:{port}"))
        try:
            for server, base in servers:
                _wait_until_up(server, base)
            yield [base for _, base in servers]
        finally:
            for server, _ in servers:
                server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: the work is done
            for server, _ in servers:
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(timeout=30)


def _wait_until_up(server, base: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the store at {base} exited with {server.returncode}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the store at {base} did not answer within {timeout} s")


# -- Shoppers --------------------------------------------------------------------------------

@dataclass
class Tally:
    """Every response seen, for the 5xx count and the latency of each "Pay"."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    server_errors: list = field(default_factory=list)
    pay_seconds: list = field(default_factory=list)

    def record(self, response, *args, **kwargs) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.server_errors.append(f"{response.request.method} {response.url} "
                                          f"{response.status_code}")


class Shopper:
    def __init__(self, number: int, base: str, stock: Stock, tally: Tally):
        self.number, self.base, self.stock, self.tally = number, base, stock, tally
        self.http = requests.Session()
        self.http.hooks["response"].append(tally.record)
        self.token = ""
        self.reviewed = ""
        self.terms: dict[str, str] = {}

    def _post(self, path: str, data: dict, expect: tuple[int, ...] = (302,),
              headers: dict[str, str] | None = None):
        response = self.http.post(f"{self.base}{path}", data={"csrf_token": self.token, **data},
                                  allow_redirects=False, timeout=REQUEST_TIMEOUT,
                                  headers=headers)
        if response.status_code not in expect:
            raise RuntimeError(f"shopper {self.number}: {path} answered "
                               f"{response.status_code}")
        return response

    def fill_checkout(self) -> None:
        """Cart and every checkout step, up to the review page."""
        self.http.get(f"{self.base}/products/{self.stock.slug}", timeout=REQUEST_TIMEOUT)
        # A guest's add-to-cart form has no token: it is checked by where it comes from.
        self._post("/cart/add", {"variant_id": self.stock.variant_id, "quantity": "1"},
                   headers={"Origin": self.base})
        cart = self.http.get(f"{self.base}/cart/", timeout=REQUEST_TIMEOUT)
        self.token = TOKEN.search(cart.text).group(1)  # the checkout's forms keep theirs
        self._post("/checkout/email", {"email": f"shopper{self.number}@example.com"})
        self._post("/checkout/address", ADDRESS)
        self._post("/checkout/delivery", {"method": self.stock.delivery})
        code = self.stock.code
        self._post("/checkout/discount", {"code": code or "",
                                          "action": "apply" if code else "skip"})
        review = self.http.get(f"{self.base}/checkout/review", allow_redirects=False,
                               timeout=REQUEST_TIMEOUT)
        found = REVIEWED.search(review.text)  # what "Pay" on that page sends back
        self.reviewed = found.group(1) if found else ""
        terms = TERMS_VERSION.search(review.text)  # the demo shop's terms, accepted
        self.terms = {"terms_version": terms.group(1), "accept_terms": "y"} if terms else {}

    def pay(self) -> str:
        """Press "Pay"; the winners pay on the fake Stripe page. Returns the outcome."""
        started = time.perf_counter()
        # 303 to Stripe's page (or back to the cart after the stock check), or 302 when the
        # cart was found sold out before placing.
        response = self._post("/checkout/pay", {"reviewed": self.reviewed, **self.terms},
                              expect=(302, 303))
        with self.tally.lock:
            self.tally.pay_seconds.append(time.perf_counter() - started)
        target = response.headers["Location"]
        if "/_config/checkout/" in target:  # on to Stripe's page
            return self._pay_on_stripe(target)
        told = self.http.get(target if target.startswith("http") else f"{self.base}{target}",
                             timeout=REQUEST_TIMEOUT)
        messages = " ".join(FLASH.findall(told.text))
        if SOLD_OUT in messages:
            return "sold out"
        if USED_UP in messages:
            return "code used up"
        return f"other: {messages[:200]}"

    def _pay_on_stripe(self, page_url: str) -> str:
        paid = requests.post(page_url, data={"action": "pay"}, allow_redirects=False,
                             timeout=REQUEST_TIMEOUT)
        back = urlsplit(paid.headers.get("Location", ""))
        response = self.http.get(f"{self.base}{back.path}?{back.query}",
                                 timeout=REQUEST_TIMEOUT)
        return "paid" if "Thank you for your order" in response.text else "unconfirmed"


def _run_all(work, count: int) -> list:
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            results[index] = work(index)
        except Exception as error:  # reported below with its shopper
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,), daemon=True)
               for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    errors = [result for result in results if isinstance(result, BaseException)]
    if errors:
        raise RuntimeError(f"{len(errors)} shopper(s) failed; first: {errors[0]!r}")
    return results


@dataclass
class Figures:
    name: str
    attempts: int
    outcomes: Counter
    server_errors: list
    requests: int
    seconds: float
    pay_p50: float
    pay_p99: float

    def show(self) -> str:
        return (f"{self.name}: {self.attempts} attempts in {self.seconds:.1f} s, "
                f"{self.requests} requests; outcomes {dict(self.outcomes)}; "
                f"5xx: {len(self.server_errors)}; pay p50 {self.pay_p50 * 1000:.0f} ms, "
                f"p99 {self.pay_p99 * 1000:.0f} ms")


def race(name: str, bases: list[str], stock: Stock, attempts: int) -> Figures:
    """``attempts`` shoppers fill their checkout, then all press "Pay" together."""
    tally = Tally()
    shoppers = [Shopper(i, bases[i % len(bases)], stock, tally) for i in range(attempts)]
    started = time.perf_counter()
    _run_all(lambda i: shoppers[i].fill_checkout(), attempts)
    gate = threading.Barrier(attempts)
    outcomes = _run_all(lambda i: (gate.wait(timeout=120), shoppers[i].pay())[1], attempts)
    seconds = time.perf_counter() - started
    for shopper in shoppers:
        shopper.http.close()
    pays = sorted(tally.pay_seconds)
    return Figures(name, attempts, Counter(outcomes), tally.server_errors,
                   sum(tally.statuses.values()), seconds, statistics.median(pays),
                   pays[min(len(pays) - 1, round(0.99 * (len(pays) - 1)))])


def deliver_webhooks(stripe, base: str) -> Counter:
    """Post the fake Stripe's signed events to the shop, as Stripe would: all answered."""
    answers = Counter()
    while stripe.events:
        event = stripe.events.pop(0)
        response = requests.post(f"{base}/stripe/webhook", data=event.payload, timeout=30,
                                 headers={"Content-Type": "application/json",
                                          "Stripe-Signature": event.signature})
        answers[response.status_code] += 1
    return answers


def database_state(database_url: str, stock: Stock) -> dict:
    app = _app(database_url)
    with app.app_context():
        variant = db.session.get(Variant, stock.variant_id)
        paid = select(func.count()).select_from(Order).where(
            Order.status == OrderStatus.PAID, Order.lines.any(variant_id=stock.variant_id))
        state = {"paid": db.session.scalar(paid), "on_hand": variant.stock_on_hand,
                 "reserved": variant.stock_reserved}
        if stock.code:
            code = db.session.scalar(select(DiscountCode).where(DiscountCode.code == stock.code))
            state["code_used"] = code.times_used
            state["paid_with_code"] = db.session.scalar(paid.where(
                Order.discount_code_id == code.id))
        db.engine.dispose()
    return state


def run(database_url: str, stripe, *, attempts: int = 200, units: int = 10,
        code_attempts: int | None = None, code_limit: int = 3, processes: int = 2,
        workers: int = 2, report=print) -> dict:
    """Both races against a fresh shop on ``database_url`` (an empty database).

    ``stripe`` is a started ``tests.helpers.stripe_fake.FakeStripe``. Returns the figures and the
    database state; raises AssertionError when a promise is broken.
    """
    code_attempts = attempts if code_attempts is None else code_attempts
    stripe.reset()
    stripe.webhook_secret = WEBHOOK_SECRET
    scarce, coded = prepare_shop(database_url, units, code_limit, code_attempts + 10)
    with tempfile.TemporaryDirectory(prefix="stress-") as logs, store_processes(
            database_url, stripe.base_url, processes, workers, Path(logs)) as bases:
        stock_race = race("stock", bases, scarce, attempts)
        code_race = race("discount code", bases, coded, code_attempts)
        webhooks = deliver_webhooks(stripe, bases[0])
    result = {"stock": stock_race, "code": code_race, "webhooks": webhooks,
              "stock_state": database_state(database_url, scarce),
              "code_state": database_state(database_url, coded)}
    report(stock_race.show())
    report(f"  database: {result['stock_state']}")
    report(code_race.show())
    report(f"  database: {result['code_state']}")
    report(f"webhook deliveries answered: {dict(webhooks)}")
    check(result, attempts=attempts, units=units, code_attempts=code_attempts,
          code_limit=code_limit)
    return result


def check(result: dict, *, attempts: int, units: int, code_attempts: int,
          code_limit: int) -> None:
    stock_race, code_race = result["stock"], result["code"]
    assert not stock_race.server_errors, stock_race.server_errors[:5]
    assert not code_race.server_errors, code_race.server_errors[:5]
    assert stock_race.outcomes == Counter({"paid": units, "sold out": attempts - units}), \
        stock_race.outcomes
    assert result["stock_state"] == {"paid": units, "on_hand": 0, "reserved": 0}, \
        result["stock_state"]
    assert code_race.outcomes == Counter({"paid": code_limit,
                                          "code used up": code_attempts - code_limit}), \
        code_race.outcomes
    state = result["code_state"]
    assert (state["paid"], state["paid_with_code"], state["code_used"], state["reserved"]) \
        == (code_limit, code_limit, code_limit, 0), state
    assert set(result["webhooks"]) <= {200}, result["webhooks"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--code-attempts", type=int, default=None)
    parser.add_argument("--code-limit", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default=os.environ.get(
        "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server URL where a throwaway database may be created")
    options = parser.parse_args()
    fake.start()
    try:
        with throwaway_database(options.database) as url:
            run(url, fake, attempts=options.attempts, units=options.units,
                code_attempts=options.code_attempts, code_limit=options.code_limit,
                processes=options.processes, workers=options.workers)
    except AssertionError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        fake.stop()
    print("OK: every promise held.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
