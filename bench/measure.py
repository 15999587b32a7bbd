"""What the benchmark measures without load: SQL per request, page and asset weights,
static asset headers and conditional requests, through Flask's test client."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event

from storefront import create_app
from storefront.assets import GZIP_MIN_BYTES
from storefront.extensions import db

ONE_YEAR = 365 * 24 * 3600
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_STYLESHEET = re.compile(r'<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"')
_SCRIPT = re.compile(r'<script[^>]+src="([^"]+)"')
_HASHED = re.compile(r"\.[0-9a-f]{10}\.[a-z0-9]+$")
_QUIET = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


@dataclass
class AssetFacts:
    path: str
    raw_bytes: int
    gzip_bytes: int
    hashed: bool
    long_cache: bool
    gzipped: bool
    revalidates: bool

    @property
    def ok(self) -> bool:
        compressed = self.gzipped or self.raw_bytes <= GZIP_MIN_BYTES  # too small to gain
        return self.hashed and self.long_cache and compressed and self.revalidates


@dataclass
class PageFacts:
    path: str
    status: int
    html_bytes: int
    render_queries: int
    served_queries: int
    conditional: str  # "304", "200" (an ETag that never matches), "no ETag"
    assets: list[AssetFacts] = field(default_factory=list)

    @property
    def css_js_bytes(self) -> int:
        return sum(asset.raw_bytes for asset in self.assets)

    @property
    def css_js_gzip_bytes(self) -> int:
        return sum(asset.gzip_bytes for asset in self.assets)


class _Counter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(_QUIET):
            self.count += 1


def _app(database_url: str, instance: Path, cached: bool):
    app = create_app({
        "APP_ENV": "benchmark", "TESTING": False, "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "PAGE_CACHE_ENABLED": cached, "RATELIMIT_ENABLED": False,
    })
    app.instance_path = str(instance)
    with app.app_context():
        counter = _Counter(db.engine)
    return app, counter


def _queries(client, counter: _Counter, path: str) -> tuple[int, object]:
    client.get(path)  # warm: per-process caches and the page cache
    before = counter.count
    response = client.get(path)
    return counter.count - before, response


def _asset(client, path: str) -> AssetFacts:
    plain = client.get(path)
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    etag = plain.headers.get("ETag")
    again = client.get(path, headers={"If-None-Match": etag}) if etag else None
    cache = plain.cache_control
    return AssetFacts(
        path=path,
        raw_bytes=len(plain.get_data()),
        gzip_bytes=len(zipped.get_data()),
        hashed=bool(_HASHED.search(path)),
        long_cache=(cache.max_age or 0) >= ONE_YEAR and bool(cache.immutable),
        gzipped=zipped.headers.get("Content-Encoding") == "gzip",
        revalidates=again is not None and again.status_code == 304,
    )


def _conditional(client, path: str) -> str:
    first = client.get(path)
    etag = first.headers.get("ETag")
    if not etag:
        return "no ETag"
    return str(client.get(path, headers={"If-None-Match": etag}).status_code)


def fill_cart(client, product_path: str, variant_ids: list[int]) -> None:
    """Add each variant to this client's cart, as the product page's form does."""
    for variant_id in variant_ids:
        page = client.get(product_path).get_data(as_text=True)
        token = _CSRF.search(page)  # none for an anonymous visitor (a guest form)
        data = {"quantity": "1", "variant_id": str(variant_id)}
        if token:
            data["csrf_token"] = token.group(1)
        response = client.post("/cart/add", data=data,
                               headers={"Sec-Fetch-Site": "same-origin"})
        if response.status_code != 302:
            raise RuntimeError(f"could not fill the cart: {response.status_code}")
    client.get("/cart/")  # where the last form leads a browser: its message is shown there


def measure_pages(database_url: str, pages: dict[str, str | tuple[str, ...]],
                  cart: tuple[str, list[int]], instance: Path) -> dict[str, PageFacts]:
    """Facts for each page (name -> path); the page named "cart" gets a cart first. A page
    given as several paths (the search mix) gets the worst figures of its paths."""
    cached_app, served = _app(database_url, instance / "cached", cached=True)
    fresh_app, rendered = _app(database_url, instance / "fresh", cached=False)
    facts = {}
    for name, paths in pages.items():
        measured = []
        for path in (paths,) if isinstance(paths, str) else paths:
            cached_client, fresh_client = cached_app.test_client(), fresh_app.test_client()
            if name == "cart":
                fill_cart(cached_client, *cart)
                fill_cart(fresh_client, *cart)
            measured.append(_page_facts(path, cached_client, fresh_client, served, rendered))
        facts[name] = _worst(measured)
    for app in (cached_app, fresh_app):
        with app.app_context():
            db.engine.dispose()
    return facts


def _page_facts(path: str, cached_client, fresh_client, served: _Counter,
                rendered: _Counter) -> PageFacts:
    render_queries, _ = _queries(fresh_client, rendered, path)
    served_queries, response = _queries(cached_client, served, path)
    html = response.get_data(as_text=True)
    assets = [_asset(cached_client, href)
              for href in _STYLESHEET.findall(html) + _SCRIPT.findall(html)]
    return PageFacts(path, response.status_code, len(response.get_data()), render_queries,
                     served_queries, _conditional(cached_client, path), assets)


def _worst(measured: list[PageFacts]) -> PageFacts:
    """One page's facts, or the worst of several (any failure shows)."""
    if len(measured) == 1:
        return measured[0]
    failing = [facts for facts in measured if facts.status != 200]
    not_304 = [facts.conditional for facts in measured if facts.conditional != "304"]
    return PageFacts(
        path=f"{measured[0].path} and {len(measured) - 1} more",
        status=failing[0].status if failing else 200,
        html_bytes=max(facts.html_bytes for facts in measured),
        render_queries=max(facts.render_queries for facts in measured),
        served_queries=max(facts.served_queries for facts in measured),
        conditional=not_304[0] if not_304 else "304",
        assets=max((facts.assets for facts in measured),
                   key=lambda assets: sum(asset.raw_bytes for asset in assets)),
    )
