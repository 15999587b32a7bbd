"""The shop's particulars and which of its pages are written, read without a query a page.

``shop_info()`` is what the footer, the e-mails and the shop's pages use. Its data (the
admin's settings and the shop pages written) is kept by each process, with a *generation*
token where every process sees it (Redis when REDIS_URL is set, else a file in the instance
folder, as the page cache keeps its own). Every commit that changed the settings or a shop
text replaces the token, so every process reads the data again on its next page, and only
then: a sale or an edited article costs nothing here. A request reads it at most once. While
the token cannot be read (Redis down: then it is left alone for ``REST_SECONDS``) the data is
read again every ``REFRESH_SECONDS``. The environment's settings fill in whatever the admin
left empty, read on every call. (The pages showing the data are in the page cache's watched
tables too, so no stored page shows old values.)

The shop's pages are content's, above the settings: ``create_app`` hands in how to read
which are written, and which rows say so (``install``).

Services flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, g, has_app_context
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from storefront.audit import services as audit
from storefront.caching import FileGeneration, RedisGeneration
from storefront.db import listen_once
from storefront.errors import DomainError
from storefront.extensions import app_object, db
from storefront.settings.models import ShopSettings

EXTENSION = "storefront.shop_info"
PAGES_EXTENSION = "storefront.shop_info_pages"
REFRESH_SECONDS = 30.0  # while the token cannot be read
REST_SECONDS = 5.0  # after the token's store failed, it is left alone this long
REDIS_TIMEOUT = 0.5
NAME_MAX, EMAIL_MAX, ADDRESS_LINES_MAX, ADDRESS_LINE_MAX = 80, 254, 6, 100
AUDIT_FIELDS = ["name", "email", "address"]
_CHANGED = "storefront.shop_info_changed"
_REQUEST_KEY = "_shop_info_record"
monotonic = time.monotonic
log = logging.getLogger(__name__)


class SettingsError(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class _Record:
    """What the database says: the admin's values ("" when unset) and the pages written."""

    name: str = ""
    email: str = ""
    address: str = ""
    written_pages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WrittenPages:
    """Where ``ShopInfo.written_pages`` comes from (``storefront.content.shop
    .WRITTEN_PAGES``): ``load`` reads the keys of the shop's pages written (one statement);
    a committed change to a row of one of ``models`` has every process read them again,
    with the particulars."""

    load: Callable[[], Iterable[str]]
    models: tuple[type, ...]


def install(app: Flask, written_pages: WrittenPages) -> None:
    """Read the shop's written pages with its particulars (``create_app`` calls it once)."""
    app.extensions[PAGES_EXTENSION] = written_pages


def _watched(app: Flask) -> tuple[type, ...]:
    """The models whose rows ``shop_info`` is read from."""
    pages: WrittenPages | None = app.extensions.get(PAGES_EXTENSION)
    return (ShopSettings, *pages.models) if pages is not None else (ShopSettings,)


@dataclass(frozen=True)
class ShopInfo:
    """The shop as it presents itself: the admin's values over the environment's."""

    name: str
    email: str
    address_lines: tuple[str, ...]
    written_pages: frozenset[str]

    @property
    def one_line_address(self) -> str:
        return ", ".join(self.address_lines)


def address_lines(text: str) -> tuple[str, ...]:
    """The non-empty lines of a postal address; ";" also ends a line (for SHOP_ADDRESS)."""
    lines = (text or "").replace(";", "\n").splitlines()
    return tuple(line.strip() for line in lines if line.strip())


def _combine(record: _Record, config) -> ShopInfo:
    return _combined(record, config["SHOP_NAME"], config.get("SHOP_EMAIL"),
                     config.get("MAIL_DEFAULT_SENDER"), config.get("SHOP_ADDRESS"))


@lru_cache(maxsize=64)
def _combined(record: _Record, name: str, email: str | None, sender: str | None,
              address: str | None) -> ShopInfo:
    """The record over the environment's values: worked out once for the same values
    (every page asks, and reading an e-mail address out of the sender takes a while)."""
    return ShopInfo(
        name=record.name or name,
        email=record.email or email or parseaddr(sender or "")[1],
        address_lines=address_lines(record.address or address or ""),
        written_pages=record.written_pages,
    )


def environment_info(app: Flask | None = None) -> ShopInfo:
    """The environment's values alone (for a page that must not ask the database)."""
    return _combine(_Record(), (app or current_app).config)


# Reading ------------------------------------------------------------------------------------

def _load(app: Flask) -> _Record:
    settings = current_settings()
    pages: WrittenPages | None = app.extensions.get(PAGES_EXTENSION)
    written = pages.load() if pages is not None else ()
    values = ({name: getattr(settings, name) for name in AUDIT_FIELDS}
              if settings is not None else {})
    return _Record(**values, written_pages=frozenset(written))


class _Cache:
    """This process's copy of the record, the token it was read under, and the token's
    store (shared by every process)."""

    def __init__(self, app: Flask) -> None:
        database = hashlib.blake2b(str(app.config.get("SQLALCHEMY_DATABASE_URI")).encode(),
                                   digest_size=6).hexdigest()
        url = app.config.get("PAGE_CACHE_REDIS_URL") or app.config.get("REDIS_URL")
        if url:
            client = Redis.from_url(url, socket_timeout=REDIS_TIMEOUT,
                                    socket_connect_timeout=REDIS_TIMEOUT,
                                    retry=Retry(NoBackoff(), 1))
            self.generations: RedisGeneration | FileGeneration = RedisGeneration(client,
                                               f"storefront:shop-info-generation:{database}")
        else:
            self.generations = FileGeneration(
                lambda: Path(app.instance_path) / f"shop-info-generation-{database}")
        self.stamp: object = None
        self.record: _Record | None = None
        self.resting_until = 0.0

    def current_stamp(self) -> object:
        """The shared token, or (while it cannot be read) a moment that changes every
        REFRESH_SECONDS."""
        if monotonic() >= self.resting_until:
            try:
                token = self.generations.current()
            except Exception as error:  # Redis down or slow, a full disk: read more often
                log.warning("Shop settings' generation unavailable (%r); reading them every "
                            "%g s", error, REFRESH_SECONDS)
                self.resting_until = monotonic() + REST_SECONDS
            else:
                if token is not None:
                    return ("generation", token)
        return ("clock", int(monotonic() // REFRESH_SECONDS))

    def changed(self) -> None:
        """A commit changed the data: read it again here, and tell the other processes."""
        self.stamp, self.record = None, None
        if monotonic() < self.resting_until:
            return
        try:
            self.generations.bump()
        except Exception as error:
            log.warning("Could not announce changed shop settings (%r)", error)
            try:
                self.generations.forget()
            except Exception:
                self.resting_until = monotonic() + REST_SECONDS


def _cache(app: Flask) -> _Cache:
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        cache = app.extensions[EXTENSION] = _Cache(app)
    return cache


def _record(app: Flask) -> _Record:
    cache = _cache(app)
    stamp = cache.current_stamp()
    if cache.record is None or cache.stamp != stamp:
        record = _load(app)
        cache.stamp, cache.record = stamp, record
    return cache.record


def shop_info() -> ShopInfo:
    """The shop's name, e-mail, address and written pages (see the module's docstring).
    When the database cannot answer, the environment's values are used."""
    app = app_object()
    record = g.get(_REQUEST_KEY)
    if record is None and g.get("without_database"):  # a server error's page
        cache = app.extensions.get(EXTENSION)
        record = cache.record if cache is not None else None
        return _combine(record or _Record(), app.config)
    if record is None:
        try:
            record = _record(app)
        except SQLAlchemyError as error:
            app.logger.warning("Shop settings unavailable, using the environment's: %s",
                               error)
            return environment_info(app)
        setattr(g, _REQUEST_KEY, record)
    return _combine(record, app.config)


def current_settings() -> ShopSettings | None:
    return db.session.scalar(select(ShopSettings).order_by(ShopSettings.id).limit(1))


# Saving -------------------------------------------------------------------------------------

def _checked(name: str, email: str, address: str) -> tuple[str, str, str]:
    name, email = " ".join((name or "").split()), (email or "").strip().lower()
    lines = address_lines(address)
    if len(name) > NAME_MAX:
        raise SettingsError(f"Use at most {NAME_MAX} characters for the name.", "name")
    if email and (len(email) > EMAIL_MAX or "@" not in email.strip("@") or " " in email):
        raise SettingsError("Enter an e-mail address like hello@example.com, or leave it "
                            "empty.", "email")
    if len(lines) > ADDRESS_LINES_MAX or any(len(line) > ADDRESS_LINE_MAX for line in lines):
        raise SettingsError(f"Write the address in at most {ADDRESS_LINES_MAX} lines of at "
                            f"most {ADDRESS_LINE_MAX} characters.", "address")
    return name, email, "\n".join(lines)


def save_settings(name: str, email: str, address: str, *, actor) -> ShopSettings:
    """Set the shop's particulars ("" keeps the environment's). Audited; flushes only."""
    name, email, address = _checked(name, email, address)
    settings = current_settings()
    before = audit.snapshot(settings, AUDIT_FIELDS) if settings is not None else None
    if settings is None:
        settings = ShopSettings()
        db.session.add(settings)
    settings.name, settings.email, settings.address = name, email, address
    db.session.flush()
    after = audit.snapshot(settings, AUDIT_FIELDS)
    if before == after:
        return settings
    audit.record(actor, "shop_settings.updated", settings, "The shop's particulars",
                 before=before, after=after)
    return settings


# Seeing changes at once --------------------------------------------------------------------

def forget(app: Flask | None = None) -> None:
    """Read the data again on next use, in every process."""
    _cache(app or app_object()).changed()
    g.pop(_REQUEST_KEY, None)


def install_listeners() -> None:
    """Replace the token after each commit that changed the data, or a rollback of a
    transaction that had (called by create_app)."""
    listen_once(Session, "after_flush", _note_change)
    listen_once(Session, "after_commit", _committed)
    listen_once(Session, "after_rollback", _rolled_back)
    listen_once(Engine, "commit", _connection_committed)
    listen_once(Engine, "rollback", _connection_rolled_back)


def _note_change(session: Session, _context) -> None:
    if not has_app_context():
        return
    app, changed = app_object(), (*session.new, *session.dirty, *session.deleted)
    watched = _watched(app)
    if any(isinstance(obj, watched) for obj in changed):
        cache = _cache(app)
        session.info[_CHANGED] = cache
        session.connection().info[_CHANGED] = cache


def _committed(session: Session) -> None:
    cache = session.info.pop(_CHANGED, None)
    if cache is not None:
        cache.changed()
        if has_app_context():
            g.pop(_REQUEST_KEY, None)


def _rolled_back(session: Session) -> None:
    session.info.pop(_CHANGED, None)  # the connection's rollback announces it


def _connection_committed(connection) -> None:
    connection.info.pop(_CHANGED, None)


def _connection_rolled_back(connection) -> None:
    """A rolled-back transaction that had changed the data (and maybe been read since)."""
    if connection.invalidated:
        return
    cache = connection.info.pop(_CHANGED, None)
    if cache is not None:
        cache.changed()
