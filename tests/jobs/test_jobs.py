"""Background jobs: inline without Redis, on an RQ queue with it; retries, failures, periodic.

Queue tests use a real Redis (``TEST_REDIS_URL``, default ``redis://127.0.0.1:6379/13``),
a queue named for the test and an in-process RQ worker in burst mode; they are skipped,
with the reason, when Redis is unreachable. Every key of the test's queue is deleted
afterwards.
"""

from __future__ import annotations

import json
import uuid
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app
from redis import Redis
from rq.serializers import JSONSerializer
from sqlalchemy import select

from storefront import queue
from storefront.audit.models import AuditEntry
from storefront.catalog.models import Brand
from storefront.db import utcnow
from storefront.errors import DomainError
from storefront.extensions import db as _db
from storefront.jobs import periodic, tasks
from storefront.mail import OutboxMessage, queue_mail
from storefront.orders.models import Order, OrderStatus
from storefront.queue import runner
from storefront.queue.redis_queue import CONNECTION_KEY, job_queue
from tests.factories import AdminFactory, ProductFactory, VariantFactory, placed_order
from tests.helpers import csrf_from, login
from tests.helpers.apps import free_port
from tests.helpers.jobs import (
    REDIS_URL,
    count,
    enqueue,
    failures,
    waiting,
    work,
)

# Jobs used by the tests (module-level, as every job must be) ----------------------------

def create_brand(slug: str) -> int:
    brand = Brand(slug=slug, name=slug.title())
    _db.session.add(brand)
    _db.session.flush()
    return brand.id


def create_brand_then_fail(slug: str) -> None:
    create_brand(slug)
    raise RuntimeError("the shelf fell over")


def create_brand_then_stop(slug: str) -> None:
    create_brand(f"{slug}-{uuid.uuid4().hex[:6]}")
    raise queue.JobIncomplete("half done")


def refuse(reason: str) -> None:
    raise DomainError(reason)


def fail_until_marker(marker: str) -> str:
    if not Path(marker).exists():
        raise RuntimeError("the marker file is not there yet")
    return "found it"


def fail_first_try(counter_key: str) -> int:
    tries = Redis.from_url(current_app.config["REDIS_URL"]).incr(counter_key)
    if tries < 2:
        raise RuntimeError("first try fails")
    return tries


# Fixtures and helpers -------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _no_bound_app(monkeypatch):
    monkeypatch.setattr(runner, "_bound_app", None)


def queue_welcome_mail(app) -> int:
    with app.test_request_context():
        message = queue_mail("reader@example.com", "Welcome", "confirm_email",
                             user=type("U", (), {"name": "Reader"})(), url="http://shop.test/x")
        _db.session.commit()
        return message.id


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(_db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        _db.session.expunge_all()
        return rows


# Without Redis: inline ------------------------------------------------------------------

def test_without_redis_a_job_runs_at_once_in_its_own_transaction(app, db):
    queued = enqueue(app, create_brand, "inline-brand")
    assert queued.inline
    assert queued.id is None
    assert not queued.failed
    assert count(app, Brand, Brand.slug == "inline-brand") == 1
    assert queued.result == _brand_id(app, "inline-brand")


def _brand_id(app, slug):
    with app.app_context():
        return _db.session.scalar(select(Brand.id).where(Brand.slug == slug))


def test_a_failed_job_is_rolled_back_recorded_and_not_raised_to_the_caller(app, db):
    queued = enqueue(app, "tests.jobs.test_jobs:create_brand_then_fail", "never-kept")
    assert queued.failed
    assert count(app, Brand, Brand.slug == "never-kept") == 0
    [failed] = failures(app)
    assert failed.function == "tests.jobs.test_jobs:create_brand_then_fail"
    assert failed.error == "RuntimeError: the shelf fell over"
    assert "Traceback" in failed.details
    assert "create_brand_then_fail" in failed.details
    assert json.loads(failed.arguments) == {"args": ["never-kept"], "kwargs": {}}
    assert (failed.attempts, failed.job_id, failed.resolved_at) == (1, None, None)


def test_the_same_failure_again_counts_up_on_one_row(app, db):
    enqueue(app, create_brand_then_fail, "x")
    enqueue(app, create_brand_then_fail, "x")
    enqueue(app, create_brand_then_fail, "y")
    assert [(f.arguments, f.attempts) for f in failures(app)] == [
        ('{"args": ["x"], "kwargs": {}}', 2), ('{"args": ["y"], "kwargs": {}}', 1)]


def test_a_refusal_is_recorded_with_its_message_for_a_person(app, db):
    queued = enqueue(app, refuse, "That picture is already used for another product.")
    assert queued.failed
    assert queued.result == {"refused": "That picture is already used for another product."}
    [failed] = failures(app)
    assert failed.error == "That picture is already used for another product."
    assert failed.details == ""


def test_job_arguments_must_be_plain_data_and_jobs_module_level(app, db):
    with app.app_context():
        with pytest.raises(TypeError, match="JSON"):
            queue.enqueue(create_brand, object())
        with pytest.raises(ValueError, match="module-level"):
            queue.enqueue(lambda: None)
        with pytest.raises(ValueError, match="no job function"):
            queue.enqueue("tests.jobs.test_jobs:no_such_job")
    assert failures(app) == []


# With Redis: a queue and a worker -------------------------------------------------------

def test_with_redis_a_job_waits_for_the_worker(app, db, redis_queue):
    queued = enqueue(app, create_brand, "queued-brand")
    assert not queued.inline
    assert queued.id.startswith(redis_queue[1])
    assert count(app, Brand, Brand.slug == "queued-brand") == 0
    assert waiting(app) == 1

    work(app)
    assert waiting(app) == 0
    assert count(app, Brand, Brand.slug == "queued-brand") == 1
    with app.app_context():
        state = queue.job_state(queued.id)
    assert state["state"] == "finished"
    assert state["result"] == _brand_id(app, "queued-brand")


def test_a_failing_job_is_retried_then_recorded_once_with_every_try(app, db, redis_queue):
    queued = enqueue(app, create_brand_then_fail, "retried")
    work(app)
    assert count(app, Brand, Brand.slug == "retried") == 0
    [failed] = failures(app)
    assert failed.attempts == 3  # the first try and two retries (JOB_RETRY_INTERVALS "0,0")
    assert failed.job_id == queued.id
    with app.app_context():
        assert queue.job_state(queued.id)["state"] == "failed"
        assert queued.id in job_queue().failed_job_registry.get_job_ids()


def test_a_job_that_fails_once_succeeds_on_its_retry_and_is_not_recorded(app, db, redis_queue):
    queued = enqueue(app, fail_first_try, f"{redis_queue[1]}:tries")
    work(app)
    with app.app_context():
        assert queue.job_state(queued.id) == {"state": "finished", "result": 2, "progress": None}
    assert failures(app) == []


def test_retries_wait_as_configured(app, db, redis_queue, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", "30,120")
    queued = enqueue(app, create_brand_then_fail, "later")
    work(app)
    with app.app_context():
        rq_queue = job_queue()
        assert rq_queue.scheduled_job_registry.get_job_ids() == [queued.id]
        assert queue.job_state(queued.id)["state"] == "scheduled"
    assert failures(app) == []  # not yet: two tries are left


def test_a_refused_job_is_not_retried(app, db, redis_queue):
    queued = enqueue(app, refuse, "No such product any more.")
    work(app)
    [failed] = failures(app)
    assert (failed.error, failed.attempts) == ("No such product any more.", 1)
    with app.app_context():
        assert queue.job_state(queued.id)["result"] == {"refused": "No such product any more."}


def test_an_incomplete_job_keeps_each_try_and_is_retried(app, db, redis_queue):
    enqueue(app, create_brand_then_stop, "part")
    work(app)
    assert count(app, Brand, Brand.slug.startswith("part-")) == 3
    [failed] = failures(app)
    assert (failed.error, failed.attempts) == ("JobIncomplete: half done", 3)


def test_enqueue_says_when_redis_is_unreachable(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    app.extensions.pop(CONNECTION_KEY, None)
    try:
        with app.app_context(), pytest.raises(queue.QueueUnavailable):
            queue.enqueue(create_brand, "lost")
    finally:
        app.extensions.pop(CONNECTION_KEY, None)


# E-mail through the worker --------------------------------------------------------------

def test_with_redis_committed_mail_is_sent_by_the_worker_not_the_request(
        app, db, mailbox, redis_queue):
    message_id = queue_welcome_mail(app)
    assert mailbox == []
    [message] = outbox(app)
    assert (message.id, message.sent_at, message.attempts) == (message_id, None, 0)
    assert waiting(app) == 1

    work(app)
    assert [m["Subject"] for m in mailbox] == ["Welcome"]
    [message] = outbox(app)
    assert message.sent_at is not None
    assert message.attempts == 1


def test_mail_is_retried_while_smtp_is_down_then_listed_and_swept_later(
        app, db, mailbox, redis_queue, monkeypatch):
    working_port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    queue_welcome_mail(app)
    work(app)
    [message] = outbox(app)
    assert message.sent_at is None
    assert message.attempts == 3
    [failed] = failures(app)
    assert failed.function == "storefront.jobs.tasks:deliver_mail"
    assert "could not be sent yet" in failed.error

    monkeypatch.setitem(app.config, "MAIL_PORT", working_port)
    queued = enqueue(app, tasks.retry_outbox)
    work(app)
    assert [m["Subject"] for m in mailbox] == ["Welcome"]
    with app.app_context():
        assert queue.job_state(queued.id)["result"] == 1


def test_mail_stays_in_the_outbox_when_redis_is_down(app, db, mailbox, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    app.extensions.pop(CONNECTION_KEY, None)
    try:
        queue_welcome_mail(app)
    finally:
        app.extensions.pop(CONNECTION_KEY, None)
    [message] = outbox(app)
    assert message.sent_at is None
    assert mailbox == []
    assert "kept in the outbox" in caplog.text


def test_the_outbox_sweep_gives_up_on_mail_tried_too_often(app, db, mailbox):
    first, second = queue_welcome_mail(app), queue_welcome_mail(app)
    with app.app_context():
        for message_id, attempts in ((first, 10), (second, 9)):
            message = _db.session.get(OutboxMessage, message_id)
            message.sent_at, message.attempts = None, attempts
        _db.session.commit()
    mailbox.clear()
    assert enqueue(app, tasks.retry_outbox).result == 1
    assert [(m.id, m.sent_at is not None) for m in outbox(app)] == [(first, False),
                                                                    (second, True)]


# Periodic jobs --------------------------------------------------------------------------

def test_periodic_jobs_are_queued_once_per_period_whatever_the_number_of_workers(
        app, db, redis_queue, monkeypatch):
    connection, _name = redis_queue
    other_host = Redis.from_url(REDIS_URL)
    try:
        assert periodic.enqueue_due(app, connection) == [
            "release-expired-reservations", "retry-outbox", "prune-carts", "answer-questions",
            "invite-reviewers", "search-upkeep", "back-in-stock"]
        assert periodic.enqueue_due(app, other_host) == []
        assert periodic.enqueue_due(app, connection) == []
    finally:
        other_host.close()
    assert waiting(app) == 7
    with app.app_context():
        key = periodic.due_key(app, periodic.PERIODIC[0])
    assert 0 < connection.ttl(key) <= app.config["RESERVATION_RELEASE_SECONDS"]

    connection.delete(key)  # the period has passed
    monkeypatch.setitem(app.config, "OUTBOX_RETRY_SECONDS", 0)  # turned off
    monkeypatch.setitem(app.config, "CART_PRUNE_SECONDS", 0)
    monkeypatch.setitem(app.config, "QUESTION_SWEEP_SECONDS", 0)
    monkeypatch.setitem(app.config, "REVIEW_INVITE_SECONDS", 0)
    monkeypatch.setitem(app.config, "SEARCH_UPKEEP_SECONDS", 0)
    monkeypatch.setitem(app.config, "BACK_IN_STOCK_SECONDS", 0)
    assert periodic.enqueue_due(app, connection) == ["release-expired-reservations"]


def test_the_reservation_sweep_job_expires_overdue_orders(app, db, redis_queue):
    with app.app_context():
        variant = VariantFactory(product=ProductFactory(variant=False), stock_on_hand=4)
        order = placed_order((variant, 3))
        order.reservation_expires_at = utcnow() - timedelta(seconds=1)
        _db.session.commit()
        order_id = order.id
    periodic.enqueue_due(app, redis_queue[0])
    work(app)
    with app.app_context():
        assert _db.session.get(Order, order_id).status is OrderStatus.EXPIRED


def test_the_scheduler_thread_queues_periodic_jobs_and_stops(app, db, redis_queue):
    scheduler = periodic.PeriodicScheduler(app, tick_seconds=0.05)
    scheduler.start()
    try:
        for _ in range(100):
            if waiting(app) == len(periodic.PERIODIC):
                break
            scheduler._stopped.wait(0.05)
    finally:
        scheduler.stop()
    assert not scheduler.is_alive()
    assert waiting(app) == len(periodic.PERIODIC)


def test_flask_worker_needs_redis(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output


# The admin page -------------------------------------------------------------------------

def test_admins_see_failed_jobs_and_can_dismiss_them_or_run_them_again(
        app, client, make, tmp_path):
    marker = tmp_path / "marker"
    enqueue(app, fail_until_marker, str(marker))
    enqueue(app, create_brand_then_fail, "dismissed")
    first, second = failures(app)
    admin = make(AdminFactory)
    login(client, admin.email)

    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "No Redis is configured" in page
    assert "RuntimeError: the marker file is not there yet" in page
    assert "RuntimeError: the shelf fell over" in page
    token = csrf_from(page)

    response = client.post(f"/admin/jobs/{second.id}/dismiss", data={"csrf_token": token})
    assert response.status_code == 303

    marker.write_text("here")
    response = client.post(f"/admin/jobs/{first.id}/run-again", data={"csrf_token": token},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "ran again and finished" in page
    assert "No failed jobs" in page

    resolved = {f.id: f.resolution for f in failures(app)}
    assert resolved == {first.id: f"run again by {admin.email}",
                        second.id: f"dismissed by {admin.email}"}
    page = client.get("/admin/jobs?show=resolved").get_data(as_text=True)
    assert f"dismissed by {admin.email}" in page
    with app.app_context():
        actions = _db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["job.dismissed", "job.run_again"]


def test_running_a_job_again_that_fails_again_lists_it_again(app, client, make):
    enqueue(app, create_brand_then_fail, "again")
    [failed] = failures(app)
    login(client, make(AdminFactory).email)
    token = csrf_from(client.get("/admin/jobs").get_data(as_text=True))
    page = client.post(f"/admin/jobs/{failed.id}/run-again", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "failed again" in page
    old, new = failures(app)
    assert old.resolved_at is not None
    assert new.resolved_at is None
    assert new.error == old.error


def test_the_admin_page_shows_the_queue_and_the_outbox(app, client, make, redis_queue):
    queue_welcome_mail(app)
    login(client, make(AdminFactory).email)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Waiting to retry" in page
    assert "none running" in page
    assert "E-mail not sent yet" in page
    assert "Every e-mail has been sent" not in page


def test_jobs_travel_as_json_never_pickle(app, db, redis_queue):
    queued = enqueue(app, create_brand, "json")
    connection, _name = redis_queue
    raw = zlib.decompress(connection.hget(f"rq:job:{queued.id}", "data"))
    assert JSONSerializer.loads(raw) == [
        "storefront.queue.runner.perform_queued", None,
        ["tests.jobs.test_jobs:create_brand", ["json"], {}], {}]


def test_a_job_queued_by_the_release_before_the_queue_moved_still_runs(app, db, redis_queue):
    """Jobs waiting in Redis at a deploy name the runner where it was (storefront.jobs)."""
    with app.app_context():
        job_queue().enqueue_call("storefront.jobs.runner.perform_queued",
                                 args=("tests.jobs.test_jobs:create_brand", ["older"], {}))
    work(app)
    assert count(app, Brand, Brand.slug == "older") == 1
    assert failures(app) == []
