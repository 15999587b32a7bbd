"""Performance guards that time nothing: SQL per page, page and asset weights, 304s.

They run on a shop made by the benchmark's own seeder (bench/seed.py), so they also keep
the benchmark working as the models change. Speed itself is measured by ``make bench``.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from bench import measure
from bench.seed import seed
from storefront.config import normalise_database_url
from storefront.extensions import db as _db
from tests.factories import (
    ConditionFactory,
    IngredientFactory,
    ProductFactory,
    RecommendationFactory,
)
from tests.helpers.apps import create_postgres_database, make_test_app
from tests.helpers.pages import Page, text

# SQL statements each page may run when rendered afresh (the page cache off). The cart
# page reads the visitor's cart twice (once to release stale holds, once to show it).
# The search mix (typos, synonyms, nothing found) takes the worst of its searches: a typo
# costs the vocabulary (two statements on PostgreSQL) and the search again, spelt right.
RENDER_BUDGETS = {"home": 4, "list": 4, "filtered": 3, "product": 6, "article": 8,
                  "condition": 8, "search": 6, "search_mix": 12, "cart": 10}
# 40 KB until the footer's shop pages and back-in-stock links on sold-out recommendation
# cards (issue 19) came: a benchmark article with 15 product cards is 40.4 KB.
HTML_LIMIT = 42_000
CSS_JS_LIMIT = 30_000


@pytest.fixture
def second_database_url(empty_database_url, tmp_path):
    """Another empty database on the same backend as ``empty_database_url``."""
    if empty_database_url.startswith("sqlite"):
        yield "sqlite:///" + str(tmp_path / "second.db")
        return
    url, drop = create_postgres_database("sf_perf")
    yield url
    drop()


def _seed(url: str, products: int):
    engine = create_engine(normalise_database_url(url))
    try:
        return seed(engine, products=products, articles=30, conditions=10)
    finally:
        engine.dispose()


def _pages(seeded) -> dict[str, str]:
    return {
        "home": "/",
        "list": "/products",
        "filtered": f"/products?category={seeded.category_slug}&skin_type=dry&sort=price_asc",
        "product": f"/products/{seeded.product_slug}",
        "article": f"/articles/{seeded.article_slug}",
        "condition": f"/conditions/{seeded.condition_slug}",
        "search": "/search?q=retinol",
        "search_mix": ("/search?q=niacinimide", "/search?q=sunblock",
                       "/search?q=Retin-A+cream", "/search?q=zzyzx+qwerty"),
        "cart": "/cart/",
    }


def _facts(url: str, products: int, instance) -> dict[str, measure.PageFacts]:
    seeded = _seed(url, products)
    pages = _pages(seeded)
    return measure.measure_pages(url, pages, (pages["product"], seeded.sold_variant_ids),
                                 instance)


def test_pages_keep_their_budgets_and_do_not_grow_with_the_shop(
        empty_database_url, second_database_url, tmp_path):
    small = _facts(empty_database_url, 40, tmp_path / "small")
    large = _facts(second_database_url, 200, tmp_path / "large")
    for name, facts in large.items():
        assert facts.status == 200, name
        assert facts.render_queries <= RENDER_BUDGETS[name], (name, facts.render_queries)
        assert facts.render_queries == small[name].render_queries, name
        assert facts.html_bytes < HTML_LIMIT, (name, facts.html_bytes)
        assert 0 < facts.css_js_bytes < CSS_JS_LIMIT, (name, facts.css_js_bytes)
        assert all(asset.ok for asset in facts.assets), (name, facts.assets)
        if name == "cart":  # a visitor's own page: stored under their cart's lines, which
            assert facts.served_queries == 1  # one statement reads, with the stock checks
        else:  # an anonymous visitor's second request is served from the page cache
            assert facts.served_queries == 0, name
        assert facts.conditional == "304", name


def test_the_seeder_writes_a_shop_the_pages_can_show(empty_database_url, tmp_path):
    seeded = _seed(empty_database_url, 60)
    assert (seeded.products, seeded.articles, seeded.conditions) == (60, 30, 10)
    assert seeded.variants >= 60
    assert seeded.recommendations == 10 * 11
    assert len(seeded.sold_variant_ids) == 3
    app = make_test_app(empty_database_url, tmp_path, PAGE_CACHE_ENABLED=False)
    client = app.test_client()
    product = client.get(f"/products/{seeded.product_slug}").get_data(as_text=True)
    assert "Add to cart" in product
    assert "Helps with" in product
    found = client.get("/search?q=retinol").get_data(as_text=True)
    assert "Products <span" in found
    assert "Articles <span" in found  # the index was rebuilt
    article = client.get(f"/articles/{seeded.article_slug}").get_data(as_text=True)
    assert 'class="card product-card"' in article  # its shortcodes name real products
    with app.app_context():
        _db.engine.dispose()


def test_a_sold_out_pick_is_replaced_by_the_first_product_with_its_ingredient(
        client, app, count_queries, monkeypatch):
    """Only the best substitute per ingredient is loaded, however many share it, and it
    is the one the full catalogue would have given: featured first, then by name."""
    with app.app_context():
        retinol = IngredientFactory(name="Retinol")
        acne = ConditionFactory(slug="acne", name="Acne")
        gone = ProductFactory(name="Sold Out Serum", ingredients=[retinol],
                              variant__stock_on_hand=0)
        RecommendationFactory(condition=acne, product=gone)
        for n in range(30):
            ProductFactory(name=f"Retinol Cream {n:02d}", ingredients=[retinol])
        ProductFactory(name="Zinc Featured Gel", ingredients=[retinol], featured_rank=7)
        ProductFactory(name="Aardvark Retinol", ingredients=[retinol],
                       variant__stock_on_hand=0)  # first by name, but sold out too
        _db.session.commit()
    monkeypatch.delitem(app.extensions, "storefront.page_cache")  # render every time
    client.get("/conditions/acne")
    with count_queries() as counter:
        page = client.get("/conditions/acne").get_data(as_text=True)
    assert "In stock instead of Sold Out Serum:" in page
    [label] = [label for label in Page(page).all("p.pick-label")
               if "In stock instead of Sold Out Serum:" in text(label)]
    assert "Zinc Featured Gel" in text(label.find_parent("li"))
    assert "Retinol Cream" not in page
    assert counter.count <= RENDER_BUDGETS["condition"]
