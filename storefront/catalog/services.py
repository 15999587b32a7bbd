"""Reading the catalog for shoppers: the filtered list, a product page, its neighbours.

Every function here keeps to a fixed number of SQL statements, however many products
match; the pages' query budgets depend on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import NamedTuple

from sqlalchemy import bindparam, case, false, func, literal, or_, select, union_all
from sqlalchemy.orm import defer, joinedload, lazyload, load_only, raiseload, selectinload

from storefront.caching import depends_on
from storefront.catalog.listing import PER_PAGE, SLUG_FILTERS, Listing, shorten
from storefront.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductImage,
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


# What a product card reads (storefront.catalog.templating.card_of): the product list loads
# only these columns of its products, their brands, sizes and first pictures. Each row
# costs less to load without the long texts, timestamps and SKUs it never shows.
_CARD_PRODUCT = load_only(
    Product.slug, Product.name, Product.brand_id, Product.category_id, Product.status,
    Product.prescription_only, Product.brand_names, Product.featured_rank,
    Product.rating_1_count, Product.rating_2_count, Product.rating_3_count,
    Product.rating_4_count, Product.rating_5_count)
_CARD_BRAND = (Brand.name, Brand.financial_tie)
_CARD_VARIANT = (Variant.size_label, Variant.price, Variant.compare_at_price, Variant.currency,
                 Variant.stock_on_hand, Variant.stock_reserved, Variant.low_stock_threshold,
                 Variant.position, Variant.active)
_CARD_IMAGE = (ProductImage.key, ProductImage.alt_text, ProductImage.width,
               ProductImage.height, ProductImage.position)


def card_only_options(outer: bool = False):
    """Loader options for products shown only as cards: ``card_loader_options`` with just
    the columns a card reads (anything else read later costs a query), everything joined
    into the one statement (the page's product limit must be in a subquery). ``outer``:
    the statement outer-joins the products themselves (rows without one), so their brand
    is outer-joined too."""
    brand = joinedload(Product.brand, innerjoin=False) if outer else joinedload(Product.brand)
    return (_CARD_PRODUCT, brand.load_only(*_CARD_BRAND),
            lazyload(Product.category),
            joinedload(Product.variants).load_only(*_CARD_VARIANT),
            joinedload(Product.images).load_only(*_CARD_IMAGE))


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


@cache
def _filter_options_statement():
    """The statement ``filter_options`` runs: the same for every request, so it is put
    together once (statements are immutable; SQLAlchemy caches its compiled form)."""
    active = Product.status == ProductStatus.ACTIVE
    categories = select(
        literal("category").label("kind"), Category.id, Category.slug, Category.name,
        Category.position.label("position"),
        select(Product.id).where(Product.category_id == Category.id, active).exists()
        .label("in_use"))
    conditions = select(
        literal("condition"), Condition.id, Condition.slug, Condition.name,
        Condition.position,
        select(Recommendation.id).join(Product, Product.id == Recommendation.product_id)
        .where(Recommendation.condition_id == Condition.id, active).exists())
    ingredients = select(
        literal("ingredient"), Ingredient.id, Ingredient.slug, Ingredient.name, literal(0),
        select(product_ingredient.c.product_id)
        .join(Product, Product.id == product_ingredient.c.product_id)
        .where(product_ingredient.c.ingredient_id == Ingredient.id, active).exists())
    combined = union_all(categories, conditions, ingredients).subquery()
    return select(combined).order_by(combined.c.kind, combined.c.position, combined.c.name)


def filter_options() -> FilterOptions:
    """Every filter value in one statement; ``in_use`` marks those with active products.

    Each ``in_use`` is an EXISTS that stops at the first active product it meets (through
    the link's index, then the product's key), never a list of every active product.
    """
    rows = db.session.execute(_filter_options_statement())
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


def _filter_clauses(shape: ListShape, price):
    """The WHERE clauses for a list of ``shape``; the values are bound parameters named
    after the filters (see ``_list_parameters``)."""
    clauses = [Product.status == ProductStatus.ACTIVE]
    if shape.category:
        clauses.append(Product.category_id == bindparam("category_id"))
    if shape.condition:
        clauses.append(Product.id.in_(select(Recommendation.product_id).where(
            Recommendation.condition_id == bindparam("condition_id"))))
    # Ingredients and skin types are shared by hundreds or thousands of products: each
    # product is looked up in the link's primary key (EXISTS) rather than matched against
    # a list of all of them (IN), which costs a list as long as the shop.
    if shape.ingredient:
        clauses.append(select(product_ingredient.c.product_id).where(
            product_ingredient.c.product_id == Product.id,
            product_ingredient.c.ingredient_id == bindparam("ingredient_id")).exists())
    if shape.skin_type:
        clauses.append(select(ProductSkinType.product_id).where(
            ProductSkinType.product_id == Product.id,
            ProductSkinType.skin_type == bindparam("skin_type")).exists())
    if shape.price_min:
        clauses.append(price >= bindparam("price_min"))
    if shape.price_max:
        clauses.append(price <= bindparam("price_max"))
    if shape.in_stock:
        clauses += [Product.prescription_only.is_(False),
                    Product.id.in_(_in_stock_product_ids())]
    return clauses


class ListShape(NamedTuple):
    """Which filters a list uses and its sort: what its statements look like."""

    category: bool
    condition: bool
    ingredient: bool
    skin_type: bool
    price_min: bool
    price_max: bool
    in_stock: bool
    sort: str


def _list_parameters(listing: Listing, options: FilterOptions) -> tuple[ListShape, dict]:
    """The shape of ``listing``'s statements and the values bound into them."""
    values: dict[str, object] = {}
    for kind in FILTER_KINDS:
        if option := options.find(kind, getattr(listing, kind)):
            values[f"{kind}_id"] = option.id
    if listing.skin_type is not None:
        values["skin_type"] = listing.skin_type
    if listing.price_min is not None:
        values["price_min"] = listing.price_min
    if listing.price_max is not None:
        values["price_max"] = listing.price_max
    shape = ListShape("category_id" in values, "condition_id" in values,
                      "ingredient_id" in values, "skin_type" in values,
                      "price_min" in values, "price_max" in values, listing.in_stock,
                      listing.sort)
    return shape, values


@lru_cache(maxsize=1024)
def _list_statements(shape: ListShape):
    """(the count, the page of products) for lists of ``shape``, put together once per
    process: making a statement, and the key SQLAlchemy finds its compiled form by, costs
    more than running these (a statement object keeps its key). The page's size and
    offset are the parameters ``limit`` and ``offset``."""
    priced = shape.sort in PRICE_SORTS or shape.price_min or shape.price_max
    price = _lowest_price() if priced else None
    clauses = _filter_clauses(shape, price)
    count = select(func.count(Product.id)).where(*clauses)
    # The page's ids are sorted on their own, so the sort carries ids rather than whole
    # rows with their brand and category; only those rows are then loaded.
    ordering = _ordering(shape.sort, price)
    page_ids = (select(Product.id).where(*clauses).order_by(*ordering)
                .limit(bindparam("limit")).offset(bindparam("offset")))
    # Sizes and pictures joined rather than selected apart (a product has a few sizes
    # and a picture or two; the limit is in page_ids): one statement, one round of
    # SQLAlchemy's statement handling, instead of two.
    page = (select(Product).where(Product.id.in_(page_ids)).order_by(*ordering)
            .options(*card_only_options()))
    return count, page


_ORDERS = {  # built for the sort asked for only: SQL expressions cost time to make
    "featured": lambda price, name: (Product.featured_rank.is_(None), Product.featured_rank,
                                     name),
    # NULLS LAST rather than "price IS NULL" first: the price is worked out once per row.
    "price_asc": lambda price, name: (price.asc().nulls_last(), name),
    "price_desc": lambda price, name: (price.desc().nulls_last(), name),
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
    shape, values = _list_parameters(listing, options)
    count, page = _list_statements(shape)
    total = db.session.scalar(count, values)
    if shape.sort in PRICE_SORTS or shape.price_min or shape.price_max:
        depends_on(PRICES)  # any product's new price may move it onto or off this page
    if listing.in_stock:
        depends_on(STOCK)
    pages = max(1, math.ceil(total / PER_PAGE))
    if listing.page > pages:
        if total:
            listing.notes.append(f"There {'is' if pages == 1 else 'are'} only {pages} "
                                 f"page{'' if pages == 1 else 's'} of results, so you're "
                                 "seeing the last one.")
        listing.page = pages
    products = []
    if total:
        values.update(limit=PER_PAGE, offset=(listing.page - 1) * PER_PAGE)
        products = list(db.session.scalars(page, values).unique())
    return ProductPage(products, total, listing.page, pages)


def featured_products(limit: int = 4) -> list[Product]:
    """Active products the shop features, by rank, loaded for their cards only."""
    statement = (
        select(Product)
        .where(Product.status == ProductStatus.ACTIVE, Product.featured_rank.is_not(None))
        .order_by(Product.featured_rank, Product.id)
        .limit(limit)
        .options(*card_only_options())
    )
    return list(db.session.scalars(statement).unique())


# -- the product page ------------------------------------------------------------------

@cache
def _product_page_statement():
    """The statement ``product_for_page`` runs for a ``slug``, put together once."""
    # Ingredients come in a second statement: joined, their link table sits in a nested
    # "(product_ingredient JOIN ingredient)" group that SQLite materialises whole.
    return (
        select(Product)
        .where(Product.slug == bindparam("slug"), Product.status == ProductStatus.ACTIVE)
        .options(joinedload(Product.variants), joinedload(Product.images),
                 selectinload(Product.ingredients), joinedload(Product.skin_type_links))
    )


def product_for_page(slug: str) -> Product | None:
    """The active product with ``slug`` and everything its page shows, in one statement."""
    if not is_slug(slug):
        return None
    return db.session.execute(_product_page_statement(),
                              {"slug": slug}).unique().scalar_one_or_none()


@cache
def _recommendations_statement():
    return (
        select(Recommendation)
        .join(Recommendation.condition)
        .where(Recommendation.product_id == bindparam("product_id"))
        .options(joinedload(Recommendation.condition))
        .order_by(Condition.position, Condition.name, Recommendation.position)
    )


def recommendations_for(product: Product) -> list[Recommendation]:
    """The conditions that recommend ``product``, each with the reason and how to use it."""
    return list(db.session.scalars(_recommendations_statement(),
                                   {"product_id": product.id}))


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
