"""Jobs on a real Redis queue of the test's own (skipped, with the reason, without Redis): the
``test_queue`` and ``redis_queue`` fixtures and helpers to run and count what waits."""

from __future__ import annotations

import os
import signal
import uuid

import pytest
from redis import Redis, RedisError
from rq import SimpleWorker
from sqlalchemy import func, select

from storefront import queue
from storefront.extensions import db as _db
from storefront.queue.models import FailedJob
from storefront.queue.redis_queue import CONNECTION_KEY, forget_queue, job_queue, make_worker

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def test_queue():
    """A Redis connection and a queue name of this test's own; every key of it is deleted."""
    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except RedisError as error:
        pytest.skip(f"Redis at {REDIS_URL} is not reachable: {error}")
    name = f"test-{uuid.uuid4().hex[:12]}"
    # A worker process's commits also touch the page cache's and the shop particulars' keys
    # (storefront/caching.py, storefront/settings/services.py): those made during the test
    # are deleted with the queue (one made meanwhile by a test on another worker only has
    # its pages and particulars read afresh).
    before = set(_shop_keys(connection))
    rq_throttle = connection.exists("rq:clean_groups")  # RQ's one key shared by all queues
    yield connection, name
    forget_queue(connection, name)
    if not rq_throttle:
        connection.delete("rq:clean_groups")
    made = set(_shop_keys(connection)) - before
    if made:
        connection.delete(*made)
    connection.close()


SHOP_KEYS = ("storefront:page:*", "storefront:page-tag:*", "storefront:shop-info-generation:*")


def _shop_keys(connection: Redis):
    for pattern in SHOP_KEYS:
        yield from connection.scan_iter(match=pattern)


def use_queue(app, monkeypatch, name: str) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", name)
    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", "0,0")
    app.extensions.pop(CONNECTION_KEY, None)


@pytest.fixture
def redis_queue(app, test_queue, monkeypatch):
    """The app's jobs go to this test's Redis queue; yields (connection, name)."""
    use_queue(app, monkeypatch, test_queue[1])
    yield test_queue
    app.extensions.pop(CONNECTION_KEY, None)


def work(app) -> None:
    """Run every job waiting on the app's queue, in this process, then return."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        make_worker(app, worker_class=SimpleWorker).work(burst=True, logging_level="WARNING")
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def waiting(app) -> int:
    with app.app_context():
        return job_queue().count


def count(app, model, *where) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def failures(app) -> list[FailedJob]:
    with app.app_context():
        rows = list(_db.session.scalars(select(FailedJob).order_by(FailedJob.id)))
        _db.session.expunge_all()
        return rows


def enqueue(app, func, *args, **kwargs) -> queue.QueuedJob:
    with app.app_context():
        return queue.enqueue(func, *args, **kwargs)
