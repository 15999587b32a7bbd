"""The Redis side of jobs: the queue the web processes put jobs on, and the worker.

Jobs travel as JSON (``JSONSerializer``): a job is the runner's entry point
(``perform_queued``) with the job function's path and its plain arguments, so nothing
but data crosses Redis and any process with the same code can run it.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import Any

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry, SimpleWorker, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from storefront import metrics
from storefront.extensions import db
from storefront.queue import runner

ENTRY_POINT = "storefront.queue.runner.perform_queued"
CONNECTION_KEY = "storefront.jobs.redis"
# Seconds a finished job's result, and a failed job's record, stay in Redis.
RESULT_TTL = 24 * 3600
FAILURE_TTL = 30 * 24 * 3600


def redis_connection(app: Flask | None = None) -> Redis:
    """The app's Redis client for putting jobs on the queue (short timeouts), made once."""
    app = app or current_app
    connection = app.extensions.get(CONNECTION_KEY)
    if connection is None:
        connection = Redis.from_url(app.config["REDIS_URL"], socket_timeout=5,
                                    socket_connect_timeout=3)
        app.extensions[CONNECTION_KEY] = connection
    return connection


def job_queue(app: Flask | None = None, connection: Redis | None = None) -> Queue:
    app = app or current_app
    return Queue(app.config["JOBS_QUEUE"], connection=connection or redis_connection(app),
                 serializer=JSONSerializer, default_timeout=app.config["JOB_TIMEOUT"])


def retry_intervals(app: Flask | None = None) -> list[int]:
    """``JOB_RETRY_INTERVALS`` ("10,60,300"): the wait before each retry, in seconds."""
    text = str((app or current_app).config.get("JOB_RETRY_INTERVALS") or "")
    return [int(part) for part in text.replace(" ", "").split(",") if part]


def put(path: str, args: list, kwargs: dict, *, retry: bool = True,
        connection: Redis | None = None) -> str:
    """Put a job on the queue; returns its id. Retried with back-off unless ``retry`` is False."""
    queue = job_queue(connection=connection)
    intervals = retry_intervals() if retry else []
    job = queue.enqueue_call(
        ENTRY_POINT,
        args=(path, args, kwargs),
        job_id=f"{queue.name}-{uuid.uuid4().hex}",
        description=path,
        retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
        meta={"retries": len(intervals)},
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
    )
    return job.id


def job_state(job_id: str) -> dict[str, Any] | None:
    """A queued job's state ("queued", "started", "finished", "failed", ...), result, progress."""
    try:
        job = Job.fetch(job_id, connection=redis_connection(), serializer=JSONSerializer)
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=False)
    return {"state": getattr(status, "value", status), "result": job.return_value(),
            "progress": (job.meta or {}).get("progress")}


def _forget_inherited_connections() -> None:
    """In a forked process: drop the parent's pooled database connections, unused."""
    with runner.app_for_jobs().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


class AppWorker(Worker):
    """RQ's forking worker: each job runs in a child process of a worker that made the app once."""

    last_horse_pid = 0

    def main_work_horse(self, job, queue):
        _forget_inherited_connections()
        super().main_work_horse(job, queue)

    def execute_job(self, job, queue):
        """Run the job in a child; then add the child's counts to this worker's own."""
        try:
            super().execute_job(job, queue)
        finally:
            if self.last_horse_pid:
                metrics.fold_in_process(self.last_horse_pid)

    def fork_work_horse(self, job, queue):
        super().fork_work_horse(job, queue)
        self.last_horse_pid = self.horse_pid


def make_worker(app: Flask, worker_class: type[Worker] | type[SimpleWorker] = AppWorker):
    """A worker on the app's queue, with its own Redis connection (RQ sets long timeouts on it)."""
    runner.bind_app(app)
    connection = Redis.from_url(app.config["REDIS_URL"])
    name = f"{app.config['JOBS_QUEUE']}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    return worker_class([job_queue(app, connection)], connection=connection,
                        serializer=JSONSerializer, name=name)


def forget_queue(connection: Redis, name: str) -> int:
    """Delete every Redis key of queue ``name``: its jobs, registries and workers.

    For throwaway queues (tests, ``make prod-check``): job and worker names carry the
    queue's name, so nothing of another queue is touched.
    """
    keys = [key for key in connection.scan_iter(match=f"*{name}*", count=500)]
    if keys:
        connection.delete(*keys)
    connection.srem("rq:queues", f"rq:queue:{name}")
    workers = [key for key in connection.smembers("rq:workers") if name.encode() in key]
    if workers:
        connection.srem("rq:workers", *workers)
    return len(keys)
