"""Write audit entries. Called by the same services that make the change; flushes only."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from storefront.audit.models import AuditEntry
from storefront.extensions import db


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a value: Decimal and dates as text, enums as their value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The named attributes of ``obj`` as a JSON-safe dict, for ``before``/``after``."""
    return {field: _plain(getattr(obj, field)) for field in fields}


def record(
    actor,
    action: str,
    target,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry: ``actor`` did ``action`` (e.g. "user.role_changed") to ``target``."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=str(getattr(target, "id", target)),
        summary=summary[:300],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def record_change(
    actor,
    action: str,
    target,
    summary: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry | None:
    """Record ``action`` with only the fields that differ; nothing when none do.

    ``before`` None is a creation, ``after`` None a removal: both are recorded whole.
    """
    if before is not None and after is not None:
        changed = [key for key in after if before.get(key) != after[key]]
        if not changed:
            return None
        before = {key: before.get(key) for key in changed}
        after = {key: after[key] for key in changed}
    return record(actor, action, target, summary, before=before, after=after)


def last_change(target_type: str, target_id: int) -> AuditEntry | None:
    """The newest entry about one record (``target_type`` as ``record`` names it), or None."""
    return db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.target_type == target_type, AuditEntry.target_id == str(target_id))
        .order_by(AuditEntry.id.desc()).limit(1))
