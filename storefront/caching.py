"""Whole pages cached for visitors who carry no state, dropped the moment the shop changes.

Who is served a cached page
    A GET (or HEAD) of a view decorated with ``cached_page``, by a visitor who is not logged
    in and whose session holds nothing but Flask-Login's bookkeeping and a CSRF secret: no
    cart, no flashed message, no checkout. Everything such a page shows is the same for all
    of these visitors. Everyone else has the page rendered for them, exactly as without
    the cache.

How they are served
    A stored page is answered by ``FastLane``, a WSGI middleware in front of Flask, with
    the same rules as the views; it needs no Flask request and costs a quarter as much.
    What it cannot answer (a miss, a visitor with a cart, ...) goes on to the views.

One visitor's own pages
    ``private_page`` stores a page under what it is made of for this visitor (the cart's
    lines), the catalog's generation, its address and who is logged in: the cart page is
    read back with one statement instead of being rendered on every visit.

CSRF tokens
    A page is rendered for the cache with a placeholder wherever a template calls
    ``csrf_token()``; the placeholder is replaced by the visitor's own token as the page is
    sent. The stored copy never holds a token, and a render that produced a real token
    anyway (``form.csrf_token``, say) is not stored. A new visitor gets a session cookie with
    their CSRF secret, as they would from the page rendered afresh.

Invalidation
    Every commit that wrote a catalog or content table (an ORM flush, or an INSERT, UPDATE or
    DELETE run through the session, such as the guarded stock updates) replaces a
    *generation* token once it has committed. Page keys include the token, so each page is
    rendered again on its next request. The token lives where every worker sees it: in Redis
    when REDIS_URL is set (the pages go there too), otherwise in a small file in the instance
    folder, checked with one stat() per request. A scheduled article becomes visible when its
    time comes without any row changing, so keys also include the next publication time,
    looked up once per generation and process. A rolled-back transaction that had written
    those tables also replaces the token (this keeps test isolation by rollback honest).
    The token also tells a worker when what it keeps from those tables may be stale
    (``generation_token``: search keeps its synonyms until it changes). Changes made
    outside SQLAlchemy sessions (raw SQL in psql) are only seen when entries
    expire (``PAGE_CACHE_TIMEOUT``, ten minutes) or after ``PageCache.bump()``. Other moments
    when time alone changes pages (a stock hold running out, which the page that shows the
    product then gives back) are added with ``PageCache.add_scheduled_change``.

Query strings
    A view says which query parameters it reads (``@cached_page(args=("q",))``); it is shown
    only those (the first value of each, sorted by name), and only they make a page
    different: ``?utm_source=...`` or any junk is neither a new key nor a new stored page.
    A parameter a form repeats (ticked checkboxes) is named in ``lists``: the view is shown
    each of its values once, sorted (at most ``MAX_LIST_VALUES``), so the order they came
    in makes no new page. One visitor's own pages read none.

When Redis fails
    A Redis call that fails (down, slow past ``PAGE_CACHE_REDIS_TIMEOUT``, refusing writes)
    rests the cache for ``PAGE_CACHE_RETRY_SECONDS``: pages are rendered for each visitor as
    without the cache, Redis is not asked again before then, and the cache comes back by
    itself once Redis answers. A change that could not replace the token deletes it instead
    (Redis takes a deletion even when it refuses writes): every worker then renders afresh
    until a new token can be written. If even that fails, this worker owes the change: it
    serves no stored page until it has replaced the token. ``/readyz`` names the trouble.

Conditional requests
    Cached pages carry an ETag made from their HTML (and, for pages with forms, from the
    visitor's CSRF secret), so a browser revalidating an unchanged page gets a 304.

Settings (app config): ``PAGE_CACHE_ENABLED`` (True), ``PAGE_CACHE_TIMEOUT`` (600 s),
``PAGE_CACHE_THRESHOLD`` (1,000 pages per process with the in-process cache),
``PAGE_CACHE_REDIS_URL`` (defaults to ``REDIS_URL``), ``PAGE_CACHE_STORE`` ("redis" when
there is a Redis URL, else "local": "local" keeps pages in each worker's memory and only
the generation in Redis), ``PAGE_CACHE_REDIS_TIMEOUT`` (0.5 s per Redis call),
``PAGE_CACHE_RETRY_SECONDS`` (5 s of rest after a Redis failure).
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from itertools import chain
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

from flask import (
    Flask,
    current_app,
    g,
    get_flashed_messages,
    has_app_context,
    request,
    session,
)
from flask_caching import Cache
from flask_login import current_user
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine, ScalarSelect, event, func, select
from sqlalchemy.orm import Session
from werkzeug.http import parse_cookie, parse_etags

from storefront import metrics  # metrics (issue 23)
from storefront.csrf_tokens import csrf_secret_key, generate_csrf, new_secret, token_for
from storefront.db import utcnow
from storefront.extensions import db
from storefront.sqlite import reading_only

EXTENSION = "storefront.page_cache"
# Tables whose rows appear on cached pages: a write to any of them invalidates every page.
WATCHED_TABLES = frozenset({
    "product", "variant", "product_image", "product_ingredient", "product_skin_type",
    "category", "brand", "ingredient",
    "article", "article_condition", "condition", "recommendation", "author", "shop_text",
    "search_synonym",  # synonyms change what search pages find
    "routine_step", "routine_step_category", "ingredient_class", "ingredient_class_member",
    "routine_conflict",
    "shop_settings", "shipping_zone", "shipping_zone_area", "shipping_method",
})
# Session keys that change nothing on a page: Flask-Login's bookkeeping for anonymous
# visitors and the CSRF secret (the token itself is filled in per visitor).
_BOOKKEEPING_KEYS = frozenset({"_fresh", "_id", "_permanent"})
_STALE = "storefront.pages_stale"
_RENDERING = "_page_cache_rendering"
DEFAULT_TIMEOUT = 600
KEY_VERSION = "p2"  # changes with CachedPage's shape, so a deploy never reads old entries
PRIVATE_TIMEOUT = 300  # one visitor's pages: kept for a shorter while
MAX_SHARED_ADDRESSES = 20_000  # addresses of shared pages the fast lane looks up
MAX_LIST_VALUES = 20  # values of one repeated query parameter a page is shown
DEFAULT_THRESHOLD = 1000
DEFAULT_REDIS_TIMEOUT = 0.5  # seconds per Redis call: a slower answer is a failure
DEFAULT_RETRY_SECONDS = 5.0  # after a failure, Redis is left alone this long
monotonic = time.monotonic  # the clock for that rest (a test may move it on)

log = logging.getLogger(__name__)


class CachedPage(NamedTuple):
    etag: str
    mimetype: str
    parts: tuple[bytes, ...]  # the HTML, cut where each visitor's CSRF token goes

    @property
    def has_token(self) -> bool:
        return len(self.parts) > 1

    def with_token(self, token: bytes) -> bytes:
        return token.join(self.parts)


def _digest(data: str | bytes, size: int = 8) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.blake2b(raw, digest_size=size).hexdigest()


# --- Where the generation token lives ----------------------------------------------------

class FileGeneration:
    """The token in a file that is replaced whole; readers stat() it and re-read on change."""

    def __init__(self, path_of: Callable[[], Path]):
        self._path_of = path_of
        self._path: Path | None = None
        self._seen: tuple[int, int, int] | None = None
        self._value = "0"

    @property
    def path(self) -> Path:
        if self._path is None:  # the instance folder may be set after the app is made
            self._path = self._path_of()
        return self._path

    def current(self) -> str:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            self.bump()  # also proves that the folder is writable before anything is cached
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
        self.path.unlink(missing_ok=True)  # the next reader writes a new token


class RedisGeneration:
    """The token in one Redis key, shared by every worker on every machine.

    No key means no token yet (a new Redis, an eviction, or a change that could only delete
    it): the first reader writes a new one. None means there is none to be had just now.
    """

    def __init__(self, client, key: str):
        self._client = client
        self._key = key

    def current(self) -> str | None:
        value = self._client.get(self._key)
        if value is None:
            token = secrets.token_hex(8)
            if self._client.set(self._key, token, nx=True):
                return token
            value = self._client.get(self._key)  # another worker wrote one first
        return value.decode() if value else None

    def bump(self) -> None:
        self._client.set(self._key, secrets.token_hex(8))

    def forget(self) -> None:
        self._client.delete(self._key)  # taken even by a Redis that refuses writes


# --- The cache -----------------------------------------------------------------------------

class PageCache:
    """The page store, the generation token and the rules for serving from them."""

    def __init__(self, app: Flask):
        self.timeout = int(app.config.get("PAGE_CACHE_TIMEOUT", DEFAULT_TIMEOUT))
        self.csrf_field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        self.harmless_keys = _BOOKKEEPING_KEYS | {self.csrf_field}
        secret = str(app.config.get("SECRET_KEY") or "")
        self.placeholder = f"csrf-placeholder-{_digest('page-cache:' + secret, 12)}"
        self._placeholder_bytes = self.placeholder.encode()
        database = _digest(str(app.config.get("SQLALCHEMY_DATABASE_URI")), 6)
        redis_url = app.config.get("PAGE_CACHE_REDIS_URL") or app.config.get("REDIS_URL")
        # Where pages are kept: "redis" (shared, each page rendered once per change) or
        # "local" (each worker's memory: one Redis round trip less per page served, one
        # render per worker per change). The generation is in Redis either way if it is set.
        store = app.config.get("PAGE_CACHE_STORE") or ("redis" if redis_url else "local")
        if store not in ("redis", "local") or (store == "redis" and not redis_url):
            raise ValueError(f"PAGE_CACHE_STORE is {store!r}: use 'local', or 'redis' "
                             "with REDIS_URL set")
        # A Redis that does not answer at once is treated as down: one quick retry (a
        # connection dropped while idle), then the page is rendered without the cache.
        wait = float(app.config.get("PAGE_CACHE_REDIS_TIMEOUT", DEFAULT_REDIS_TIMEOUT))
        redis_options = {"socket_timeout": wait, "socket_connect_timeout": wait,
                         "retry": Retry(NoBackoff(), 1)}
        if store == "redis":
            config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url,
                      "CACHE_KEY_PREFIX": f"storefront:page:{database}:",
                      "CACHE_OPTIONS": redis_options}
        else:
            config = {"CACHE_TYPE": "SimpleCache", "CACHE_KEY_PREFIX": "",
                      "CACHE_THRESHOLD": int(app.config.get("PAGE_CACHE_THRESHOLD",
                                                            DEFAULT_THRESHOLD))}
        config["CACHE_DEFAULT_TIMEOUT"] = self.timeout
        cache = Cache(app, config=config)
        self.backend = app.extensions["cache"][cache]
        self.kind = config["CACHE_TYPE"]
        if redis_url:
            self.generations = RedisGeneration(Redis.from_url(redis_url, **redis_options),
                                               f"storefront:page-generation:{database}")
        else:
            self.generations = FileGeneration(
                lambda: Path(app.instance_path) / f"page-generation-{database}")
        self.retry_seconds = float(app.config.get("PAGE_CACHE_RETRY_SECONDS",
                                                  DEFAULT_RETRY_SECONDS))
        self._resting_until = 0.0  # monotonic() before which the stores are left alone
        self._owed = False  # a change this worker committed and could not announce yet
        self.trouble: str | None = None  # the last failure, until the stores answer again
        self._release: tuple[str, datetime | None] | None = None
        self.private_pages: dict[str, Callable] = {}
        self.scheduled_changes: list[Callable[[datetime], ScalarSelect]] = []
        self.shared_addresses: dict[str, str] = {}  # request's address -> its page's
        self.hit_listeners: dict[str, Callable] = {}

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

    def problem(self) -> str | None:
        """What keeps this worker from serving stored pages just now, for ``/readyz``."""
        self._token()  # tries the store again, unless it is resting
        if self._owed:
            return ("page cache off in this worker: a change could not be announced to the "
                    "other workers yet; every page is rendered afresh")
        if self.trouble:
            return f"page cache off: {self.trouble}; every page is rendered afresh"
        return None

    # Invalidation ------------------------------------------------------------------------

    def bump(self) -> None:
        """Make every cached page stale (all workers see it on their next request).

        When the store cannot take it, this worker owes the change: it serves no stored
        page until it has announced it (tried again once the store has rested).
        """
        self._owed = True
        if self._resting():
            return
        try:
            self._announce()
        except Exception as error:
            self._failed(error, "announcing a change")

    def _announce(self) -> None:
        """Replace the token or, when that is refused, delete it (no worker serves a stored
        page until a new one is written). Raises when neither can be done."""
        self._owed = False  # before trying: a change committed meanwhile owes its own
        try:
            self.generations.bump()
        except Exception as error:
            log.warning("Page cache: could not replace the generation (%r); deleting it",
                        error)
            try:
                self.generations.forget()
            except Exception:
                self._owed = True
                raise

    def _token(self) -> str | None:
        """The generation token, or None while it cannot be trusted (render afresh)."""
        if self._resting():
            return None
        try:
            if self._owed:
                self._announce()
            token = self.generations.current()
        except Exception as error:  # Redis down, too slow or refusing writes; a full disk
            self._failed(error, "reading the generation")
            return None
        if self.trouble is not None:
            log.warning("Page cache available again")
            self.trouble = None
        return token

    def generation(self) -> str | None:
        """The current token and when the next scheduled article appears; None while the
        token cannot be trusted."""
        token = self._token()
        return None if token is None else _generation(token, self._next_release(token))

    def known_generation(self) -> str | None:
        """The generation if it can be told without the database, else None."""
        token = self._token()
        known = self._release
        if token is None or known is None or known[0] != token or (
                known[1] is not None and known[1] <= utcnow()):
            return None
        return _generation(token, known[1])

    def _next_release(self, token: str) -> datetime | None:
        """When the next scheduled article appears (once per generation, and after it does)."""
        from storefront.content.models import Article, ArticleStatus

        known = self._release
        now = utcnow()
        if known is None or known[0] != token or (known[1] is not None and known[1] <= now):
            upcoming = select(func.min(Article.published_at)).where(
                Article.status.in_([ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED]),
                Article.published_at > now).scalar_subquery()
            row = db.session.execute(select(upcoming, *(next_change(now) for next_change
                                                        in self.scheduled_changes))).one()
            moments = [moment for moment in row if moment is not None]
            known = self._release = (token, min(moments, default=None))
        return known[1]

    def add_scheduled_change(self, next_change: Callable[[datetime], ScalarSelect]) -> None:
        """Pages also change when time alone makes them (say, a stock hold running out):
        ``next_change(now)`` is a scalar subquery for when that next happens after ``now``
        (NULL if never). All of them are asked in one statement with the next article's
        publication, once per generation, and again once that moment has passed."""
        self.scheduled_changes.append(next_change)

    # Serving -----------------------------------------------------------------------------

    def visitor_can_share(self) -> bool:
        """True when this request would render the same page as for any anonymous visitor."""
        return (request.method in ("GET", "HEAD")
                and self.remember_cookie not in request.cookies
                and session.keys() <= self.harmless_keys)

    def respond(self, view, args, kwargs):
        """A page that is the same for every visitor who carries no state of their own,
        stored under its address with only the query parameters the view reads (those left
        in ``request.args`` by ``cached_page``)."""
        generation = self.generation()
        if generation is None:
            return view(*args, **kwargs)
        environ = request.environ
        address = _address(environ, _query(request.args))
        self._note_shared_address(_requested_address(environ), address)
        return self._serve(view, args, kwargs, generation, address, private=False)

    def _note_shared_address(self, requested: str, address: str) -> None:
        """Remember that a request for ``requested`` is answered by the shared page stored
        at ``address``: the fast lane looks in the store only for those, so other requests
        never pay a lookup (a Redis round trip)."""
        if self.shared_addresses.get(requested) != address:
            if len(self.shared_addresses) >= MAX_SHARED_ADDRESSES:
                self.shared_addresses.clear()  # forgotten ones are learnt again by the views
            self.shared_addresses[requested] = address

    def respond_private(self, view, args, kwargs, shows: tuple):
        """A page of one visitor's own (their cart), stored under everything it shows.

        ``shows`` holds the visitor's own rows the page is made of (say, the cart's lines
        with their quantities); the key adds the catalog's generation, the page's address
        (its path: such a page reads no query parameter) and who is logged in, with their
        role. Any change to any of these is a new key, so a stored copy is only ever served
        for exactly the state it was rendered from, and only to a visitor for whom that
        state is theirs (their session or account led to it). With a flashed message
        waiting, the page is rendered afresh.
        """
        if "_flashes" in session:
            return view(*args, **kwargs)
        generation = self.generation()
        if generation is None:
            return view(*args, **kwargs)
        user = current_user
        who = (f"{user.get_id()}:{getattr(user, 'role', '')}" if user.is_authenticated
               else "guest")
        return self._serve(view, args, kwargs, _private_state(generation, who, shows),
                           _address(request.environ, ""), private=True)

    def _serve(self, view, args, kwargs, state: str, address: str, private: bool):
        key = _key(state, private, address)
        page = self._read(key)
        metrics.page_cache("miss" if page is None else "hit", "view")  # metrics (issue 23)
        if page is None:
            page, response = self._render(view, args, kwargs, private)
            if page is None:
                return response
            self._store(key, page, private)
        return self._send(page, private)

    def _read(self, key: str) -> CachedPage | None:
        if self._resting():
            return None
        try:
            return self.backend.get(key)
        except Exception as error:  # the store is unreachable: render the page
            self._failed(error, "reading a page")
            return None

    def _store(self, key: str, page: CachedPage, private: bool) -> None:
        if self._resting():
            return
        try:
            self.backend.set(key, page, timeout=(min(self.timeout, PRIVATE_TIMEOUT)
                                                 if private else self.timeout))
        except Exception as error:
            self._failed(error, "storing a page")

    def _render(self, view, args, kwargs, private: bool):
        setattr(g, _RENDERING, True)
        try:
            response = current_app.make_response(view(*args, **kwargs))
        finally:
            setattr(g, _RENDERING, False)
        if self._storable(response) and (private or self._shareable()):
            body = response.get_data()
            page = CachedPage(_digest(body, 12), response.mimetype,
                              tuple(body.split(self._placeholder_bytes)))
            return page, response
        self._fill_tokens(response)
        return None, response

    def _storable(self, response) -> bool:
        """Only a plain, successful HTML page with nobody's token or message in it."""
        return (response.status_code == 200
                and response.mimetype == "text/html"
                and not response.is_streamed
                and "Set-Cookie" not in response.headers
                and self.csrf_field not in g  # a real token was made: never store it
                and not get_flashed_messages())

    def _shareable(self) -> bool:
        """The page depends on nobody in particular."""
        return not current_user.is_authenticated and session.keys() <= self.harmless_keys

    def _fill_tokens(self, response) -> None:
        body = response.get_data()
        if self._placeholder_bytes in body:
            response.set_data(body.replace(self._placeholder_bytes, generate_csrf().encode()))

    def _send(self, page: CachedPage, private: bool):
        return self.response_for(current_app, request.environ, page, session, private)

    def response_for(self, app: Flask, environ, page: CachedPage, visitor_session,
                     private: bool):
        """The stored ``page`` for this visitor, their CSRF token filled in (a new visitor's
        secret goes in ``visitor_session``; saving it is the caller's part)."""
        etag = page.etag
        if page.has_token:
            secret = visitor_session.get(self.csrf_field)
            if not isinstance(secret, str):
                secret = visitor_session[self.csrf_field] = new_secret()
            token = token_for(csrf_secret_key(app), secret)
            body = page.with_token(token.encode())
            etag = f"{etag}-{_digest(secret, 6)}"
        else:
            body = page.parts[0]
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains(etag):
            response = app.response_class(status=304)
        else:
            response = app.response_class(body, mimetype=page.mimetype)
        response.headers["ETag"] = f'"{etag}"'
        # Browsers revalidate every time (a 304 is cheap); shared caches never keep a
        # copy that holds someone's token.
        response.headers["Cache-Control"] = ("private, no-cache" if page.has_token or private
                                             else "no-cache")
        response.headers["Vary"] = "Cookie"
        return response

    def fast_response(self, app: Flask, environ):
        """The stored page for this request, answered without Flask, or None to let Flask
        answer: the same keys and the same rules as the views apply."""
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        cookies = parse_cookie(environ)
        if self.remember_cookie in cookies:
            return None
        shows_for = self.private_pages.get(environ.get("PATH_INFO"))
        if shows_for is None:  # a shared page, if a view has stored one for this address
            address = self.shared_addresses.get(_requested_address(environ))
        else:  # one visitor's own: its address is its path
            address = _address(environ, "")
        if address is None:
            return None
        sessions = app.session_interface
        visitor_session = sessions.session_from_cookie(
            app, cookies.get(sessions.get_cookie_name(app)))
        if shows_for is None and not visitor_session.keys() <= self.harmless_keys:
            return None
        generation = self.known_generation()
        if generation is None:
            return None
        if shows_for is None:
            page = self._read(_key(generation, False, address))
        else:
            page = self._private_page(app, generation, address, visitor_session, shows_for)
        if page is None:
            return None
        response = self.response_for(app, environ, page, visitor_session,
                                     private=shows_for is not None)
        sessions.save_session(app, visitor_session, response)
        if shows_for is None:
            self._tell_hit_listener(environ)
        return response

    def _tell_hit_listener(self, environ) -> None:
        listener = self.hit_listeners.get(environ.get("PATH_INFO"))
        if listener is None:
            return
        try:
            listener(environ)
        except Exception:  # counting is never worth a page
            log.exception("A page cache hit listener failed")

    def _private_page(self, app: Flask, generation: str, address: str, visitor_session,
                      shows_for) -> CachedPage | None:
        """A guest's stored private page, if ``shows_for`` finds what it shows unchanged."""
        if "_user_id" in visitor_session or "_flashes" in visitor_session:
            return None  # a member's or a message: the views answer those
        with app.app_context():
            reading_only()  # on SQLite, no write lock for a look at the guest's cart
            shows = shows_for(visitor_session)
        if shows is None:
            return None
        return self._read(_key(_private_state(generation, "guest", shows), True, address))

    def add_hit_listener(self, path: str, listener: Callable) -> None:
        """Call ``listener(environ)`` whenever the fast lane serves a stored page at
        ``path``, which the view never sees (search counts its searches this way). It must
        be cheap and touch no database: it runs on the fast path."""
        self.hit_listeners[path] = listener

    def add_private_page(self, path: str, shows_for) -> None:
        """Let the fast lane answer ``path`` (a ``private_page``) for guests.

        ``shows_for(session)`` runs in an app context and returns what the page's view
        would pass to ``private_page`` for that guest, or None when the view itself must
        answer (a session it does not expect, stock to give back first, ...).
        """
        self.private_pages[path] = shows_for


def _generation(token: str, next_release: datetime | None) -> str:
    return f"{token}.{next_release.isoformat() if next_release else 'none'}"


def _private_state(generation: str, who: str, shows: tuple) -> str:
    return f"{generation}:{who}:{_digest(repr(shows), 16)}"


def _query(args) -> str:
    """``args`` as a query string (``cached_page`` has already sorted them)."""
    return urlencode(list(args.items(multi=True)))


def _address(environ, query: str) -> str:
    """A digest of the raw scheme, host and path, and ``query`` (no decoding to pay for)."""
    where = (f"{environ.get('wsgi.url_scheme')}://{environ.get('HTTP_HOST')}"
             f"{environ.get('SCRIPT_NAME', '')}\0{environ.get('PATH_INFO', '')}?{query}")
    return _digest(where, 16)


def _requested_address(environ) -> str:
    """The address as requested, with the raw query string."""
    return _address(environ, environ.get("QUERY_STRING", ""))


def _key(state: str, private: bool, address: str) -> str:
    """Where a page is stored: its state and its address."""
    return f"{KEY_VERSION}:{'private' if private else 'public'}:{state}:{address}"


class FastLane:
    """WSGI middleware in front of Flask: stored public pages for anonymous visitors.

    A request for a page that is in the cache, from a visitor the ``cached_page`` views
    would serve it to (a GET, no remember-me cookie, a session holding nothing but
    bookkeeping and a CSRF secret), is answered here, without building Flask's request:
    the visitor's CSRF token filled in, a new visitor's session saved by the app's own
    session interface, an ETag match answered with 304. Everything else goes on to Flask,
    which renders and stores as before. Serving this way costs a quarter of the Flask path.
    """

    def __init__(self, app: Flask, cache: PageCache, wsgi_app):
        self.app = app
        self.cache = cache
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        try:
            response = self.cache.fast_response(self.app, environ)
        except Exception:  # Flask renders, as the views would
            log.exception("The fast lane could not answer")
            response = None
        if response is None:
            return self.wsgi_app(environ, start_response)
        metrics.page_cache("hit", "fast")  # metrics (issue 23)
        return response(environ, start_response)


def install_fast_lane(app: Flask) -> None:
    """Put the fast lane in front of the Flask app, if the page cache is on."""
    cache = app.extensions.get(EXTENSION)
    if cache is not None:
        app.wsgi_app = FastLane(app, cache, app.wsgi_app)


def cached_page(view=None, *, args: tuple[str, ...] = (), lists: tuple[str, ...] = ()):
    """Serve this view from the page cache to visitors who carry no state of their own.

    ``args`` names the query parameters the view reads (``@cached_page(args=("q",))``;
    bare ``@cached_page`` reads none). The view is shown only those, the first value of
    each, sorted by name, for every visitor: no other parameter can change the page, so
    none makes a new key or a new stored page. ``lists`` names parameters whose every
    value the view reads (``?concern=acne&concern=milia``): each value once, sorted.
    """
    if view is None:
        return lambda view: cached_page(view, args=args, lists=lists)
    reads, repeated = frozenset(args), frozenset(lists)

    @wraps(view)
    def serve(*view_args, **view_kwargs):
        _show_only(reads, repeated)
        cache = current_app.extensions.get(EXTENSION)
        if cache is None or not cache.visitor_can_share():
            return view(*view_args, **view_kwargs)
        return cache.respond(view, view_args, view_kwargs)

    return serve


def _show_only(names: frozenset[str], lists: frozenset[str] = frozenset()) -> None:
    """Leave in ``request.args`` the first value of each of ``names`` given and every
    value of each of ``lists`` (once, at most ``MAX_LIST_VALUES``), sorted."""
    given = request.args
    shown = [(name, given[name]) for name in names.intersection(given.keys())]
    for name in lists.intersection(given.keys()):
        shown += [(name, value) for value in sorted(set(given.getlist(name)))[:MAX_LIST_VALUES]]
    request.args = request.parameter_storage_class(sorted(shown))


def private_page(view, shows: tuple, *args, **kwargs):
    """``view(*args, **kwargs)``, served from the page cache when this visitor's ``shows``
    (the rows of their own that the page is made of) are the same as when it was stored.

    Only for GET and HEAD; see ``PageCache.respond_private`` for what the key holds. The
    page is rendered without the query string: its address is its path.
    """
    cache = current_app.extensions.get(EXTENSION)
    if cache is None or request.method not in ("GET", "HEAD"):
        return view(*args, **kwargs)
    _show_only(frozenset())
    return cache.respond_private(view, args, kwargs, shows)


def _csrf_token_or_placeholder() -> str:
    if g.get(_RENDERING):
        return current_app.extensions[EXTENSION].placeholder
    return generate_csrf()


def init_app(app: Flask) -> None:
    """Install the page cache on ``app`` (once), unless PAGE_CACHE_ENABLED is false."""
    if EXTENSION in app.extensions or not app.config.get("PAGE_CACHE_ENABLED", True):
        return
    app.extensions[EXTENSION] = PageCache(app)
    # Templates call csrf_token() both as a global (imported macros) and from the
    # context (Flask-WTF's context processor); this context processor runs after it.
    app.jinja_env.globals["csrf_token"] = _csrf_token_or_placeholder

    @app.context_processor
    def _page_cache_csrf():
        return {"csrf_token": _csrf_token_or_placeholder}


def generation_token() -> str | None:
    """The page cache's token, which every commit that wrote a watched table replaces: a
    cheap way for a worker to know that what it keeps from those tables may be stale.
    None without a working page cache (then nothing can be kept on its strength)."""
    cache = _page_cache()
    return None if cache is None else cache._token()


# --- Noticing changes ----------------------------------------------------------------------

def _page_cache() -> PageCache | None:
    return current_app.extensions.get(EXTENSION) if has_app_context() else None


def _mark_stale(session_: Session) -> None:
    cache = _page_cache()
    if cache is None:
        return
    session_.info[_STALE] = cache
    session_.connection().info[_STALE] = cache


def _table_name(thing) -> str | None:
    return getattr(thing, "__tablename__", None) or getattr(thing, "name", None)


@event.listens_for(Session, "after_flush")
def _after_flush(session_: Session, _context) -> None:
    changed = chain(session_.new, session_.dirty, session_.deleted)
    if any(getattr(type(obj), "__tablename__", None) in WATCHED_TABLES for obj in changed):
        _mark_stale(session_)


@event.listens_for(Session, "do_orm_execute")
def _on_statement(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    if _table_name(getattr(state.statement, "table", None)) in WATCHED_TABLES:
        _mark_stale(state.session)


@event.listens_for(Session, "after_commit")
def _after_commit(session_: Session) -> None:
    cache = session_.info.pop(_STALE, None)
    if cache is not None:
        cache.bump()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session_: Session) -> None:
    session_.info.pop(_STALE, None)


@event.listens_for(Engine, "commit")
def _connection_committed(connection) -> None:
    connection.info.pop(_STALE, None)  # the session's after_commit bumps


@event.listens_for(Engine, "rollback")
def _connection_rolled_back(connection) -> None:
    if connection.invalidated:  # the connection died: its ``info`` went with it
        return
    cache = connection.info.pop(_STALE, None)
    if cache is not None:
        cache.bump()
