"""Large file imports (CSV) run as a job, for any importer.

An importer is a module-level function ``importer(data: bytes, actor, *, file_name,
**options)`` that makes the changes with the usual services (flushing), raises a
``DomainError`` when the file cannot be imported, and returns a plain summary (a dict
of counts, a sentence).
The whole import is one transaction: all rows or none. For the admin import view::

    queued = queue_file_import("storefront.inventory.csv_import:apply_file", data,
                               file_name, current_user)
    # inline: queued.result is the summary (or {"refused": message} when refused);
    # queued: storefront.queue.job_state(queued.id) -> {"state", "result", "progress"} to poll.

The file is kept as ``incoming/<random>.csv`` in the media storage (shared by every host,
never served) until the import has committed. ``report_progress`` lets a long importer
say how far it is.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from rq import get_current_job

from storefront.accounts.models import User
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.media import media_storage
from storefront.queue import QueuedJob, QueueUnavailable, enqueue, on_commit
from storefront.queue.runner import function_path, resolve

INCOMING_PREFIX = "incoming/"


def queue_file_import(importer: Callable | str, data: bytes, file_name: str, actor,
                      **options) -> QueuedJob:
    """Keep the uploaded file and import it in a job, as ``actor``. Raises QueueUnavailable."""
    storage = media_storage()
    name = storage.save(f"{INCOMING_PREFIX}{secrets.token_hex(16)}.csv", data)
    try:
        return enqueue(run_file_import, function_path(importer), name, file_name[:200],
                       getattr(actor, "id", None), options)
    except QueueUnavailable:
        storage.delete(name)
        raise


def run_file_import(importer: str, stored_name: str, file_name: str, actor_id: int | None,
                    options: dict) -> object:
    """Job: run ``importer`` over the stored file as the user ``actor_id``; its summary."""
    storage = media_storage()
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    try:
        summary = resolve(importer)(storage.read(stored_name), actor, file_name=file_name,
                                    **options)
    except DomainError:
        storage.delete(stored_name)  # refused for good: trying again changes nothing
        raise
    on_commit(lambda: storage.delete(stored_name))
    return summary


def report_progress(done: int, total: int | None = None) -> None:
    """Tell whoever polls ``job_state`` how far a queued import is (nothing when inline)."""
    job = get_current_job()
    if job is not None:
        job.meta["progress"] = {"done": done, "total": total}
        job.save_meta()
