"""Reading the catalog for shoppers: the filtered list, a product page, its neighbours.

Every function here keeps to a fixed number of SQL statements, however many products
match; the pages' query budgets depend on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import case, false, func, literal, or_, select, union_all
from sqlalchemy.orm import defer, joinedload, load_only, raiseload, selectinload

from storefront.caching import depends_on
from storefront.catalog.listing import PER_PAGE, SLUG_FILTERS, Listing, shorten
from storefront.catalog.models import (
    Category,
    Ingredient,
    Product,
    ProductSkinType,
    ProductStatus,
    Variant,
    product_ingredient,
)
from storefront.catalog.page_tags import PRICES, STOCK
from storefront.content.models import Article, Condition, Recommendation, article_condition
from storefront.extensions import db
from storefront.slugs import is_slug

RELATED_ARTICLES = 4
FILTER_KINDS = ("category", "condition", "ingredient")
# Long texts that only the product page shows; lists leave them in the database.
_PAGE_ONLY_TEXT = (defer(Product.description), defer(Product.ingredients_list),
                   defer(Product.how_to_use))


def card_loader_options():
    """Loader options that let a list of product cards render without further queries.

    Apply them to a product query (``select(Product).options(*card_loader_options())``)
    or under a relationship that leads to products
    (``selectinload(Recommendation.product).options(*card_loader_options())``).
    Brand and category are already joined by the model.
    """
    return (selectinload(Product.variants), selectinload(Product.images))


# -- filter options --------------------------------------------------------------------

@dataclass(frozen=True)
class FilterOption:
    kind: str
    id: int
    slug: str
    name: str
    in_use: bool


@dataclass
class FilterOptions:
    """Categories, skin concerns and key ingredients, each by slug, in display order."""

    by_kind: dict[str, dict[str, FilterOption]] = field(
        default_factory=lambda: {kind: {} for kind in FILTER_KINDS})

    def shown(self, kind: str) -> list[FilterOption]:
        return [option for option in self.by_kind[kind].values() if option.in_use]

    def find(self, kind: str, slug: str | None) -> FilterOption | None:
        return self.by_kind[kind].get(slug) if slug else None


def _active_product_ids():
    return select(Product.id).where(Product.status == ProductStatus.ACTIVE)


def filter_options() -> FilterOptions:
    """Every filter value in one statement; ``in_use`` marks those with active products."""
    active = _active_product_ids()
    categories = select(
        literal("category").label("kind"), Category.id, Category.slug, Category.name,
        Category.position.label("position"),
        select(Product.id).where(Product.category_id == Category.id,
                                 Product.status == ProductStatus.ACTIVE).exists()
        .label("in_use"))
    conditions = select(
        literal("condition"), Condition.id, Condition.slug, Condition.name,
        Condition.position,
        select(Recommendation.id).where(Recommendation.condition_id == Condition.id,
                                        Recommendation.product_id.in_(active)).exists())
    ingredients = select(
        literal("ingredient"), Ingredient.id, Ingredient.slug, Ingredient.name, literal(0),
        select(product_ingredient.c.product_id)
        .where(product_ingredient.c.ingredient_id == Ingredient.id,
               product_ingredient.c.product_id.in_(active)).exists())
    combined = union_all(categories, conditions, ingredients).subquery()
    rows = db.session.execute(
        select(combined).order_by(combined.c.kind, combined.c.position, combined.c.name))
    options = FilterOptions()
    for kind, option_id, slug, name, _position, in_use in rows:
        options.by_kind[kind][slug] = FilterOption(kind, option_id, slug, name, bool(in_use))
    return options


def drop_unknown_filters(listing: Listing, options: FilterOptions) -> None:
    """Leave out category, concern and ingredient slugs the shop does not have, with a note."""
    for kind in FILTER_KINDS:
        slug = getattr(listing, kind)
        if slug and options.find(kind, slug) is None:
            setattr(listing, kind, None)
            listing.notes.append(f"We don't have the {SLUG_FILTERS[kind]} “{shorten(slug)}”, "
                                 "so that filter was left out.")


# -- the product list ------------------------------------------------------------------

@dataclass
class ProductPage:
    products: list[Product]
    total: int
    page: int
    pages: int

    @property
    def first_number(self) -> int:
        return (self.page - 1) * PER_PAGE + 1 if self.total else 0

    @property
    def last_number(self) -> int:
        return min(self.page * PER_PAGE, self.total)


def _lowest_price():
    """SQL: the product's lowest price among its sizes on sale, or None when
    prescription-only. Correlated, so only the products that pass the other filters
    are priced, through the index on ``variant.product_id``."""
    cheapest = (select(func.min(Variant.price))
                .where(Variant.product_id == Product.id, Variant.active.is_(True))
                .correlate(Product)
                .scalar_subquery())
    return case((Product.prescription_only.is_(True), None), else_=cheapest)


def _in_stock_product_ids():
    return select(Variant.product_id).where(
        Variant.active.is_(True), Variant.stock_on_hand - Variant.stock_reserved > 0)


def _filter_clauses(listing: Listing, options: FilterOptions, price):
    clauses = [Product.status == ProductStatus.ACTIVE]
    if category := options.find("category", listing.category):
        clauses.append(Product.category_id == category.id)
    if condition := options.find("condition", listing.condition):
        clauses.append(Product.id.in_(select(Recommendation.product_id).where(
            Recommendation.condition_id == condition.id)))
    if ingredient := options.find("ingredient", listing.ingredient):
        clauses.append(Product.id.in_(select(product_ingredient.c.product_id).where(
            product_ingredient.c.ingredient_id == ingredient.id)))
    if listing.skin_type is not None:
        clauses.append(Product.id.in_(select(ProductSkinType.product_id).where(
            ProductSkinType.skin_type == listing.skin_type)))
    if listing.price_min is not None:
        clauses.append(price >= listing.price_min)
    if listing.price_max is not None:
        clauses.append(price <= listing.price_max)
    if listing.in_stock:
        clauses += [Product.prescription_only.is_(False),
                    Product.id.in_(_in_stock_product_ids())]
    return clauses


_ORDERS = {  # built for the sort asked for only: SQL expressions cost time to make
    "featured": lambda price, name: (Product.featured_rank.is_(None), Product.featured_rank,
                                     name),
    "price_asc": lambda price, name: (price.is_(None), price, name),
    "price_desc": lambda price, name: (price.is_(None), price.desc(), name),
    "newest": lambda price, name: (Product.created_at.desc(),),
    "name": lambda price, name: (name,),
}
PRICE_SORTS = ("price_asc", "price_desc")


def _ordering(sort: str, price):
    return (*_ORDERS[sort](price, func.lower(Product.name)), Product.id)


def list_products(listing: Listing, options: FilterOptions) -> ProductPage:
    """One page of active products for ``listing`` (a page past the end shows the last one).

    Prices are those of the cheapest size on sale; prescription-only products have none
    here, so price filters leave them out and price sorts put them last.
    """
    priced = (listing.sort in PRICE_SORTS or listing.price_min is not None
              or listing.price_max is not None)
    price = _lowest_price() if priced else None
    if priced:
        depends_on(PRICES)  # any product's new price may move it onto or off this page
    if listing.in_stock:
        depends_on(STOCK)
    clauses = _filter_clauses(listing, options, price)
    total = db.session.scalar(select(func.count(Product.id)).where(*clauses))
    pages = max(1, math.ceil(total / PER_PAGE))
    if listing.page > pages:
        if total:
            listing.notes.append(f"There {'is' if pages == 1 else 'are'} only {pages} "
                                 f"page{'' if pages == 1 else 's'} of results, so you're "
                                 "seeing the last one.")
        listing.page = pages
    products = []
    if total:
        # The page's ids are sorted on their own, so the sort carries ids rather than
        # whole rows with their brand and category; only those rows are then loaded.
        ordering = _ordering(listing.sort, price)
        page_ids = (select(Product.id).where(*clauses).order_by(*ordering)
                    .limit(PER_PAGE).offset((listing.page - 1) * PER_PAGE))
        # Pictures joined rather than selected apart (one per product, the limit is in
        # page_ids): the statement saved pays for the shop's introduction above the list.
        statement = (select(Product).where(Product.id.in_(page_ids)).order_by(*ordering)
                     .options(selectinload(Product.variants), joinedload(Product.images),
                              *_PAGE_ONLY_TEXT))
        products = list(db.session.scalars(statement).unique())
    return ProductPage(products, total, listing.page, pages)


# -- the product page ------------------------------------------------------------------

def product_for_page(slug: str) -> Product | None:
    """The active product with ``slug`` and everything its page shows, in one statement."""
    if not is_slug(slug):
        return None
    # Ingredients come in a second statement: joined, their link table sits in a nested
    # "(product_ingredient JOIN ingredient)" group that SQLite materialises whole.
    statement = (
        select(Product)
        .where(Product.slug == slug, Product.status == ProductStatus.ACTIVE)
        .options(joinedload(Product.variants), joinedload(Product.images),
                 selectinload(Product.ingredients), joinedload(Product.skin_type_links))
    )
    return db.session.execute(statement).unique().scalar_one_or_none()


def recommendations_for(product: Product) -> list[Recommendation]:
    """The conditions that recommend ``product``, each with the reason and how to use it."""
    statement = (
        select(Recommendation)
        .join(Recommendation.condition)
        .where(Recommendation.product_id == product.id)
        .options(joinedload(Recommendation.condition))
        .order_by(Condition.position, Condition.name, Recommendation.position)
    )
    return list(db.session.scalars(statement))


_ARTICLE_FIELDS = (Article.id, Article.slug, Article.title, Article.summary, Article.kind,
                   Article.published_at, Article.status)


def articles_for_page(condition_ids: list[int],
                      source_slug: str | None) -> tuple[Article | None, list[Article]]:
    """The visible article named by ``source_slug`` (or None) and up to four visible
    articles on ``condition_ids``, newest first, in one statement.
    """
    source_slug = source_slug if is_slug(source_slug) else None
    if not condition_ids and not source_slug:
        return None, []
    related = (Article.id.in_(select(article_condition.c.article_id).where(
        article_condition.c.condition_id.in_(condition_ids))) if condition_ids else false())
    is_source = Article.slug == source_slug if source_slug else false()
    statement = (
        select(Article)
        .where(Article.visible_clause(), or_(related, is_source))
        .options(load_only(*_ARTICLE_FIELDS), raiseload(Article.author))
        .order_by(case((is_source, 0), else_=1), Article.published_at.desc(),
                  Article.id.desc())
        .limit(RELATED_ARTICLES + 1)
    )
    articles = list(db.session.scalars(statement))
    source = next((article for article in articles if article.slug == source_slug), None)
    others = [article for article in articles if article is not source]
    return source, others[:RELATED_ARTICLES]


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
