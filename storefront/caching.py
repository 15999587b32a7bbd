"""Whole pages cached for visitors who carry no state, each dropped when what it shows changes.

Who is served a cached page
    A GET (or HEAD) of a view decorated with ``cached_page``, by a visitor who is not logged
    in and whose session holds nothing but Flask-Login's bookkeeping: no cart, no flashed
    message, no checkout. Everything such a page shows is the same for all of them, and it
    carries no token and sets no cookie (anonymous forms are checked by their origin,
    ``storefront.security``), so shared caches may keep it too (``Cache-Control: public``
    with ``s-maxage=PAGE_CACHE_EDGE_SECONDS``: nginx in prod/ does). Everyone else has the
    page rendered for them, marked private.

What a page depends on: tags
    While a page is rendered, every tracked row it loads through the ORM (``track``: a
    product and its sizes, an article, a condition, a recommendation) adds its tags
    (``product:42``); views add tags for what decides *which* rows they show
    (``depends_on("prices")`` for a list sorted by price). Every page also depends on
    ``all``. The page is stored with the version of each of its tags and served only while
    they are all unchanged. With Redis, each worker keeps a copy of the versions it has
    needed and follows a feed of changes to keep it current: one small read per check,
    however many tags a page has (``RedisTags``). Without Redis, one ``stat()`` per tag in
    a folder of small files (a tag's file grows by a byte per change).

What a change touches
    Every commit that wrote a watched table bumps tags once it has committed. A change the
    rules can narrow to rows bumps only their tags: a size's price (``product:42`` and
    ``prices``), its stock (``product:42`` and ``stock``), an article's words. Any other
    write to a watched table (a new product, a category, a condition's products, a shop
    text) bumps ``all``: every page is rendered again. Statements run through the session
    (``UPDATE variant SET stock ...``) bump ``all`` unless they carry the execution option
    ``page_tags="declared"`` and the code that runs them names their tags (``touched``):
    a sale names only what a shopper can see change (``storefront.inventory.services``).
    A rolled-back transaction that had written those tables bumps them too (test isolation
    by rollback stays honest). Changes made outside SQLAlchemy sessions are only seen when
    entries expire (``PAGE_CACHE_TIMEOUT``) or after ``PageCache.bump()``.

    A page rendered while any change was being announced is not stored (its data may be
    older than the versions read after it); every change also bumps ``any`` for that check.

Moments when time alone changes pages
    A scheduled article going live, a stock hold running out: ``add_scheduled_change``
    registers a scalar subquery for the next such moment; a page is kept only until the
    first of them after it was rendered.

Query strings
    A view says which query parameters it reads (``@cached_page(args=("q",))``); it is shown
    only those (the first value of each, sorted by name), and only they make a page
    different: ``?utm_source=...`` or junk is neither a new key nor a new stored page.
    A parameter a form repeats (ticked checkboxes) is named in ``lists``: the view is shown
    each of its values once, sorted (at most ``MAX_LIST_VALUES``).

One visitor's own pages
    ``private_page`` stores a page under what it is made of for this visitor (the cart's
    lines), its address and who is logged in, with the same tags.

When Redis fails
    A Redis call that fails (down, slow past ``PAGE_CACHE_REDIS_TIMEOUT``, refusing writes)
    rests the cache for ``PAGE_CACHE_RETRY_SECONDS``: pages are rendered for each visitor as
    without the cache, and the cache comes back by itself once Redis answers. Tags that
    could not be bumped are deleted instead (Redis takes a deletion even when it refuses
    writes; a missing tag gets a new random version, so no stored page matches it). If even
    that fails, this worker owes the change: it serves no stored page until it has
    announced it. ``/readyz`` names the trouble.

Settings (app config): ``PAGE_CACHE_ENABLED`` (True), ``PAGE_CACHE_TIMEOUT`` (600 s),
``PAGE_CACHE_EDGE_SECONDS`` (30 s: how long a shared cache may keep a page, and as long
again stale while it fetches a new one), ``PAGE_CACHE_THRESHOLD`` (1,000 pages per process
with the in-process store), ``PAGE_CACHE_NEAR_BYTES`` (64 MiB: with pages in Redis, the
copies a worker keeps of those it served lately), ``PAGE_CACHE_REDIS_URL`` (defaults to
``REDIS_URL``),
``PAGE_CACHE_STORE`` ("redis" when there is a Redis URL, else "local": each worker's
memory, with the tags in Redis if there is one), ``PAGE_CACHE_REDIS_TIMEOUT`` (0.5 s),
``PAGE_CACHE_RETRY_SECONDS`` (5 s).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode

from cachetools import TLRUCache
from flask import Flask, current_app, get_flashed_messages, has_app_context, request, session
from flask_caching import Cache
from flask_login import current_user
from markupsafe import Markup
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine, ScalarSelect, inspect, select
from sqlalchemy.orm import Mapper, Session, scoped_session
from sqlalchemy.orm.attributes import History
from werkzeug.http import parse_etags

from storefront import metrics
from storefront.db import listen_once, utcnow
from storefront.extensions import db

EXTENSION = "storefront.page_cache"
# Tables whose rows appear on cached pages: a write to any of them invalidates pages.
WATCHED_TABLES = frozenset({
    "product", "variant", "product_image", "product_ingredient", "product_skin_type",
    "category", "brand", "ingredient",
    "article", "article_condition", "condition", "recommendation", "author", "shop_text",
    "search_synonym",  # synonyms change what search pages find
    "routine_step", "routine_step_category", "ingredient_class", "ingredient_class_member",
    "routine_conflict",
    "shop_settings", "shipping_zone", "shipping_zone_area", "shipping_method",
})
EVERYTHING = "all"  # every page depends on it; a change not narrowed to rows bumps it
ANY_CHANGE = "any"  # every change bumps it: a render that saw it move is not stored
DECLARED = "declared"  # ``page_tags`` execution option: the statement's tags are named
# Session keys that change nothing on a page: Flask-Login's bookkeeping.
_BOOKKEEPING_KEYS = frozenset({"_fresh", "_id", "_permanent"})
_TOUCHED = "storefront.page_tags_touched"
DEFAULT_TIMEOUT = 600
DEFAULT_EDGE_SECONDS = 30
KEY_VERSION = "p4"  # changes with CachedPage's shape, so a deploy never reads old entries
PRIVATE_TIMEOUT = 300  # one visitor's pages: kept for a shorter while
MAX_LIST_VALUES = 20  # values of one repeated query parameter a page is shown
MAX_CHECKED = 10_000  # pages a worker remembers having found valid
DEFAULT_THRESHOLD = 1000
DEFAULT_NEAR_BYTES = 64 * 1024 * 1024  # pages from Redis a worker keeps a copy of
PAGE_OVERHEAD = 512  # bytes a kept page costs beyond its body (its tags, versions, entry)
DEFAULT_REDIS_TIMEOUT = 0.5  # seconds per Redis call: a slower answer is a failure
DEFAULT_RETRY_SECONDS = 5.0  # after a failure, Redis is left alone this long
monotonic = time.monotonic  # the clock for that rest (a test may move it on)

log = logging.getLogger(__name__)
_showing: ContextVar[set[str] | None] = ContextVar("page_cache_showing", default=None)


class Hole(NamedTuple):
    """A part of a stored page that shows only what ``tag`` changes, refilled on its own."""

    kind: str  # whose filler makes it again (``fill_holes``)
    tag: str
    ident: Hashable  # what the filler is given: (a product's id, the style of its price)
    html: bytes


class CachedPage(NamedTuple):
    etag: str
    mimetype: str | None
    body: bytes  # as sent: ``parts`` with the holes' HTML between them
    tags: tuple[str, ...]  # what it shows, "all" first
    versions: tuple[str, ...]  # each tag's version when it was rendered
    until: datetime | None  # the first scheduled change after it was rendered (UTC)
    parts: tuple[bytes, ...] = ()  # the body around its holes (none: no holes)
    holes: tuple[Hole, ...] = ()
    hole_versions: tuple[str, ...] = ()  # each hole's tag's version when it was filled

    @property
    def hole_tags(self) -> tuple[str, ...]:
        return tuple(hole.tag for hole in self.holes)

    def filled(self, holes: tuple[Hole, ...], versions: tuple[str, ...]) -> CachedPage:
        """This page with ``holes`` in place of its own."""
        body = _compose(self.parts, holes)
        return self._replace(etag=_digest(body, 12), body=body, holes=holes,
                             hole_versions=versions)


def _compose(parts: tuple[bytes, ...], holes: tuple[Hole, ...]) -> bytes:
    pieces = [parts[0]]
    for hole, part in zip(holes, parts[1:], strict=True):
        pieces += (hole.html, part)
    return b"".join(pieces)


def _digest(data: str | bytes, size: int = 8) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.blake2b(raw, digest_size=size).hexdigest()


# --- What rows make a page, and what a change to them touches ---------------------------

# The listing tags a change of one attribute touches: fixed, or worked out from the row and
# the attribute's old and new values (a price: only the price bands between them).
Narrowed = tuple[str, ...] | Callable[[Any, History], Iterable[str]]


@dataclass(frozen=True)
class Tracked:
    """A model whose rows appear on pages.

    ``tags(row)`` names what pages showing the row depend on (None when the row was loaded
    without the columns that tell: use ``loaded``, never an attribute that may need a
    query). A change to an existing row
    that sets only attributes in ``narrow`` bumps those tags, plus the listing tags
    ``narrow`` maps the attribute to (``{"sku": ()}``, or a function of the row and the
    attribute's ``History``: ``{"price": price_tags}``); any other change bumps
    ``all``. An attribute in ``alone`` bumps only what ``narrow`` names for it, not the
    row's tags (a size's price, which pages show in holes: ``hole``). With ``children``, a
    new or deleted row bumps its tags too (a product's picture: it shows where the product
    does); otherwise ``all``.
    """

    model: type
    tags: Callable[[Any], Iterable[str] | None]
    narrow: Mapping[str, Narrowed] = field(default_factory=dict)
    children: bool = False
    alone: frozenset[str] = frozenset()

    def touched_by(self, row, new_or_deleted: bool) -> set[str]:
        own = self.tags(row)
        if own is None:  # the row's tags cannot be told without loading it
            return {EVERYTHING}
        if new_or_deleted:
            return set(own) if self.children else {EVERYTHING}
        touched: set[str] = set()
        for attribute in inspect(row).attrs:
            if not attribute.history.has_changes():
                continue
            if attribute.key not in self.narrow:
                return {EVERYTHING}
            tags = self.narrow[attribute.key]
            touched.update(tags(row, attribute.history) if callable(tags) else tags)
            if attribute.key not in self.alone:
                touched.update(own)
        return touched


def loaded(row, key: str):
    """The value of ``row``'s attribute ``key`` if it is loaded, else None (never a query:
    tags are read inside SQLAlchemy's load events)."""
    return inspect(row).dict.get(key)


_TRACKED: dict[type, Tracked] = {}


def track(model: type, tags: Callable[[Any], Iterable[str] | None], *,
          narrow: Mapping[str, Narrowed] | None = None, children: bool = False,
          alone: Iterable[str] = ()) -> None:
    """Make pages depend on ``model``'s rows they load, and changes to them touch only
    those pages where ``narrow`` allows (see ``Tracked``; ``narrow=None`` with
    ``children``: every attribute). Called by ``create_app``."""
    if narrow is None and children:
        mapper: Mapper[Any] = inspect(model)
        narrow = {attribute.key: () for attribute in mapper.attrs}
    _TRACKED[model] = Tracked(model, tags, dict(narrow or {}), children, frozenset(alone))
    for moment in ("load", "refresh"):
        listen_once(model, moment, _row_shown)


def _row_shown(row, *_context) -> None:
    showing = _showing.get()
    if showing is not None:
        showing.update(_TRACKED[type(row)].tags(row) or ())


# --- Holes: parts of a page refilled when only they changed ---------------------------------

_holes: ContextVar[tuple[str, list[Hole]] | None] = ContextVar("page_cache_holes",
                                                               default=None)
Filler = Callable[[list[Any]], Mapping[Any, str]]
_FILLERS: dict[str, Filler] = {}


def fill_holes(kind: str, filler: Filler) -> None:
    """Holes of ``kind`` are filled again by ``filler(idents)``: each ident's HTML (one
    left out: the page is rendered afresh). Called by ``create_app``."""
    _FILLERS[kind] = filler


def hole(kind: str, tag: str, ident: Hashable, html: str) -> str:
    """``html`` (which shows nothing but what ``tag`` changes), as a hole of the page being
    rendered for the cache: a change of ``tag`` then refills the hole with the filler of
    ``kind`` and leaves the rest of the page stored, instead of rendering it again. The page
    does not depend on ``tag`` otherwise. Outside such a render: ``html`` itself."""
    rendering = _holes.get()
    if rendering is None:
        return html
    marker, holes = rendering
    holes.append(Hole(kind, tag, ident, str(html).encode()))
    return Markup("<!--{}:{}-->").format(marker, len(holes) - 1)


def _with_holes(response, marker: str, holes: list[Hole]) -> tuple[tuple[bytes, ...],
                                                                   tuple[Hole, ...]]:
    """The rendered body split around its holes' markers, and the holes in the order they
    appear; the response gets the holes' HTML in their place."""
    if not holes or response.is_streamed:
        return (), ()
    pieces = re.split(rb"<!--" + marker.encode() + rb":(\d+)-->", response.get_data())
    parts, shown = tuple(pieces[0::2]), tuple(holes[int(index)] for index in pieces[1::2])
    response.set_data(_compose(parts, shown))
    return (parts, shown) if shown else ((), ())


def depends_on(*tags: str) -> None:
    """The page being rendered also depends on ``tags`` (nothing outside a render)."""
    showing = _showing.get()
    if showing is not None:
        showing.update(tags)


def touched(session_: Session | scoped_session, *tags: str) -> None:
    """A statement run in ``session_`` with ``page_tags="declared"`` changed ``tags``:
    bumped once the transaction commits."""
    cache = _page_cache()
    if cache is not None:
        _mark(session_, cache, set(tags))


# --- Where tag versions live ----------------------------------------------------------------

class RedisTags:
    """Each tag's version in one Redis key, shared by every worker on every machine, and a
    copy of those this worker has needed, kept current by a feed of changes.

    A change sets its tags' keys and appends them to the feed (a Redis stream whose entries
    are numbered 1, 2, 3, ... in an ``epoch``), in one script. Before answering, a worker
    reads what the feed holds after the last entry it saw (one small round trip, however
    many tags a page has) and then looks every tag up in its copy; a tag it has not seen yet
    is read from its key. A gap in the numbers (entries trimmed or evicted before this
    worker read them), a new epoch (Redis emptied, or ``forget``) or more entries than one
    read takes clear the copy: its tags are read from their keys again. A tag with no key
    (new, evicted, or deleted by a change that could not write) gets a new random version,
    so no page stored before can match it.
    """

    costly_per_tag = False  # every tag is looked up in this worker's copy
    FEED_LENGTH = 10_000  # entries the feed keeps (about: Redis trims whole blocks)
    READ_AT_MOST = 1_000  # entries read at once; more than that clears the copy

    # KEYS: epoch, feed. ARGV: a new epoch's id, the version, the tag keys' prefix, the
    # feed's length, then the tags. Returns the entry's number.
    BUMP = """
        if redis.call('HEXISTS', KEYS[1], 'id') == 0 then
            redis.call('DEL', KEYS[2])
            redis.call('HSET', KEYS[1], 'id', ARGV[1], 'n', 0)
        end
        local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
        for i = 5, #ARGV do redis.call('SET', ARGV[3] .. ARGV[i], ARGV[2]) end
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], n .. '-1',
                   'v', ARGV[2], 't', table.concat(ARGV, ' ', 5))
        return n
    """
    # KEYS: epoch, feed. ARGV: the last entry's number seen, how many to read at most.
    # Returns {} without an epoch, else {id, n, entries after the last seen}.
    READ = """
        local epoch = redis.call('HMGET', KEYS[1], 'id', 'n')
        if not epoch[1] then return {} end
        return {epoch[1], epoch[2], redis.call('XRANGE', KEYS[2], '(' .. ARGV[1] .. '-1', '+',
                                                'COUNT', ARGV[2])}
    """

    def __init__(self, client, prefix: str):
        self._client = client
        self._prefix = prefix
        self._keys = (prefix + "~epoch", prefix + "~feed")
        self._bump = client.register_script(self.BUMP)
        self._read = client.register_script(self.READ)
        self._lock = threading.Lock()  # a threaded server's requests share the copy
        self._epoch: bytes | None = None
        self._seen = 0  # the number of the last feed entry applied to the copy
        self._known: dict[str, str] = {}  # tag -> version, current as of entry ``_seen``

    def versions(self, tags: Iterable[str]) -> list[str]:
        tags = list(tags)
        with self._lock:
            self._follow()
            missing = [tag for tag in tags if tag not in self._known]
            if missing:
                self._known.update(self._from_keys(missing))
            return [self._known[tag] for tag in tags]

    def _follow(self) -> None:
        """Apply what the feed holds after the last entry seen (starting an epoch if
        there is none)."""
        found = self._read(keys=self._keys, args=[self._seen, self.READ_AT_MOST])
        if not found:
            self._bump(keys=self._keys, args=[secrets.token_hex(8), "", self._prefix,
                                              self.FEED_LENGTH])
            found = self._read(keys=self._keys, args=[self._seen, self.READ_AT_MOST])
        epoch, last, entries = found
        if (epoch != self._epoch or len(entries) >= self.READ_AT_MOST
                or (entries and _number(entries[0]) != self._seen + 1)):
            self._epoch, self._seen, self._known = epoch, int(last), {}  # start afresh
            return
        for _id, (_v, version, _t, tags) in entries:  # as the script wrote them
            self._known.update(dict.fromkeys(tags.decode().split(), version.decode()))
        if entries:
            self._seen = _number(entries[-1])

    def _from_keys(self, tags: list[str]) -> dict[str, str]:
        keys = [self._prefix + tag for tag in tags]
        values = self._client.mget(keys)
        missing = [key for key, value in zip(keys, values, strict=True) if value is None]
        if missing:
            with self._client.pipeline(transaction=False) as pipe:
                for key in missing:
                    pipe.set(key, secrets.token_hex(8), nx=True)
                pipe.mget(missing)
                found = dict(zip(missing, pipe.execute()[-1], strict=True))
            values = [found[key] if value is None else value
                      for key, value in zip(keys, values, strict=True)]
        return {tag: value.decode() if value is not None else ""
                for tag, value in zip(tags, values, strict=True)}

    def bump(self, tags: Iterable[str]) -> None:
        self._bump(keys=self._keys, args=[secrets.token_hex(8), secrets.token_hex(8),
                                          self._prefix, self.FEED_LENGTH, *tags])

    def forget(self, tags: Iterable[str]) -> None:
        """Delete the tags' keys and the epoch: every worker starts its copy afresh."""
        self._client.delete(*(self._prefix + tag for tag in tags), self._keys[0])


def _number(entry) -> int:
    """A feed entry's number (its id is ``<number>-1``)."""
    return int(entry[0].split(b"-", 1)[0])


class FileTags:
    """Each tag's version in a file of its own that grows by one byte per change; its
    version is its inode and size, read with one ``stat()``. The folder is made (and proven
    writable) on first use."""

    costly_per_tag = True  # a stat() each: a page found valid is checked by ``any`` alone

    def __init__(self, folder_of: Callable[[], Path]):
        self._folder_of = folder_of
        self._folder: Path | None = None
        self._paths: dict[str, str] = {}

    def _path(self, tag: str) -> str:
        path = self._paths.get(tag)
        if path is None:
            if self._folder is None:  # the instance folder may be set after the app is made
                self._folder = self._folder_of()
                self._folder.mkdir(parents=True, exist_ok=True)
            if len(self._paths) >= MAX_CHECKED:
                self._paths.clear()
            path = self._paths[tag] = os.path.join(self._folder, tag.replace(":", "-"))
        return path

    def versions(self, tags: Iterable[str]) -> list[str]:
        found = []
        for tag in tags:
            path = self._path(tag)
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                with open(path, "ab"):
                    pass
                stat = os.stat(path)
            found.append(f"{stat.st_ino}.{stat.st_size}")
        return found

    def bump(self, tags: Iterable[str]) -> None:
        for tag in tags:
            with open(self._path(tag), "ab") as file:
                file.write(b".")

    def forget(self, tags: Iterable[str]) -> None:
        raise OSError("a tag file can only grow")  # the worker owes the change instead


class FileGeneration:
    """One token in a file that is replaced whole; readers stat() it and re-read on change.
    (The shop settings' cache uses it: ``storefront.settings.services``.)"""

    def __init__(self, path_of: Callable[[], Path]):
        self._path_of = path_of
        self._path: Path | None = None
        self._seen: tuple[int, int, int] | None = None
        self._value = "0"

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = self._path_of()
        return self._path

    def current(self) -> str:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            self.bump()
            stat = os.stat(self.path)
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)
        if seen != self._seen:
            self._value = self.path.read_text().strip() or "0"
            self._seen = seen
        return self._value

    def bump(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        temporary.write_text(secrets.token_hex(8))
        os.replace(temporary, self.path)

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)


class RedisGeneration:
    """One token in a Redis key; no key means none yet, and the first reader writes one."""

    def __init__(self, client, key: str):
        self._client = client
        self._key = key

    def current(self) -> str | None:
        value = self._client.get(self._key)
        if value is None:
            token = secrets.token_hex(8)
            if self._client.set(self._key, token, nx=True):
                return token
            value = self._client.get(self._key)
        return value.decode() if value else None

    def bump(self) -> None:
        self._client.set(self._key, secrets.token_hex(8))

    def forget(self) -> None:
        self._client.delete(self._key)


# --- The cache -----------------------------------------------------------------------------

class LocalPages:
    """Pages in this worker's memory, the least recently used dropped past ``threshold``
    pages (or, with ``by_size``, past ``threshold`` bytes of pages): kept as they are (a
    page is immutable), not pickled as a general cache must."""

    kind = "local"

    def __init__(self, threshold: int, by_size: bool = False):
        self._pages: TLRUCache = TLRUCache(maxsize=threshold,
                                           ttu=lambda _key, value, now: now + value[1],
                                           getsizeof=_page_size if by_size else None)
        self._lock = threading.Lock()  # the cache is not thread-safe; a worker may be

    def get(self, key: str) -> CachedPage | None:
        with self._lock:
            found = self._pages.get(key)
        return found[0] if found is not None else None

    def set(self, key: str, page: CachedPage, timeout: int) -> None:
        with self._lock:
            self._pages[key] = (page, timeout)

    def stored_keys(self) -> list[str]:
        with self._lock:
            return list(self._pages.keys())


def _page_size(value: tuple[CachedPage, int]) -> int:
    return len(value[0].body) + PAGE_OVERHEAD


def _page_store(app: Flask, timeout: int, redis_url: str | None, database: str,
                redis_options: dict):
    """Where pages are kept: "redis" (shared, each page rendered once per change;
    Flask-Caching's RedisCache) or "local" (each worker's memory: one Redis round trip
    less per page served)."""
    store = app.config.get("PAGE_CACHE_STORE") or ("redis" if redis_url else "local")
    if store not in ("redis", "local") or (store == "redis" and not redis_url):
        raise ValueError(f"PAGE_CACHE_STORE is {store!r}: use 'local', or 'redis' "
                         "with REDIS_URL set")
    if store == "local":
        return LocalPages(int(app.config.get("PAGE_CACHE_THRESHOLD", DEFAULT_THRESHOLD)))
    cache = Cache(app, config={"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url,
                               "CACHE_KEY_PREFIX": f"storefront:page:{database}:",
                               "CACHE_OPTIONS": redis_options,
                               "CACHE_DEFAULT_TIMEOUT": timeout})
    return app.extensions["cache"][cache]


class PageCache:
    """The page store, the tags' versions and the rules for serving from them."""

    def __init__(self, app: Flask):
        self.timeout = int(app.config.get("PAGE_CACHE_TIMEOUT", DEFAULT_TIMEOUT))
        self.edge_seconds = int(app.config.get("PAGE_CACHE_EDGE_SECONDS", DEFAULT_EDGE_SECONDS))
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        database = _digest(str(app.config.get("SQLALCHEMY_DATABASE_URI")), 6)
        redis_url = app.config.get("PAGE_CACHE_REDIS_URL") or app.config.get("REDIS_URL")
        # A Redis that does not answer at once is treated as down: one quick retry (a
        # connection dropped while idle), then the page is rendered without the cache.
        wait = float(app.config.get("PAGE_CACHE_REDIS_TIMEOUT", DEFAULT_REDIS_TIMEOUT))
        redis_options = {"socket_timeout": wait, "socket_connect_timeout": wait,
                         "retry": Retry(NoBackoff(), 1)}
        self.backend = _page_store(app, self.timeout, redis_url, database, redis_options)
        self.kind = "local" if isinstance(self.backend, LocalPages) else "redis"
        # With pages in Redis, the ones this worker read or rendered lately are also kept in
        # its memory: a copy is served only once its tags are found current, as the shared
        # one would be, so it saves fetching and unpickling the page, never freshness.
        near_bytes = int(app.config.get("PAGE_CACHE_NEAR_BYTES", DEFAULT_NEAR_BYTES))
        self.near = (LocalPages(near_bytes, by_size=True)
                     if self.kind == "redis" and near_bytes > 0 else None)
        if redis_url:
            self.tags: RedisTags | FileTags = RedisTags(Redis.from_url(redis_url, **redis_options),
                                  f"storefront:page-tag:{database}:")
        else:
            self.tags = FileTags(lambda: Path(app.instance_path) / f"page-tags-{database}")
        self.retry_seconds = float(app.config.get("PAGE_CACHE_RETRY_SECONDS",
                                                  DEFAULT_RETRY_SECONDS))
        self._resting_until = 0.0  # monotonic() before which the stores are left alone
        self._owed: set[str] = set()  # tags this worker changed and could not announce yet
        self.trouble: str | None = None  # the last failure, until the stores answer again
        self._next: tuple[str, datetime | None] | None = None  # ("any" version, moment)
        self.scheduled_changes: list[Callable[[datetime], ScalarSelect]] = []
        self._checked: dict[str, str] = {}  # page key -> "any" when last found valid

    # Trouble with the stores -------------------------------------------------------------

    def _resting(self) -> bool:
        return monotonic() < self._resting_until

    def _failed(self, error: Exception, doing: str) -> None:
        """A store failed: leave it alone for a while; pages are rendered afresh meanwhile."""
        self._resting_until = monotonic() + self.retry_seconds
        if self.trouble is None:
            log.warning("Page cache unavailable (%s: %r); rendering pages without it, "
                        "trying again every %g s", doing, error, self.retry_seconds)
        self.trouble = f"{doing} failed ({type(error).__name__})"

    def _recovered(self) -> None:
        if self.trouble is not None:
            log.warning("Page cache available again")
            self.trouble = None

    def problem(self) -> str | None:
        """What keeps this worker from serving stored pages just now, for ``/readyz``."""
        self.versions([EVERYTHING])  # tries the store again, unless it is resting
        if self._owed:
            return ("page cache off in this worker: a change could not be announced to the "
                    "other workers yet; every page is rendered afresh")
        if self.trouble:
            return f"page cache off: {self.trouble}; every page is rendered afresh"
        return None

    # Invalidation ------------------------------------------------------------------------

    def bump(self, tags: Iterable[str] = (EVERYTHING,)) -> None:
        """Make every stored page showing ``tags`` stale, in every worker.

        When the store cannot take it, this worker owes the change: it serves no stored
        page until it has announced it (tried again once the store has rested).
        """
        self._owed.update(tags)
        self._owed.add(ANY_CHANGE)
        if self._resting():
            return
        try:
            self._announce()
        except Exception as error:
            self._failed(error, "announcing a change")

    def _announce(self) -> None:
        """Bump the owed tags or, when that is refused, delete them. Raises when neither
        can be done."""
        owed, self._owed = self._owed, set()  # before trying: later changes owe their own
        try:
            self.tags.bump(owed)
        except Exception as error:
            log.warning("Page cache: could not bump %d tags (%r); deleting them",
                        len(owed), error)
            try:
                self.tags.forget(owed)
            except Exception:
                self._owed |= owed
                raise

    def versions(self, tags: Iterable[str]) -> list[str] | None:
        """The tags' versions, or None while they cannot be trusted (render afresh)."""
        if self._resting():
            return None
        try:
            if self._owed:
                self._announce()
            found = self.tags.versions(tags)
        except Exception as error:  # Redis down, too slow or refusing writes; a full disk
            self._failed(error, "reading tag versions")
            return None
        self._recovered()
        return found

    def generation(self) -> str | None:
        """The version of ``all``: changes whenever a change was not narrowed to rows. What a
        process keeps from watched tables (search synonyms) is stale once it moves."""
        found = self.versions([EVERYTHING])
        return found[0] if found else None

    def add_scheduled_change(self, next_change: Callable[[datetime], ScalarSelect]) -> None:
        """Pages also change when time alone makes them (a stock hold running out, an
        article going live): ``next_change(now)`` is a scalar subquery for when that next
        happens after ``now`` (NULL if never). All are asked in one statement, once per
        change to the shop and again once that moment has passed."""
        self.scheduled_changes.append(next_change)

    def _next_change(self, any_version: str) -> datetime | None:
        known, now = self._next, utcnow()
        if known is None or known[0] != any_version or (known[1] is not None
                                                        and known[1] <= now):
            moments: list[datetime] = []
            if self.scheduled_changes:
                row = db.session.execute(select(*(next_change(now) for next_change
                                                  in self.scheduled_changes))).one()
                moments = [moment for moment in row if moment is not None]
            known = self._next = (any_version, min(moments, default=None))
        return known[1]

    # Serving -----------------------------------------------------------------------------

    def visitor_can_share(self) -> bool:
        """True when this request would render the same page as for any anonymous visitor."""
        return (request.method in ("GET", "HEAD")
                and self.remember_cookie not in request.cookies
                and session.keys() <= _BOOKKEEPING_KEYS)

    def respond(self, view, args, kwargs, edge: bool):
        """A page that is the same for every visitor who carries no state of their own,
        stored under its address with only the query parameters the view reads."""
        key = _key("public", _address(request.environ, _query(request.args)))
        return self._serve(view, args, kwargs, key, "public" if edge else "shared")

    def respond_private(self, view, args, kwargs, shows: tuple):
        """A page of one visitor's own (their cart), stored under everything it shows:
        ``shows`` (the visitor's own rows), the page's path and who is logged in, with
        their role. A flashed message waiting means the page is rendered afresh."""
        if "_flashes" in session:
            return _private(current_app.make_response(view(*args, **kwargs)))
        user = current_user
        who = (f"{user.get_id()}:{getattr(user, 'role', '')}" if user.is_authenticated
               else "guest")
        key = _key(f"private:{who}:{_digest(repr(shows), 16)}",
                   _address(request.environ, ""))
        return self._serve(view, args, kwargs, key, "private")

    def _serve(self, view, args, kwargs, key: str, audience: str):
        page = self._read(key)
        metrics.page_cache("miss" if page is None else "hit")
        if page is None:
            page, response = self._render(view, args, kwargs, audience == "private")
            if page is None:
                return _private(response)
            self._store(key, page, audience == "private")
        return self._send(page, audience)

    def _read(self, key: str) -> CachedPage | None:
        if self._resting() or self._owed:
            return None
        near = self.near.get(key) if self.near is not None else None
        if near is not None and (current := self._current(key, near)) is not None:
            return current
        if self._resting():
            return None  # reading the tags just failed: no second wait for the store
        try:
            page = self.backend.get(key)
        except Exception as error:  # the store is unreachable: render the page
            self._failed(error, "reading a page")
            return None
        if page is None or page == near or (current := self._current(key, page)) is None:
            return None
        if self.near is not None and current is page:
            self.near.set(key, page, self.timeout)
        return current

    def _current(self, key: str, page: CachedPage) -> CachedPage | None:
        """The page, its holes refilled where their tags moved, while what it shows is
        unchanged; else None."""
        if page.until is not None and page.until <= utcnow():
            return None
        holes = self._still_valid(key, page)
        if holes is None:
            return None
        return page if holes == page.hole_versions else self._refilled(key, page, holes)

    def _still_valid(self, key: str, page: CachedPage) -> tuple[str, ...] | None:
        """The current versions of the page's holes' tags while its own tags' versions are
        those it was rendered with, else None. Where each tag costs a read (files), only
        ``any`` is read while nothing at all changed since this worker last found the page
        valid; else ``any``, the page's tags and its holes' in one read."""
        by_any = self.tags.costly_per_tag
        if by_any and (checked := self._checked.get(key)) is not None:
            found = self.versions([ANY_CHANGE])
            if found is None:
                return None
            if found[0] == checked:
                return page.hole_versions
        found = self.versions((ANY_CHANGE, *page.tags, *page.hole_tags))
        split = len(page.tags) + 1
        if found is None or tuple(found[1:split]) != page.versions:
            return None
        if by_any:
            if len(self._checked) >= MAX_CHECKED:
                self._checked.clear()
            self._checked[key] = found[0]  # read with the tags: a change since is seen next
        return tuple(found[split:])

    def _refilled(self, key: str, page: CachedPage,
                  versions: tuple[str, ...]) -> CachedPage | None:
        """The page with the holes whose tags moved filled again (and stored so), or None
        when one cannot be (render the page afresh)."""
        stale: dict[str, list[Hashable]] = {}
        for hole, old, new in zip(page.holes, page.hole_versions, versions, strict=True):
            if old != new:
                stale.setdefault(hole.kind, []).append(hole.ident)
        made = {kind: _FILLERS[kind](idents) for kind, idents in stale.items()
                if kind in _FILLERS}
        holes = []
        for hole, old, new in zip(page.holes, page.hole_versions, versions, strict=True):
            if old != new:
                html = made.get(hole.kind, {}).get(hole.ident)
                if html is None:
                    return None
                hole = hole._replace(html=str(html).encode())
            holes.append(hole)
        page = page.filled(tuple(holes), versions)
        self._store(key, page, key.startswith(_key("private", "")))
        return page

    def _store(self, key: str, page: CachedPage, private: bool) -> None:
        if self._resting():
            return
        timeout = min(self.timeout, PRIVATE_TIMEOUT) if private else self.timeout
        try:
            self.backend.set(key, page, timeout=timeout)
        except Exception as error:
            self._failed(error, "storing a page")
            return
        if self.near is not None:
            self.near.set(key, page, timeout)

    def _render(self, view, args, kwargs, private: bool):
        """The view's response, and the page to store from it (None if it must not be)."""
        before = self.versions([ANY_CHANGE])
        showing, holes = {EVERYTHING}, list[Hole]()
        marker = secrets.token_hex(8)  # no page's own words can make a hole of their own
        reset, reset_holes = _showing.set(showing), _holes.set((marker, holes))
        try:
            response = current_app.make_response(view(*args, **kwargs))
        finally:
            _showing.reset(reset)
            _holes.reset(reset_holes)
        parts, shown = _with_holes(response, marker, holes)
        if before is None or not self._storable(response, private):
            return None, response
        tags = (EVERYTHING, *sorted(showing - {EVERYTHING}))
        after = self.versions((ANY_CHANGE, *tags, *(hole.tag for hole in shown)))
        if after is None or after[0] != before[0]:
            return None, response  # a change was announced meanwhile: its data may be older
        until = self._next_change(before[0])
        body = response.get_data()
        split = len(tags) + 1
        page = CachedPage(_digest(body, 12), response.mimetype, body, tags,
                          tuple(after[1:split]), until, parts, shown, tuple(after[split:]))
        return page, response

    def _storable(self, response, private: bool) -> bool:
        """Only a plain, successful HTML page with nobody's session, token or message in it."""
        return (response.status_code == 200
                and response.mimetype == "text/html"
                and not response.is_streamed
                and "Set-Cookie" not in response.headers
                and not session.modified
                and not get_flashed_messages()
                and (private or (not current_user.is_authenticated
                                 and session.keys() <= _BOOKKEEPING_KEYS)))

    def _send(self, page: CachedPage, audience: str):
        """The stored page, or 304 when the browser's copy is the same."""
        app = current_app
        headers = [("ETag", f'"{page.etag}"'), ("Cache-Control", self._cache_control(audience)),
                   ("Vary", "Cookie")]
        if parse_etags(request.environ.get("HTTP_IF_NONE_MATCH")).contains(page.etag):
            return app.response_class(status=304, headers=headers)
        return app.response_class(page.body, mimetype=page.mimetype, headers=headers)

    def _cache_control(self, audience: str) -> str:
        """Browsers revalidate every time (a 304 is cheap). A shared cache may keep a public
        page for edge_seconds, and serve it as long again while it fetches a new copy."""
        if audience == "public" and self.edge_seconds > 0:
            return (f"public, max-age=0, s-maxage={self.edge_seconds}, "
                    f"stale-while-revalidate={self.edge_seconds}")
        return "private, no-cache" if audience == "private" else "no-cache, s-maxage=0"


def _private(response):
    """A page rendered for this visitor only: no shared cache may keep it."""
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


def _query(args) -> str:
    """``args`` as a query string (``cached_page`` has already sorted them)."""
    return urlencode(list(args.items(multi=True)))


def _address(environ, query: str) -> str:
    """A digest of the raw scheme, host and path, and ``query``."""
    where = (f"{environ.get('wsgi.url_scheme')}://{environ.get('HTTP_HOST')}"
             f"{environ.get('SCRIPT_NAME', '')}\0{environ.get('PATH_INFO', '')}?{query}")
    return _digest(where, 16)


def _key(state: str, address: str) -> str:
    return f"{KEY_VERSION}:{state}:{address}"


def cached_page(view=None, *, args: tuple[str, ...] = (), lists: tuple[str, ...] = (),
                edge: bool = True):
    """Serve this view from the page cache to visitors who carry no state of their own.

    ``args`` names the query parameters the view reads (``@cached_page(args=("q",))``;
    bare ``@cached_page`` reads none). The view is shown only those, the first value of
    each, sorted by name, for every visitor: no other parameter can change the page, so
    none makes a new key or a new stored page. ``lists`` names parameters whose every
    value the view reads (``?concern=acne&concern=milia``): each value once, sorted.
    ``edge=False`` keeps shared caches (nginx) from holding the page: the view must see
    every request (search counts its searches).
    """
    if view is None:
        return lambda view: cached_page(view, args=args, lists=lists, edge=edge)
    reads, repeated = frozenset(args), frozenset(lists)

    @wraps(view)
    def serve(*view_args, **view_kwargs):
        _show_only(reads, repeated)
        cache = current_app.extensions.get(EXTENSION)
        if cache is None:
            return view(*view_args, **view_kwargs)
        if not cache.visitor_can_share():
            return _private(current_app.make_response(view(*view_args, **view_kwargs)))
        return cache.respond(view, view_args, view_kwargs, edge)

    return serve


def _show_only(names: frozenset[str], lists: frozenset[str] = frozenset()) -> None:
    """Leave in ``request.args`` the first value of each of ``names`` given and every
    value of each of ``lists`` (once, at most ``MAX_LIST_VALUES``), sorted."""
    given = request.args
    if not given:
        return  # nothing to leave out (the view is shown no parameter either way)
    shown = [(name, given[name]) for name in names.intersection(given.keys())]
    for name in lists.intersection(given.keys()):
        shown += [(name, value) for value in sorted(set(given.getlist(name)))[:MAX_LIST_VALUES]]
    request.args = request.parameter_storage_class(sorted(shown))


def private_page(view, shows: tuple, *args, **kwargs):
    """``view(*args, **kwargs)``, served from the page cache when this visitor's ``shows``
    (the rows of their own that the page is made of) are the same as when it was stored,
    and nothing it shows has changed. Only for GET and HEAD; the page is rendered without
    the query string: its address is its path."""
    cache = current_app.extensions.get(EXTENSION)
    if cache is None or request.method not in ("GET", "HEAD"):
        return view(*args, **kwargs)
    _show_only(frozenset())
    return cache.respond_private(view, args, kwargs, shows)


def init_app(app: Flask) -> PageCache | None:
    """Install the page cache on ``app`` (once), unless PAGE_CACHE_ENABLED is false."""
    if not app.config.get("PAGE_CACHE_ENABLED", True):
        return None
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = PageCache(app)
    return app.extensions[EXTENSION]


def generation_token() -> str | None:
    """The version of ``all``, which every change not narrowed to rows replaces: a cheap way
    for a worker to know that what it keeps from watched tables may be stale. None without
    a working page cache (then nothing can be kept on its strength)."""
    cache = _page_cache()
    return None if cache is None else cache.generation()


# --- Noticing changes ----------------------------------------------------------------------

def _page_cache() -> PageCache | None:
    return current_app.extensions.get(EXTENSION) if has_app_context() else None


class _Touched(NamedTuple):
    cache: PageCache
    tags: set[str]


def _mark(session_: Session | scoped_session, cache: PageCache, tags: set[str]) -> None:
    """Remember ``tags`` for the commit (the session's) or a rollback (the connection's:
    a test's outer transaction)."""
    for info in (session_.info, session_.connection().info):
        info.setdefault(_TOUCHED, _Touched(cache, set())).tags.update(tags)


def _announce(touched_: _Touched | None) -> None:
    if touched_ is not None and touched_.tags:
        touched_.cache.bump(touched_.tags)


def _table_name(thing) -> str | None:
    return getattr(thing, "__tablename__", None) or getattr(thing, "name", None)


def _touched_by_flush(session_: Session) -> set[str]:
    tags: set[str] = set()
    for rows, new_or_deleted in ((session_.new, True), (session_.deleted, True),
                                 (session_.dirty, False)):
        for row in rows:
            rule = _TRACKED.get(type(row))
            if rule is not None:
                tags |= rule.touched_by(row, new_or_deleted)
            elif getattr(type(row), "__tablename__", None) in WATCHED_TABLES:
                return {EVERYTHING}
    return tags


def install_listeners() -> None:
    """Note the tags a flush or statement touches, and bump them once the transaction has
    committed or rolled back (called by create_app, page cache or not: each listener does
    nothing without one)."""
    listen_once(Session, "after_flush", _after_flush)
    listen_once(Session, "do_orm_execute", _on_statement)
    listen_once(Session, "after_commit", _after_commit)
    listen_once(Session, "after_rollback", _after_rollback)
    listen_once(Engine, "commit", _connection_committed)
    listen_once(Engine, "rollback", _connection_rolled_back)


def _after_flush(session_: Session, _context) -> None:
    cache = _page_cache()
    if cache is None:
        return
    tags = _touched_by_flush(session_)
    if tags:
        _mark(session_, cache, tags)


def _on_statement(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    if _table_name(getattr(state.statement, "table", None)) not in WATCHED_TABLES:
        return
    cache = _page_cache()
    if cache is not None and state.execution_options.get("page_tags") != DECLARED:
        _mark(state.session, cache, {EVERYTHING})


def _after_commit(session_: Session) -> None:
    _announce(session_.info.pop(_TOUCHED, None))


def _after_rollback(session_: Session) -> None:
    session_.info.pop(_TOUCHED, None)


def _connection_committed(connection) -> None:
    connection.info.pop(_TOUCHED, None)  # the session's after_commit bumps


def _connection_rolled_back(connection) -> None:
    if connection.invalidated:  # the connection died: its ``info`` went with it
        return
    _announce(connection.info.pop(_TOUCHED, None))
