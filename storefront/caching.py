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

Conditional requests
    Cached pages carry an ETag made from their HTML (and, for pages with forms, from the
    visitor's CSRF secret), so a browser revalidating an unchanged page gets a 304.

Settings (app config): ``PAGE_CACHE_ENABLED`` (True), ``PAGE_CACHE_TIMEOUT`` (600 s),
``PAGE_CACHE_THRESHOLD`` (1,000 pages per process with the in-process cache),
``PAGE_CACHE_REDIS_URL`` (defaults to ``REDIS_URL``), ``PAGE_CACHE_STORE`` ("redis" when
there is a Redis URL, else "local": "local" keeps pages in each worker's memory and only
the generation in Redis).
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from itertools import chain
from pathlib import Path
from typing import NamedTuple

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
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session
from werkzeug.http import parse_cookie, parse_etags

from storefront.csrf_tokens import csrf_secret_key, generate_csrf, new_secret, token_for
from storefront.db import utcnow
from storefront.extensions import db

EXTENSION = "storefront.page_cache"
# Tables whose rows appear on cached pages: a write to any of them invalidates every page.
WATCHED_TABLES = frozenset({
    "product", "variant", "product_image", "product_ingredient", "product_skin_type",
    "category", "brand", "ingredient",
    "article", "article_condition", "condition", "recommendation", "author",
    "search_synonym",  # synonyms change what search pages find
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
DEFAULT_THRESHOLD = 1000

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


class RedisGeneration:
    """The token in one Redis key, shared by every worker on every machine."""

    def __init__(self, client, key: str):
        self._client = client
        self._key = key

    def current(self) -> str:
        value = self._client.get(self._key)
        return value.decode() if value else "0"

    def bump(self) -> None:
        self._client.set(self._key, secrets.token_hex(8))


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
        if store == "redis":
            config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url,
                      "CACHE_KEY_PREFIX": f"storefront:page:{database}:"}
        else:
            config = {"CACHE_TYPE": "SimpleCache", "CACHE_KEY_PREFIX": "",
                      "CACHE_THRESHOLD": int(app.config.get("PAGE_CACHE_THRESHOLD",
                                                            DEFAULT_THRESHOLD))}
        config["CACHE_DEFAULT_TIMEOUT"] = self.timeout
        cache = Cache(app, config=config)
        self.backend = app.extensions["cache"][cache]
        self.kind = config["CACHE_TYPE"]
        if redis_url:
            import redis

            self.generations = RedisGeneration(redis.Redis.from_url(redis_url),
                                               f"storefront:page-generation:{database}")
        else:
            self.generations = FileGeneration(
                lambda: Path(app.instance_path) / f"page-generation-{database}")
        self._release: tuple[str, datetime | None] | None = None
        self.private_pages: dict[str, Callable] = {}
        self.scheduled_changes: list[Callable[[datetime], datetime | None]] = []
        self.shared_addresses: set[str] = set()
        self.hit_listeners: dict[str, Callable] = {}

    # Invalidation ------------------------------------------------------------------------

    def bump(self) -> None:
        """Make every cached page stale (all workers see it on their next request)."""
        try:
            self.generations.bump()
        except Exception:
            # A page cache that cannot be invalidated must not serve anything any more.
            log.exception("Could not invalidate the page cache; switching it off")
            self.generations = _Broken()

    def generation(self) -> str:
        """The current token and when the next scheduled article appears."""
        token = self.generations.current()
        return _generation(token, self._next_release(token))

    def known_generation(self) -> str | None:
        """The generation if it can be told without the database, else None."""
        token = self.generations.current()
        known = self._release
        if known is None or known[0] != token or (known[1] is not None
                                                   and known[1] <= utcnow()):
            return None
        return _generation(token, known[1])

    def _next_release(self, token: str) -> datetime | None:
        """When the next scheduled article appears (once per generation, and after it does)."""
        from storefront.content.models import Article, ArticleStatus

        known = self._release
        now = utcnow()
        if known is None or known[0] != token or (known[1] is not None and known[1] <= now):
            upcoming = db.session.scalar(
                select(func.min(Article.published_at)).where(
                    Article.status.in_([ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED]),
                    Article.published_at > now))
            moments = [moment for moment in (upcoming, *(next_change(now) for next_change
                                                         in self.scheduled_changes))
                       if moment is not None]
            known = self._release = (token, min(moments, default=None))
        return known[1]

    def add_scheduled_change(self, next_change: Callable[[datetime], datetime | None]) -> None:
        """Pages also change when time alone makes them (say, a stock hold running out):
        ``next_change(now)`` says when that next happens after ``now``, or None. It is
        asked once per generation, and again once that moment has passed."""
        self.scheduled_changes.append(next_change)

    # Serving -----------------------------------------------------------------------------

    def visitor_can_share(self) -> bool:
        """True when this request would render the same page as for any anonymous visitor."""
        return (request.method in ("GET", "HEAD")
                and self.remember_cookie not in request.cookies
                and session.keys() <= self.harmless_keys)

    def respond(self, view, args, kwargs):
        """A page that is the same for every visitor who carries no state of their own."""
        self._note_shared_address(_address(request.environ))
        return self._serve(view, args, kwargs, self.generation(), private=False)

    def _note_shared_address(self, address: str) -> None:
        """Remember that a shared page lives at ``address``: the fast lane looks in the
        store only for those, so other requests never pay a lookup (a Redis round trip)."""
        if address not in self.shared_addresses:
            if len(self.shared_addresses) >= MAX_SHARED_ADDRESSES:
                self.shared_addresses.clear()  # forgotten ones are learnt again by the views
            self.shared_addresses.add(address)

    def respond_private(self, view, args, kwargs, shows: tuple):
        """A page of one visitor's own (their cart), stored under everything it shows.

        ``shows`` holds the visitor's own rows the page is made of (say, the cart's lines
        with their quantities); the key adds the catalog's generation, the page's address
        and who is logged in, with their role. Any change to any of these is a new key, so
        a stored copy is only ever served for exactly the state it was rendered from, and
        only to a visitor for whom that state is theirs (their session or account led to
        it). With a flashed message waiting, the page is rendered afresh.
        """
        if "_flashes" in session:
            return view(*args, **kwargs)
        user = current_user
        who = (f"{user.get_id()}:{getattr(user, 'role', '')}" if user.is_authenticated
               else "guest")
        return self._serve(view, args, kwargs, _private_state(self.generation(), who, shows),
                           private=True)

    def _serve(self, view, args, kwargs, state: str, private: bool):
        if isinstance(self.generations, _Broken):
            return view(*args, **kwargs)
        try:
            key = _key(request.environ, state, private)
            page = self.backend.get(key)
        except Exception:  # the store is unreachable: render the page, cache nothing
            log.exception("Page cache unavailable")
            return view(*args, **kwargs)
        if page is None:
            page, response = self._render(view, args, kwargs, private)
            if page is None:
                return response
            try:
                self.backend.set(key, page, timeout=(min(self.timeout, PRIVATE_TIMEOUT)
                                                     if private else self.timeout))
            except Exception:
                log.exception("Could not store a page in the page cache")
        return self._send(page, private)

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
        if environ.get("REQUEST_METHOD") != "GET" or isinstance(self.generations, _Broken):
            return None
        cookies = parse_cookie(environ)
        if self.remember_cookie in cookies:
            return None
        shows_for = self.private_pages.get(environ.get("PATH_INFO"))
        address = _address(environ)
        if shows_for is None and address not in self.shared_addresses:
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
            page = self.backend.get(_key(environ, generation, False, address))
        else:
            page = self._private_page(app, environ, generation, visitor_session, shows_for)
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

    def _private_page(self, app: Flask, environ, generation: str, visitor_session,
                      shows_for) -> CachedPage | None:
        """A guest's stored private page, if ``shows_for`` finds what it shows unchanged."""
        if "_user_id" in visitor_session or "_flashes" in visitor_session:
            return None  # a member's or a message: the views answer those
        with app.app_context():
            shows = shows_for(visitor_session)
        if shows is None:
            return None
        return self.backend.get(_key(environ, _private_state(generation, "guest", shows),
                                     private=True))

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


def _address(environ) -> str:
    """A digest of the raw scheme, host, path and query (no decoding to pay for)."""
    where = (f"{environ.get('wsgi.url_scheme')}://{environ.get('HTTP_HOST')}"
             f"{environ.get('SCRIPT_NAME', '')}\0{environ.get('PATH_INFO', '')}"
             f"?{environ.get('QUERY_STRING', '')}")
    return _digest(where, 16)


def _key(environ, state: str, private: bool, address: str | None = None) -> str:
    """Where a page is stored: its state and its address."""
    address = address or _address(environ)
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
        except Exception:  # the store is unreachable: Flask renders, as the views would
            log.exception("Page cache unavailable")
            response = None
        if response is None:
            return self.wsgi_app(environ, start_response)
        return response(environ, start_response)


def install_fast_lane(app: Flask) -> None:
    """Put the fast lane in front of the Flask app, if the page cache is on."""
    cache = app.extensions.get(EXTENSION)
    if cache is not None:
        app.wsgi_app = FastLane(app, cache, app.wsgi_app)


class _Broken:
    """Stands in for a generation store that failed: the cache serves nothing."""

    def current(self) -> str:
        return "off"

    def bump(self) -> None:
        pass


def cached_page(view):
    """Serve this view from the page cache to visitors who carry no state of their own."""

    @wraps(view)
    def serve(*args, **kwargs):
        cache = current_app.extensions.get(EXTENSION)
        if cache is None or not cache.visitor_can_share():
            return view(*args, **kwargs)
        return cache.respond(view, args, kwargs)

    return serve


def private_page(view, shows: tuple, *args, **kwargs):
    """``view(*args, **kwargs)``, served from the page cache when this visitor's ``shows``
    (the rows of their own that the page is made of) are the same as when it was stored.

    Only for GET and HEAD; see ``PageCache.respond_private`` for what the key holds.
    """
    cache = current_app.extensions.get(EXTENSION)
    if cache is None or request.method not in ("GET", "HEAD"):
        return view(*args, **kwargs)
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
    if cache is None or isinstance(cache.generations, _Broken):
        return None
    try:
        return cache.generations.current()
    except Exception:
        log.exception("Could not read the page cache's generation")
        return None


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
