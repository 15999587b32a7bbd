"""What people search for: counted without personal data and without a write per search.

What is kept
    The search as normalised text (its words, lower case, single spaces, at most 100
    characters), the day, how many times it was made that day and how many results it
    found. No address, account, session, cookie or time of day. Searches that look like
    an e-mail address or hold a long number (a phone or order number) are not kept.

How it is counted
    Most searches are answered from the page cache (never from a shared cache: search
    pages are kept out of nginx's, so each one reaches the view), and a write per search
    would cost a commit each time. So every search is counted by the view in this
    worker's memory, which costs no SQL; the counts are
    written, added to what is there, in one statement when a search page is next
    *rendered* at least ``SEARCH_LOG_FLUSH_SECONDS`` after the first count waiting (60).
    Renders already talk to the database, and at least one happens per cached page every
    ten minutes (the cache's lifetime), so counts are late by a minute, rarely ten. A
    gunicorn worker that stops writes what it holds as it exits (``worker_exit`` in
    gunicorn.conf.py calls ``write_everywhere``). The result count is known only
    when a page is rendered; a day's row keeps the latest one seen. The counts table is
    not watched by the page cache, so writing it never makes pages stale.

What can be lost
    A worker that is killed (not stopped) loses at most its unwritten counts; more than
    ``MAX_PENDING`` different searches waiting in one worker are not counted.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy import CursorResult, case, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from storefront.db import utcnow
from storefront.extensions import db
from storefront.search.models import SearchCount
from storefront.search.query import SearchQuery

EXTENSION = "storefront.search_counter"
MAX_QUERY_LENGTH = 100
MAX_PENDING = 10_000
_PERSONAL = re.compile(r"@|\d{5,}")

log = logging.getLogger(__name__)


def normalised(query: SearchQuery) -> str | None:
    """The text kept for ``query``, or None when it is not kept at all."""
    if not query.is_searchable or _PERSONAL.search(query.text):
        return None
    text = " ".join(query.words)
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0]
    return text or None


class SearchCounter:
    """Counts waiting in this worker's memory, by (day, search): [searches, results]."""

    def __init__(self, flush_seconds: int):
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._pending: dict[tuple[date, str], list] = {}
        self._waiting_since: float | None = None

    def count(self, text: str | None, results: int | None = None, searches: int = 1) -> None:
        """Add ``searches`` of ``text`` today (and its result count, when known)."""
        if not text:
            return
        key = (utcnow().date(), text)
        with self._lock:
            entry = self._pending.get(key)
            if entry is None:
                if len(self._pending) >= MAX_PENDING:
                    return
                entry = self._pending[key] = [0, None]
                if self._waiting_since is None:
                    self._waiting_since = time.monotonic()
            entry[0] += searches
            if results is not None:
                entry[1] = results

    def is_waiting(self) -> bool:
        return self._waiting_since is not None

    def is_due(self) -> bool:
        since = self._waiting_since
        return since is not None and time.monotonic() - since >= self.flush_seconds

    def take(self) -> list[dict]:
        """Everything waiting, as rows to write; nothing waits afterwards."""
        with self._lock:
            pending, self._pending, self._waiting_since = self._pending, {}, None
        return [{"day": day, "query": text, "searches": searches, "results": results}
                for (day, text), (searches, results) in pending.items() if searches]

    def write(self) -> int:
        """Add the waiting counts to the database and commit; how many rows were written.

        A database problem loses these counts (logged), never the page.
        """
        rows = self.take()
        if not rows:
            return 0
        try:
            db.session.execute(_upsert(db.session.get_bind().dialect.name), rows)
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("Could not write %d search counts; they are lost", len(rows),
                        exc_info=True)
            return 0
        return len(rows)

    def write_if_due(self) -> int:
        return self.write() if self.is_due() else 0


def _upsert(dialect: str):
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(SearchCount)
    return statement.on_conflict_do_update(
        index_elements=[SearchCount.day, SearchCount.query],
        set_={"searches": SearchCount.searches + statement.excluded.searches,
              "results": func.coalesce(statement.excluded.results, SearchCount.results)})


def counter(app: Flask | None = None) -> SearchCounter:
    return (app or current_app).extensions[EXTENSION]


_APPS: weakref.WeakSet = weakref.WeakSet()  # every app of this process with a counter


def install(app: Flask) -> None:
    """Give ``app`` its counter (the search view counts every search, served from the page
    cache or not; the page is kept out of shared caches so that none goes uncounted)."""
    app.extensions[EXTENSION] = SearchCounter(int(app.config.get("SEARCH_LOG_FLUSH_SECONDS",
                                                                 60)))
    _APPS.add(app)


def write_everywhere() -> int:
    """Write what every app of this process has waiting (a worker about to exit)."""
    written = 0
    for app in list(_APPS):
        searches = app.extensions.get(EXTENSION)
        if searches is None or not searches.is_waiting():
            continue
        try:
            with app.app_context():
                written += searches.write()
        except Exception:  # the worker is going away; the counts go with it
            log.warning("Search counts were lost as the worker stopped", exc_info=True)
    return written


# --- What the admin reads --------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    days: int
    label: str


PERIODS = (Period(1, "Today"), Period(7, "Last 7 days"), Period(30, "Last 30 days"),
           Period(90, "Last 90 days"), Period(365, "Last 12 months"))
DEFAULT_PERIOD = PERIODS[2]


@dataclass(frozen=True)
class SearchTotal:
    query: str
    searches: int
    results: int | None  # the latest result count seen in the period


def _since(period: Period) -> date:
    return utcnow().date() - timedelta(days=period.days - 1)


def top_searches(period: Period, limit: int = 50) -> list[SearchTotal]:
    """The searches made most often in ``period``, with their latest result count."""
    since = _since(period)
    searches = func.sum(SearchCount.searches)
    rows = db.session.execute(
        select(SearchCount.query, searches).where(SearchCount.day >= since)
        .group_by(SearchCount.query).order_by(searches.desc(), SearchCount.query)
        .limit(limit)).all()
    latest = _latest_results([query for query, _ in rows], since)
    return [SearchTotal(query, total, latest.get(query)) for query, total in rows]


def _latest_results(queries: list[str], since: date) -> dict[str, int]:
    if not queries:
        return {}
    rows = db.session.execute(
        select(SearchCount.query, SearchCount.results)
        .where(SearchCount.query.in_(queries), SearchCount.day >= since,
               SearchCount.results.is_not(None))
        .order_by(SearchCount.day))
    return {query: results for query, results in rows if results is not None}  # later days win


def searches_without_results(period: Period, limit: int = 50) -> list[SearchTotal]:
    """Searches that found nothing in ``period``: how often they were made that way."""
    empty = func.sum(case((SearchCount.results == 0, SearchCount.searches), else_=0))
    rows = db.session.execute(
        select(SearchCount.query, empty).where(SearchCount.day >= _since(period))
        .group_by(SearchCount.query).having(empty > 0)
        .order_by(empty.desc(), SearchCount.query).limit(limit)).all()
    return [SearchTotal(query, total, 0) for query, total in rows]


def totals(period: Period) -> tuple[int, int]:
    """(searches made, searches that found nothing) in ``period``."""
    row = db.session.execute(
        select(func.coalesce(func.sum(SearchCount.searches), 0),
               func.coalesce(func.sum(case((SearchCount.results == 0, SearchCount.searches),
                                           else_=0)), 0))
        .where(SearchCount.day >= _since(period))).one()
    return int(row[0]), int(row[1])


def prune(days: int) -> int:
    """Forget counts older than ``days`` (flushes); how many rows went."""
    cutoff = utcnow().date() - timedelta(days=days)
    result = cast("CursorResult[Any]",
                  db.session.execute(delete(SearchCount).where(SearchCount.day < cutoff)))
    return result.rowcount or 0
