"""A stored search page follows what it shows: its products, articles and conditions are
read as plain rows (no ORM load event), which name their page-cache tags themselves, so a
change to one of them re-renders the searches showing it and leaves the others stored."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from storefront.content.models import Article, Condition
from storefront.extensions import db as _db
from storefront.inventory import services as inventory
from tests.factories import ArticleFactory, ConditionFactory, ProductFactory
from tests.helpers.caching import cached_twice, change, from_cache, html, variant_of


def stored(client, count_queries, url: str) -> bool:
    with count_queries() as counter:
        html(client, url)
    return counter.count == 0


def test_a_search_follows_the_price_and_stock_of_the_products_it_shows(
        client, app, make, count_queries):
    serum = make(ProductFactory, name="Calm Serum", variant__price=Decimal("20.00"),
                 variant__stock_on_hand=8)
    make(ProductFactory, name="Barrier Cream", variant__price=Decimal("30.00"),
         variant__stock_on_hand=8)
    cached_twice(client, count_queries, "/search?q=calm")
    cached_twice(client, count_queries, "/search?q=barrier")

    change(app, lambda: setattr(variant_of(serum.slug), "price", Decimal("24.50")))
    from_cache(client, count_queries, "/search?q=barrier")
    page = html(client, "/search?q=calm")
    assert "24.50" in page
    assert "20.00" not in page

    # Stock changes in one guarded UPDATE statement, which names the product it changed.
    change(app, lambda: inventory.reserve([(variant_of(serum.slug).id, 5)]))
    from_cache(client, count_queries, "/search?q=barrier")
    assert "Only a few left" in html(client, "/search?q=calm")


def test_a_search_depends_on_each_article_and_condition_it_shows(
        client, app, make, count_queries):
    article = make(ArticleFactory, title="Why is my skin flaky?")
    condition = make(ConditionFactory, slug="milia", name="Milia")
    cached_twice(client, count_queries, "/search?q=flaky")
    cached_twice(client, count_queries, "/search?q=milia")

    # Neither change touches what search finds pages by: only the pages showing the row.
    change(app, lambda: setattr(_db.session.get(Article, article.id), "reviewed_on",
                                date(2026, 1, 2)))
    assert stored(client, count_queries, "/search?q=milia")
    assert not stored(client, count_queries, "/search?q=flaky")

    change(app, lambda: setattr(_db.session.get(Condition, condition.id), "updated_at",
                                datetime(2026, 1, 2, tzinfo=UTC)))
    assert stored(client, count_queries, "/search?q=flaky")
    assert not stored(client, count_queries, "/search?q=milia")
