"""What admins see and do about background jobs: failures, the queue, the outbox. Flushes only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from redis import RedisError
from rq import Worker
from sqlalchemy import Select, func, select

from storefront import queue
from storefront.audit import services as audit
from storefront.db import utcnow
from storefront.extensions import db
from storefront.mail.models import OutboxMessage
from storefront.queue.models import FailedJob
from storefront.queue.redis_queue import job_queue

LABELS = {
    "storefront.jobs.tasks:deliver_mail": "Send e-mail",
    "storefront.jobs.tasks:retry_outbox": "Send what waits in the outbox",
    "storefront.jobs.tasks:release_expired_reservations": "Release expired reservations",
    "storefront.jobs.tasks:prune_guest_carts": "Delete old guest carts",
    "storefront.jobs.tasks:answer_questions_now_visible":
        "Answer questions whose article is out",
    "storefront.jobs.tasks:notify_back_in_stock": "E-mail those waiting for a size back",
    "storefront.jobs.images:make_image_sizes": "Make a product picture's sizes",
    "storefront.jobs.imports:run_file_import": "Import a file",
}


def label(function: str) -> str:
    """What the job does, for a person."""
    return LABELS.get(function, function)


def failures(resolved: bool = False) -> Select:
    """Failed jobs, newest first: those still to look at, or those dealt with."""
    done = FailedJob.resolved_at.is_not(None) if resolved else FailedJob.resolved_at.is_(None)
    return select(FailedJob).where(done).order_by(FailedJob.failed_at.desc(),
                                                  FailedJob.id.desc())


def _resolve(failed: FailedJob, resolution: str, actor, action: str) -> None:
    failed.resolved_at = utcnow()
    failed.resolution = resolution[:200]
    db.session.flush()
    audit.record(actor, action, failed, f"{label(failed.function)}: {resolution}"[:300])


@dataclass(frozen=True)
class JobCall:
    """A job and its arguments, read from a failure before the transaction ends."""

    function: str
    args: list
    kwargs: dict

    def enqueue(self) -> queue.QueuedJob:
        """Put it on the queue (or run it inline). Raises QueueUnavailable."""
        return queue.enqueue(self.function, *self.args, **self.kwargs)


def run_again(failed: FailedJob, actor) -> JobCall:
    """Mark the failure dealt with by running the job again; the call to enqueue after commit.

    If Redis then cannot take the job, ``reopen`` the failure.
    """
    arguments = json.loads(failed.arguments)
    call = JobCall(failed.function, arguments.get("args", []), arguments.get("kwargs", {}))
    _resolve(failed, f"run again by {actor.email}", actor, "job.run_again")
    return call


def reopen(failed: FailedJob) -> None:
    failed.resolved_at = None
    failed.resolution = None
    db.session.flush()


def dismiss(failed: FailedJob, actor) -> None:
    _resolve(failed, f"dismissed by {actor.email}", actor, "job.dismissed")


def queue_overview() -> dict[str, Any]:
    """How the queue is doing: jobs waiting, running, scheduled, failed; workers listening."""
    if not queue.uses_queue():
        return {"mode": "inline"}
    jobs_queue = job_queue()
    try:
        return {
            "mode": "queue", "name": jobs_queue.name,
            "waiting": jobs_queue.count,
            "running": jobs_queue.started_job_registry.count,
            "scheduled": jobs_queue.scheduled_job_registry.count,
            "failed": jobs_queue.failed_job_registry.count,
            "workers": Worker.count(queue=jobs_queue),
        }
    except RedisError as error:
        return {"mode": "queue", "name": jobs_queue.name, "error": str(error)[:200]}


def outbox_overview() -> dict[str, Any]:
    """E-mail not sent yet: how many, since when, and how many the sweep gave up on."""
    waiting = OutboxMessage.sent_at.is_(None)
    count, oldest = db.session.execute(
        select(func.count(), func.min(OutboxMessage.created_at)).where(waiting)).one()
    given_up = db.session.scalar(select(func.count()).where(
        waiting, OutboxMessage.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]))
    return {"waiting": count, "oldest": oldest if isinstance(oldest, datetime) else None,
            "given_up": given_up}
