"""The demo content: complete, linked to the demo catalog, and safe to seed twice."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from storefront.content.models import (
    Article,
    ArticleStatus,
    Author,
    Condition,
    Recommendation,
    ShopText,
)
from storefront.content.rendering import find_shortcodes
from storefront.demo import content as demo_content
from storefront.demo.catalog import seed_catalog
from storefront.demo.content import seed_content
from storefront.extensions import db
from tests.helpers.content import page
from tests.helpers.pages import Page

COUNTED = (Author, Condition, Recommendation, Article, ShopText)
DEMO = demo_content.load()


def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in COUNTED}


def test_seeding_twice_leaves_one_copy(app_ctx):
    seed_catalog()
    first_lines = seed_content()
    db.session.commit()
    first = counts()
    second_lines = seed_content()
    db.session.commit()
    assert counts() == first
    assert first == {"Author": 1, "Condition": 8,
                     "Recommendation": sum(map(len, DEMO.recommendations.values())),
                     "Article": len(DEMO.articles),
                     "ShopText": 1 + len(DEMO.pages)}  # the introduction and pages
    assert not [line for line in first_lines if "Skipped" in line or "left out" in line]
    assert second_lines == ["Articles exist"]


def test_seeded_site_reads_well(client, app):
    with app.app_context():
        seed_catalog()
        seed_content()
        db.session.commit()
    html = page(client, "/articles/what-causes-milia")
    recommended = [href for href, _words in
                   Page(html).links('section[aria-labelledby="recommended-milia"]')]
    assert "/products/tretinoin-cream?article=what-causes-milia" in recommended
    assert "/products/retinol-night-serum?article=what-causes-milia" in recommended
    assert "/products/adapalene-gel?article=what-causes-milia" in recommended
    assert 'href="/articles/moles-lumps-and-bumps"' in html
    assert "MD, board-certified dermatologist" in html
    page(client, "/articles/starting-a-retinoid-without-irritation", status=404)
    listing = page(client, "/articles")
    assert listing.count('class="card article-teaser"') == len(DEMO.articles) - 1
    for condition in DEMO.conditions:
        page(client, f"/conditions/{condition['slug']}")
    acne = page(client, "/conditions/acne")
    assert "Needs a prescription" in acne
    assert "/products/adapalene-gel" in acne


def test_content_seeds_without_a_catalog_and_says_what_it_skipped(app_ctx):
    lines = seed_content()
    db.session.commit()
    assert db.session.scalar(select(func.count(Recommendation.id))) == 0
    bodies = db.session.scalars(select(Article.body))
    assert not [code for body in bodies for code in find_shortcodes(body)
                if code.kind == "product"]
    assert any("Skipped recommendations" in line and "product retinol-night-serum" in line
               for line in lines)
    assert any("left out the card for product adapalene-gel" in line for line in lines)


def test_demo_articles_are_complete_and_in_range():
    slugs = {data["slug"] for data in DEMO.articles}
    conditions = {data["slug"] for data in DEMO.conditions}
    assert {"what-causes-milia", "moles-lumps-and-bumps"} <= slugs
    assert {"milia", "acne", "fine-lines", "hyperpigmentation", "rosacea",
            "dry-skin"} <= conditions
    scheduled = [data for data in DEMO.articles if data["days_ago"] < 0]
    assert len(scheduled) == 1
    assert len(DEMO.articles) >= 10
    seen = set()
    for data in DEMO.articles:
        words = len(re.findall(r"[\w'\u2019-]+", data["body"]))
        assert 250 <= words <= 600, (data["slug"], words)
        assert set(data["conditions"]) <= conditions
        assert (data["kind"] == "qa") == bool(data["question"]), data["slug"]
        for code in find_shortcodes(data["body"]):
            if code.kind == "article":
                assert code.slug in seen, f"{data['slug']} links ahead to {code.slug}"
        seen.add(data["slug"])
    milia = next(data for data in DEMO.articles if data["slug"] == "what-causes-milia")
    assert "[[article:moles-lumps-and-bumps]]" in milia["body"]
    assert milia["body"].rstrip().endswith("*Dr. Maren Halden*")
    assert [entry["slug"] for entry in DEMO.recommendations["milia"]][:3] == [
        "tretinoin-cream", "adapalene-gel", "retinol-night-serum"]


def test_seeded_articles_are_published_or_scheduled(app_ctx):
    seed_content()
    statuses = dict(db.session.execute(select(Article.slug, Article.status)).all())
    assert statuses.pop("starting-a-retinoid-without-irritation") is ArticleStatus.SCHEDULED
    assert set(statuses.values()) == {ArticleStatus.PUBLISHED}
