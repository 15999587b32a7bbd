"""Article and condition pages through the test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from storefront.catalog.models import Product, ProductStatus, Variant
from storefront.content.editing import ArticleFields, save_article
from storefront.content.errors import ContentError
from storefront.content.models import Article, ArticleStatus
from storefront.db import utcnow
from storefront.extensions import db
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ConditionFactory,
    IngredientFactory,
    ProductFactory,
    RecommendationFactory,
)
from tests.helpers.content import PAYLOADS, assert_harmless, build, milia_setup, page
from tests.helpers.pages import Page, links, text


def test_milia_article_recommends_a_retinoid_with_its_reason(client, app):
    build(app, milia_setup)
    html = page(client, "/articles/what-causes-milia")
    assert "<h1" in html
    assert "What causes milia?" in html
    assert "Why do I get hard white bumps under my eyes?" in html
    recommended = Page(html).one('section[aria-labelledby="recommended-milia"]')
    assert text(recommended).startswith("Recommended for milia")
    assert "Retinol Night Serum" in text(recommended)
    assert "Retinoids keep keratin from getting trapped." in text(recommended)
    assert "A pea-sized amount at night." in text(recommended)
    assert "/products/retinol-night-serum?article=what-causes-milia" in [
        href for href, _words in links(recommended)]
    assert '<a href="/articles/moles-lumps-and-bumps">Moles, lumps and bumps</a>' in html
    assert "MD, board-certified dermatologist" in html
    assert "Dermatologist for fifteen years." in html
    reviewed = Page(html).one("p.reviewed-by")
    assert text(reviewed.select_one("strong")) == "Medically reviewed"
    assert text(reviewed.select_one("time"))
    assert text(reviewed).startswith(f"Medically reviewed on {text(reviewed.select_one('time'))} "
                                     "by Dr. Amara Okafor")
    assert 'href="/ask"' in html
    assert "not a diagnosis" in html
    assert '<link rel="canonical" href="http://shop.test/articles/what-causes-milia">' in html


def test_related_articles_share_a_condition_and_are_at_most_four(client, app):
    def create():
        shared, other = ConditionFactory(), ConditionFactory()
        main = ArticleFactory(slug="main", conditions=[shared])
        for n in range(5):
            ArticleFactory(slug=f"related-{n}", title=f"Related {n}", conditions=[shared],
                           published_at=utcnow() - timedelta(days=n + 2))
        ArticleFactory(slug="unrelated", title="Unrelated", conditions=[other])
        ArticleFactory(slug="draft-related", title="Draft related", conditions=[shared],
                       status=ArticleStatus.DRAFT)
        return main.id

    build(app, create)
    html = page(client, "/articles/main")
    related = Page(html).text_of('section[aria-labelledby="related-title"]')
    assert [f"Related {n}" in related for n in range(5)] == [True] * 4 + [False]
    assert "Unrelated" not in related
    assert "Draft related" not in related


def test_related_articles_a_shortcode_names_come_first_once(client, app):
    def create():
        shared = ConditionFactory()
        ArticleFactory(slug="main", conditions=[shared],
                       body="See [[article:related-1]] and [[article:draft-named]].")
        for n in range(6):
            ArticleFactory(slug=f"related-{n}", title=f"Related {n}", conditions=[shared],
                           published_at=utcnow() - timedelta(days=n + 2))
        ArticleFactory(slug="draft-named", title="Draft named", status=ArticleStatus.DRAFT)

    build(app, create)
    html = page(client, "/articles/main")
    related = Page(html).one('section[aria-labelledby="related-title"]')
    assert [text(title) for title in related.select("h3")] == [
        "Related 1", "Related 0", "Related 2", "Related 3"]
    assert '<a href="/articles/related-1">Related 1</a>' in html
    assert "Draft named" in html
    assert 'href="/articles/draft-named"' not in html


@pytest.mark.parametrize(("status", "days"), [
    (ArticleStatus.DRAFT, -1),
    (ArticleStatus.PUBLISHED, 1),
    (ArticleStatus.SCHEDULED, 1),
])
def test_articles_readers_cannot_see_yet_are_404(client, app, status, days):
    build(app, lambda: ArticleFactory(slug="hidden", title="Hidden article", status=status,
                                      published_at=utcnow() + timedelta(days=days)))
    html = page(client, "/articles/hidden", status=404)
    assert "Hidden article" not in html
    assert "Hidden article" not in page(client, "/articles")


def test_scheduled_article_appears_once_its_time_has_come(client, app):
    article_id = build(app, lambda: ArticleFactory(
        slug="soon", title="Coming soon", status=ArticleStatus.SCHEDULED,
        published_at=utcnow() + timedelta(hours=2)).id)
    page(client, "/articles/soon", status=404)
    assert "Coming soon" not in page(client, "/articles")

    def time_passes():
        db.session.get(Article, article_id).published_at = utcnow() - timedelta(minutes=1)

    build(app, time_passes)
    assert "Coming soon" in page(client, "/articles/soon")
    assert "Coming soon" in page(client, "/articles")


@pytest.mark.parametrize("slug", ["no-such-article", "UPPER", "a" * 300, "..%2F..%2Fetc"])
def test_unknown_or_odd_article_slugs_are_404(client, slug):
    page(client, f"/articles/{slug}", status=404)


# --- Shortcodes ----------------------------------------------------------------------------

def shortcode_setup():
    ProductFactory(slug="night-serum", name="Night Serum", variant__price=Decimal("20.00"))
    ArticleFactory(slug="linked", title="The Linked Article")
    ArticleFactory(slug="with-shortcodes", title="Shortcodes",
                   body="Try this:\n\n[[product:night-serum]]\n\nAlso read "
                        "[[article:linked]]. Code: `[[product:night-serum]]`. In a "
                        "sentence, [[product:night-serum]] is a link.")


def test_product_shortcode_renders_a_live_card(client, app):
    build(app, shortcode_setup)
    html = page(client, "/articles/with-shortcodes")
    assert "€20.00" in html
    assert '<a href="/products/night-serum?article=with-shortcodes">Night Serum</a>' in html
    assert '<a href="/articles/linked">The Linked Article</a>' in html
    assert "<code>[[product:night-serum]]</code>" in html
    assert ('In a sentence, <a href="/products/night-serum?article=with-shortcodes">'
            "Night Serum</a> is a link.") in html

    def reprice():
        variant = db.session.scalar(select(Variant).join(Product)
                                    .where(Product.slug == "night-serum"))
        variant.price = Decimal("24.50")

    build(app, reprice)
    html = page(client, "/articles/with-shortcodes")
    assert "€24.50" in html
    assert "€20.00" not in html


def test_shortcode_targets_that_disappear_become_plain_text(client, app):
    build(app, shortcode_setup)

    def withdraw():
        db.session.scalar(select(Product).where(Product.slug == "night-serum")).status = (
            ProductStatus.ARCHIVED)
        db.session.scalar(select(Article).where(Article.slug == "linked")).status = (
            ArticleStatus.DRAFT)

    build(app, withdraw)
    html = page(client, "/articles/with-shortcodes")
    body = Page(html).html_of("div.prose.article-body")
    assert "Night Serum" in body
    assert "/products/night-serum" not in body
    assert "The Linked Article" in body
    assert 'href="/articles/linked"' not in body


def save(fields_kw):
    author = AuthorFactory()
    return save_article(ArticleFields(author=author, **fields_kw), actor=None)


def test_saving_with_an_unknown_shortcode_is_refused_naming_it(app_ctx):
    ProductFactory(slug="archived-serum", status=ProductStatus.ARCHIVED)
    ArticleFactory(slug="draft-piece", status=ArticleStatus.DRAFT)
    with pytest.raises(ContentError) as error:
        save({"slug": "new-piece", "title": "New", "question": "Q?",
              "body": "[[product:no-such-cream]] [[product:archived-serum]] "
                      "[[article:draft-piece]] [[article:nowhere]]"})
    message = error.value.message
    for slug in ("no-such-cream", "archived-serum", "draft-piece", "nowhere"):
        assert slug in message
    assert db.session.scalar(select(Article).where(Article.slug == "new-piece")) is None


def test_saving_with_valid_shortcodes_and_code_spans_works_and_bumps_the_version(app_ctx):
    ProductFactory(slug="good-serum")
    article = save({"slug": "fine-piece", "title": "Fine", "question": "Q?",
                    "status": ArticleStatus.PUBLISHED,
                    "body": "[[product:good-serum]] and `[[product:not-checked]]`"})
    assert article.id is not None
    assert article.published_at is not None
    first_version = article.version
    save_article(ArticleFields(slug="fine-piece", title="Finer", body="Changed.",
                               author=article.author, question="Q?"), article,
                 actor=None, expected_version=article.version)
    assert article.version > first_version


@pytest.mark.parametrize(("changes", "field"), [
    ({"slug": "Bad Slug"}, "slug"),
    ({"slug": "taken"}, "slug"),
    ({"title": "  "}, "title"),
    ({"question": None}, "question"),
    ({"status": ArticleStatus.SCHEDULED}, "published_at"),
])
def test_save_article_explains_what_is_wrong(app_ctx, changes, field):
    ArticleFactory(slug="taken")
    fields = {"slug": "fresh", "title": "Fresh", "question": "Q?", "body": "", **changes}
    with pytest.raises(ContentError) as error:
        save(fields)
    assert error.value.field == field


# --- XSS -------------------------------------------------------------------------------------


def test_xss_in_article_body_question_and_title_is_harmless(client, app):
    payload = "\n\n".join(PAYLOADS)
    build(app, lambda: ArticleFactory(slug="xss", title="<script>alert('t')</script>",
                                      question=payload, summary=payload, body=payload))
    html = page(client, "/articles/xss")
    assert_harmless(html)
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in html
    assert_harmless(page(client, "/articles"))


# --- Lists and pagination -------------------------------------------------------------------

def many_articles(count, condition=None):
    for n in range(count):
        ArticleFactory(slug=f"piece-{n:02d}", title=f"Piece {n:02d}",
                       published_at=utcnow() - timedelta(days=n + 1),
                       conditions=[condition] if condition else [])


def test_article_list_is_newest_first_twelve_a_page(client, app):
    build(app, lambda: many_articles(13))
    first = page(client, "/articles")
    titles = re.findall(r"Piece (\d\d)", first)
    assert titles == [f"{n:02d}" for n in range(12)]
    assert 'href="/articles?page=2"' in first
    second = page(client, "/articles?page=2")
    assert re.findall(r"Piece (\d\d)", second) == ["12"]
    assert '<link rel="canonical" href="http://shop.test/articles?page=2">' in second


@pytest.mark.parametrize(("query", "status"), [
    ("page=abc", 400), ("page=0", 400), ("page=-1", 400), ("page=1.5", 400),
    ("page=99999999999", 400), ("page=3", 404), ("condition=no-such-thing", 404),
    ("condition=%00", 404), ("page=", 400),
])
def test_article_list_refuses_bad_parameters_clearly(client, app, query, status):
    build(app, lambda: many_articles(13))
    html = page(client, f"/articles?{query}", status=status)
    assert "Something went wrong" not in html


def test_article_list_filters_by_condition(client, app):
    def create():
        acne = ConditionFactory(slug="acne", name="Acne")
        many_articles(2, condition=acne)
        ArticleFactory(slug="other", title="Other topic")

    build(app, create)
    html = page(client, "/articles?condition=acne")
    assert "Piece 00" in html
    assert "Piece 01" in html
    assert "Other topic" not in html
    assert 'aria-current="page">Acne</a>' in html
    assert "2 articles" in html


def test_article_list_reads_few_statements_and_no_article_body(client, app, count_queries):
    def create():
        acne = ConditionFactory(slug="acne", name="Acne")
        many_articles(30, condition=acne)

    build(app, create)
    page(client, "/")  # the shop's settings and texts are read once a process: not counted
    for path in ("/articles", "/articles?page=2", "/articles?condition=acne&page=3"):
        with count_queries() as counter:
            page(client, path)
        selects = [statement for statement in counter.statements
                   if statement.lstrip().upper().startswith("SELECT")]
        assert len(selects) <= 4, selects  # the condition, the count, the page, the conditions
        assert not any("body" in statement for statement in selects), selects
    second = page(client, "/articles?condition=acne&page=2")
    assert re.findall(r"Piece (\d\d)", second) == [f"{n:02d}" for n in range(12, 24)]
    assert 'href="/articles?condition=acne" rel="prev">Newer</a>' in second
    assert 'href="/articles?condition=acne&amp;page=3" rel="next">Older</a>' in second


def test_article_list_empty_state(client, app):
    build(app, lambda: ConditionFactory(slug="rosacea", name="Rosacea"))
    html = page(client, "/articles?condition=rosacea")
    assert "No articles on rosacea yet." in html


# --- Conditions ------------------------------------------------------------------------------

def test_condition_list_and_page(client, app):
    build(app, milia_setup)

    def extra():
        condition = db.session.scalar(select(Article).where(
            Article.slug == "what-causes-milia")).conditions[0]
        retinol = IngredientFactory(slug="glycolic-acid", name="Glycolic acid")
        RecommendationFactory(condition=condition, ingredient=retinol,
                              why="Loosens dead cells.", how_to_use="Twice a week.")
        ArticleFactory(slug="draft-on-milia", title="Draft on milia",
                       status=ArticleStatus.DRAFT, conditions=[condition])

    build(app, extra)
    listing = page(client, "/conditions")
    assert '<a href="/conditions/milia">Milia</a>' in listing
    assert "Tiny white bumps." in listing
    html = page(client, "/conditions/milia")
    assert "<strong>trapped</strong>" in html
    assert "A nightly retinoid." in html
    assert "Retinoids keep keratin from getting trapped." in html
    assert "/products/retinol-night-serum" in html
    assert "Glycolic acid" in html
    assert "Loosens dead cells." in html
    assert 'href="/products?ingredient=glycolic-acid"' in html
    assert "What causes milia?" in html
    assert "Moles, lumps and bumps" in html
    assert "Draft on milia" not in html
    assert '<link rel="canonical" href="http://shop.test/conditions/milia">' in html


def test_key_ingredients_are_written_escaped_with_a_link_to_their_products(client, app):
    def setup():
        condition = ConditionFactory(slug="odd", name="Odd")
        odd = IngredientFactory(slug="odd-acid", name='Odd <b>acid</b> & "co"')
        RecommendationFactory(condition=condition, ingredient=odd, why=PAYLOADS[0],
                              how_to_use=PAYLOADS[1])
        plain = IngredientFactory(slug="urea", name="Urea")
        RecommendationFactory(condition=condition, ingredient=plain, why="Softens.",
                              how_to_use="")

    build(app, setup)
    html = page(client, "/conditions/odd")
    assert_harmless(html)
    first, second = Page(html).all("dl.ingredient-picks > div")
    assert text(first.dt) == 'Odd <b>acid</b> & "co"'
    assert links(first) == [("/products?ingredient=odd-acid",
                             'Products with odd <b>acid</b> & "co"')]
    assert [text(p) for p in second.dd.find_all("p")] == ["Softens.", "Products with urea"]


@pytest.mark.parametrize("slug", ["nothing-here", "Milia", "x" * 200])
def test_unknown_condition_is_404(client, slug):
    page(client, f"/conditions/{slug}", status=404)


def test_condition_texts_are_sanitised(client, app):
    build(app, lambda: ConditionFactory(slug="xss-condition", name="<b>Bold</b>",
                                        summary="<script>alert(1)</script>",
                                        causes="\n\n".join(PAYLOADS),
                                        what_helps="[[product:whatever]] <svg onload=x>"))
    html = page(client, "/conditions/xss-condition")
    assert_harmless(html)
    assert "whatever" in html
    assert_harmless(page(client, "/conditions"))
