"""``flask worker`` as a real process: it runs queued jobs in forked children, schedules the
periodic ones by itself, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from storefront import queue
from storefront.catalog.models import Brand
from storefront.db import utcnow
from storefront.extensions import db
from storefront.orders.models import Order, OrderStatus
from storefront.queue.redis_queue import CONNECTION_KEY
from tests.factories import ProductFactory, VariantFactory, placed_order
from tests.helpers.apps import build_schema
from tests.helpers.jobs import REDIS_URL, use_queue

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


def brand_named_for_this_process() -> str:
    """A job: leaves a brand named after the process that ran it."""
    slug = f"pid-{os.getpid()}"
    db.session.add(Brand(slug=slug, name=slug))
    return slug


def _wait_for(check, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    return check()


@pytest.fixture
def queue_app(fresh_app, test_queue, monkeypatch):
    """An app on a new database (schema made), its jobs on this test's Redis queue."""
    use_queue(fresh_app, monkeypatch, test_queue[1])
    build_schema(fresh_app)
    yield fresh_app
    fresh_app.extensions.pop(CONNECTION_KEY, None)


def test_the_worker_process_runs_jobs_and_periodic_jobs_then_stops_on_sigterm(
        queue_app, tmp_path):
    app = queue_app
    with app.app_context():
        variant = VariantFactory(product=ProductFactory(variant=False), stock_on_hand=2)
        order = placed_order((variant, 2))
        order.reservation_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        order_id = order.id
        queued = queue.enqueue(brand_named_for_this_process)
    assert not queued.inline

    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": REDIS_URL, "JOBS_QUEUE": app.config["JOBS_QUEUE"],
           "SECRET_KEY": "worker-test-secret-" + uuid.uuid4().hex, "MAIL_SERVER": "",
           "PYTHONPATH": str(ROOT), "RESERVATION_RELEASE_SECONDS": "1",
           "OUTBOX_RETRY_SECONDS": "0", "FLASK_DEBUG": "0"}
    log = (tmp_path / "worker.log").open("w+")
    worker = subprocess.Popen([str(FLASK), "--app", "storefront", "worker"], cwd=tmp_path,
                              env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        def ran_by():
            with app.app_context():
                return db.session.scalar(select(Brand.slug).where(Brand.slug.like("pid-%")))

        def expired():
            with app.app_context():
                return db.session.get(Order, order_id).status is OrderStatus.EXPIRED

        slug = _wait_for(ran_by)
        assert _wait_for(expired), "the periodic reservation sweep did not run"
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.seek(0)
        output = log.read()
        log.close()
    assert slug is not None, output
    # Run in a child forked for the job: neither this process nor the worker's own.
    assert slug not in (f"pid-{os.getpid()}", f"pid-{worker.pid}"), output
    with app.app_context():
        assert queue.job_state(queued.id)["state"] == "finished"
