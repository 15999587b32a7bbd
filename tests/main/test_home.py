"""The home page: the hero, the latest answers, the conditions and featured products."""

from __future__ import annotations

from datetime import timedelta

from storefront.catalog.models import ProductStatus
from storefront.content.models import ArticleKind, ArticleStatus
from storefront.db import utcnow
from tests.factories import ArticleFactory, ConditionFactory, ProductFactory
from tests.helpers.content import build, page, queries_for
from tests.helpers.pages import Page

HOME_BUDGET = 6


def home_setup(products: int = 5, answers: int = 4, conditions: bool = True):
    for n in range(answers):
        ArticleFactory(title=f"Answer {n}", published_at=utcnow() - timedelta(days=n + 1))
    ArticleFactory(title="Deep dive", kind=ArticleKind.IN_DEPTH, question=None,
                   published_at=utcnow() - timedelta(hours=1))
    ArticleFactory(title="Future answer", status=ArticleStatus.SCHEDULED,
                   published_at=utcnow() + timedelta(days=1))
    if conditions:
        ConditionFactory(slug="rosacea", name="Rosacea")
        ConditionFactory(slug="milia", name="Milia")
    for n in range(products):
        ProductFactory(name=f"Featured {n}", featured_rank=products - n)
    ProductFactory(name="Not featured")
    ProductFactory(name="Archived featured", featured_rank=0, status=ProductStatus.ARCHIVED)


def test_home_page_shows_answers_conditions_and_featured_products(client, app):
    build(app, home_setup)
    html = page(client, "/")
    assert "Plain answers to skin questions" in html
    home = Page(html)
    answers = home.text_of('section[aria-labelledby="answers-heading"]')
    assert [f"Answer {n}" in answers for n in range(4)] == [True, True, True, False]
    assert "Deep dive" not in answers
    assert "Future answer" not in html
    assert ("/conditions/rosacea", "Rosacea") in home.links()
    assert ("/conditions/milia", "Milia") in home.links()
    featured = 'section[aria-labelledby="featured-heading"]'
    assert home.texts(f"{featured} article.card.product-card .product-name") == [
        "Featured 4", "Featured 3", "Featured 2", "Featured 1"], "by rank, four of them"
    assert "Not featured" not in home.text_of(featured)
    assert "Archived featured" not in home.text_of(featured)
    assert '<link rel="canonical" href="http://shop.test/">' in html


def test_home_page_without_content_keeps_the_hero(client):
    html = page(client, "/")
    assert "Plain answers to skin questions" in html
    assert "Latest answers" not in html
    assert "Dermatologist favourites" not in html


def test_home_page_query_budget(client, app, count_queries):
    build(app, lambda: home_setup(products=1, answers=1))
    few = queries_for(client, count_queries, "/")
    build(app, lambda: home_setup(products=6, answers=5, conditions=False))
    many = queries_for(client, count_queries, "/")
    assert few <= HOME_BUDGET, (few, many)
    assert many == few, (few, many)
