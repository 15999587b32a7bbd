"""The page cache drops only what a change shows: one product's price or stock re-renders
the pages that show that product (and lists sorted or filtered by price or stock), and
leaves every other stored page in place."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import select

from storefront import caching
from storefront.catalog import page_tags
from storefront.catalog.models import Category, Product, Variant
from storefront.content.models import Article, Condition
from storefront.content.reading import ARTICLE_PICKS_PER_CONDITION
from storefront.extensions import db as _db
from storefront.inventory import services as inventory
from storefront.reviews import services as reviews
from storefront.reviews.models import Review, ReviewStatus
from tests.factories import (
    ArticleFactory,
    ConditionFactory,
    IngredientFactory,
    ProductFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.factories.reviews import sent_order, written_review
from tests.helpers import SAME_ORIGIN, login
from tests.helpers.apps import make_test_app

REDIS_URL = "redis://127.0.0.1:6379/15"


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def stored(client, count_queries, url: str) -> bool:
    """True when ``url`` is answered from the page cache: without a single SQL statement."""
    with count_queries() as counter:
        html(client, url)
    return counter.count == 0


def cache(client, count_queries, *urls: str) -> None:
    for url in urls:
        html(client, url)
        assert stored(client, count_queries, url), url


def change(app, work) -> None:
    with app.app_context():
        work()
        _db.session.commit()


def variant_of(product_id: int) -> Variant:
    return _db.session.scalar(select(Variant).where(Variant.product_id == product_id))


@pytest.fixture
def two_products(make):
    serum = make(ProductFactory, name="Calm Serum", category__name="Serums",
                 category__slug="serums", variant__price=Decimal("20.00"),
                 variant__stock_on_hand=8)
    cream = make(ProductFactory, name="Barrier Cream", category__name="Creams",
                 category__slug="creams", variant__price=Decimal("30.00"),
                 variant__stock_on_hand=8)
    return serum, cream


def test_a_price_change_leaves_other_products_pages_in_place(client, app, count_queries,
                                                               two_products):
    serum, cream = two_products
    cache(client, count_queries, f"/products/{serum.slug}", f"/products/{cream.slug}",
          "/products", "/products?category=creams", "/products?category=serums")

    change(app, lambda: setattr(variant_of(serum.id), "price", Decimal("24.50")))

    assert stored(client, count_queries, f"/products/{cream.slug}")
    assert stored(client, count_queries, "/products?category=creams")
    for url in (f"/products/{serum.slug}", "/products", "/products?category=serums"):
        page = html(client, url)  # shows the serum: rendered again, with its new price
        assert "24.50" in page, url
        assert "20.00" not in page, url


def test_a_sale_leaves_other_products_pages_in_place(client, app, count_queries,
                                                     two_products):
    serum, cream = two_products
    cache(client, count_queries, f"/products/{serum.slug}", f"/products/{cream.slug}",
          "/products?category=creams")
    assert "Only 3 left" not in html(client, f"/products/{serum.slug}")

    # Stock changes in one guarded UPDATE statement, which names the product it changed.
    change(app, lambda: inventory.reserve([(variant_of(serum.id).id, 5)]))

    assert stored(client, count_queries, f"/products/{cream.slug}")
    assert stored(client, count_queries, "/products?category=creams")
    assert "Only 3 left" in html(client, f"/products/{serum.slug}")


def test_a_price_change_reorders_lists_sorted_by_price(client, app, count_queries,
                                                       two_products):
    _, cream = two_products
    url = "/products?sort=price_asc&price_max=25"
    page = html(client, url)
    assert "Calm Serum" in page
    assert "Barrier Cream" not in page
    assert stored(client, count_queries, url)

    # The cream was on no page of this list: its new price brings it onto it.
    change(app, lambda: setattr(variant_of(cream.id), "price", Decimal("15.00")))

    page = html(client, url)
    assert page.index("Barrier Cream") < page.index("Calm Serum")


@pytest.fixture
def priced_range(make):
    """Four products from €8 to €120."""
    return {price: make(ProductFactory, name=f"Cream at {price}", variant__price=Decimal(price))
            for price in ("8.00", "12.00", "45.00", "120.00")}


def test_a_price_change_leaves_the_price_lists_it_cannot_reach_stored(
        client, app, count_queries, priced_range):
    cheap_first, dear_first = "/products?sort=price_asc&price_max=15", "/products?price_min=100"
    cache(client, count_queries, cheap_first, dear_first, "/products?sort=price_asc")

    # €45 → €46: above every price the first list shows, below the second's range.
    change(app, lambda: setattr(variant_of(priced_range["45.00"].id), "price",
                                Decimal("46.00")))
    assert stored(client, count_queries, cheap_first)
    assert stored(client, count_queries, dear_first)
    assert "€46.00" in html(client, "/products?sort=price_asc")  # the product's own list

    # €45 → €9: it moves onto the cheapest-first list, between the two it showed.
    change(app, lambda: setattr(variant_of(priced_range["45.00"].id), "price",
                                Decimal("9.00")))
    assert stored(client, count_queries, dear_first)
    page = html(client, cheap_first)
    assert page.index("Cream at 8.00") < page.index("Cream at 45.00") < page.index(
        "Cream at 12.00")

    # €120 → €90: it leaves the list from €100.
    change(app, lambda: setattr(variant_of(priced_range["120.00"].id), "price",
                                Decimal("90.00")))
    assert "Cream at 120.00" not in html(client, dear_first)

def test_a_price_moving_within_a_filters_range_only_refills_the_filtered_list(
        client, app, count_queries, priced_range):
    up_to_50, from_10 = "/products?price_max=50", "/products?price_min=10&sort=name"
    cache(client, count_queries, up_to_50, from_10)

    # €12 → €13: within both ranges, far from their limits; written into its card.
    change(app, lambda: setattr(variant_of(priced_range["12.00"].id), "price",
                                Decimal("13.00")))
    for url in (up_to_50, from_10):
        with count_queries() as counter:
            assert "€13.00" in html(client, url)
        assert counter.count == 1, url

    # €45 → €55: it leaves the list up to €50 (and stays on the other).
    change(app, lambda: setattr(variant_of(priced_range["45.00"].id), "price",
                                Decimal("55.00")))
    assert "Cream at 45.00" not in html(client, up_to_50)
    assert "€55.00" in html(client, from_10)
    # €13 → €9: it leaves the list from €10.
    change(app, lambda: setattr(variant_of(priced_range["12.00"].id), "price",
                                Decimal("9.00")))
    assert "Cream at 12.00" not in html(client, from_10)
    assert "€9.00" in html(client, up_to_50)



def test_a_price_change_reaches_every_band_between_its_old_and_new_price():
    tags = page_tags.price_change_tags(Decimal("45.00"), Decimal("9.00"))
    assert page_tags.PRICES in tags
    assert page_tags.up_to_tag(page_tags.price_band(Decimal("9.00"))) in tags
    assert page_tags.up_to_tag(page_tags.price_band(Decimal("4.00"))) not in tags
    assert page_tags.from_tag(page_tags.price_band(Decimal("45.00"))) in tags
    assert page_tags.from_tag(page_tags.price_band(Decimal("55.00"))) not in tags
    assert page_tags.up_to_tag(page_tags.LAST_BAND) in tags  # lists ending unpriced
    assert page_tags.through_tag(page_tags.price_band(Decimal("20.00"))) in tags
    assert page_tags.through_tag(page_tags.price_band(Decimal("4.00"))) not in tags
    assert page_tags.through_tag(page_tags.price_band(Decimal("55.00"))) not in tags
    unknown = page_tags.price_change_tags(None, Decimal("9.00"))
    assert {page_tags.up_to_tag(0), page_tags.from_tag(page_tags.LAST_BAND)} <= set(unknown)
    assert [page_tags.price_band(price) for price in (0, 5, Decimal("5.01"), 500, 501, None)
            ] == [0, 0, 1, 13, 14, 14]


def test_stock_coming_back_brings_a_product_into_the_in_stock_list(
        client, app, make, count_queries):
    empty = make(ProductFactory, name="Night Balm", variant__stock_on_hand=0)
    url = "/products?in_stock=1"
    assert "Night Balm" not in html(client, url)
    assert stored(client, count_queries, url)

    def restock():
        inventory.adjust_stock(variant_of(empty.id), 4, inventory.StockReason.RECEIVED)

    change(app, restock)
    assert "Night Balm" in html(client, url)


def test_a_condition_page_follows_its_products_price_only(client, app, make, count_queries,
                                                          two_products):
    serum, cream = two_products
    condition = make(ConditionFactory, slug="redness", name="Redness")
    with app.app_context():
        RecommendationFactory(condition=_db.session.get(type(condition), condition.id),
                              product=_db.session.get(Product, serum.id), why="Calms it.")
        ArticleFactory(slug="calm-answer", title="Why is my skin red?",
                       body=f"Try this one:\n\n[[product:{serum.slug}]]\n")
        _db.session.commit()
    cache(client, count_queries, "/conditions/redness", "/articles/calm-answer",
          f"/products/{cream.slug}")

    change(app, lambda: setattr(variant_of(cream.id), "price", Decimal("31.00")))
    assert stored(client, count_queries, "/conditions/redness")
    assert stored(client, count_queries, "/articles/calm-answer")

    change(app, lambda: setattr(variant_of(serum.id), "price", Decimal("21.00")))
    assert "21.00" in html(client, "/conditions/redness")
    assert "21.00" in html(client, "/articles/calm-answer")

def test_an_article_follows_only_the_picks_it_shows(client, app, make, count_queries):
    """An article shows a condition's first picks: a product it leaves out for the
    condition's page changes that page, not the article."""
    condition = make(ConditionFactory, slug="dryness", name="Dryness")
    creams = [make(ProductFactory, name=f"Cream {n}", variant__price=Decimal("10.00"))
              for n in range(ARTICLE_PICKS_PER_CONDITION + 1)]
    with app.app_context():
        for number, cream in enumerate(creams):
            RecommendationFactory(condition=_db.session.get(Condition, condition.id),
                                  product=_db.session.get(Product, cream.id), position=number)
        ArticleFactory(slug="dry-answer", conditions=[_db.session.get(Condition, condition.id)])
        _db.session.commit()
    cache(client, count_queries, "/articles/dry-answer", "/conditions/dryness")

    left_out, shown = creams[-1], creams[0]
    change(app, lambda: setattr(variant_of(left_out.id), "price", Decimal("12.34")))
    assert stored(client, count_queries, "/articles/dry-answer")
    assert "12.34" in html(client, "/conditions/dryness")

    change(app, lambda: setattr(variant_of(shown.id), "price", Decimal("56.78")))
    assert "56.78" in html(client, "/articles/dry-answer")


def test_a_price_change_refills_the_price_where_the_product_shows_as_a_card(
        client, app, make, count_queries, two_products):
    """Lists, articles and conditions show a product's price in holes: a new price is
    written into them (one statement) instead of rendering the page again, and the page is
    the one a fresh render makes. The product's own page is rendered again."""
    serum, _cream = two_products
    condition = make(ConditionFactory, slug="redness", name="Redness")
    with app.app_context():
        RecommendationFactory(condition=_db.session.get(type(condition), condition.id),
                              product=_db.session.get(Product, serum.id), why="Calms it.")
        ArticleFactory(slug="calm-answer", title="Why is my skin red?", conditions=[
            _db.session.get(type(condition), condition.id)],
                       body=f"Try this one:\n\n[[product:{serum.slug}]]\n")
        _db.session.commit()
    shown = ("/products", "/products?category=serums", "/conditions/redness",
             "/articles/calm-answer")
    cache(client, count_queries, *shown, f"/products/{serum.slug}")

    change(app, lambda: setattr(variant_of(serum.id), "price", Decimal("24.50")))
    refilled = {}
    for url in shown:
        with count_queries() as counter:
            refilled[url] = html(client, url)
        assert counter.count == 1, (url, counter.statements)
        assert "€24.50" in refilled[url], url
        assert "€20.00" not in refilled[url], url
        assert "<!--" not in refilled[url]
        assert stored(client, count_queries, url), "kept refilled"
    with count_queries() as counter:
        assert "€24.50" in html(client, f"/products/{serum.slug}")
    assert counter.count > 1, "its own page is rendered again"

    with app.app_context():
        app.extensions[caching.EXTENSION].bump()  # every page rendered afresh
    for url in shown:
        assert html(client, url) == refilled[url], url


def test_a_price_on_sale_is_refilled_with_its_struck_through_price(client, app,
                                                                   count_queries,
                                                                   two_products):
    serum, _cream = two_products
    cache(client, count_queries, "/products")

    def on_sale():
        variant = variant_of(serum.id)
        variant.compare_at_price, variant.price = Decimal("20.00"), Decimal("15.00")

    change(app, on_sale)
    page = html(client, "/products")
    assert re.search(r"€15\.00</span><s class=\"price-compare\">.*€20\.00</s>", page)
    change(app, lambda: setattr(variant_of(serum.id), "compare_at_price", None))
    assert "price-compare" not in html(client, "/products")



def test_a_conditions_summary_re_renders_the_pages_that_list_it(client, app, make,
                                                                count_queries, two_products):
    """The home page and the list of conditions read conditions as plain rows, and still
    depend on each one they show."""
    _, cream = two_products
    condition = make(ConditionFactory, slug="redness", name="Redness", summary="Red cheeks.")
    cache(client, count_queries, "/", "/conditions", f"/products/{cream.slug}")

    change(app, lambda: setattr(_db.session.get(Condition, condition.id), "summary",
                                "Flushed cheeks."))
    assert stored(client, count_queries, f"/products/{cream.slug}")
    assert "Flushed cheeks." in html(client, "/")
    assert "Flushed cheeks." in html(client, "/conditions")


def test_a_conditions_own_page_follows_its_edits(client, app, make, count_queries,
                                                two_products):
    """The condition's page reads it as a plain row and still depends on it: an edit of
    its text shows at once, and pages that do not show it stay cached."""
    _, cream = two_products
    condition = make(ConditionFactory, slug="redness", name="Redness",
                     causes="Heat and sun.")
    cache(client, count_queries, "/conditions/redness", f"/products/{cream.slug}")

    change(app, lambda: setattr(_db.session.get(Condition, condition.id), "causes",
                                "Hot drinks and wind."))
    assert stored(client, count_queries, f"/products/{cream.slug}")
    assert "Hot drinks and wind." in html(client, "/conditions/redness")
    assert "Heat and sun." not in html(client, "/conditions/redness")


def test_an_articles_title_re_renders_the_pages_with_its_teaser(client, app, make,
                                                                count_queries, two_products):
    """The home page's latest answers and a condition's articles are plain rows, and still
    depend on each article they show."""
    _, cream = two_products
    condition = make(ConditionFactory, slug="redness", name="Redness")
    with app.app_context():
        article = ArticleFactory(title="Why is my skin red?",
                                 conditions=[_db.session.get(Condition, condition.id)])
        _db.session.commit()
        article_id = article.id
    cache(client, count_queries, "/", "/conditions/redness", f"/products/{cream.slug}")

    change(app, lambda: setattr(_db.session.get(Article, article_id), "title",
                                "Why does my skin flush?"))
    assert stored(client, count_queries, f"/products/{cream.slug}")
    assert "Why does my skin flush?" in html(client, "/")
    assert "Why does my skin flush?" in html(client, "/conditions/redness")


def test_an_articles_title_re_renders_the_product_pages_that_link_it(
        client, app, make, count_queries, two_products):
    """A product page reads its related articles (and the one it was reached from) as plain
    rows, and still depends on each of them."""
    serum, cream = two_products
    condition = make(ConditionFactory, slug="redness", name="Redness")
    with app.app_context():
        redness = _db.session.get(Condition, condition.id)
        RecommendationFactory(condition=redness, product=_db.session.get(Product, serum.id))
        article = ArticleFactory(slug="why-red", title="Why is my skin red?",
                                 conditions=[redness])
        _db.session.commit()
        article_id = article.id
    pages = (f"/products/{serum.slug}", f"/products/{cream.slug}?article=why-red")
    for page in pages:
        assert "Why is my skin red?" in html(client, page), page
    cache(client, count_queries, *pages, f"/products/{cream.slug}")

    change(app, lambda: setattr(_db.session.get(Article, article_id), "title",
                                "Why does my skin flush?"))
    assert stored(client, count_queries, f"/products/{cream.slug}")
    for page in pages:
        assert "Why does my skin flush?" in html(client, page), page


def test_publishing_a_review_re_renders_only_that_products_pages(
        client, app, count_queries, two_products):
    serum, cream = two_products
    with app.app_context():
        order = sent_order(_db.session.get(Product, serum.id).variants[0])
        review_id = written_review(order, title="Calmed my cheeks").id
        _db.session.commit()
    cache(client, count_queries, f"/products/{serum.slug}", f"/products/{cream.slug}")

    with app.app_context():
        reviews.moderate(_db.session.get(Review, review_id), ReviewStatus.APPROVED,
                         actor=None)
        _db.session.commit()

    assert stored(client, count_queries, f"/products/{cream.slug}")
    assert "Calmed my cheeks" in html(client, f"/products/{serum.slug}")


def test_a_change_no_rule_narrows_re_renders_every_page(client, app, count_queries,
                                                       two_products):
    _, cream = two_products
    cache(client, count_queries, f"/products/{cream.slug}")

    def rename():
        category = _db.session.scalar(select(Category).where(Category.slug == "serums"))
        category.name = "Face serums"

    change(app, rename)
    assert not stored(client, count_queries, f"/products/{cream.slug}")


def test_a_page_rendered_while_a_change_is_announced_is_not_stored(tmp_path, database_url,
                                                                    db):
    app = make_test_app(database_url, tmp_path)

    @app.get("/racing")
    @caching.cached_page
    def racing():
        app.extensions[caching.EXTENSION].bump(["product:1"])  # another worker's change
        return "<p>rendered</p>"

    client = app.test_client()
    client.get("/racing")
    with app.app_context():
        cache_ = app.extensions[caching.EXTENSION]
        assert not [key for key in cache_.backend.stored_keys()
                    if key.startswith(caching.KEY_VERSION)]


# --- Where the versions live ---------------------------------------------------------------

def test_file_tags_change_with_each_bump_and_never_repeat(tmp_path):
    tags = caching.FileTags(lambda: tmp_path / "tags")
    first = tags.versions(["product:1", "all"])
    assert tags.versions(["product:1", "all"]) == first
    tags.bump(["product:1"])
    second = tags.versions(["product:1", "all"])
    assert second[0] != first[0]
    assert second[1] == first[1]
    tags.bump(["product:1"])
    assert tags.versions(["product:1"])[0] not in (first[0], second[0])


def test_redis_tags_give_a_lost_tag_a_new_version():
    client = Redis.from_url(REDIS_URL)
    prefix = f"test-page-tag:{id(client)}:"
    tags = caching.RedisTags(client, prefix)
    try:
        first = tags.versions(["product:1", "all"])
        assert tags.versions(["product:1", "all"]) == first
        tags.bump(["product:1"])
        bumped = tags.versions(["product:1"])[0]
        assert bumped != first[0]
        tags.forget(["product:1"])  # evicted, or deleted by a change that could not write
        assert tags.versions(["product:1"])[0] not in (first[0], bumped)
    finally:
        client.delete(*client.keys(prefix + "*"))


@pytest.fixture
def two_workers_tags():
    """Two workers' views of the same tags in Redis (each with its own copy)."""
    client = Redis.from_url(REDIS_URL)
    prefix = f"test-page-tag-feed:{id(client)}:"
    try:
        yield client, prefix, caching.RedisTags(client, prefix), caching.RedisTags(client, prefix)
    finally:
        client.delete(*client.keys(prefix + "*"))


def test_a_worker_that_missed_trimmed_changes_reads_every_tag_again(two_workers_tags):
    client, prefix, one, two = two_workers_tags
    seen = one.versions(["product:1", "product:2", "product:3"])
    for tag in ("product:1", "product:2", "product:3"):
        two.bump([tag])
    # Only product:3's change is left in the feed.
    client.xtrim(prefix + "~feed", maxlen=1, approximate=False)
    assert one.versions(["product:1", "product:2", "product:3"]) == two.versions(
        ["product:1", "product:2", "product:3"])
    assert not set(seen) & set(one.versions(["product:1", "product:2", "product:3"]))


def test_a_worker_starts_afresh_when_redis_was_emptied(two_workers_tags):
    client, prefix, one, two = two_workers_tags
    one.versions(["product:1", "product:2"])
    for _ in range(3):
        two.bump(["product:2"])
    one.versions(["product:1"])
    client.delete(*client.keys(prefix + "*"))  # a restart without persistence
    two.bump(["product:1"])  # numbered from 1 again, in a new epoch
    assert one.versions(["product:1", "product:2"]) == two.versions(["product:1", "product:2"])


def test_a_worker_far_behind_reads_every_tag_again(two_workers_tags, monkeypatch):
    _client, _prefix, one, two = two_workers_tags
    monkeypatch.setattr(caching.RedisTags, "READ_AT_MOST", 3)
    one.versions(["product:1"])
    for number in range(2, 6):
        two.bump([f"product:{number}"])
    two.bump(["product:1"])  # beyond the three entries one read takes
    assert one.versions(["product:1"]) == two.versions(["product:1"])


def test_a_public_page_may_be_kept_by_shared_caches_a_search_may_not(client, make):
    make(ProductFactory, name="Calm Serum")
    public = client.get("/products")
    assert public.headers["Cache-Control"].startswith("public, max-age=0, s-maxage=")
    assert "Set-Cookie" not in public.headers
    search = client.get("/search?q=calm")
    assert "public" not in search.headers["Cache-Control"]


def test_pages_for_a_logged_in_visitor_are_private(app, client, make):
    make(UserFactory, email="maya@example.com")
    login(client, "maya@example.com")
    response = client.get("/products")
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_shared_caches_are_told_nothing_without_edge_seconds(tmp_path, database_url, db):
    app = make_test_app(database_url, tmp_path, PAGE_CACHE_EDGE_SECONDS=0)
    assert isinstance(app, Flask)
    response = app.test_client().get("/products")
    assert "public" not in response.headers["Cache-Control"]


def test_in_stock_lists_follow_only_sizes_running_out_or_coming_back(
        client, app, count_queries, two_products):
    serum, _ = two_products
    url = "/products?in_stock=1&category=creams"  # shows the cream, not the serum
    cache(client, count_queries, url)

    change(app, lambda: inventory.reserve([(variant_of(serum.id).id, 5)]))  # 3 left
    assert stored(client, count_queries, url)

    change(app, lambda: inventory.reserve([(variant_of(serum.id).id, 3)]))  # none left
    assert not stored(client, count_queries, url)
    assert stored(client, count_queries, url)

    change(app, lambda: inventory.release([(variant_of(serum.id).id, 3)]))  # back again
    assert not stored(client, count_queries, url)


def sell(product_id: int, quantity: int) -> None:
    """A purchase as checkout makes it: stock held at Pay, then sold."""
    line = [(variant_of(product_id).id, quantity)]
    inventory.reserve(line)
    _db.session.commit()
    inventory.commit_sale(line)


@pytest.fixture
def picks_in_stock(app, make):
    """A condition and an article recommending a sold-out balm: their picks show the cream,
    the first product in stock with the same ingredient, instead (so they depend on which
    products are in stock at all). The serum, on sale too, is on neither."""
    shared = make(IngredientFactory, name="Ceramides")
    balm = make(ProductFactory, name="Night Balm", ingredients=[shared],
                variant__stock_on_hand=0)
    cream = make(ProductFactory, name="Barrier Cream", ingredients=[shared],
                 category__name="Creams", category__slug="creams", variant__stock_on_hand=8)
    serum = make(ProductFactory, name="Calm Serum", category__name="Serums",
                 category__slug="serums", variant__stock_on_hand=8)
    condition = make(ConditionFactory, slug="redness", name="Redness")
    with app.app_context():
        RecommendationFactory(condition=_db.session.get(Condition, condition.id),
                              product=_db.session.get(Product, balm.id), why="Calms it.")
        ArticleFactory(slug="calm-answer", title="Why is my skin red?",
                       conditions=[_db.session.get(Condition, condition.id)])
        _db.session.commit()
    return serum, cream


def test_a_sale_that_leaves_stock_re_renders_only_what_shows_the_change(
        client, app, count_queries, picks_in_stock):
    serum, cream = picks_in_stock
    others = ["/conditions/redness", "/articles/calm-answer",
              "/products?in_stock=1&category=creams", f"/products/{cream.slug}"]
    assert "In stock instead of Night Balm" in html(client, "/conditions/redness")
    cache(client, count_queries, f"/products/{serum.slug}", "/products", *others)

    change(app, lambda: sell(serum.id, 4))  # 4 left: low, and shown so

    for url in others:
        assert stored(client, count_queries, url), url
    assert "Only 4 left" in html(client, f"/products/{serum.slug}")
    assert "Only a few left" in html(client, "/products")

    change(app, lambda: sell(serum.id, 1))  # 3 left: still low; only its own page counts
    assert stored(client, count_queries, "/products")
    assert "Only 3 left" in html(client, f"/products/{serum.slug}")


def test_a_sale_that_changes_nothing_shown_re_renders_nothing(
        client, app, count_queries, picks_in_stock):
    serum, cream = picks_in_stock
    urls = [f"/products/{serum.slug}", f"/products/{cream.slug}", "/products",
            "/products?in_stock=1", "/conditions/redness", "/articles/calm-answer"]
    cache(client, count_queries, *urls)
    before = {url: html(client, url) for url in urls}

    change(app, lambda: sell(serum.id, 1))  # 7 left: in stock, as it was

    for url in urls:
        assert stored(client, count_queries, url), url
    with app.app_context():
        app.extensions[caching.EXTENSION].bump()  # every page rendered again: the same
    assert {url: html(client, url) for url in urls} == before


def test_selling_the_last_unit_re_renders_in_stock_lists_and_picks(
        client, app, count_queries, picks_in_stock):
    serum, cream = picks_in_stock
    change(app, lambda: sell(cream.id, 7))  # one left
    cache(client, count_queries, "/products?in_stock=1", "/conditions/redness",
          "/articles/calm-answer", f"/products/{serum.slug}")
    assert "Barrier Cream" in html(client, "/products?in_stock=1")

    change(app, lambda: sell(cream.id, 1))

    assert stored(client, count_queries, f"/products/{serum.slug}")
    assert "Barrier Cream" not in html(client, "/products?in_stock=1")
    for url in ("/conditions/redness", "/articles/calm-answer"):
        assert "In stock instead of Night Balm" not in html(client, url), url


def test_a_cart_shows_at_once_that_fewer_are_left_than_it_holds(client, app, make):
    """A sale that leaves a size in stock re-renders no public page, but a cart holding
    more than is left says so at once."""
    cream = make(ProductFactory, name="Barrier Cream", variant__stock_on_hand=40)
    with app.app_context():
        variant_id = variant_of(cream.id).id
    client.post("/cart/add", data={"variant_id": variant_id, "quantity": "30"},
                headers=SAME_ORIGIN)
    html(client, "/cart/")  # shows the "Added" message once
    assert "left" not in html(client, "/cart/")

    change(app, lambda: sell(cream.id, 15))  # 25 left, still plainly in stock

    assert "Only 25 of Barrier Cream" in html(client, "/cart/")
