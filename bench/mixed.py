"""The mixed benchmark: anonymous shoppers browse a skewed mix of pages while others buy
(each purchase reserves stock and then sells it, about two a second) and an admin edits a
price every few seconds. Every change goes through the shop's own services and commits, so
the page cache drops what it must, as it would in the shop.

``browsing_paths`` is the mix wrk asks for in turn; ``Writer`` makes the changes from a
thread of the benchmark's own process, with the shop's settings (the same database and
page cache, so its tags are shared with the served shop). ``cache_counts`` reads the
shop's page cache hits and misses from its ``/metrics``, to say how many of the measured
requests were rendered.
"""

from __future__ import annotations

import random
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from prometheus_client.parser import text_string_to_metric_families
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import create_engine, select

from bench.seed import BENCH_SEARCH_MIX
from storefront import create_app
from storefront.catalog.models import Category, Product, ProductStatus, SkinType, Variant
from storefront.config import normalise_database_url
from storefront.content.models import Article, ArticleStatus, Condition
from storefront.extensions import db
from storefront.inventory import services as inventory

MIX_SEED = 20261207
PATHS = 10_000  # the rotation wrk walks through (each thread from its own start)
# What shoppers ask for, by share of requests.
SHARES = {"product": 40, "list": 25, "article": 15, "condition": 8, "search": 7, "home": 5}
SORTS = ("featured", "price_asc", "price_desc", "newest", "name")
ZIPF_S = 1.1  # a few pages are asked for often, the long tail rarely
PURCHASES_PER_SECOND = 2.0
PRICE_EDIT_SECONDS = 5.0


def _zipf_picker(items: list[str], rng: random.Random):
    weights = list(accumulate(1 / (rank ** ZIPF_S) for rank in range(1, len(items) + 1)))
    shuffled = items[:]
    rng.shuffle(shuffled)  # which pages are popular is not their order in the table
    return lambda: rng.choices(shuffled, cum_weights=weights)[0]


def _slugs(url: str) -> dict[str, list[str]]:
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as connection:
            return {
                "product": list(connection.scalars(select(Product.slug).where(
                    Product.status == ProductStatus.ACTIVE).order_by(Product.id))),
                "article": list(connection.scalars(select(Article.slug).where(
                    Article.status == ArticleStatus.PUBLISHED).order_by(Article.id))),
                "condition": list(connection.scalars(select(Condition.slug)
                                                     .order_by(Condition.id))),
                "category": list(connection.scalars(select(Category.slug)
                                                    .order_by(Category.id))),
            }
    finally:
        engine.dispose()


def _list_path(rng: random.Random, categories: list[str]) -> str:
    """A product list with a combination of filters, a sort and a page."""
    args: dict[str, str] = {}
    if rng.random() < 0.6:
        args["category"] = rng.choice(categories)
    if rng.random() < 0.3:
        args["skin_type"] = rng.choice(list(SkinType)).value
    if rng.random() < 0.15:
        args["in_stock"] = "1"
    if rng.random() < 0.1:
        args["price_max"] = str(rng.choice((15, 25, 40)))
    sort = rng.choices(SORTS, weights=(50, 20, 10, 10, 10))[0]
    if sort != "featured":
        args["sort"] = sort
    page = rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
    if page > 1:
        args["page"] = str(page)
    return "/products" + ("?" + urllib.parse.urlencode(args) if args else "")


def browsing_paths(url: str, count: int = PATHS) -> list[str]:
    """``count`` addresses in the order shoppers ask for them (the same for every run)."""
    rng = random.Random(MIX_SEED)  # noqa: S311 (a repeatable mix, not a secret)
    slugs = _slugs(url)
    product = _zipf_picker(slugs["product"], rng)
    article = _zipf_picker(slugs["article"], rng)
    condition = _zipf_picker(slugs["condition"], rng)
    make = {
        "product": lambda: f"/products/{product()}",
        "list": lambda: _list_path(rng, slugs["category"]),
        "article": lambda: f"/articles/{article()}",
        "condition": lambda: f"/conditions/{condition()}",
        "search": lambda: "/search?" + urllib.parse.urlencode(
            {"q": rng.choice(BENCH_SEARCH_MIX)}),
        "home": lambda: "/",
    }
    kinds, weights = list(SHARES), list(SHARES.values())
    return [make[rng.choices(kinds, weights=weights)[0]]() for _ in range(count)]


def _get(url: str) -> None:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
        response.read()


def warm_up(base: str, paths: list[str], workers: int = 2) -> int:
    """Ask once for every page of the rotation, as a shop that has been open a while has
    had them asked for: each different address once, in the order they first come.
    Returns how many there are."""
    distinct = list(dict.fromkeys(paths))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_get, (base + path for path in distinct)))
    return len(distinct)


def empty_redis(url: str) -> bool:
    """Empty the Redis database at ``url`` (the benchmark's own); False if it does not
    answer."""
    client = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    try:
        client.flushdb()
    except RedisError:
        return False
    finally:
        client.close()
    return True


@dataclass(frozen=True)
class CacheCounts:
    """Page cache look-ups by the shop's views, summed over its workers."""

    hits: int = 0
    misses: int = 0

    def __sub__(self, other: CacheCounts) -> CacheCounts:
        return CacheCounts(self.hits - other.hits, self.misses - other.misses)

    @property
    def hit_ratio(self) -> float | None:
        total = self.hits + self.misses
        return self.hits / total if total else None


PAGE_CACHE_SAMPLES = "storefront_page_cache_requests_total"


def cache_counts(base: str, token: str) -> CacheCounts:
    """The page cache's hits and misses so far, from the shop's ``/metrics``."""
    request = urllib.request.Request(base + "/metrics",  # noqa: S310 (loopback)
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return counts_in(response.read().decode())


def counts_in(text: str) -> CacheCounts:
    """The page cache's hits and misses in a Prometheus exposition."""
    found = {"hit": 0.0, "miss": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == PAGE_CACHE_SAMPLES and sample.labels.get("result") in found:
                found[sample.labels["result"]] += sample.value
    return CacheCounts(int(found["hit"]), int(found["miss"]))


@dataclass
class Changes:
    purchases: int = 0
    price_edits: int = 0
    refused: int = 0  # a purchase of stock that had run out meanwhile


class Writer(threading.Thread):
    """Purchases (reserve, then sell) and price edits, committed one by one, while wrk
    loads the pages; ``stop()`` ends it and returns what it did."""

    def __init__(self, settings: dict, instance_path: str, variant_ids: list[int]):
        super().__init__(name="bench-writer", daemon=True)
        self.app = create_app(settings)
        self.app.instance_path = instance_path
        self.variant_ids = variant_ids
        self.changes = Changes()
        self._stopping = threading.Event()
        self._rng = random.Random(MIX_SEED + 1)  # noqa: S311

    def run(self) -> None:
        interval = 1 / PURCHASES_PER_SECOND
        next_edit = time.monotonic() + PRICE_EDIT_SECONDS
        with self.app.app_context():
            while not self._stopping.wait(interval):
                self._purchase()
                if time.monotonic() >= next_edit:
                    self._edit_price()
                    next_edit += PRICE_EDIT_SECONDS

    def _purchase(self) -> None:
        line = [(self._rng.choice(self.variant_ids), 1)]
        try:
            inventory.reserve(line)
            db.session.commit()
            inventory.commit_sale(line)
            db.session.commit()
            self.changes.purchases += 1
        except inventory.InventoryError:
            db.session.rollback()
            self.changes.refused += 1

    def _edit_price(self) -> None:
        variant = db.session.get(Variant, self._rng.choice(self.variant_ids))
        step = Decimal("0.50") if self._rng.random() < 0.5 else Decimal("-0.50")
        variant.price = max(Decimal("1.00"), variant.price + step)
        db.session.commit()
        self.changes.price_edits += 1

    def stop(self) -> Changes:
        self._stopping.set()
        self.join(timeout=30)
        return self.changes
