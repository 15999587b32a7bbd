"""Recommendations that stay true: out of stock, withdrawn and prescription-only products,
and the query budgets of the pages that show them."""

from __future__ import annotations

from sqlalchemy import select

from storefront.catalog.models import Ingredient, Product, ProductStatus, Variant
from storefront.content.models import Condition
from storefront.content.reading import ARTICLE_PICKS_PER_CONDITION, article_picks_per_condition
from storefront.extensions import db
from tests.factories import (
    ArticleFactory,
    ConditionFactory,
    IngredientFactory,
    ProductFactory,
    RecommendationFactory,
)
from tests.helpers.content import build, page, queries_for
from tests.helpers.pages import Page, text

ARTICLE_BUDGET = 8
CONDITION_BUDGET = 8


def acne_setup():
    """Acne recommends, in order: a retinol serum, a cleanser, a prescription cream.

    Another retinol product is on sale but not recommended for acne.
    """
    retinol = IngredientFactory(slug="retinol", name="Retinol")
    salicylic = IngredientFactory(slug="salicylic-acid", name="Salicylic acid")
    acne = ConditionFactory(slug="acne", name="Acne")
    serum = ProductFactory(slug="retinol-serum", name="Retinol Serum", ingredients=[retinol])
    cleanser = ProductFactory(slug="bha-cleanser", name="BHA Cleanser",
                              ingredients=[salicylic])
    rx = ProductFactory(slug="tretinoin-cream", name="Tretinoin Cream",
                        prescription_only=True)
    ProductFactory(slug="retinol-oil", name="Retinol Oil", ingredients=[retinol])
    for product, why in ((serum, "Unclogs pores."), (cleanser, "Clears oil."),
                         (rx, "Strongest retinoid.")):
        RecommendationFactory(condition=acne, product=product, why=why)
    ArticleFactory(slug="acne-answer", title="Acne answer", conditions=[acne])


def set_stock(slug, on_hand):
    variant = db.session.scalar(select(Variant).join(Product).where(Product.slug == slug))
    variant.stock_on_hand = on_hand
    variant.stock_reserved = 0


def set_status(slug, status):
    db.session.scalar(select(Product).where(Product.slug == slug)).status = status


def instead_of(html, name):
    """The product name shown as the in-stock replacement for ``name``."""
    marker = f"In stock instead of {name}:"
    labels = [label for label in Page(html).all("p.pick-label") if marker in text(label)]
    assert len(labels) == 1, f"no single replacement offered for {name}"
    return next(text(link) for link in labels[0].find_all_next("a") if text(link))


def test_available_products_need_no_replacement(client, app):
    build(app, acne_setup)
    html = page(client, "/articles/acne-answer")
    assert "In stock instead" not in html
    assert "Unclogs pores." in html
    assert "Clears oil." in html


def test_out_of_stock_product_is_replaced_by_one_with_the_same_ingredient(client, app):
    build(app, acne_setup)
    build(app, lambda: set_stock("retinol-serum", 0))
    for url in ("/articles/acne-answer", "/conditions/acne"):
        html = page(client, url)
        assert "Out of stock" in html
        assert instead_of(html, "Retinol Serum") == "Retinol Oil"


def test_without_a_same_ingredient_product_the_next_recommended_one_is_offered(client, app):
    build(app, acne_setup)

    def change():
        set_stock("retinol-serum", 0)
        set_status("retinol-oil", ProductStatus.ARCHIVED)

    build(app, change)
    html = page(client, "/conditions/acne")
    assert instead_of(html, "Retinol Serum") == "BHA Cleanser"
    assert "also recommended here" in html, "a product already shown is linked, not repeated"
    assert html.count('class="card product-card') == 3, "one card per recommended product"


def test_a_featured_product_without_the_ingredient_does_not_hide_the_right_replacement(
        client, app):
    """Substitutes are looked for among featured products first; when none of them has
    the ingredient, every product that has it is still considered."""
    build(app, acne_setup)

    def change():
        set_stock("retinol-serum", 0)
        ProductFactory(slug="featured-gel", name="A Featured Gel", featured_rank=1,
                       ingredients=[IngredientFactory(slug="zinc", name="Zinc")])

    build(app, change)
    for url in ("/articles/acne-answer", "/conditions/acne"):
        assert instead_of(page(client, url), "Retinol Serum") == "Retinol Oil"


def test_a_featured_product_with_the_ingredient_comes_before_the_others(client, app):
    build(app, acne_setup)

    def change():
        set_stock("retinol-serum", 0)
        retinol = db.session.scalar(select(Ingredient).where(Ingredient.slug == "retinol"))
        ProductFactory(slug="zz-featured", name="Zz Featured Retinol", featured_rank=3,
                       ingredients=[retinol])

    build(app, change)
    for url in ("/articles/acne-answer", "/conditions/acne"):
        assert instead_of(page(client, url), "Retinol Serum") == "Zz Featured Retinol"


def test_featured_substitutes_are_found_from_the_featured_index(client, app, count_queries):
    """Looking among featured products first is cheap only while the database walks the
    few featured ones, not every active product (SQLite's choice of index)."""
    build(app, acne_setup)
    build(app, lambda: set_stock("retinol-serum", 0))
    with count_queries() as counter:
        page(client, "/conditions/acne")
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        statement = next(s for s in counter.statements if "ranked_substitutes" in s)
        # The plan's shape does not depend on the values bound: NULLs will do.
        nulls = (None,) * statement.count("?")
        plan = " | ".join(row[3] for row in db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, nulls))
    assert "INDEX ix_product_status_featured" in plan, plan


def test_archived_product_says_so_and_is_replaced(client, app):
    build(app, acne_setup)
    build(app, lambda: set_status("retinol-serum", ProductStatus.ARCHIVED))
    html = page(client, "/conditions/acne")
    assert "No longer sold here" in html
    assert "/products/retinol-serum" not in html
    assert instead_of(html, "Retinol Serum") == "Retinol Oil"


def test_draft_product_is_treated_as_not_sold(client, app):
    build(app, acne_setup)
    build(app, lambda: set_status("bha-cleanser", ProductStatus.DRAFT))
    html = page(client, "/articles/acne-answer")
    assert "/products/bha-cleanser" not in html
    assert instead_of(html, "BHA Cleanser") == "Retinol Serum"


def test_nothing_to_offer_when_no_alternative_is_in_stock(client, app):
    build(app, acne_setup)

    def sell_out():
        for slug in ("retinol-serum", "bha-cleanser", "retinol-oil"):
            set_stock(slug, 0)

    build(app, sell_out)
    html = page(client, "/conditions/acne")
    assert html.count("Nothing similar is in stock right now.") == 2
    assert "In stock instead" not in html


def test_prescription_only_product_lists_over_the_counter_alternatives(client, app):
    build(app, acne_setup)
    build(app, lambda: set_stock("bha-cleanser", 0))
    html = page(client, "/articles/acne-answer")
    note = Page(html).html_of("ul.pick-alternatives")
    assert "/products/retinol-serum?article=acne-answer" in note
    assert "bha-cleanser" not in note, "out of stock, so not offered"
    assert "retinol-oil" not in note, "not recommended for acne"
    assert "tretinoin" not in note


def test_reserved_stock_counts_as_gone(client, app):
    build(app, acne_setup)

    def reserve_all():
        variant = db.session.scalar(select(Variant).join(Product)
                                    .where(Product.slug == "retinol-serum"))
        variant.stock_reserved = variant.stock_on_hand

    build(app, reserve_all)
    assert instead_of(page(client, "/conditions/acne"), "Retinol Serum") == "Retinol Oil"


def six_picks_setup():
    """Dry skin recommends six products, in the editor's order; an article covers it."""
    dry = ConditionFactory(slug="dry-skin", name="Dry skin")
    for number in range(6):
        product = ProductFactory(slug=f"cream-{number}", name=f"Cream {number}")
        RecommendationFactory(condition=dry, product=product, position=number,
                              why=f"Reason number {number}.")
    ArticleFactory(slug="dry-answer", conditions=[dry])


def test_an_article_shows_a_conditions_first_picks_and_links_to_all_of_them(client, app):
    build(app, six_picks_setup)
    article = Page(page(client, "/articles/dry-answer"))
    shown = article.text_of("section.recommendations")
    assert [f"Reason number {n}." in shown for n in range(6)] == [
        n < ARTICLE_PICKS_PER_CONDITION for n in range(6)]
    everything = "/conditions/dry-skin#recommended-dry-skin"
    assert article.links("section.recommendations p.more-picks") == [
        (everything, "All 6 products we recommend for dry skin")]
    assert (everything, "All 6, and why each one helps") in article.links("aside.what-helps")
    condition = Page(page(client, "/conditions/dry-skin"))
    assert all(f"Reason number {n}." in condition.text for n in range(6))
    assert not condition.has("p.more-picks")


def test_an_article_with_few_picks_shows_them_all_and_explains_them_in_place(client, app):
    build(app, acne_setup)
    article = Page(page(client, "/articles/acne-answer"))
    assert not article.has("p.more-picks")
    assert ("#recommended-acne", "Why each one helps") in article.links("aside.what-helps")


def test_an_article_on_more_conditions_shows_fewer_of_each():
    assert [article_picks_per_condition(n) for n in (1, 2, 3, 4, 9)] == [4, 4, 2, 2, 2]


def test_an_article_on_three_conditions_shows_the_first_two_of_each(client, app):
    def setup():
        concerns = [ConditionFactory(slug=f"concern-{n}", name=f"Concern {n}")
                    for n in range(3)]
        for concern in concerns:
            for number in range(5):
                RecommendationFactory(condition=concern, product=ProductFactory(),
                                      position=number, why=f"{concern.slug} reason {number}.")
        ArticleFactory(slug="three-answer", conditions=concerns)

    build(app, setup)
    article = Page(page(client, "/articles/three-answer"))
    shown = article.text_of("main")
    for n in range(3):
        assert [f"concern-{n} reason {k}." in shown for k in range(5)] == [
            True, True, False, False, False]
    assert [words for _, words in article.links("main")
            if words.startswith("All 5 products")] == [
        f"All 5 products we recommend for concern {n}" for n in range(3)]


# --- Query budgets ------------------------------------------------------------------------

def budget_setup(recommendations: int):
    """An article on two conditions with ``recommendations`` products among them, some out
    of stock, one withdrawn, one on prescription, plus shortcodes and related articles."""
    shared = IngredientFactory()
    first, second = ConditionFactory(slug="first"), ConditionFactory(slug="second")
    for n in range(recommendations):
        product = ProductFactory(ingredients=[shared], prescription_only=(n == 3),
                                 status=ProductStatus.ARCHIVED if n == 4
                                 else ProductStatus.ACTIVE,
                                 variant__stock_on_hand=0 if n % 3 == 1 else 10)
        RecommendationFactory(condition=second if n % 2 else first, product=product)
    RecommendationFactory(condition=first, ingredient=shared)
    ProductFactory(slug="shortcode-product", ingredients=[shared])
    ArticleFactory(slug="linked-article")
    for _ in range(3):
        ArticleFactory(conditions=[first])
    ArticleFactory(slug="budget", conditions=[first, second],
                   body="[[product:shortcode-product]]\n\n[[article:linked-article]]")


def test_article_page_query_budget_does_not_grow(client, app, count_queries):
    build(app, lambda: budget_setup(1))
    one = queries_for(client, count_queries, "/articles/budget")
    build(app, lambda: budget_setup_more(9))
    html = page(client, "/articles/budget")
    assert html.count('<li class="pick">') == 2 * ARTICLE_PICKS_PER_CONDITION
    assert "In stock instead" in html
    assert "Needs a prescription" in html
    ten = queries_for(client, count_queries, "/articles/budget")
    assert one <= ARTICLE_BUDGET, (one, ten)
    assert ten == one, (one, ten)


def budget_setup_more(extra: int):
    shared = db.session.scalar(select(Ingredient).order_by(Ingredient.id))
    first = db.session.scalar(select(Condition).where(Condition.slug == "first"))
    second = db.session.scalar(select(Condition).where(Condition.slug == "second"))
    for n in range(extra):
        product = ProductFactory(ingredients=[shared], prescription_only=(n == 3),
                                 status=ProductStatus.ARCHIVED if n == 4
                                 else ProductStatus.ACTIVE,
                                 variant__stock_on_hand=0 if n % 3 == 1 else 10)
        RecommendationFactory(condition=second if n % 2 else first, product=product)


def test_condition_page_query_budget_does_not_grow(client, app, count_queries):
    build(app, lambda: budget_setup(1))
    one = queries_for(client, count_queries, "/conditions/first")
    build(app, lambda: budget_setup_more(9))
    ten = queries_for(client, count_queries, "/conditions/first")
    assert one <= CONDITION_BUDGET, (one, ten)
    assert ten == one, (one, ten)


def test_list_pages_query_budgets(client, app, count_queries):
    build(app, lambda: budget_setup(10))
    assert queries_for(client, count_queries, "/articles") <= 4
    assert queries_for(client, count_queries, "/articles?condition=first") <= 5
    assert queries_for(client, count_queries, "/conditions") <= 1
