"""Prometheus metrics: what the shop counts as it works, for every process alike.

The counters and the request-time histogram live here; the figures read from the database
and Redis when a scraper asks (backlogs, stock held, failed jobs) are in
``storefront.ops.metrics``, and ``GET /metrics`` (with the ``METRICS_TOKEN`` bearer token)
serves both.

Several processes, one set of figures: gunicorn runs several workers and the job worker
forks a child per job. With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn.conf.py sets it;
the worker's unit sets one of its own), every process writes its figures to files there
and a scrape adds them up (prometheus_client's multiprocess mode). Without it (development,
tests) each process counts alone.

Counting costs little on purpose: one histogram observation per request, one counter
increment per order, payment or job. Counts about data (orders, payments, refunds) are
made when the transaction commits (``count_on_commit``), so a rolled-back attempt is never
counted.
"""

from __future__ import annotations

import glob
import os
import threading
import time
from collections.abc import Iterable

from flask import Flask, request, request_started
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.orm import Session, scoped_session

from storefront.db import listen_once

MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
ENDPOINT_ENVIRON = "storefront.endpoint"
# A request that never reached Flask's routing (a middleware answered it, or it failed first).
NO_ENDPOINT = "none"
PENDING = "storefront.metrics.pending"
CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUEST_SECONDS = Histogram(
    "storefront_http_request_duration_seconds",
    "Time to answer a request, by Flask endpoint and status code.",
    ["endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Every counter by its name, for folding in the counts of finished job processes.
COUNTERS: dict[str, Counter] = {}


def _counter(name: str, documentation: str, labels: list[str]) -> Counter:
    COUNTERS[name] = Counter(name, documentation, labels)
    return COUNTERS[name]


ORDERS = _counter("storefront_orders", "Orders placed, and each status an order moved to.",
                  ["outcome"])
PAYMENTS = _counter("storefront_payments", "Payments by provider and what became of them.",
                    ["provider", "outcome"])
WEBHOOKS = _counter("storefront_stripe_webhooks", "Stripe webhook deliveries by event type "
                    "and outcome (what the shop did, or why it refused).", ["type", "outcome"])
REFUNDS = _counter("storefront_refunds", "Refunds recorded, by where they came from.",
                   ["source"])
JOBS = _counter("storefront_jobs", "Background jobs queued, and how each try ended.",
                ["job", "event"])
PAGE_CACHE = _counter("storefront_page_cache_requests",
                      "Page cache look-ups by a view: hit or miss.", ["result"])

# Held while a scrape adds up the files and while a job's figures are folded in, so a
# scrape never sees them twice or not at all.
FOLDING = threading.Lock()


# Counting ---------------------------------------------------------------------------------

def count(counter: Counter, **labels: str) -> None:
    counter.labels(**labels).inc()


def count_on_commit(session: Session | scoped_session, counter: Counter,
                    **labels: str) -> None:
    """Count once ``session``'s transaction commits; never if it (or the savepoint it was
    made in) is rolled back."""
    real: Session = session() if isinstance(session, scoped_session) else session
    if not real.in_transaction():
        real.begin()  # what the count waits for: this transaction's end
    where = real.get_nested_transaction()
    real.info.setdefault(PENDING, []).append((where, counter, labels))


def install_listeners() -> None:
    """Count what ``count_on_commit`` noted when its transaction ends (called by create_app)."""
    listen_once(Session, "after_commit", _after_commit)
    listen_once(Session, "after_soft_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: the transaction around it may still be undone
    for _where, counter, labels in session.info.pop(PENDING, ()):
        counter.labels(**labels).inc()


def _after_rollback(session: Session, previous_transaction) -> None:
    pending = session.info.get(PENDING)
    if not pending:
        return
    if not previous_transaction.nested:
        session.info.pop(PENDING)
        return
    session.info[PENDING] = [entry for entry in pending
                             if not _inside(entry[0], previous_transaction)]


def _inside(transaction, outer) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def page_cache(result: str) -> None:
    _child(PAGE_CACHE, result).inc()


# Each labelled series once looked up: ``labels()`` takes a lock and checks its arguments
# every time, on every request. Bounded: endpoints, statuses and results are few.
_CHILDREN: dict[tuple, Counter | Histogram] = {}


def _child(metric, *values: str):
    key = (metric, *values)
    child = _CHILDREN.get(key)
    if child is None:
        child = _CHILDREN[key] = metric.labels(*values)
    return child


# Requests ---------------------------------------------------------------------------------

class RequestMetrics:
    """WSGI middleware: the time to answer each request, by endpoint and status.

    The endpoint is the one Flask's routing found (``none`` for an unknown address).
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        status = ["500"]

        def start(status_line, headers, exc_info=None):
            status[0] = status_line[:3]
            return start_response(status_line, headers, exc_info)

        try:
            return self.wsgi_app(environ, start)
        finally:
            _child(REQUEST_SECONDS, environ.get(ENDPOINT_ENVIRON, NO_ENDPOINT),
                   status[0]).observe(time.perf_counter() - started)


def _note_endpoint(app: Flask, **_extra) -> None:
    request.environ[ENDPOINT_ENVIRON] = request.endpoint or "none"


def init_app(app: Flask) -> None:
    """Name each request's endpoint for the histogram (before any hook can answer it)."""
    request_started.connect(_note_endpoint, app)


def install_middleware(app: Flask) -> None:
    """Time every request: the outermost layer, so the time includes all the others."""
    app.wsgi_app = RequestMetrics(app.wsgi_app)  # type: ignore[method-assign]  # Flask's documented way to add WSGI middleware


# Exposition -------------------------------------------------------------------------------

def exposition(collectors: Iterable = ()) -> bytes:
    """The text a scraper reads: every process's figures, plus ``collectors`` (read now)."""
    extra = CollectorRegistry(auto_describe=True)
    for collector in collectors:
        extra.register(collector)
    if not MULTIPROCESS_DIR:
        return generate_latest(REGISTRY) + generate_latest(extra)
    registry = CollectorRegistry(auto_describe=True)
    MultiProcessCollector(registry, path=MULTIPROCESS_DIR)
    with FOLDING:
        shared = generate_latest(registry)
    return shared + generate_latest(extra)


# The job worker's children ------------------------------------------------------------------

def fold_in_process(pid: int) -> int:
    """Add the counts of a finished child process (a job) to this process's own.

    The job worker forks a child per job; left alone, each would leave its own files and
    a scrape would read thousands. Its counters are added to the worker's and its files
    removed, as one step for scrapers. Returns how many files were folded in.
    """
    if not MULTIPROCESS_DIR:
        return 0
    files = glob.glob(os.path.join(MULTIPROCESS_DIR, f"counter_{pid}.db"))
    if not files:
        return 0
    with FOLDING:
        for family in MultiProcessCollector.merge(files, accumulate=False):
            counter = COUNTERS.get(family.name)
            for sample in family.samples:
                if counter is not None and sample.name.endswith("_total") and sample.value:
                    counter.labels(**sample.labels).inc(sample.value)
        for path in files:
            os.remove(path)
    return len(files)
