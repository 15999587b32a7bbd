"""Jobs that run every few minutes, put on the queue by the workers themselves (no cron).

Every worker ticks once a second; a job is due when its Redis key has expired. The key
is set with ``SET NX EX <period>``, so however many workers run on however many hosts,
each periodic job is put on the queue once per period.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import Flask
from redis import Redis, RedisError

from storefront.db import utcnow
from storefront.queue import redis_queue

log = logging.getLogger("storefront.jobs")


@dataclass(frozen=True)
class Periodic:
    name: str
    function: str
    period_setting: str  # seconds between runs; 0 turns the job off


PERIODIC = (
    Periodic("release-expired-reservations",
             "storefront.jobs.tasks:release_expired_reservations", "RESERVATION_RELEASE_SECONDS"),
    Periodic("retry-outbox", "storefront.jobs.tasks:retry_outbox", "OUTBOX_RETRY_SECONDS"),
    Periodic("prune-carts", "storefront.jobs.tasks:prune_guest_carts", "CART_PRUNE_SECONDS"),
    Periodic("answer-questions", "storefront.jobs.tasks:answer_questions_now_visible",
             "QUESTION_SWEEP_SECONDS"),
    Periodic("invite-reviewers", "storefront.jobs.tasks:invite_reviewers",
             "REVIEW_INVITE_SECONDS"),
    Periodic("search-upkeep", "storefront.search.upkeep:upkeep", "SEARCH_UPKEEP_SECONDS"),
    Periodic("back-in-stock", "storefront.jobs.tasks:notify_back_in_stock",
             "BACK_IN_STOCK_SECONDS"),
)


def due_key(app: Flask, periodic: Periodic) -> str:
    return f"storefront:periodic:{app.config['JOBS_QUEUE']}:{periodic.name}"


def enqueue_due(app: Flask, connection: Redis) -> list[str]:
    """Put every periodic job whose period has passed on the queue; returns their names."""
    started = []
    with app.app_context():
        for periodic in PERIODIC:
            period = int(app.config[periodic.period_setting])
            if period <= 0:
                continue
            if connection.set(due_key(app, periodic), utcnow().isoformat(), nx=True, ex=period):
                # Not retried: the next period runs it again anyway.
                redis_queue.put(periodic.function, [], {}, retry=False, connection=connection)
                started.append(periodic.name)
    return started


class PeriodicScheduler(threading.Thread):
    """Ticks in the worker's main process until stopped; Redis trouble is logged, not fatal."""

    def __init__(self, app: Flask, tick_seconds: float = 1.0):
        super().__init__(name="periodic-jobs", daemon=True)
        self.app = app
        self.tick_seconds = tick_seconds
        self._stopped = threading.Event()
        # Its own connection: never shared with a forked job process.
        self.connection = Redis.from_url(app.config["REDIS_URL"], socket_timeout=5,
                                         socket_connect_timeout=3)

    def run(self) -> None:
        while True:
            try:
                enqueue_due(self.app, self.connection)
            except RedisError as error:
                log.warning("Periodic jobs not scheduled this time: %s", error)
            if self._stopped.wait(self.tick_seconds):
                return

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=10)
        self.connection.close()
