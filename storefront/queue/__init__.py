"""The job queue: ``enqueue(func, *args, **kwargs)`` and nothing else to learn.

With ``REDIS_URL`` set, the job goes on an RQ queue and a worker (``flask worker``)
runs it, retrying with back-off (``JOB_RETRY_INTERVALS``). Without it, the job runs at
once, in this process and app context, the same way (one transaction of its own,
failures recorded, not retried): development and tests need no Redis and no worker.

Rules for a job function (see ``storefront.queue.runner``):
- a module-level function taking plain data (ids, text, numbers, lists, dicts): the
  rows it needs are read again when it runs, so call ``enqueue`` after your commit;
- it flushes, never commits; the runner commits once when it returns;
- it can run twice (a retry, or a worker killed mid-job), so it checks before acting.

This package is the plumbing only, low in the layers so that any feature can enqueue (the
outbox, back-in-stock alerts); the shop's jobs, which call into the features, are in
``storefront.jobs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from redis import RedisError

from storefront import metrics
from storefront.errors import DomainError
from storefront.queue import redis_queue
from storefront.queue.models import FailedJob
from storefront.queue.runner import (
    JobIncomplete,
    function_path,
    on_commit,
    perform,
    plain_arguments,
)

__all__ = ["FailedJob", "JobIncomplete", "QueueUnavailable", "QueuedJob", "enqueue",
           "job_state", "on_commit", "uses_queue"]


class QueueUnavailable(RuntimeError):
    """Redis could not take the job (the caller decides whether that matters)."""


@dataclass(frozen=True)
class QueuedJob:
    """What ``enqueue`` gives back: the queue's job id, or, for a job run inline, its outcome."""

    id: str | None
    inline: bool = False
    result: Any = None
    failed: bool = False


def uses_queue() -> bool:
    """True when jobs go to Redis for a worker; False when they run inline."""
    return bool(current_app.config.get("REDIS_URL"))


def enqueue(func: Callable | str, *args, **kwargs) -> QueuedJob:
    """Run ``func(*args, **kwargs)`` as a background job. Call it after committing.

    ``func`` is a module-level function or its path (``"package.module:function"``).
    Arguments must be JSON data. A job that fails does not raise here, in either mode:
    it is logged, retried (on the queue) and finally listed at ``/admin/jobs``.
    Raises QueueUnavailable when Redis is configured but cannot be reached.
    """
    path = function_path(func)
    plain_args, plain_kwargs = plain_arguments(args, kwargs)
    if uses_queue():
        try:
            job_id = redis_queue.put(path, plain_args, plain_kwargs)
        except RedisError as error:
            raise QueueUnavailable(f"the job queue is unreachable: {error}") from error
        metrics.count(metrics.JOBS, job=path, event="queued")
        return QueuedJob(id=job_id)
    metrics.count(metrics.JOBS, job=path, event="queued")
    try:
        result = perform(path, plain_args, plain_kwargs, inline=True)
    except DomainError as error:
        return QueuedJob(id=None, inline=True, result={"refused": error.message}, failed=True)
    except Exception:  # logged and recorded by perform, as a worker would
        return QueuedJob(id=None, inline=True, failed=True)
    return QueuedJob(id=None, inline=True, result=result)


def job_state(job_id: str | None) -> dict[str, Any] | None:
    """A queued job's ``state``, ``result`` and ``progress``; None when unknown or inline."""
    if not job_id or not uses_queue():
        return None
    return redis_queue.job_state(job_id)
