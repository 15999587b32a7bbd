"""Suggestions as you type: a small JSON answer for static/js/search-suggest.js, and search
boxes that work the same without it (both backends)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from storefront.catalog.models import ProductStatus
from storefront.content.models import ArticleStatus
from storefront.db import utcnow
from tests.factories import ArticleFactory, ConditionFactory, ProductFactory, SearchSynonymFactory
from tests.helpers.pages import Page


def suggestions(client, typed: str) -> list[tuple[str, str, str]]:
    response = client.get("/search/suggest", query_string={"q": typed})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return [(item["kind"], item["label"], item["url"])
            for item in response.get_json()["suggestions"]]


def test_pages_are_suggested_for_the_words_typed_so_far(client, make):
    make(ProductFactory, name="Niacinamide 10% Serum", slug="niacinamide-serum")
    make(ProductFactory, name="Retinol Serum")
    make(ConditionFactory, name="Enlarged pores", slug="enlarged-pores",
         what_helps="Niacinamide.")
    make(ArticleFactory, title="Is niacinamide worth it?", slug="niacinamide-worth-it")

    assert suggestions(client, "nia") == [
        ("Product", "Niacinamide 10% Serum", "/products/niacinamide-serum"),
        ("Skin condition", "Enlarged pores", "/conditions/enlarged-pores"),
        ("Article", "Is niacinamide worth it?", "/articles/niacinamide-worth-it"),
    ]
    assert [label for _, label, _ in suggestions(client, "niacinamide ser")] == [
        "Niacinamide 10% Serum"]


def test_synonyms_and_spelling_help_suggestions_too(client, make):
    make(ProductFactory, name="Mineral Sunscreen")
    make(ProductFactory, name="Niacinamide Serum")
    make(SearchSynonymFactory, terms="sunblock", targets="sunscreen")

    assert [label for _, label, _ in suggestions(client, "sunblock")] == ["Mineral Sunscreen"]
    assert [label for _, label, _ in suggestions(client, "niacinimide")] == [
        "Niacinamide Serum"]


def test_hidden_pages_are_never_suggested(client, make):
    make(ProductFactory, name="Bakuchiol Draft", status=ProductStatus.DRAFT)
    make(ArticleFactory, title="Bakuchiol soon", status=ArticleStatus.DRAFT, published_at=None)
    assert suggestions(client, "bakuchiol") == []


def test_the_best_visible_pages_fill_the_suggestions_before_the_limit(client, make):
    # Hidden pages that would rank first take no place among the five products and three
    # articles suggested: they are left out before the best are chosen.
    for number in range(3):
        make(ProductFactory, name=f"Azelaic Draft {number}", status=ProductStatus.DRAFT)
        make(ArticleFactory, title=f"Azelaic soon {number}", status=ArticleStatus.SCHEDULED,
             published_at=utcnow() + timedelta(days=1))
    for number in range(6):
        make(ProductFactory, name=f"Azelaic Gel {number}")
        make(ArticleFactory, title=f"Azelaic answer {number}")
    make(ProductFactory, name="Calming Cream", description="With azelaic acid.")

    found = suggestions(client, "azel")
    assert [label for kind, label, _ in found if kind == "Product"] == [
        f"Azelaic Gel {number}" for number in range(5)]
    assert [label for kind, label, _ in found if kind == "Article"] == [
        f"Azelaic answer {number}" for number in range(3)]


@pytest.mark.parametrize("typed", ["", "  ", "the", "'; DROP TABLE product; --", "x" * 5000,
                                   '"*()^-', "\x00"])
def test_odd_input_suggests_nothing_or_something_never_fails(client, typed):
    assert isinstance(suggestions(client, typed), list)


def test_suggestions_may_be_kept_a_minute_and_are_rate_limited(client, app, monkeypatch):
    response = client.get("/search/suggest?q=ret")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    monkeypatch.setitem(app.config, "SUGGEST_RATE_LIMIT", "2 per minute")
    assert client.get("/search/suggest?q=a1").status_code == 200
    assert client.get("/search/suggest?q=a2").status_code == 200
    assert client.get("/search/suggest?q=a3").status_code == 429


def test_every_search_box_offers_suggestions_to_a_browser_with_script(client):
    page = client.get("/search?q=retinol").get_data(as_text=True)
    assert page.count('data-suggest="/search/suggest"') == 2  # the header's and the page's
    script = Page(page).one('script[src^="/assets/js/search-suggest."]')
    assert script.has_attr("defer")
    assert re.fullmatch(r"/assets/js/search-suggest\.[0-9a-f]{10}\.js", script["src"])
    served = client.get(script["src"])
    assert served.status_code == 200
    assert "aria-activedescendant" in served.get_data(as_text=True)
    # Without script each box is a plain form that searches on its own.
    assert '<form class="header-search" role="search" action="/search" method="get"' in page
