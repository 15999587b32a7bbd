"""What content adds to the catalog's pages: the product list's filter by skin concern, and
on a product page the conditions recommending it, the articles on them and, for a
prescription medicine, every recommendation of its conditions.

Content sits above the catalog, so the catalog never reads these; the views put them
together with ``storefront.catalog.services``::

    options = catalog.filter_options(CONCERNS)
    page = catalog.list_products(listing, options)

Each function keeps to a fixed number of SQL statements, as the catalog's do.
"""

from __future__ import annotations

from functools import cache, lru_cache

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    bindparam,
    case,
    false,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import (
    contains_eager,
    defer,
    joinedload,
    selectinload,
)

from storefront.catalog.models import Product
from storefront.catalog.services import LinkedFilter
from storefront.content.models import Article, Condition, Recommendation, article_condition
from storefront.content.reading import TEASER_COLUMNS, ArticleTeaser, teasers
from storefront.db import utcnow
from storefront.extensions import db
from storefront.slugs import is_slug

RELATED_ARTICLES = 4
# Long texts that only the product page shows; lists leave them in the database.
_PAGE_ONLY_TEXT = (defer(Product.description), defer(Product.ingredients_list),
                   defer(Product.how_to_use))


# -- the product list's filter by skin concern ------------------------------------------

def _concern_options(active: ColumnElement[bool]):
    """Every condition as a filter value, in use when it recommends an ``active`` product."""
    return select(
        literal("condition"), Condition.id, Condition.slug, Condition.name,
        Condition.position,
        select(Recommendation.id).join(Product, Product.id == Recommendation.product_id)
        .where(Recommendation.condition_id == Condition.id, active).exists())


def _concern_products(condition_id: BindParameter[int]):
    """The products the condition ``condition_id`` recommends."""
    return select(Recommendation.product_id).where(
        Recommendation.condition_id == condition_id)


# The list's ``condition`` filter (``?condition=<slug>``).
CONCERNS = LinkedFilter("condition", _concern_options, _concern_products)


# -- the product page --------------------------------------------------------------------

@cache
def _recommendations_statement():
    return (
        select(Recommendation)
        .join(Recommendation.condition)
        .where(Recommendation.product_id == bindparam("product_id"))
        .options(contains_eager(Recommendation.condition))
        .order_by(Condition.position, Condition.name, Recommendation.position)
    )


def recommendations_for(product: Product) -> list[Recommendation]:
    """The conditions that recommend ``product``, each with the reason and how to use it."""
    return list(db.session.scalars(_recommendations_statement(),
                                   {"product_id": product.id}))


def articles_for_page(condition_ids: list[int], source_slug: str | None,
                      ) -> tuple[ArticleTeaser | None, list[ArticleTeaser]]:
    """The visible article named by ``source_slug`` (or None) and up to four visible
    articles on ``condition_ids``, newest first, in one statement: teasers' plain rows.
    """
    source_slug = source_slug if is_slug(source_slug) else None
    if not condition_ids and not source_slug:
        return None, []
    statement = _articles_for_page_statement(bool(condition_ids), bool(source_slug))
    articles = teasers(statement, {
        "condition_ids": condition_ids, "source_slug": source_slug, "now": utcnow(),
        "limit": RELATED_ARTICLES + 1})
    source = next((article for article in articles if article.slug == source_slug), None)
    others = [article for article in articles if article is not source]
    return source, others[:RELATED_ARTICLES]


@lru_cache(maxsize=4)
def _articles_for_page_statement(related_wanted: bool, source_wanted: bool):
    """``articles_for_page``'s statement, built once per process for each of its shapes."""
    related = (Article.id.in_(select(article_condition.c.article_id).where(
        article_condition.c.condition_id.in_(bindparam("condition_ids", expanding=True))))
        if related_wanted else false())
    is_source = Article.slug == bindparam("source_slug") if source_wanted else false()
    now = bindparam("now", type_=Article.published_at.type)
    return (
        select(*TEASER_COLUMNS)
        .where(Article.visible_clause(now), or_(related, is_source))
        # Without a source article, no constant first key: SQLite then sorts the few
        # matching articles, not every visible one (0.23 → 0.05 ms at 1,000 articles).
        .order_by(*((case((is_source, 0), else_=1),) if source_wanted else ()),
                  Article.published_at.desc(), Article.id.desc())
        .limit(bindparam("limit"))
    )


def recommendations_around(product: Product) -> list[Recommendation]:
    """Every product recommendation of the conditions that recommend ``product`` (its own
    among them), with the conditions and products loaded for cards and for ranking
    alternatives: what a prescription medicine's page compares it with.
    """
    conditions = select(Recommendation.condition_id).where(
        Recommendation.product_id == product.id)
    statement = (
        select(Recommendation)
        .join(Recommendation.condition)
        .where(Recommendation.condition_id.in_(conditions),
               Recommendation.product_id.is_not(None))
        # Pictures joined rather than selected apart: the page stays within its budget.
        .options(joinedload(Recommendation.condition),
                 joinedload(Recommendation.product).options(
                     joinedload(Product.images), selectinload(Product.variants),
                     selectinload(Product.ingredients), *_PAGE_ONLY_TEXT))
        .order_by(Condition.position, Condition.name, Recommendation.position,
                  Recommendation.id)
    )
    return list(db.session.scalars(statement).unique())
