"""Running one job: inside an app context, as one transaction, failures kept for admins.

A job function is written like a service: it changes data and flushes, never commits.
The runner commits once when it returns and rolls back when it raises, the way a
request or a ``flask`` command does. How it ends:

- returns: committed; the return value (plain data) is the job's result.
- raises a ``DomainError``: rolled back and recorded, never retried (the same data
  would be refused again; the message says why, for a person). The job ends with
  the result ``{"refused": message}``.
- raises ``JobIncomplete``: what it did so far is committed, then it is retried
  like any failure (for work done in parts, such as e-mail that could not all go).
- raises anything else: rolled back; retried with back-off while tries are left,
  then recorded in ``failed_job`` for the admin page ``/admin/jobs``.
"""

from __future__ import annotations

import importlib
import json
import logging
import traceback
from collections.abc import Callable
from typing import Any

from flask import Flask, has_app_context
from rq import get_current_job
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from storefront import metrics
from storefront.db import utcnow
from storefront.errors import DomainError
from storefront.extensions import app_object, db
from storefront.queue.models import FailedJob

log = logging.getLogger("storefront.jobs")

ON_COMMIT_KEY = "jobs_on_commit"
_bound_app: Flask | None = None


class JobIncomplete(Exception):
    """The work done so far is kept (committed) and the job is tried again later."""


def bind_app(app: Flask) -> None:
    """Run every job of this process in ``app`` (the worker calls this once at start)."""
    global _bound_app
    _bound_app = app


def app_for_jobs() -> Flask:
    """The current app, else the one bound by the worker (``flask worker`` binds its app
    through ``redis_queue.make_worker``: this package never builds an app itself, since the app
    factory imports every package, this one included)."""
    if has_app_context():
        return app_object()
    if _bound_app is None:
        raise RuntimeError("No app for this job: start workers with `flask worker`, "
                           "which binds its app (storefront.queue.redis_queue.make_worker).")
    return _bound_app


def function_path(func: Callable | str) -> str:
    """``"package.module:function"`` for a module-level function (or such a string)."""
    if isinstance(func, str):
        resolve(func)  # fail now, in the caller, rather than later in a worker
        return func
    qualname = getattr(func, "__qualname__", "")
    if not qualname or "<" in qualname or "." in qualname:
        raise ValueError(f"a job must be a module-level function, not {func!r}")
    return f"{func.__module__}:{qualname}"


def resolve(path: str) -> Callable:
    module_name, _, name = path.partition(":")
    if not name:
        module_name, _, name = path.rpartition(".")
    func = getattr(importlib.import_module(module_name), name, None)
    if not callable(func):
        raise ValueError(f"no job function named {path!r}")
    return func


def plain_arguments(args: tuple | list, kwargs: dict) -> tuple[list, dict]:
    """The arguments as they will reach the job: JSON data, never live objects."""
    try:
        payload = json.loads(json.dumps([list(args), kwargs]))
    except (TypeError, ValueError) as error:
        raise TypeError(f"job arguments must be JSON data (ids, text, numbers): {error}") from None
    return payload[0], payload[1]


def on_commit(callback: Callable[[], object]) -> None:
    """Call ``callback`` after the running job's transaction has committed (e.g. tidy files)."""
    db.session.info.setdefault(ON_COMMIT_KEY, []).append(callback)


def _commit() -> None:
    db.session.commit()
    for callback in db.session.info.pop(ON_COMMIT_KEY, []):
        callback()


def _rollback() -> None:
    db.session.rollback()
    db.session.info.pop(ON_COMMIT_KEY, None)


def _plain_result(result: Any) -> Any:
    try:
        json.dumps(result)
    except (TypeError, ValueError):
        return str(result)
    return result


def perform(path: str, args: list, kwargs: dict, *, job_id: str | None = None,
            attempt: int = 1, final: bool = True, inline: bool = False) -> Any:
    """Run the job ``path`` once; see the module docstring.

    A queued job gets a fresh app context. An ``inline`` one runs in the caller's, with
    its session: the caller has committed (``enqueue`` is called after the commit), and
    one session means no second database connection waiting on the first.
    """
    if inline:
        return _run(path, args, kwargs, job_id, attempt, final)
    with app_for_jobs().app_context():
        return _run(path, args, kwargs, job_id, attempt, final)


def _run(path: str, args: list, kwargs: dict, job_id: str | None, attempt: int,
         final: bool) -> Any:
    func = resolve(path)
    try:
        result = func(*args, **kwargs)
    except DomainError as error:
        _rollback()
        metrics.count(metrics.JOBS, job=path, event="refused")
        log.warning("Job %s refused: %s", path, error.message)
        record_failure(path, args, kwargs, error.message, "", job_id=job_id, attempts=attempt)
        raise
    except JobIncomplete as error:
        _commit()
        _failed(path, args, kwargs, error, job_id, attempt, final)
        raise
    except Exception as error:
        _rollback()
        _failed(path, args, kwargs, error, job_id, attempt, final)
        raise
    _commit()
    metrics.count(metrics.JOBS, job=path, event="succeeded")
    return _plain_result(result)


def _failed(path, args, kwargs, error: BaseException, job_id, attempt: int, final: bool) -> None:
    summary = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    metrics.count(metrics.JOBS, job=path, event="failed" if final else "retried")
    if not final:
        log.warning("Job %s failed (try %d), will try again: %s", path, attempt, summary)
        return
    log.error("Job %s failed after %d tries: %s", path, attempt, summary, exc_info=error)
    details = "".join(traceback.format_exception(error))
    record_failure(path, args, kwargs, summary, details, job_id=job_id, attempts=attempt)


def record_failure(path: str, args: list, kwargs: dict, error: str, details: str, *,
                   job_id: str | None, attempts: int) -> FailedJob | None:
    """Keep the failure for admins; the same unresolved failure again only counts up."""
    arguments = json.dumps({"args": args, "kwargs": kwargs}, sort_keys=True)
    error = error[:500]
    try:
        row = db.session.scalar(
            select(FailedJob).where(
                FailedJob.function == path, FailedJob.arguments == arguments,
                FailedJob.error == error, FailedJob.resolved_at.is_(None),
            ).limit(1)
        )
        if row is None:
            row = FailedJob(job_id=job_id, function=path, arguments=arguments, error=error,
                            details=details, attempts=attempts)
            db.session.add(row)
        else:
            row.attempts += attempts
            row.failed_at = utcnow()
            row.job_id = job_id or row.job_id
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("Could not record the failure of job %s", path)
        return None
    return row


def perform_queued(path: str, args: list, kwargs: dict) -> Any:
    """The function RQ runs for every job: ``perform`` with the try count from the queue."""
    job = get_current_job()
    retries = int((job.meta or {}).get("retries", 0)) if job else 0
    left = (job.retries_left or 0) if job else 0
    try:
        return perform(path, args, kwargs, job_id=job.id if job else None,
                       attempt=retries - left + 1, final=left == 0)
    except DomainError as error:
        # Recorded already; the same data would be refused again, so the job ends here.
        return {"refused": error.message}
