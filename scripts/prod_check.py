"""The production shape on this machine, end to end: ``make prod-check``.

A throwaway PostgreSQL database (migrated twice, as every deploy does, and seeded with
the demo shop), Redis, an S3-compatible object store for the pictures (moto's server on
a loopback port; nginx proxies and caches /media/ from its bucket, as a CDN would), two
gunicorn app processes (2 workers each) on two loopback ports standing in for two app
hosts, nginx in front of both with TLS (skipped, with a note, when nginx is not
installed), an RQ worker (``flask worker``), a real SMTP server and a fake Stripe
(tests/helpers/stripe_fake.py) that every purchase pays through. A shopper then buys through each
app port and through nginx, and the check confirms what several hosts must share: the
cart (one session cookie on both ports), the rate limit (one count across both), e-mail
sent by the worker (not by the web request), the periodic reservation sweep, cached
static files and pictures, metrics from every host (each adding up its workers, none for
anyone without the token), and a backup that restores every order.

Last, a host is lost under load: shoppers browse and buy through nginx while app host A
is killed (SIGKILL to its gunicorn master and workers) and, DOWN_FOR seconds later,
started again. It passes when requests fail only at the moment of the kill (those in
flight on the lost host), every purchase charged on Stripe is exactly one paid order
(none lost, none charged twice), purchases go on while A is down, the scrapes see A go
down and come back, and nginx sends A shoppers again soon after its restart. Prints
PASS/FAIL per check, with figures, and exits non-zero on any failure.

Everything it starts it stops, the databases it makes it drops, and the Redis keys it
writes (all named with this run's id) it deletes.

Settings: PROD_CHECK_DATABASE_URL (a PostgreSQL server's admin database; default
TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/postgres) and
PROD_CHECK_REDIS_URL (default redis://127.0.0.1:6379/12).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import random
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from moto.server import ThreadedMotoServer
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from storefront.media import s3_client  # noqa: E402  (after the path is set)
from storefront.queue.redis_queue import forget_queue  # noqa: E402
from tests.helpers.stripe_fake import fake as fake_stripe  # noqa: E402

ADMIN_DATABASE_URL = (os.environ.get("PROD_CHECK_DATABASE_URL")
                      or os.environ.get("TEST_DATABASE_URL")
                      or "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("PROD_CHECK_REDIS_URL", "redis://127.0.0.1:6379/12")
MEDIA_BUCKET = "prod-check-media"
WEBHOOK_SECRET = "whsec_prodcheck_0123456789abcdef"  # noqa: S105  (a throwaway shop)
DEMO_ADMIN = ("admin@example.com", "demo-admin-pass")  # the demo's, printed by make run
# The demo shop (SHOP_PRESET=us) delivers to the United States and Canada.
ADDRESS = {"name": "Dana Whitfield", "line1": "1301 2nd Ave", "line2": "", "city": "Seattle",
           "country_area": "WA", "postcode": "98101", "country": "US", "phone": ""}
# The first delivery offered: its radio button's value (a delivery method's id).
DELIVERY = re.compile(r'name="method"[^>]*value="(\d+)"')
LOGIN_LIMIT = 6
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REVIEWED = re.compile(r'name="reviewed"[^>]*value="([^"]*)"')
# The version of the shop's terms the review page asks the shopper to accept (empty: none).
TERMS_VERSION = re.compile(r'name="terms_version"[^>]*value="([^"]*)"')
STRIPE_PAGE = "/_config/checkout/"  # the fake Stripe's hosted payment page
NGINX_REQUEST_ID = re.compile(r"rid=[0-9a-f]{32}\b")
# The page cache (storefront/caching.py) names its keys after the database they cache.
PAGE_GENERATIONS = "storefront:page-generation:*"
RQ_THROTTLE = "rq:clean_groups"


def plain_postgres_url(url: str) -> str:
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Callable[[], object], seconds: float, interval: float = 0.25):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


# Reporting ------------------------------------------------------------------------------

class Skipped(Exception):
    """A check that cannot run here; the reason is printed."""


@dataclass
class Report:
    results: list[tuple[str, str, str]] = field(default_factory=list)

    def record(self, status: str, name: str, detail: str = "") -> None:
        self.results.append((status, name, detail))
        line = f"{status:<5} {name}"
        print(line + (f"\n      {detail}" if detail else ""), flush=True)

    def check(self, name: str, func: Callable[[], str | None]) -> bool:
        """Run one check: PASS, SKIP, or FAIL with the reason; never stops the run."""
        try:
            note = func()
        except Skipped as skipped:
            self.skip(name, str(skipped))
            return False
        except Exception as error:  # every failure is reported, then the run goes on
            detail = f"{type(error).__name__}: {error}"
            if not isinstance(error, AssertionError):
                detail += "\n" + "".join(traceback.format_exception(error)[-3:])
            self.record("FAIL", name, detail.strip())
            return False
        self.record("PASS", name, note or "")
        return True

    def skip(self, name: str, reason: str) -> None:
        self.record("SKIP", name, reason)

    @property
    def failed(self) -> int:
        return sum(status == "FAIL" for status, *_ in self.results)

    def count(self, status: str) -> int:
        return sum(result[0] == status for result in self.results)


# Processes ------------------------------------------------------------------------------

@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, lines: int = 25) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class Processes:
    """Every process the check starts, each in its own process group; all stopped at the end."""

    def __init__(self, folder: Path, env: dict[str, str]):
        self.folder, self.env, self.running = folder, env, []

    def run(self, name: str, argv: list[str], timeout: float = 180) -> str:
        """Run a command to its end; its output; AssertionError when it fails."""
        result = subprocess.run(argv, cwd=ROOT, env=self.env, capture_output=True,  # noqa: S603
                                text=True, timeout=timeout, check=False)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{name} exited with {result.returncode}:\n{output[-3000:]}"
        return output

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Process:
        log = self.folder / f"{name}.log"
        with log.open("w") as stream:
            popen = subprocess.Popen(argv, cwd=ROOT, env=env or self.env,  # noqa: S603
                                     stdout=stream, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        process = Process(name, popen, log)
        self.running.append(process)
        return process

    def stop(self, process: Process, sig: int = signal.SIGTERM) -> int | None:
        """Ask the process to stop (its children follow); kill its whole group if it won't."""
        if process.popen.poll() is None:
            process.popen.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.popen.pid, signal.SIGKILL)  # stragglers: horses, workers
        process.popen.wait()
        if process in self.running:
            self.running.remove(process)
        return process.popen.returncode

    def stop_all(self) -> None:
        for process in reversed(list(self.running)):
            self.stop(process, signal.SIGQUIT if process.name == "nginx" else signal.SIGTERM)


# A shopper's browser --------------------------------------------------------------------

@dataclass(frozen=True)
class Origin:
    """Where requests go: an app port directly, or nginx (TLS, with a host name for SNI)."""

    name: str
    port: int
    tls: ssl.SSLContext | None = None
    host: str = "127.0.0.1"

    @property
    def host_header(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host_header}{path}"

    def connect(self, source: str | None = None) -> http.client.HTTPConnection:
        # ``host`` is a loopback name: "localhost" for nginx, so TLS sends it (SNI) and the
        # certificate is checked against it. ``source``: the shopper's own loopback address
        # (127.0.0.0/8 is all this machine's), so each is a client of its own to nginx.
        where = (source, 0) if source else None
        if self.tls:
            return http.client.HTTPSConnection(self.host, self.port, timeout=30,
                                               context=self.tls, source_address=where)
        return http.client.HTTPConnection(self.host, self.port, timeout=30,
                                          source_address=where)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def location(self) -> str:
        return urlsplit(self.headers.get("Location", "")).path

    def csrf(self) -> str:
        match = CSRF.search(self.text)
        assert match, "the page has no CSRF token"
        return match.group(1)


class Browser:
    """Keeps cookies like a browser on HTTPS would (the shop's cookies are Secure)."""

    def __init__(self, cookies: dict[str, str] | None = None, source: str | None = None,
                 **headers: str):
        self.cookies = {} if cookies is None else cookies
        self.source = source
        self.headers = {name.replace("_", "-"): value for name, value in headers.items()}
        self.page: dict[str, str] = {}

    def request(self, origin: Origin, method: str, path: str,
                form: dict[str, str] | None = None) -> Response:
        headers = {"Host": origin.host_header, "User-Agent": "storefront-prod-check",
                   **self.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = origin.url(self.page.get(origin.name, path))
        connection = origin.connect(self.source)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read().decode("utf-8", "replace"))
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self._remember(header)
        if method == "GET" and response.status == 200:
            self.page[origin.name] = path
        return response

    def _remember(self, header: str) -> None:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, origin: Origin, path: str) -> Response:
        return self.request(origin, "GET", path)

    def post(self, origin: Origin, path: str, form: dict[str, str]) -> Response:
        return self.request(origin, "POST", path, form)

    def submit(self, origin: Origin, path: str, data: dict[str, str],
               form_page: str | None = None) -> Response:
        """GET the page with the form, then POST ``data`` with its CSRF token."""
        page = self.get(origin, form_page or path)
        assert page.status == 200, f"GET {form_page or path}: {page.status}"
        return self.post(origin, path, {"csrf_token": page.csrf(), **data})


def add_to_cart(browser: Browser, origin: Origin) -> str:
    """Put the first product of the shop's list in the cart; the variant's id."""
    page = browser.get(origin, "/products")
    assert page.status == 200, f"GET /products: {page.status}"
    match = re.search(r'name="variant_id" value="(\d+)"', page.text)
    assert match, "no add-to-cart form on /products"
    # A guest form: no token; the Referer the browser sends says it came from the shop.
    added = browser.post(origin, "/cart/add", {"variant_id": match.group(1), "quantity": "1"})
    assert added.status in (302, 303), f"add to cart: {added.status}"
    return match.group(1)


def accepted_terms(review_page: str) -> dict[str, str]:
    """The review page's terms box ticked, when it has one (the demo shop has terms)."""
    version = TERMS_VERSION.search(review_page)
    if version is None or not version.group(1):
        return {}
    return {"terms_version": version.group(1), "accept_terms": "y"}


def checkout_to_payment(browser: Browser, origin: Origin, email: str) -> str:
    """Answer every checkout step and press Pay; the payment page's address (the demo
    page's path, or the fake Stripe's hosted page)."""
    steps = (("/checkout/email", {"email": email}), ("/checkout/address", ADDRESS),
             ("/checkout/delivery", None), ("/checkout/discount", {"code": "", "action": "skip"}))
    for path, data in steps:
        if data is None:  # the delivery page offers the methods reaching the address
            offered = DELIVERY.search(browser.get(origin, path).text)
            assert offered, f"GET {path}: no delivery offered"
            data = {"method": offered.group(1)}
        response = browser.submit(origin, path, data)
        assert response.status in (302, 303), f"POST {path}: {response.status}"
    review = browser.get(origin, "/checkout/review")
    assert review.status == 200, f"GET /checkout/review: {review.status}"
    reviewed = REVIEWED.search(review.text)
    assert reviewed, "the review page's Pay form sends no fingerprint of the order"
    paid = browser.post(origin, "/checkout/pay", {"csrf_token": review.csrf(),
                                                  "reviewed": reviewed.group(1),
                                                  **accepted_terms(review.text)})
    target = paid.headers.get("Location", "")
    assert paid.status == 303, f"POST /checkout/pay: {paid.status} {target}"
    assert paid.location.startswith("/pay/demo/") or STRIPE_PAGE in target, (
        f"POST /checkout/pay: {paid.status} {target}")
    return paid.location if paid.location.startswith("/pay/demo/") else target


def pay_on_stripe(page: str) -> str:
    """Press "Pay" on the fake Stripe's hosted page; the shop's return address (path)."""
    parts = urlsplit(page)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("POST", parts.path, body="action=pay", headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        answer = connection.getresponse()
        answer.read()
    finally:
        connection.close()
    back = urlsplit(answer.getheader("Location", ""))
    assert answer.status == 303, f"Stripe's page answered {answer.status}"
    assert back.path, f"Stripe's page answered {answer.status}"
    return f"{back.path}?{back.query}"


def pay(browser: Browser, origin: Origin, payment_page: str) -> Response:
    """Pay on the provider's page; the shop's redirect to the order's confirmation."""
    if STRIPE_PAGE in payment_page:
        back = browser.get(origin, pay_on_stripe(payment_page))
    else:
        back = browser.submit(origin, payment_page, {"action": "approve"})
    assert back.status in (302, 303), f"back from the payment: {back.status}"
    return back


def buy(origin: Origin, email: str) -> str:
    """A whole purchase (through the fake Stripe when the shop has its key); the number."""
    browser = Browser()
    add_to_cart(browser, origin)
    payment_page = checkout_to_payment(browser, origin, email)
    approved = pay(browser, origin, payment_page)
    number = approved.location.rsplit("/", 1)[-1]
    confirmation = browser.get(origin, approved.location)
    assert confirmation.status == 200, f"confirmation page: {confirmation.status}"
    assert "Thank you for your order" in confirmation.text, (
        f"confirmation page: {confirmation.status}")
    return number


# Metrics ----------------------------------------------------------------------------------

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(port: int, token: str | None, timeout: float = 5) -> tuple[int, Samples]:
    """GET /metrics on a loopback port; the status and every sample (name, labels) -> value."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/metrics", headers={"Authorization": f"Bearer {token}"}
                           if token else {})
        answer = connection.getresponse()
        text = answer.read().decode()
    finally:
        connection.close()
    if answer.status != 200:
        return answer.status, {}
    return 200, {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
                 for family in text_string_to_metric_families(text)
                 for sample in family.samples}


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    return sum(value for (sample, found), value in samples.items()
               if sample == name and set(labels.items()) <= set(found))


def requests_served(samples: Samples) -> float:
    """Requests a host answered, leaving out the scrapes themselves."""
    return sum(value for (sample, found), value in samples.items()
               if sample == "storefront_http_request_duration_seconds_count"
               and dict(found).get("endpoint") != "ops.metrics")


# A host lost under load -------------------------------------------------------------------

# Seconds: load before the kill; how long the host stays down; the most the restarted host
# may take to serve shoppers again (nginx tries it again after fail_timeout=10s); errors are
# allowed this long after the kill (requests that were in flight on the lost host).
LOAD_BEFORE, DOWN_FOR, BACK_WITHIN, ERROR_GRACE = 5.0, 8.0, 30.0, 5.0
BROWSERS, BUYERS = 3, 3
THINK = 0.05  # a shopper's pause between two requests
SHOPPER_ERRORS = (AssertionError, OSError, http.client.HTTPException)
PRODUCT_LINK = re.compile(r'href="(/products/[a-z0-9-]+)"')


@dataclass(frozen=True)
class Hit:
    at: float  # sent
    ended: float  # answered (or failed)
    method: str
    path: str
    status: int  # 0: no answer at all

    @property
    def failed(self) -> bool:
        return self.status == 0 or self.status >= 500


class Tally:
    """Every request the shoppers made, with its time and status."""

    def __init__(self):
        self.lock = threading.Lock()
        self.hits: list[Hit] = []

    def add(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)

    def between(self, start: float, end: float) -> list[Hit]:
        with self.lock:
            return [hit for hit in self.hits if start <= hit.at < end]


class CountingBrowser(Browser):
    def __init__(self, tally: Tally, source: str):
        super().__init__(source=source)
        self.tally = tally

    def request(self, origin: Origin, method: str, path: str,
                form: dict[str, str] | None = None) -> Response:
        started = time.monotonic()
        try:
            response = super().request(origin, method, path, form)
        except (OSError, http.client.HTTPException):
            self.tally.add(Hit(started, time.monotonic(), method, path.split("?")[0], 0))
            raise
        self.tally.add(Hit(started, time.monotonic(), method, path.split("?")[0],
                           response.status))
        return response


def again(step: Callable[[], object], tries: int = 4, pause: float = 0.3):
    """A shopper shown an error page presses the button again (a few times)."""
    for attempt in range(tries):
        try:
            return step()
        except SHOPPER_ERRORS:
            if attempt == tries - 1:
                raise
            time.sleep(pause)
    return None


@dataclass
class Purchase:
    email: str
    session: str = ""  # the Checkout Session paid on Stripe's page
    charged_at: float = 0.0
    number: str = ""  # the order the shopper was shown as confirmed
    confirmed_at: float = 0.0
    error: str = ""


class Load:
    """Shoppers through nginx until ``stop``: some browse, some buy through the fake Stripe.

    Each purchase comes from a new loopback address (a new shopper, with the shop's own
    per-address limits). A step that fails is tried again, as a person would.
    """

    def __init__(self, origin: Origin, run_id: str, stop: threading.Event):
        self.origin, self.run_id, self.stop = origin, run_id, stop
        self.tally = Tally()
        self.purchases: list[Purchase] = []
        self.addresses = iter(range(100_000))
        self.lock = threading.Lock()
        self.crashed: list[str] = []

    def address(self) -> str:
        with self.lock:
            number = next(self.addresses)
        return f"127.0.{1 + number // 250}.{2 + number % 250}"

    def get(self, browser: Browser, path: str) -> Response:
        response = browser.get(self.origin, path)
        assert response.status in (200, 302, 303), f"GET {path}: {response.status}"
        time.sleep(THINK)
        return response

    def browse(self, index: int) -> None:
        pick = random.Random(index)  # noqa: S311  (which page to look at, not a secret)
        while not self.stop.is_set():
            with contextlib.suppress(*SHOPPER_ERRORS):  # counted; the next visitor comes
                self.visit(CountingBrowser(self.tally, self.address()), pick)

    def visit(self, browser: Browser, pick: random.Random) -> None:
        again(lambda: self.get(browser, "/"))
        links = PRODUCT_LINK.findall(again(lambda: self.get(browser, "/products")).text)
        if links:
            link = pick.choice(links)
            again(lambda: self.get(browser, link))
        again(lambda: self.get(browser, "/cart/"))

    def buy(self, index: int) -> None:
        count = 0
        while not self.stop.is_set():
            count += 1
            purchase = Purchase(f"load-{self.run_id}-{index}-{count}@example.com")
            with self.lock:
                self.purchases.append(purchase)
            try:
                self.buy_one(purchase, random.Random(f"{index}-{count}"))  # noqa: S311
            except SHOPPER_ERRORS as error:
                purchase.error = f"{type(error).__name__}: {error}"[:300]

    def add_any(self, browser: Browser, pick: random.Random) -> None:
        page = self.get(browser, "/products")
        variants = re.findall(r'name="variant_id" value="(\d+)"', page.text)
        assert variants, "no add-to-cart form on /products"
        added = browser.post(self.origin, "/cart/add", {  # a guest form: no token
            "variant_id": pick.choice(variants), "quantity": "1"})
        assert added.status in (302, 303), f"add to cart: {added.status}"

    def buy_one(self, purchase: Purchase, pick: random.Random) -> None:
        browser = CountingBrowser(self.tally, self.address())
        again(lambda: self.add_any(browser, pick))
        page = again(lambda: checkout_to_payment(browser, self.origin, purchase.email))
        purchase.session = urlsplit(page).path.rsplit("/", 1)[-1]
        back = pay_on_stripe(page)  # the card is charged here, on Stripe's side
        purchase.charged_at = time.monotonic()
        returned = again(lambda: self.get(browser, back))
        confirmation = again(lambda: self.get(browser, returned.location))
        assert "Thank you for your order" in confirmation.text, "no confirmation"
        purchase.number = returned.location.rsplit("/", 1)[-1]
        purchase.confirmed_at = time.monotonic()


def post_webhook(origin: Origin, payload: str, signature: str) -> int:
    connection = origin.connect()
    try:
        connection.request("POST", "/stripe/webhook", body=payload, headers={
            "Host": origin.host_header, "Content-Type": "application/json",
            "Stripe-Signature": signature})
        answer = connection.getresponse()
        answer.read()
        return answer.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        connection.close()


def deliver_webhooks(origin: Origin, stop: threading.Event, answers: Counter,
                     undelivered: list) -> None:
    """Deliver the fake Stripe's events like Stripe: each until it is answered 200."""
    while not (stop.is_set() and not fake_stripe.events):
        if not fake_stripe.events:
            time.sleep(0.1)
            continue
        event = fake_stripe.events.pop(0)
        for _attempt in range(20):
            status = post_webhook(origin, event.payload, event.signature)
            answers[status] += 1
            if status == 200:
                break
            time.sleep(0.5)
        else:
            undelivered.append(event.type)


@dataclass
class Scrape:
    at: float
    host: str
    up: bool
    served: float


def watch(hosts: list[Origin], token: str, stop: threading.Event, seen: list[Scrape]) -> None:
    """Scrape every app host twice a second, as Prometheus would (only faster)."""
    while not stop.wait(0.5):
        for origin in hosts:
            at = time.monotonic()
            try:
                status, samples = scrape(origin.port, token, timeout=2)
            except (OSError, http.client.HTTPException):
                status, samples = 0, {}
            seen.append(Scrape(at, origin.name, status == 200, requests_served(samples)))


# Mail -----------------------------------------------------------------------------------

class Mailbox(Message):
    """A real SMTP server's inbox (aiosmtpd), read by recipient."""

    def __init__(self):
        super().__init__()
        self.messages = []
        self.lock = threading.Lock()

    def handle_message(self, message) -> None:
        with self.lock:
            self.messages.append(message)

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if address in (m["To"] or "")]


# The check ------------------------------------------------------------------------------

class ProdCheck:
    def __init__(self, report: Report):
        self.report = report
        self.run_id = secrets.token_hex(4)
        self.name = f"prodcheck-{self.run_id}"
        self.folder = Path(tempfile.mkdtemp(prefix="storefront-prod-check-"))
        self.admin_url = plain_postgres_url(ADMIN_DATABASE_URL)
        self.databases: list[str] = []
        self.redis = Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        self.mailbox = Mailbox()
        self.smtp: Controller | None = None
        self.processes: Processes | None = None
        self.app_ports: list[Origin] = []
        self.nginx: Origin | None = None
        self.worker: Process | None = None
        self.web: list[Process] = []
        self.s3: ThreadedMotoServer | None = None
        self.stripe_started = False
        self.use_nginx = bool(shutil.which("nginx") and shutil.which("openssl"))
        self.nginx_ports = (free_port(), free_port())  # http, https
        self.metrics_token = secrets.token_hex(16)
        self.metrics_ports: dict[str, int] = {}

    # -- setting up ------------------------------------------------------------------
    def database_url(self, database: str) -> str:
        return self.admin_url.rsplit("/", 1)[0] + f"/{database}"

    def create_database(self, suffix: str = "") -> str:
        database = f"sf_{self.name.replace('-', '_')}{suffix}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        self.databases.append(database)
        return self.database_url(database)

    def sql(self, query: str, *params, database_url: str | None = None) -> list[tuple]:
        with psycopg.connect(database_url or self.db_url) as connection:
            return connection.execute(query, params).fetchall()

    def environment(self) -> dict[str, str]:
        """The settings of every process: production, nothing inherited but the basics."""
        keep = {k: v for k, v in os.environ.items()
                if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")}
        return {**keep, "FLASK_SKIP_DOTENV": "1", "PYTHONPATH": str(ROOT),
                "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                "DATABASE_URL": self.db_url, "REDIS_URL": REDIS_URL,
                "JOBS_QUEUE": self.name, "RATELIMIT_KEY_PREFIX": self.name,
                "LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
                "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.smtp.port),
                "MAIL_DEFAULT_SENDER": "Halden Skin <shop@prod-check.test>",
                "TRUSTED_PROXIES": "1", "LOG_FORMAT": "json",
                "SHOP_URL": f"https://localhost:{self.nginx_ports[1]}",
                "RESERVATION_RELEASE_SECONDS": "2", "PYTHONUNBUFFERED": "1",
                **self.media_settings(), **self.stripe_settings(),
                "METRICS_TOKEN": self.metrics_token}

    def media_settings(self) -> dict[str, str]:
        """Pictures in a bucket of the local S3 server; linked through nginx (which proxies
        and caches /media/ from the bucket, as a CDN would), or from the bucket itself."""
        public = (f"https://localhost:{self.nginx_ports[1]}/media" if self.use_nginx
                  else f"{self.s3_url}/{MEDIA_BUCKET}")
        return {"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": MEDIA_BUCKET,
                "MEDIA_S3_ENDPOINT_URL": self.s3_url, "MEDIA_S3_REGION": "us-east-1",
                "MEDIA_S3_ACCESS_KEY_ID": "prod-check", "MEDIA_S3_SECRET_ACCESS_KEY": "prod-check",
                "MEDIA_PUBLIC_URL": public}

    def stripe_settings(self) -> dict[str, str]:
        return {"STRIPE_SECRET_KEY": "sk_test_prodcheck_0123456789",
                "STRIPE_PUBLISHABLE_KEY": "pk_test_prodcheck_0123456789",
                "STRIPE_API_BASE": fake_stripe.base_url, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                "STRIPE_TIMEOUT": "10"}

    def start_object_store(self) -> None:
        """moto's S3 server on a loopback port, with the shop's bucket: the picture folders
        readable by anyone (the CDN's view), uploads waiting for a job not."""
        port = free_port()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per S3 request
        self.s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.s3.start()
        self.s3_url = f"http://127.0.0.1:{port}"
        client = s3_client(self.media_settings())
        client.create_bucket(Bucket=MEDIA_BUCKET)
        client.put_bucket_policy(Bucket=MEDIA_BUCKET, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": [f"arn:aws:s3:::{MEDIA_BUCKET}/{folder}/*"
                                        for folder in ("products", "articles", "authors")]}]}))
        self.bucket = client

    def page_cache_generations(self) -> set[bytes]:
        return set(self.redis.scan_iter(match=PAGE_GENERATIONS, count=500))

    def forget_page_cache(self) -> None:
        """Delete the page cache's keys for this run's database (named by its own digest)."""
        for key in self.page_cache_generations() - self.generations_before:
            digest = key.decode().rsplit(":", 1)[-1]
            pages = list(self.redis.scan_iter(match=f"storefront:page:{digest}:*", count=500))
            self.redis.delete(key, *pages)

    def setup(self) -> None:
        self.redis.ping()
        self.generations_before = self.page_cache_generations()
        # RQ's one key shared by all queues (a throttle, with a TTL): ours to delete if new.
        self.rq_throttle_before = bool(self.redis.exists(RQ_THROTTLE))
        self.db_url = self.create_database()
        port = free_port()
        self.smtp = Controller(self.mailbox, hostname="127.0.0.1", port=port)
        self.smtp.start()
        fake_stripe.start()
        self.stripe_started = True
        fake_stripe.webhook_secret = WEBHOOK_SECRET
        self.start_object_store()
        self.processes = Processes(self.folder, self.environment())

    def flask(self, *args: str) -> str:
        return self.processes.run("flask " + " ".join(args),
                                  [str(BIN / "flask"), "--app", "storefront", *args])

    def start_web(self, name: str, port: int | None = None) -> Origin:
        port = port or free_port()
        metrics = self.folder / f"metrics-{name}"  # each host's own, as on its own machine
        env = {**self.processes.env, "GUNICORN_BIND": f"127.0.0.1:{port}",
               "GUNICORN_WORKERS": "2", "FORWARDED_ALLOW_IPS": "127.0.0.1",
               "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        process = self.processes.start(name, [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py",
                                              "storefront:create_app()"], env=env)
        self.web.append(process)
        return Origin(name, port)

    def wait_healthy(self, origin: Origin, process: Process | None, path="/healthz") -> None:
        def healthy():
            if process is not None and process.popen.poll() is not None:
                raise AssertionError(f"{process.name} exited:\n{process.tail()}")
            try:
                return Browser().get(origin, path).status == 200
            except OSError:
                return False

        assert wait_until(healthy, 90, 0.5), f"{origin.name} never answered {path}"

    def start_nginx(self) -> str:
        nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
        certificate, key = self.folder / "localhost.pem", self.folder / "localhost-key.pem"
        self.processes.run("openssl", [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                       "-days", "1", "-subj", "/CN=localhost", "-addext",
                                       "subjectAltName=DNS:localhost", "-keyout", str(key),
                                       "-out", str(certificate)])
        http_port, https_port = self.nginx_ports
        # The site as docs/deploy.md describes it, its comments (which name the placeholders)
        # left out.
        site = "\n".join(line for line in (ROOT / "prod" / "nginx-site.conf").read_text()
                         .splitlines() if not line.lstrip().startswith("#"))
        for placeholder, value in {
            "SERVER_NAME": "localhost", "HTTP_LISTEN": f"127.0.0.1:{http_port}",
            "HTTPS_LISTEN": f"127.0.0.1:{https_port}", "HTTPS_PORT_SUFFIX": f":{https_port}",
            "UPSTREAM_SERVERS": "\n    ".join(
                f"server 127.0.0.1:{o.port} max_fails=3 fail_timeout=10s;"
                for o in self.app_ports),
            "CERTIFICATE": str(certificate), "CERTIFICATE_KEY": str(key),
            "CACHE_DIR": str(self.folder / "nginx-cache"),
            "MEDIA_UPSTREAM": f"{self.s3_url}/{MEDIA_BUCKET}/",
            "MEDIA_HOST": urlsplit(self.s3_url).netloc,
        }.items():
            site = site.replace(f"@@{placeholder}@@", value)
        assert "@@" not in site, "a placeholder of prod/nginx-site.conf was not filled in"
        (self.folder / "nginx-cache").mkdir()  # as docs/deploy.md makes it
        temp = self.folder / "nginx-temp"
        temp.mkdir()
        user = "user root;\n" if os.geteuid() == 0 else ""
        config = self.folder / "nginx.conf"
        config.write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {self.folder}/nginx.pid;\n"
            f"error_log {self.folder}/nginx-error.log warn;\nevents {{ worker_connections 256; }}\n"
            f"http {{\n  access_log {self.folder}/nginx-access.log;\n"
            + "".join(f"  {kind}_temp_path {temp}/{kind};\n"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            + site + "\n}\n")
        argv = [nginx, "-p", str(self.folder), "-c", str(config), "-e",
                str(self.folder / "nginx-error.log")]
        self.processes.run("nginx -t", [*argv, "-t"])
        process = self.processes.start("nginx", argv)
        origin = Origin("nginx", https_port, host="localhost",
                        tls=ssl.create_default_context(cafile=str(certificate)))
        self.wait_healthy(origin, process)
        self.nginx_http = Origin("nginx-http", http_port, host="localhost")
        self.nginx = origin
        return f"https://localhost:{https_port} (and http on {http_port}) in front of both"

    # -- the checks ------------------------------------------------------------------
    def migrate(self) -> str:
        output = self.flask("db", "upgrade")
        assert "Running upgrade" in output, output[-2000:]
        return f"{output.count('Running upgrade')} migration(s) applied"

    def migrate_again(self) -> str:
        output = self.flask("db", "upgrade")
        assert "Running upgrade" not in output, output[-2000:]
        current = self.flask("db", "current")
        assert "(head)" in current, current
        return "nothing to do; the database is at the head revision"

    def seed(self) -> str:
        output = self.flask("seed-demo")
        products = self.sql("SELECT count(*) FROM product")[0][0]
        assert products > 0, output
        return f"{products} products"

    def start_app_hosts(self) -> str:
        origins = [self.start_web("web-a"), self.start_web("web-b")]
        for origin, process in zip(origins, self.web, strict=True):
            self.wait_healthy(origin, process)
            self.wait_healthy(origin, None, "/readyz")
        self.app_ports = origins
        return ", ".join(f"{o.name} on 127.0.0.1:{o.port}" for o in origins)

    def order(self, number: str) -> tuple:
        rows = self.sql("SELECT id, status, email FROM shop_order WHERE number = %s", number)
        assert rows, f"no order {number} in the database"
        return rows[0]

    def outbox_row(self, email: str) -> tuple | None:
        rows = self.sql("SELECT id, sent_at, attempts FROM outbox_message WHERE recipient = %s "
                        "ORDER BY id", email)
        return rows[-1] if rows else None

    def queued_jobs(self) -> int:
        return self.redis.llen(f"rq:queue:{self.name}")

    def purchase_waits_for_the_worker(self) -> str:
        email = f"buyer-a-{self.run_id}@example.com"
        number = buy(self.app_ports[0], email)
        assert self.order(number)[1] == "paid"
        assert self.outbox_row(email) is not None, "no confirmation e-mail in the outbox"
        assert self.queued_jobs() >= 1, "nothing was put on the job queue"
        time.sleep(2)
        assert self.mailbox.to(email) == [], "the web process sent the e-mail itself"
        assert self.outbox_row(email)[1] is None, "the outbox row was sent without a worker"
        self.first_buyer = email
        return f"order {number} paid through {self.app_ports[0].name}; its e-mail waits on " \
               f"the queue ({self.queued_jobs()} job(s)) while no worker runs"

    def unpaid_order(self) -> str:
        email = f"unpaid-{self.run_id}@example.com"
        browser = Browser()
        add_to_cart(browser, self.app_ports[1])
        checkout_to_payment(browser, self.app_ports[1], email)
        [(number, status)] = self.sql("SELECT number, status FROM shop_order WHERE email = %s",
                                      email)
        assert status == "pending_payment", status
        with psycopg.connect(self.db_url) as connection:
            connection.execute("UPDATE shop_order SET reservation_expires_at = now() - "
                               "interval '1 second' WHERE number = %s", (number,))
        self.unpaid_number = number
        return f"order {number} left unpaid through {self.app_ports[1].name}, its reservation " \
               "run out"

    def start_worker(self) -> str:
        self.metrics_ports["worker"] = free_port()
        env = {**self.processes.env, "METRICS_BIND": f"127.0.0.1:{self.metrics_ports['worker']}",
               "PROMETHEUS_MULTIPROC_DIR": str(self.folder / "metrics-worker")}
        (self.folder / "metrics-worker").mkdir()
        self.worker = self.processes.start("worker", [str(BIN / "flask"), "--app", "storefront",
                                                      "worker"], env=env)
        return f"flask worker, pid {self.worker.popen.pid}"

    def worker_sends_the_waiting_mail(self) -> str:
        email = self.first_buyer
        arrived = wait_until(lambda: self.mailbox.to(email), 45)
        assert arrived, f"no e-mail for {email}; worker log:\n{self.worker.tail()}"
        assert "is confirmed" in arrived[0]["Subject"], arrived[0]["Subject"]
        _id, sent_at, attempts = self.outbox_row(email)
        assert sent_at is not None, (sent_at, attempts)
        assert attempts == 1, (sent_at, attempts)
        log = self.worker.log.read_text()
        assert "storefront.jobs.tasks:deliver_mail" in log, self.worker.tail()
        return f"“{arrived[0]['Subject']}” arrived once the worker ran the delivery job"

    def periodic_sweep(self) -> str:
        number = self.unpaid_number
        expired = wait_until(lambda: self.order(number)[1] == "expired", 30)
        assert expired, f"order {number} is {self.order(number)[1]}:\n{self.worker.tail()}"
        assert "release_expired_reservations" in self.worker.log.read_text()
        return f"order {number} expired by the worker's periodic job (no cron)"

    def purchase_on_b_with_the_worker(self) -> str:
        email = f"buyer-b-{self.run_id}@example.com"
        number = buy(self.app_ports[1], email)
        arrived = wait_until(lambda: self.mailbox.to(email), 45)
        assert arrived, f"no e-mail for {email}:\n{self.worker.tail()}"
        return f"order {number} paid through {self.app_ports[1].name}; e-mail delivered"

    def cart_on_both_ports(self) -> str:
        browser = Browser()
        add_to_cart(browser, self.app_ports[0])
        lines = []
        for origin in [*self.app_ports, *([self.nginx] if self.nginx else [])]:
            page = browser.get(origin, "/cart/")
            assert page.status == 200, f"{origin.name} /cart/: {page.status}"
            lines.append(sorted(re.findall(r'name="line_id" value="(\d+)"', page.text)))
        assert lines[0], lines
        assert all(found == lines[0] for found in lines), lines
        return f"cart line(s) {lines[0]} seen through " + ", ".join(
            o.name for o in [*self.app_ports, *([self.nginx] if self.nginx else [])])

    def nginx_front(self) -> str:
        origin, browser = self.nginx, Browser()
        home = browser.get(origin, "/")
        assert home.status == 200, home.status
        assert "max-age" in home.headers.get("Strict-Transport-Security", ""), (
            "no HSTS: the app did not see https through X-Forwarded-Proto")
        assert re.fullmatch(r"[0-9a-f]{32}", home.headers.get("X-Request-ID", "")), (
            "the app did not take nginx's request id")
        redirect = browser.get(self.nginx_http, "/products")
        assert redirect.status == 301, redirect.status
        assert redirect.headers["Location"] == origin.url("/products"), redirect.headers
        for path in ("/healthz", "/readyz"):
            assert browser.get(origin, path).status == 200, path
        return "TLS, HSTS, http->https redirect, request ids, /healthz and /readyz"

    def nginx_caches(self) -> str:
        origin, browser = self.nginx, Browser()
        asset = re.search(r'"(/assets/css/site\.[0-9a-f]+\.css)"', browser.get(origin, "/").text)
        products = browser.get(origin, "/products").text
        media = re.search(r'(/media/[^"\s,]+\.(?:webp|jpg))', products)
        assert asset, "no asset or product picture on the pages"
        assert media, "no asset or product picture on the pages"
        seen = []
        for path in (asset.group(1), media.group(1)):
            statuses = [browser.get(origin, path) for _ in range(2)]
            assert all(r.status == 200 for r in statuses), [r.status for r in statuses]
            cache = [r.headers.get("X-Cache-Status") for r in statuses]
            assert cache == ["MISS", "HIT"], f"{path}: {cache}"
            seen.append(path)
        page = f"/products?sort=name&check={self.run_id}"  # a page no earlier check asked for
        statuses = [Browser().get(origin, page).headers.get("X-Cache-Status")
                    for _ in range(2)]
        assert statuses == ["MISS", "HIT"], f"anonymous {page}: {statuses}"
        with_cookie = Browser({"session": "x"}).get(origin, page).headers.get("X-Cache-Status")
        assert with_cookie == "BYPASS", f"{page} with a cookie: {with_cookie}"
        carts = [Browser().get(origin, "/cart/").headers.get("X-Cache-Status")
                 for _ in range(2)]
        assert "HIT" not in carts, f"/cart/ was answered from nginx's cache: {carts}"
        return ("MISS then HIT for " + " and ".join(seen) + f" and an anonymous {page}; "
                "BYPASS with a cookie; the cart never from the cache")

    def purchase_through_nginx(self) -> str:
        email = f"buyer-tls-{self.run_id}@example.com"
        number = buy(self.nginx, email)
        assert wait_until(lambda: self.mailbox.to(email), 45), "no e-mail"
        served = [sum(1 for line in p.log.read_text().splitlines()
                      if NGINX_REQUEST_ID.search(line)) for p in self.web]
        assert all(served), f"requests through nginx per app process: {served}"
        return f"order {number} paid over TLS (CSRF referrer check on https); nginx " \
               f"requests served per app process: {served}"

    def admin_sees_the_worker(self) -> str | None:
        if not self.sql("SELECT to_regclass('public.failed_job') IS NOT NULL")[0][0]:
            raise Skipped("the failed_job table has no migration yet (flask db migrate adds it)")
        origin, browser = self.nginx or self.app_ports[0], Browser()
        logged_in = browser.submit(origin, "/account/login",
                                   {"email": DEMO_ADMIN[0], "password": DEMO_ADMIN[1]})
        assert logged_in.status in (302, 303), f"admin log-in: {logged_in.status}"
        page = browser.get(origin, "/admin/jobs")
        assert page.status == 200, page.status
        assert "1 listening" in page.text
        assert "No failed jobs" in page.text
        return "one worker listening, no failed jobs"

    def shared_rate_limit(self) -> str:
        # One client address for both ports (as nginx would send it); not 127.0.0.1, whose
        # log-ins the other checks use.
        browser = Browser(X_Forwarded_For="203.0.113.7")
        statuses = []
        for attempt in range(LOGIN_LIMIT + 1):
            origin = self.app_ports[attempt % 2]
            statuses.append(browser.submit(origin, "/account/login",
                                           {"email": "nobody@example.com",
                                            "password": "wrong password"}).status)
        assert 429 not in statuses[:LOGIN_LIMIT], statuses
        assert statuses[-1] == 429, statuses
        return f"{LOGIN_LIMIT} log-ins spread over both ports, then 429: {statuses}"

    def pictures_in_the_bucket(self) -> str:
        listing = self.bucket.list_objects_v2(Bucket=MEDIA_BUCKET, Prefix="products/")
        stored = listing.get("KeyCount", 0)
        assert stored > 0, "seed-demo stored no product picture in the bucket"
        page = Browser().get(self.app_ports[0], "/products").text
        public = self.processes.env["MEDIA_PUBLIC_URL"]
        linked = re.search(re.escape(public) + r'/products/[0-9a-f]+-\d+\.webp', page)
        assert linked, f"no picture on /products links to {public}"
        assert Browser().get(self.app_ports[0], urlsplit(linked.group(0)).path).status == 404, \
            "the app still serves /media itself"
        return f"{stored} product picture files in bucket {MEDIA_BUCKET}; pages link to {public}"

    def metrics_of_every_host(self) -> str:
        """Each app host's /metrics adds up its two workers; the worker has its own; nobody
        without the token reads them, and nginx never serves them."""
        hosts = {origin.name: origin.port for origin in self.app_ports}
        ports = {**hosts, **self.metrics_ports}
        refused = {name: scrape(port, None)[0] for name, port in ports.items()}
        assert set(refused.values()) == {401}, f"anonymous scrapes: {refused}"
        if self.nginx:
            assert Browser().get(self.nginx, "/metrics").status == 404, "nginx serves /metrics"
        before = {name: scrape(port, self.metrics_token)[1] for name, port in hosts.items()}
        for _ in range(20):  # spread over both workers of web-a by the kernel
            assert Browser().get(self.app_ports[0], "/healthz").status == 200
        samples = {name: scrape(port, self.metrics_token)[1] for name, port in ports.items()}
        health = "storefront_http_request_duration_seconds_count"
        counted = (total(samples["web-a"], health, endpoint="ops.healthz")
                   - total(before["web-a"], health, endpoint="ops.healthz"))
        assert counted == 20, f"web-a counted {counted} of 20 /healthz requests"
        web = [samples[name] for name in hosts]
        placed = sum(total(host, "storefront_orders_total", outcome="placed") for host in web)
        paid = sum(total(host, "storefront_payments_total", provider="stripe",
                         outcome="succeeded") for host in web)

        def mail_sent() -> float:  # a job's counts join the worker's as its child ends
            samples["worker"] = scrape(self.metrics_ports["worker"], self.metrics_token)[1]
            return total(samples["worker"], "storefront_jobs_total",
                         job="storefront.jobs.tasks:deliver_mail", event="succeeded")

        mail = wait_until(lambda: mail_sent() >= 3, 15) and mail_sent()
        assert placed >= 4, (placed, paid, mail)
        assert paid >= 3, (placed, paid, mail)
        assert mail >= 3, (placed, paid, mail)
        for name, host in samples.items():
            assert total(host, "storefront_metrics_source_up") == 2, f"{name}: a source down"
            assert ("storefront_outbox_backlog", ()) in host, f"{name}: no outbox figure"
        hits = sum(total(host, "storefront_page_cache_requests_total", result="hit")
                   for host in web)
        return (f"anonymous: 401 on {', '.join(ports)}, 404 through nginx; web-a counted all "
                f"20 /healthz over its 2 workers; orders placed {placed:.0f}, Stripe payments "
                f"{paid:.0f}, e-mails sent by the worker {mail:.0f}, page cache hits "
                f"{hits:.0f}")

    def host_lost_under_load(self) -> str:
        """Shoppers browse and buy through nginx; app host A is killed (SIGKILL to its whole
        process group: the gunicorn master and its workers, as when a machine dies), started
        again DOWN_FOR seconds later, and the run goes on until nginx sends it shoppers again.
        """
        with psycopg.connect(self.db_url) as connection:  # the load never sells out
            connection.execute("UPDATE variant SET stock_on_hand = stock_on_hand + 1000")
        stop, delivered, watching = threading.Event(), threading.Event(), threading.Event()
        load, scrapes, answers, undelivered = Load(self.nginx, self.run_id, stop), [], Counter(), []
        shoppers = [threading.Thread(target=load.browse, args=(i,), daemon=True)
                    for i in range(BROWSERS)]
        shoppers += [threading.Thread(target=load.buy, args=(i,), daemon=True)
                     for i in range(BUYERS)]
        stripe = threading.Thread(target=deliver_webhooks, daemon=True,
                                  args=(self.nginx, delivered, answers, undelivered))
        scraper = threading.Thread(target=watch, daemon=True,
                                   args=(self.app_ports, self.metrics_token, watching, scrapes))
        for thread in [*shoppers, stripe, scraper]:
            thread.start()
        started = time.monotonic()
        try:
            timeline = self.lose_and_restore_host_a(scrapes)
        finally:
            for event, threads, seconds in ((stop, shoppers, 60), (delivered, [stripe], 30),
                                            (watching, [scraper], 10)):
                event.set()  # the shoppers finish what they are doing, then Stripe's events
                for thread in threads:
                    thread.join(timeout=seconds)
        assert not fake_stripe.events, f"{len(fake_stripe.events)} Stripe events undelivered"
        timeline["started"] = started
        return self.judge_the_loss(load, scrapes, timeline, answers, undelivered)

    def lose_and_restore_host_a(self, scrapes: list[Scrape]) -> dict[str, float]:
        victim, origin = self.web[0], self.app_ports[0]
        time.sleep(LOAD_BEFORE)
        killed = time.monotonic()
        os.killpg(victim.popen.pid, signal.SIGKILL)
        victim.popen.wait(timeout=10)
        self.processes.running.remove(victim)
        time.sleep(DOWN_FOR)
        restarted = time.monotonic()
        self.web[0] = self.start_web("web-a-restarted", port=origin.port)
        self.web.pop()  # start_web appended it; it stands in for web-a

        def serving_again() -> bool:
            return any(seen.host == origin.name and seen.at > restarted and seen.served > 0
                       for seen in list(scrapes))

        back = wait_until(serving_again, BACK_WITHIN, 0.25)
        time.sleep(2)  # both hosts serve together for a moment
        back_at = min((seen.at for seen in scrapes if seen.host == origin.name
                       and seen.at > restarted and seen.served > 0), default=0.0)
        return {"killed": killed, "restarted": restarted, "back": back_at if back else 0.0,
                "ended": time.monotonic()}

    def judge_the_loss(self, load: Load, scrapes: list[Scrape], timeline: dict[str, float],
                       answers: Counter, undelivered: list) -> str:
        killed, restarted, back = timeline["killed"], timeline["restarted"], timeline["back"]
        hits = load.tally.between(0, float("inf"))
        errors = [hit for hit in hits if hit.failed]
        # In flight when the host died, or sent before nginx noticed: nothing else may fail.
        late = [hit for hit in errors if not (hit.ended >= killed
                                              and hit.at <= killed + ERROR_GRACE)]
        assert not late, f"errors outside the loss window: {late[:5]}"
        assert len(errors) <= BROWSERS + BUYERS, f"{len(errors)} errors: {errors[:8]}"
        assert back, (f"web-a never served shoppers again within {BACK_WITHIN:.0f} s of its "
                      "restart")
        assert not undelivered, (answers, undelivered)
        assert set(answers) <= {0, 200, 502, 503}, (answers, undelivered)
        money = self.money_check(load)
        during = [p for p in load.purchases if killed < p.confirmed_at < restarted]
        assert during, "no purchase was completed while web-a was down"
        metrics = self.metrics_of_the_loss(scrapes, timeline)
        last = max((hit.ended for hit in errors), default=killed) - killed
        kinds = ", ".join(sorted(f"{h.method} {h.path} {h.status}" for h in errors))
        failures = (f"{len(errors)} failed, the last {last:.1f} s after the kill: {kinds}"
                    if errors else "none failed")
        served_during = sum(1 for hit in hits if killed < hit.at < restarted and not hit.failed)
        return (f"{len(hits)} requests in {timeline['ended'] - timeline['started']:.0f} s "
                f"({failures}); {served_during} answered while web-a was down; {money}; "
                f"{len(during)} purchase(s) completed during the loss; web-a restarted "
                f"{restarted - killed:.0f} s after the kill and served shoppers again "
                f"{back - restarted:.1f} s later; webhook answers {dict(answers)}; {metrics}")

    def money_check(self, load: Load) -> str:
        """Every purchase charged on Stripe is one paid order; none charged twice."""
        charged = {p.session for p in load.purchases if p.charged_at}
        stripe_paid = {sid for sid in charged
                       if fake_stripe.sessions.get(sid, {}).get("payment_status") == "paid"}
        assert stripe_paid == charged, "a charge the fake Stripe does not know"
        rows = self.sql(
            "SELECT o.email, o.number, o.status, p.provider_reference FROM shop_order o "
            "JOIN payment p ON p.order_id = o.id WHERE o.email LIKE %s AND p.status IN "
            "('succeeded', 'refunded', 'partially_refunded')", f"load-{self.run_id}-%")
        by_session = Counter(reference for _email, _number, _status, reference in rows)
        by_email = Counter(email for email, *_rest in rows)
        lost = charged - set(by_session)
        twice = [key for key, seen in (*by_session.items(), *by_email.items()) if seen > 1]
        assert not lost, f"charged but no paid order: {sorted(lost)[:5]}"
        assert not twice, f"charged twice: {twice[:5]}"
        assert all(status == "paid" for _e, _n, status, _r in rows), rows[:5]
        unconfirmed = [p for p in load.purchases if p.charged_at and not p.confirmed_at]
        failed = [p.error for p in load.purchases if p.error and not p.charged_at]
        assert len(charged) >= 3, f"only {len(charged)} purchase(s) in the whole run"
        return (f"{len(charged)} purchases charged = {len(rows)} paid orders (none lost or "
                f"charged twice; {len(unconfirmed)} shown no confirmation, "
                f"{len(failed)} given up before paying)")

    def metrics_of_the_loss(self, scrapes: list[Scrape], timeline: dict[str, float]) -> str:
        """The scrapes saw web-a go down and come back, and web-b take its share."""
        killed, restarted = timeline["killed"], timeline["restarted"]
        victim = [seen for seen in scrapes if seen.host == "web-a"]
        down = [seen.at for seen in victim if not seen.up and killed < seen.at < restarted]
        assert down, "the scrapes never saw web-a down"
        back_up = min((seen.at for seen in victim if seen.up and seen.at > restarted),
                      default=None)
        assert back_up is not None, "the scrapes never saw web-a up again"
        survivor = [seen for seen in scrapes if seen.host == "web-b" and seen.up]

        def served(at: float) -> float:
            return max((seen.served for seen in survivor if seen.at <= at), default=0.0)

        took = served(restarted) - served(killed)
        assert took > 0, "web-b served nothing while web-a was down"
        return (f"metrics: web-a unscrapable for {back_up - min(down):.1f} s, back (its counts "
                f"from zero) {back_up - restarted:.1f} s after its restart; web-b served "
                f"{took:.0f} requests during the loss")

    def backup_restores(self) -> str:
        missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if not shutil.which(tool)]
        if missing:
            raise Skipped(f"the PostgreSQL client tools are missing: {', '.join(missing)}")
        dump = self.folder / "backup.dump"
        self.processes.run("backup", ["/bin/bash", str(ROOT / "prod" / "backup.sh"),
                                      self.db_url, str(dump)])
        target = self.create_database("_restored")
        self.processes.run("restore", ["/bin/bash", str(ROOT / "prod" / "restore.sh"),
                                       str(dump), target])
        query = ("SELECT (SELECT count(*) FROM shop_order), (SELECT count(*) FROM order_line), "
                 "(SELECT count(*) FROM payment)")
        before, after = self.sql(query)[0], self.sql(query, database_url=target)[0]
        assert before == after, (before, after)
        assert before[0] >= 3, (before, after)
        return f"orders, lines, payments: {after}"

    def stop_worker(self) -> str:
        code = self.processes.stop(self.worker)
        assert code == 0, f"exit code {code}:\n{self.worker.tail()}"
        return "stopped on SIGTERM, exit code 0"

    # -- running ---------------------------------------------------------------------
    def run(self) -> None:
        check = self.report.check
        if not check("PostgreSQL, Redis and an SMTP server for this run", self.setup_note):
            return
        steps = [
            ("flask db upgrade on a new database", self.migrate),
            ("flask db upgrade again (every deploy runs it)", self.migrate_again),
            ("flask seed-demo", self.seed),
            ("two app hosts: gunicorn, 2 workers each, /healthz and /readyz", self.start_app_hosts),
            ("pictures in the object store (S3 server), linked from the pages",
             self.pictures_in_the_bucket),
        ]
        for name, step in steps:
            if not check(name, step):
                return
        if self.use_nginx:
            check("nginx started: prod/nginx-site.conf with TLS, both hosts upstream",
                  self.start_nginx)
        else:
            self.report.skip("nginx in front (TLS, cached /assets and /media)",
                             "nginx or openssl is not installed (apt-get install -y "
                             "nginx-light); the app hosts are checked directly")
        check("purchase through app host A; e-mail waits for the worker",
              self.purchase_waits_for_the_worker)
        check("unpaid order through app host B", self.unpaid_order)
        if not check("RQ worker started", self.start_worker):
            return
        check("the worker sends the confirmation e-mail", self.worker_sends_the_waiting_mail)
        check("the worker's periodic job releases the expired reservation", self.periodic_sweep)
        check("purchase through app host B", self.purchase_on_b_with_the_worker)
        check("one cart on both app hosts (same session cookie)", self.cart_on_both_ports)
        if self.nginx:
            check("nginx in front of both hosts", self.nginx_front)
            check("nginx caches /assets and /media", self.nginx_caches)
            check("purchase through nginx, served by both hosts", self.purchase_through_nginx)
        check("admin page /admin/jobs", self.admin_sees_the_worker)
        check("one rate limit across both app hosts", self.shared_rate_limit)
        check("metrics from every host (token only; workers added up)", self.metrics_of_every_host)
        if self.nginx:
            check("an app host lost under load: nginx routes around it, nothing lost",
                  self.host_lost_under_load)
        check("backup (pg_dump) restored into a fresh database", self.backup_restores)
        check("worker stops cleanly", self.stop_worker)

    def setup_note(self) -> str:
        self.setup()
        return f"database {self.databases[0]}, Redis {REDIS_URL} (keys *{self.name}*)"

    def stop_services(self) -> None:
        """The SMTP server, the fake Stripe and the S3 server (threads of this process)."""
        if self.smtp:
            self.smtp.stop()
        if self.stripe_started:
            fake_stripe.stop()
        if self.s3:
            self.s3.stop()

    def teardown(self) -> None:
        if self.processes:
            if self.report.failed:
                for process in self.processes.running:
                    print(f"\n--- last lines of {process.name} ({process.log}) ---\n"
                          f"{process.tail()}")
            self.processes.stop_all()
        self.stop_services()
        for database in self.databases:
            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        try:
            forget_queue(self.redis, self.name)
            if hasattr(self, "generations_before"):
                self.forget_page_cache()
                if not self.rq_throttle_before:
                    self.redis.delete(RQ_THROTTLE)
        finally:
            self.redis.close()
        if self.report.failed:
            print(f"\nThe logs of every process are kept in {self.folder}")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)


def main() -> int:
    started = time.monotonic()
    report = Report()
    prod_check = ProdCheck(report)
    print(f"prod-check {prod_check.name}: the production shape on this machine", flush=True)
    try:
        prod_check.run()
    finally:
        prod_check.teardown()
    seconds = round(time.monotonic() - started)
    verdict = "FAIL" if report.failed else "PASS"
    print(f"\nprod-check {verdict} in {seconds} s ({report.count('PASS')} checks passed, "
          f"{report.failed} failed, {report.count('SKIP')} skipped); everything it started "
          "is stopped and its databases are dropped.")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
