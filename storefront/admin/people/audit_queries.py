"""Reading the audit log with filters, for the people area's audit page (it joins the
acting user: audit sits below accounts, so the query lives here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, select

from storefront.accounts.models import User
from storefront.audit.models import AuditEntry
from storefront.extensions import db


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    target_type: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_args(cls, args) -> AuditFilters:
        return cls(
            actor=args.get("actor", "").strip()[:254],
            action=args.get("action", "").strip()[:80],
            target_type=args.get("target_type", "").strip()[:40],
            date_from=_parse_date(args.get("from")),
            date_to=_parse_date(args.get("to")),
        )


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def entries(filters: AuditFilters) -> Select:
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if filters.actor:
        query = query.join(User, AuditEntry.actor_id == User.id).where(
            User.email.contains(filters.actor.lower(), autoescape=True))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.date_from:
        query = query.where(AuditEntry.created_at >= _start_of(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.created_at < _start_of(filters.date_to) + timedelta(days=1))
    return query


def known_actions() -> list[str]:
    query = select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    return list(db.session.scalars(query))
