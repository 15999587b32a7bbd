"""The page cache: changes show at once, nothing personal is shared, unchanged pages 304."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from flask import render_template_string
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront import caching
from storefront.catalog.models import Category, Product, ProductStatus
from storefront.content.models import Article, ArticleStatus
from storefront.db import utcnow
from storefront.extensions import db as _db
from storefront.inventory import services as inventory
from tests.factories import (
    ArticleFactory,
    ConditionFactory,
    ProductFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.factories.orders import add_to_cart
from tests.helpers import csrf_from, login, logout
from tests.helpers.apps import make_test_app
from tests.helpers.caching import (
    cached_twice,
    change,
    from_cache,
    html,
    page_cache,
    variant_of,
)

_TOKENS = re.compile(rb'name="csrf_token" value="([^"]*)"')
_BADGE = re.compile(r'class="badge" aria-label="(\d+) items?"')


# --- Helpers ------------------------------------------------------------------------------


def stored_pages(app) -> list[bytes]:
    """Every page the in-process cache holds for any visitor (from this test and the ones
    before it; not one visitor's own cart pages), as stored."""
    cache = page_cache(app)
    pages = [cache.backend.get(key) for key in cache.backend.stored_keys()
             if key.startswith(f"{caching.KEY_VERSION}:public:")]
    return [page.body for page in pages if page is not None]


# --- Serving -------------------------------------------------------------------------------

def test_a_second_anonymous_visit_costs_no_sql(client, make, count_queries):
    product = make(ProductFactory, name="Barrier Cream", featured_rank=1)
    for url in ("/", "/products", f"/products/{product.slug}", "/search?q=barrier"):
        assert "Barrier Cream" in cached_twice(client, count_queries, url)


def test_a_write_that_no_page_shows_keeps_the_cache(client, app, make, count_queries):
    product = make(ProductFactory, name="Barrier Cream")
    shopper = app.test_client()
    cached_twice(client, count_queries, "/products")
    with app.app_context():
        variant_id = variant_of(product.slug).id
    assert add_to_cart(shopper, variant_id).status_code == 302  # a cart row, not a catalog one
    from_cache(client, count_queries, "/products")


def test_the_cache_can_be_switched_off(tmp_path, database_url, db):
    app = make_test_app(database_url, tmp_path, PAGE_CACHE_ENABLED=False)
    assert caching.EXTENSION not in app.extensions
    assert app.test_client().get("/products").status_code == 200


# --- Changes show at once --------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/products", "/products/{slug}", "/search?q=calm"])
def test_a_new_price_shows_at_once(client, app, make, count_queries, url):
    product = make(ProductFactory, name="Calm Serum", featured_rank=1,
                   variant__price=Decimal("20.00"))
    url = url.format(slug=product.slug)
    assert "€20.00" in cached_twice(client, count_queries, url)

    change(app, lambda: setattr(variant_of(product.slug), "price", Decimal("24.50")))

    page = html(client, url)
    assert "€24.50" in page
    assert "€20.00" not in page


@pytest.mark.parametrize("url", ["/products", "/products/{slug}"])
def test_a_stock_change_made_in_sql_shows_at_once(client, app, make, count_queries, url):
    product = make(ProductFactory, name="Calm Serum", variant__stock_on_hand=3)
    url = url.format(slug=product.slug)
    assert "stock-low" in cached_twice(client, count_queries, url)

    # Reservations change stock in one guarded UPDATE statement, not through the ORM.
    change(app, lambda: inventory.reserve([(variant_of(product.slug).id, 3)]))

    page = html(client, url)
    assert "stock-low" not in page
    assert "Out of stock" in page


def test_a_product_taken_off_sale_leaves_the_list_at_once(client, app, make, count_queries):
    product = make(ProductFactory, name="Calm Serum")
    assert "Calm Serum" in cached_twice(client, count_queries, "/products")

    def archive():
        found = _db.session.scalar(select(Product).where(Product.slug == product.slug))
        found.status = ProductStatus.ARCHIVED

    change(app, archive)
    assert "Calm Serum" not in html(client, "/products")
    assert client.get(f"/products/{product.slug}").status_code == 404


@pytest.mark.parametrize("url", ["/", "/articles", "/conditions/milia"])
def test_a_newly_published_article_shows_at_once(client, app, count_queries, url):
    def draft():
        milia = ConditionFactory(slug="milia", name="Milia")
        ArticleFactory(slug="new-answer", title="A brand new answer", conditions=[milia],
                       status=ArticleStatus.DRAFT, published_at=None)

    change(app, draft)
    assert "A brand new answer" not in cached_twice(client, count_queries, url)

    def publish():
        article = _db.session.scalar(select(Article).where(Article.slug == "new-answer"))
        article.status = ArticleStatus.PUBLISHED
        article.published_at = utcnow() - timedelta(minutes=1)

    change(app, publish)
    assert "A brand new answer" in html(client, url)


def test_a_scheduled_article_appears_when_its_time_comes(client, app, count_queries,
                                                         monkeypatch):
    change(app, lambda: ArticleFactory(title="The answer for later",
                                       status=ArticleStatus.SCHEDULED,
                                       published_at=utcnow() + timedelta(hours=1)))
    assert "The answer for later" not in cached_twice(client, count_queries, "/articles")

    later = utcnow() + timedelta(hours=2)  # no row changes: only the clock moves on
    monkeypatch.setattr("storefront.caching.utcnow", lambda: later)
    monkeypatch.setattr("storefront.content.models.utcnow", lambda: later)
    monkeypatch.setattr("storefront.content.reading.utcnow", lambda: later)
    assert "The answer for later" in html(client, "/articles")


def test_a_new_recommendation_shows_at_once(client, app, make, count_queries):
    product = make(ProductFactory, name="Calm Serum")
    condition = make(ConditionFactory, slug="rosacea", name="Rosacea")
    assert "Calm Serum" not in cached_twice(client, count_queries, "/conditions/rosacea")

    def recommend():
        RecommendationFactory(condition=_db.session.get(type(condition), condition.id),
                              product=_db.session.get(Product, product.id),
                              why="It calms the redness.")

    change(app, recommend)
    page = html(client, "/conditions/rosacea")
    assert "Calm Serum" in page
    assert "It calms the redness." in page


def test_a_change_made_by_another_worker_shows_at_once(client, app, make, count_queries):
    """Two app objects sharing the instance folder stand for two gunicorn workers."""
    product = make(ProductFactory, name="Calm Serum", variant__price=Decimal("20.00"))
    other_worker = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
    url = f"/products/{product.slug}"
    assert "€20.00" in cached_twice(client, count_queries, url)

    change(other_worker, lambda: setattr(variant_of(product.slug), "price", Decimal("31.00")))

    assert "€31.00" in html(client, url)


def test_rolling_back_catalog_writes_invalidates_pages(app):
    """A rolled-back write may already have been rendered (tests share one transaction)."""
    cache = page_cache(app)
    with app.app_context():
        connection = _db.engine.connect()
    try:
        before = cache.versions([caching.EVERYTHING])
        transaction = connection.begin()
        session = Session(bind=connection)
        session.scalar(select(Product.id).limit(1))  # reading alone changes nothing
        transaction.rollback()
        assert cache.versions([caching.EVERYTHING]) == before
        transaction = connection.begin()
        session = Session(bind=connection)
        with app.app_context():
            session.add(Category(slug="rolled-back", name="Rolled back"))
            session.flush()
        transaction.rollback()
        assert cache.versions([caching.EVERYTHING]) != before
    finally:
        connection.close()


def test_a_page_cache_that_cannot_be_invalidated_stops_serving(tmp_path, database_url, db,
                                                              monkeypatch):
    app = make_test_app(database_url, tmp_path)
    client = app.test_client()
    with app.app_context():
        ProductFactory(name="Calm Serum", slug="calm-serum", variant__price=Decimal("20.00"))
        _db.session.commit()
    assert "€20.00" in html(client, "/products/calm-serum")

    def fail():
        raise OSError("read-only file system")

    monkeypatch.setattr(page_cache(app).tags, "bump", fail)
    change(app, lambda: setattr(variant_of("calm-serum"), "price", Decimal("25.00")))
    assert "€25.00" in html(client, "/products/calm-serum")
    assert page_cache(app).problem()  # /readyz says why every page is rendered afresh


# --- Nothing personal is shared ----------------------------------------------------------

def test_no_stored_page_holds_a_token_or_sets_a_cookie(client, app, make, count_queries):
    product = make(ProductFactory, name="Calm Serum")
    make(ConditionFactory, slug="milia", name="Milia")
    urls = ("/", "/products", f"/products/{product.slug}", "/conditions/milia", "/articles")
    for url in urls:
        first = app.test_client().get(url)
        again = app.test_client().get(url)
        for response in (first, again):
            assert "Set-Cookie" not in response.headers, url
            assert b'name="csrf_token"' not in response.get_data(), url
    for page in stored_pages(app):
        assert not _TOKENS.findall(page)
    with app.app_context():
        variant_id = str(variant_of(product.slug).id)
    # The add-to-cart form on those pages works without a token, from the shop's own pages.
    posted = app.test_client().post("/cart/add", data={"variant_id": variant_id},
                                    headers={"Sec-Fetch-Site": "same-origin"})
    assert posted.status_code == 302


def test_a_cart_never_reaches_another_visitor(client, app, make, count_queries):
    product = make(ProductFactory, name="Calm Serum")
    shopper, visitor = app.test_client(), app.test_client()
    cached_twice(visitor, count_queries, "/products")
    with app.app_context():
        variant_id = variant_of(product.slug).id
    assert add_to_cart(shopper, variant_id, "2").status_code == 302

    shopper_page = html(shopper, "/products")
    assert _BADGE.search(shopper_page).group(1) == "2"
    assert "Added Calm Serum" in shopper_page  # the flash, once
    assert _BADGE.search(from_cache(visitor, count_queries, "/products")).group(1) == "0"
    assert _BADGE.search(html(shopper, "/products")).group(1) == "2"
    for page in stored_pages(app):
        assert b'aria-label="2 items"' not in page
        assert b"Added Calm Serum" not in page


def test_a_flash_never_reaches_another_visitor(client, app, make, count_queries):
    product = make(ProductFactory, name="Calm Serum")
    url = f"/products/{product.slug}"
    shopper, visitor = app.test_client(), app.test_client()
    with app.app_context():
        variant_id = variant_of(product.slug).id
    add_to_cart(shopper, variant_id)
    assert "Added Calm Serum" in html(shopper, url)
    page = html(visitor, url)
    assert "Added Calm Serum" not in page
    assert 'class="container flashes"' not in page
    for stored in stored_pages(app):  # the layout's region for flashed messages
        assert b'class="container flashes"' not in stored
        assert b"Added Calm Serum" not in stored


def test_an_account_never_reaches_another_visitor(client, app, make, count_queries):
    user = make(UserFactory, email="maya@example.com")
    member, visitor = app.test_client(), app.test_client()
    assert login(member, user.email).status_code == 302
    member_page = html(member, "/")  # rendered first, while the cache is empty for it
    assert "Log out" in member_page
    assert "Log in" not in member_page
    visitor_page = html(visitor, "/")
    assert "Log in" in visitor_page
    assert "Log out" not in visitor_page
    assert "Log out" in html(member, "/")
    for page in stored_pages(app):
        assert b"Log out" not in page
        assert b"maya@example.com" not in page
    logout(member)
    assert "Log in" in html(member, "/")


def test_a_page_that_makes_a_token_is_never_stored(tmp_path, database_url, db):
    app = make_test_app(database_url, tmp_path)

    @app.get("/made-here")
    @caching.cached_page
    def made_here():
        return render_template_string('<input name="csrf_token" value="{{ token }}">',
                                      token=generate_csrf())

    first, second = app.test_client(), app.test_client()
    answer = first.get("/made-here")
    assert csrf_from(answer.get_data(as_text=True)) != csrf_from(html(second, "/made-here"))
    assert "private" in answer.headers["Cache-Control"]
    assert stored_pages(app) == []


# --- Conditional requests --------------------------------------------------------------

def test_an_unchanged_page_answers_304_and_a_changed_one_200(client, app, make):
    product = make(ProductFactory, name="Calm Serum", variant__price=Decimal("20.00"))
    url = f"/products/{product.slug}"
    etag = client.get(url).headers["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert again.get_data() == b""

    change(app, lambda: setattr(variant_of(product.slug), "price", Decimal("24.50")))
    after = client.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert "€24.50" in after.get_data(as_text=True)


def test_a_page_with_guest_forms_has_one_etag_for_every_visitor(client, app, make):
    product = make(ProductFactory, name="Calm Serum")
    url = f"/products/{product.slug}"
    first, second = app.test_client(), app.test_client()
    etag = first.get(url).headers["ETag"]
    other = second.get(url, headers={"If-None-Match": etag})
    assert other.status_code == 304
    assert "Set-Cookie" not in other.headers


def test_a_page_without_forms_has_one_etag_for_every_visitor(client, app, make):
    make(ConditionFactory, slug="milia", name="Milia")
    first, second = app.test_client(), app.test_client()
    etag = first.get("/conditions").headers["ETag"]
    response = second.get("/conditions", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert "Set-Cookie" not in response.headers


def test_logged_in_pages_are_not_served_from_the_cache(client, app, make):
    user = make(UserFactory)
    login(client, user.email)
    response = client.get("/products")
    assert "ETag" not in response.headers
    assert client.get("/products", headers={"If-None-Match": "*"}).status_code == 200


# --- Redis, shared by every worker ------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_workers(database_url, tmp_path, db):
    """Two apps (two workers, two folders) sharing pages and generation through Redis."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    apps = [make_test_app(database_url, tmp_path / name, PAGE_CACHE_REDIS_URL=REDIS_URL)
            for name in ("one", "two")]
    yield apps
    cache = page_cache(apps[0])
    client.delete(*client.scan_iter(f"{cache.backend.key_prefix}*"),
                  *client.scan_iter("storefront:page-tag:*"),
                  *client.scan_iter("storefront:shop-info-generation:*"))


def test_workers_share_pages_and_changes_through_redis(redis_workers, count_queries):
    one, two = redis_workers
    assert page_cache(one).kind == "redis"
    with one.app_context():
        ProductFactory(name="Calm Serum", slug="calm-serum", variant__price=Decimal("20.00"))
        _db.session.commit()
    assert "€20.00" in html(one.test_client(), "/products/calm-serum")
    with count_queries() as counter:
        page = html(two.test_client(), "/products/calm-serum")
    assert "€20.00" in page  # as the other worker rendered it: this one reads no product
    assert not [statement for statement in counter.statements if "product" in statement]

    change(two, lambda: setattr(variant_of("calm-serum"), "price", Decimal("26.00")))
    assert "€26.00" in html(one.test_client(), "/products/calm-serum")


def test_a_worker_serves_its_own_copy_of_a_shared_page_while_its_tags_are_current(
        redis_workers, count_queries):
    one, two = redis_workers
    with one.app_context():
        ProductFactory(name="Calm Serum", slug="calm-serum", variant__price=Decimal("20.00"))
        _db.session.commit()
    assert "€20.00" in html(one.test_client(), "/products/calm-serum")
    shared = redis.Redis.from_url(REDIS_URL)
    shared.delete(*shared.scan_iter(f"{page_cache(one).backend.key_prefix}*"))

    with count_queries() as counter:
        assert "€20.00" in html(one.test_client(), "/products/calm-serum")
    assert not [statement for statement in counter.statements if "product" in statement]
    with count_queries() as counter:
        assert "€20.00" in html(two.test_client(), "/products/calm-serum")
    assert [statement for statement in counter.statements if "product" in statement]

    change(two, lambda: setattr(variant_of("calm-serum"), "price", Decimal("26.00")))
    assert "€26.00" in html(one.test_client(), "/products/calm-serum")  # its copy is stale


def test_pages_kept_by_each_worker_still_change_together_through_redis(
        redis_workers, database_url, tmp_path):
    one, two = (make_test_app(database_url, tmp_path / name, PAGE_CACHE_REDIS_URL=REDIS_URL,
                              PAGE_CACHE_STORE="local") for name in ("local-one", "local-two"))
    assert page_cache(one).kind == "local"
    assert isinstance(page_cache(one).tags, caching.RedisTags)
    with one.app_context():
        ProductFactory(name="Calm Serum", slug="calm-serum", variant__price=Decimal("20.00"))
        _db.session.commit()
    for app in (one, two):
        assert "€20.00" in html(app.test_client(), "/products/calm-serum")
    change(two, lambda: setattr(variant_of("calm-serum"), "price", Decimal("26.00")))
    assert "€26.00" in html(one.test_client(), "/products/calm-serum")

class CountedConnection(redis.Connection):
    """A connection that counts the round trips made through it."""

    sent = 0

    def send_packed_command(self, command, check_health=True):
        type(self).sent += 1
        super().send_packed_command(command, check_health)


def test_a_worker_checks_a_page_with_one_redis_read_after_a_change_elsewhere(
        redis_workers, database_url, tmp_path, monkeypatch, count_queries):
    """However many tags a page has, and whatever changed since: one small read."""
    monkeypatch.setattr(caching, "Redis", type("CountedRedis", (redis.Redis,), {
        "from_url": classmethod(lambda cls, url, **options: redis.Redis.from_url(
            url, connection_class=CountedConnection, **options))}))
    one = make_test_app(database_url, tmp_path / "counted", PAGE_CACHE_REDIS_URL=REDIS_URL,
                        PAGE_CACHE_STORE="local")
    _, two = redis_workers
    with one.app_context():
        ProductFactory(name="Calm Serum", slug="calm-serum")
        article = ArticleFactory(title="What causes milia?")
        _db.session.commit()
        address = f"/articles/{article.slug}"
    for _ in range(2):  # rendered, then found current
        html(one.test_client(), address)
    change(two, lambda: setattr(variant_of("calm-serum"), "sku", "NEW-SKU"))  # not shown
    CountedConnection.sent = 0
    with count_queries() as counter:
        html(one.test_client(), address)
    assert counter.count == 0, "served from the cache"
    assert CountedConnection.sent == 1



def test_a_page_store_that_cannot_work_is_refused_at_start(database_url, tmp_path):
    with pytest.raises(ValueError, match="PAGE_CACHE_STORE"):
        make_test_app(database_url, tmp_path, PAGE_CACHE_STORE="memcached")
    with pytest.raises(ValueError, match="REDIS_URL"):
        make_test_app(database_url, tmp_path, PAGE_CACHE_STORE="redis")
