"""Prometheus metrics: what changes as the shop works, and who may read them.

The app's tests run in one process, so the figures are this process's own (prometheus_client
without multiprocess mode); each test compares a figure before and after what it does. The
multiprocess side (gunicorn's workers, the job worker's children) runs in a subprocess with
``PROMETHEUS_MULTIPROC_DIR`` set, as in production.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import urllib.request
from decimal import Decimal
from pathlib import Path
from urllib.error import HTTPError

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import OperationalError

from storefront import metrics, queue
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.mail import OutboxMessage
from storefront.ops import metrics as ops_metrics
from storefront.ops.metrics import serve_metrics
from storefront.orders.models import Order
from tests.factories import (
    AdminFactory,
    ProductFactory,
    VariantFactory,
    add_to_cart,
    fill_checkout,
    pay_with_demo,
)
from tests.helpers import login, submit
from tests.helpers.apps import free_port
from tests.helpers.jobs import enqueue, work

TOKEN = "metrics-token-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[2]


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def changes(*samples: tuple) -> callable:
    """Remember some figures; calling the result gives how much each moved since."""
    before = [value(name, **labels) for name, labels in samples]

    def moved() -> list[float]:
        return [value(name, **labels) - was for (name, labels), was in zip(samples, before,
                                                                             strict=True)]

    return moved


def scrape(client, token: str | None = TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/metrics", headers=headers)


def families(text: str) -> dict[str, list]:
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


@pytest.fixture
def with_token(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)


# Who may read them ---------------------------------------------------------------------------

def test_metrics_refuse_anyone_without_the_token(app, client, with_token):
    for token in (None, "wrong-token", TOKEN + "x", ""):
        response = scrape(client, token)
        assert response.status_code == 401, token
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert b"storefront_" not in response.data
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401


def test_without_a_token_configured_there_are_no_metrics(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    assert scrape(client).status_code == 404


def test_a_scrape_shows_requests_and_the_shop_state(app, client, with_token, make):
    make(VariantFactory, product=make(ProductFactory), stock_on_hand=5, stock_reserved=2)
    with app.app_context():  # an e-mail the mail server has not taken yet
        db.session.add(OutboxMessage(recipient="reader@example.com", subject="Welcome",
                                     text_body="Hello", html_body="<p>Hello</p>"))
        db.session.commit()
    client.get("/products")
    response = scrape(client)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "no-store" in response.headers["Cache-Control"]
    found = families(response.get_data(as_text=True))
    requests = [s for s in found["storefront_http_request_duration_seconds"]
                if s.name.endswith("_count") and s.labels == {"endpoint": "catalog.product_list",
                                                              "status": "200"}]
    assert requests
    assert requests[0].value >= 1
    assert found["storefront_outbox_backlog"][0].value >= 1
    assert found["storefront_stock_reserved_units"][0].value >= 2
    assert {s.labels["source"]: s.value for s in found["storefront_metrics_source_up"]} == {
        "database": 1, "redis": 1}
    assert "storefront_failed_jobs" in found
    assert "storefront_orders_awaiting_payment" in found


def test_an_unreadable_database_is_reported_not_a_failed_scrape(app, client, with_token,
                                                                monkeypatch):
    def down():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(ops_metrics, "_database_figures", down)
    response = scrape(client)
    assert response.status_code == 200
    found = families(response.get_data(as_text=True))
    assert "storefront_outbox_backlog" not in found
    assert {s.labels["source"]: s.value for s in found["storefront_metrics_source_up"]}[
        "database"] == 0


# What moves them ---------------------------------------------------------------------------

def test_a_purchase_and_a_refund_move_the_order_payment_and_refund_counts(app, client, make):
    moved = changes(("storefront_orders_total", {"outcome": "placed"}),
                    ("storefront_orders_total", {"outcome": "paid"}),
                    ("storefront_payments_total", {"provider": "demo", "outcome": "started"}),
                    ("storefront_payments_total", {"provider": "demo", "outcome": "succeeded"}),
                    ("storefront_refunds_total", {"source": "staff"}),
                    ("storefront_orders_total", {"outcome": "partially_refunded"}))
    variant = make(VariantFactory, product=make(ProductFactory), stock_on_hand=5,
                   price=Decimal("20.00"))
    add_to_cart(client, variant.id)
    fill_checkout(client)
    assert pay_with_demo(client).status_code == 302
    assert moved() == [1, 1, 1, 1, 0, 0]

    with app.app_context():
        number = db.session.scalars(db.select(Order.number).order_by(Order.id.desc())).first()
    admin = make(AdminFactory, email="refunds@example.com")
    staff = app.test_client()
    login(staff, admin.email)
    refunded = submit(staff, f"/admin/orders/{number}/refund", {"amount": "5.00"},
                      form_url=f"/admin/orders/{number}")
    assert refunded.status_code == 303
    assert moved() == [1, 1, 1, 1, 1, 1]


def test_counts_about_data_wait_for_the_commit(app, db):
    moved = changes(("storefront_orders_total", {"outcome": "placed"}))
    with app.app_context():
        metrics.count_on_commit(db.session, metrics.ORDERS, outcome="placed")
        assert moved() == [0]
        db.session.rollback()  # the attempt was undone: it never happened
        db.session.commit()
        assert moved() == [0]
        metrics.count_on_commit(db.session, metrics.ORDERS, outcome="placed")
        with db.session.begin_nested():  # a savepoint that ends well counts with the rest
            metrics.count_on_commit(db.session, metrics.ORDERS, outcome="placed")
        assert moved() == [0]
        savepoint = db.session.begin_nested()
        metrics.count_on_commit(db.session, metrics.ORDERS, outcome="placed")
        savepoint.rollback()  # undone: only its own count goes
        db.session.commit()
    assert moved() == [2]


def test_a_declined_payment_counts_as_failed(app, client, make):
    moved = changes(("storefront_payments_total", {"provider": "demo", "outcome": "failed"}),
                    ("storefront_orders_total", {"outcome": "payment_failed"}))
    variant = make(VariantFactory, product=make(ProductFactory), stock_on_hand=3)
    add_to_cart(client, variant.id)
    fill_checkout(client)
    pay_with_demo(client, "decline")
    assert moved() == [1, 1]


def create_nothing() -> str:
    return "done"


def fail_always() -> None:
    raise RuntimeError("the shelf fell over")


def refuse_always() -> None:
    raise DomainError("no such brand")


def test_jobs_count_queued_succeeded_failed_and_refused(app, db):
    name = "tests.ops.test_metrics:"
    moved = changes(*[("storefront_jobs_total", {"job": name + job, "event": event})
                      for job, event in (("create_nothing", "queued"),
                                         ("create_nothing", "succeeded"),
                                         ("fail_always", "queued"), ("fail_always", "failed"),
                                         ("refuse_always", "refused"))])
    with app.app_context():
        assert not queue.enqueue(create_nothing).failed
        assert queue.enqueue(fail_always).failed
        assert queue.enqueue(refuse_always).failed
    assert moved() == [1, 1, 1, 1, 1]


@pytest.mark.usefixtures("redis_queue")
def test_a_job_retried_on_the_queue_counts_each_try(app, db):
    job = "tests.ops.test_metrics:fail_always"
    moved = changes(*[("storefront_jobs_total", {"job": job, "event": event})
                      for event in ("queued", "retried", "failed")])
    enqueue(app, fail_always)
    work(app)
    assert moved() == [1, 2, 1]  # two retries ("0,0"), then the last try fails for good


def test_page_cache_hits_and_misses(app, client, make):
    make(ProductFactory)
    moved = changes(("storefront_page_cache_requests_total", {"result": "miss"}),
                    ("storefront_page_cache_requests_total", {"result": "hit"}))
    fresh = app.test_client()
    fresh.get("/products?page-cache-test=1")
    fresh.get("/products?page-cache-test=1")
    assert moved() == [1, 1]


def test_webhook_outcomes_are_counted(app, client, fake_stripe):
    moved = changes(("storefront_stripe_webhooks_total",
                     {"type": "other", "outcome": "invalid_signature"}),)
    response = client.post("/stripe/webhook", data=b"{}", content_type="application/json",
                           headers={"Stripe-Signature": "t=1,v1=forged"})
    assert response.status_code == 400
    assert moved() == [1]


# The job worker's listener ------------------------------------------------------------------

def fetch(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310  (a loopback http address)
        url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, ""


def test_the_worker_listener_needs_the_token_too(app, with_token):
    port = free_port()
    server = serve_metrics(app, f"127.0.0.1:{port}")
    try:
        assert fetch(f"http://127.0.0.1:{port}/metrics")[0] == 401
        assert fetch(f"http://127.0.0.1:{port}/metrics", "wrong")[0] == 401
        assert fetch(f"http://127.0.0.1:{port}/other", TOKEN)[0] == 404
        status, text = fetch(f"http://127.0.0.1:{port}/metrics", TOKEN)
        assert status == 200
        assert "storefront_outbox_backlog" in text
    finally:
        server.shutdown()
        server.server_close()


# Several processes -----------------------------------------------------------------------------

FORKED_JOBS = textwrap.dedent("""
    import os
    from storefront import metrics

    metrics.count(metrics.JOBS, job="parent", event="queued")
    for child in range(3):
        pid = os.fork()
        if pid == 0:  # a job's child process, as RQ forks one
            metrics.count(metrics.JOBS, job="child", event="succeeded")
            metrics.count(metrics.ORDERS, outcome="expired")
            os._exit(0)
        os.waitpid(pid, 0)
        assert metrics.fold_in_process(pid) == 1
    files = sorted(os.listdir(os.environ["PROMETHEUS_MULTIPROC_DIR"]))
    assert files == [f"counter_{os.getpid()}.db"], files
    print(metrics.exposition().decode())
""")


def test_a_forked_job_process_counts_are_folded_into_the_worker(tmp_path):
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
                   "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", FORKED_JOBS], env=environment, cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    found = families(result.stdout)
    jobs_done = {(s.labels["job"], s.labels["event"]): s.value
                 for s in found["storefront_jobs"] if s.name == "storefront_jobs_total"}
    assert jobs_done == {("parent", "queued"): 1, ("child", "succeeded"): 3}
    assert [s.value for s in found["storefront_orders"]
            if s.labels == {"outcome": "expired"}] == [3]


def test_the_worker_will_not_serve_metrics_it_would_miscount(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # never reached
    monkeypatch.setitem(app.config, "METRICS_BIND", f"127.0.0.1:{free_port()}")
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert "METRICS_BIND needs PROMETHEUS_MULTIPROC_DIR" in result.output
