"""The shop's particulars and which of its pages are written, read without a query a page.

``shop_info()`` is what the footer, the e-mails and the shop's pages use. Its data (the
admin's settings and the shop pages written) is read from the database once per
*generation* of the page cache and process: the page cache replaces its generation
whenever a watched table (these two among them) changes, on every worker, so every worker
reads the new values on its next page and no stored page can show the old ones. Without
the page cache (or while its store is unreachable) the data is read again after
``REFRESH_SECONDS``. Within one request it is read once. A change committed in this
process is seen at once. The environment's settings fill in whatever the admin left empty,
read on every call, so they are never stale.

Services flush; the caller commits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parseaddr

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from storefront.audit import services as audit
from storefront.caching import EXTENSION as PAGE_CACHE
from storefront.content.models import ShopText
from storefront.content.pages import PAGE_KEYS
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.settings.models import ShopSettings

EXTENSION = "storefront.shop_info"
REFRESH_SECONDS = 30.0
NAME_MAX, EMAIL_MAX, ADDRESS_LINES_MAX, ADDRESS_LINE_MAX = 80, 254, 6, 100
AUDIT_FIELDS = ["name", "email", "address"]
_CHANGED = "storefront.shop_info_changed"
_REQUEST_KEY = "_shop_info_record"
monotonic = time.monotonic


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


def _environment_email(config) -> str:
    return config.get("SHOP_EMAIL") or parseaddr(config.get("MAIL_DEFAULT_SENDER") or "")[1]


def _combine(record: _Record, config) -> ShopInfo:
    return ShopInfo(
        name=record.name or config["SHOP_NAME"],
        email=record.email or _environment_email(config),
        address_lines=address_lines(record.address or config.get("SHOP_ADDRESS") or ""),
        written_pages=record.written_pages,
    )


def environment_info(app: Flask | None = None) -> ShopInfo:
    """The environment's values alone (for a page that must not ask the database)."""
    return _combine(_Record(), (app or current_app).config)


# Reading ------------------------------------------------------------------------------------

def _load() -> _Record:
    settings = current_settings()
    written = db.session.scalars(select(ShopText.key).where(ShopText.key.in_(PAGE_KEYS)))
    values = ({name: getattr(settings, name) for name in AUDIT_FIELDS}
              if settings is not None else {})
    return _Record(**values, written_pages=frozenset(written))


class _Cache:
    """This process's copy of the record and the stamp it was read under."""

    def __init__(self) -> None:
        self.stamp: object = None
        self.record: _Record | None = None

    def clear(self) -> None:
        self.stamp, self.record = None, None


def _stamp(app: Flask) -> object:
    """The page cache's generation, or a moment that changes every REFRESH_SECONDS."""
    page_cache = app.extensions.get(PAGE_CACHE)
    token = page_cache.current_token() if page_cache is not None else None
    return ("generation", token) if token is not None else (
        "clock", int(monotonic() // REFRESH_SECONDS))


def _record(app: Flask) -> _Record:
    cache: _Cache = app.extensions.setdefault(EXTENSION, _Cache())
    stamp = _stamp(app)
    if cache.record is None or cache.stamp != stamp:
        record = _load()
        cache.stamp, cache.record = stamp, record
    return cache.record


def shop_info() -> ShopInfo:
    """The shop's name, e-mail, address and written pages (see the module's docstring).
    When the database cannot answer, the environment's values are used."""
    app = current_app._get_current_object()
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


# Seeing our own changes at once ---------------------------------------------------------

def forget(app: Flask | None = None) -> None:
    """Read the data again on next use (this process and this request)."""
    app = app or current_app
    cache = app.extensions.get(EXTENSION)
    if cache is not None:
        cache.clear()
    g.pop(_REQUEST_KEY, None)


@event.listens_for(Session, "after_flush")
def _note_change(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, ShopSettings | ShopText) for obj in changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _after_end(session: Session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        forget()
