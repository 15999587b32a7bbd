"""SQLite, the database of a fresh checkout: requests that write at once take turns.

SQLite lets one connection write at a time. Three things make the others wait for their
turn instead of failing with "database is locked":

- WAL (``PRAGMA journal_mode=WAL``): readers go on while one connection writes;
- a busy timeout (``SQLITE_BUSY_TIMEOUT`` seconds, pysqlite's ``timeout``): a connection
  that wants the write lock waits that long for it;
- write transactions take the lock at their start (``BEGIN IMMEDIATE``). A transaction
  that read first and writes later asks for the lock in the middle, and SQLite refuses
  it at once, whatever the timeout, when another connection wrote in between.

This is SQLAlchemy's recipe for pysqlite's transactions: pysqlite's own BEGIN is switched
off and SQLAlchemy's ``begin`` event sends ours (which also gives SQLite working
SAVEPOINTs, which nested transactions and the tests rely on). ``create_app`` registers
both listeners (``install_listeners``).

Which transactions write: those of a request that changes something (POST, PUT, PATCH,
DELETE), of a GET view marked with ``changes_data``, those begun after a GET view said
``writing_from_now`` (a page that reads first and writes only now and then: the cart), and
those outside any request (commands, background jobs). A GET page only reads: its
transactions begin DEFERRED and run beside the writers, as do those of code that says so
with ``reading_only``.

Nothing here applies to PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from flask import current_app, g, has_app_context, has_request_context, request
from sqlalchemy import Engine, make_url

from storefront.db import listen_once

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CHANGES_DATA = "changes_data"
_READING_ONLY = "sqlite_reading_only"
_WRITING = "sqlite_writing"


def engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """``SQLALCHEMY_ENGINE_OPTIONS`` with the busy timeout added for a SQLite URL."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": float(config["SQLITE_BUSY_TIMEOUT"]),
                                   **options.get("connect_args", {})}
    return options


def changes_data(view):
    """Mark a view that writes even when asked with GET (a payment provider sending the
    shopper back, a page that first gives back expired stock): on SQLite its transactions
    take the write lock at their start, like a POST's."""
    setattr(view, _CHANGES_DATA, True)
    return view


def reading_only() -> None:
    """Declare that the transactions begun in this app context, outside a request, only
    read (the page cache's quick look at a guest's cart): on SQLite they need no lock."""
    setattr(g, _READING_ONLY, True)


def writing_from_now() -> None:
    """Declare that the transactions begun from now on in this GET request may write (a
    page that read first and found something to give back): on SQLite they take the lock
    at their start. End the reading transaction first (commit or roll back)."""
    setattr(g, _WRITING, True)


def takes_write_lock() -> bool:
    """Whether a transaction beginning now may write, so must take SQLite's lock first."""
    if has_request_context():
        if request.method not in READING_METHODS or g.get(_WRITING, False):
            return True
        view = current_app.view_functions.get(request.endpoint or "")
        return getattr(view, _CHANGES_DATA, False)
    return not (has_app_context() and g.get(_READING_ONLY, False))


def install_listeners() -> None:
    """Configure every SQLite connection and begin its transactions (called by create_app
    before any engine exists; every engine of the process, PostgreSQL's do nothing)."""
    listen_once(Engine, "connect", _configure_connection)
    listen_once(Engine, "begin", _begin)


def _configure_connection(dbapi_connection, _record) -> None:
    """Real transactions (and savepoints), foreign keys and WAL on every SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # SQLAlchemy sends BEGIN itself (below); pysqlite's own transaction handling breaks
    # SAVEPOINT and would begin every transaction DEFERRED.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if takes_write_lock() else "BEGIN")
