"""Reading the catalog for shoppers: the filtered list (a product page reads its product in
``storefront.catalog.product_page``).

Every function here keeps to a fixed number of SQL statements, however many products
match; the pages' query budgets depend on it. What content adds to these pages (the filter
by skin concern, the conditions and articles on a product page) is read by
``storefront.content.catalog_pages``, above the catalog; the views put the two together.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    bindparam,
    case,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import selectinload

from storefront.caching import depends_on
from storefront.catalog.cards import CardProduct, cards_statement, load_cards
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
from storefront.catalog.page_tags import STOCK, from_tag, price_band, through_tag, up_to_tag
from storefront.extensions import read_rows

FILTER_KINDS = ("category", "condition", "ingredient")
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


@dataclass(frozen=True)
class LinkedFilter:
    """A filter of the product list whose values live above the catalog: the skin concerns
    are content's conditions (``storefront.content.catalog_pages.CONCERNS``), which the
    view passes to ``filter_options``.

    ``options(active)`` is a SELECT of every value: (kind, id, slug, name, position,
    in_use), ``in_use`` an EXISTS of a product meeting ``active`` with that value;
    ``products(value)`` a SELECT of the ids of the products with ``value`` (a bound
    parameter). Both are put together once per process."""

    kind: str
    options: Callable[[ColumnElement[bool]], Select]
    products: Callable[[BindParameter[int]], Select]


@dataclass
class FilterOptions:
    """Categories, skin concerns and key ingredients, each by slug, in display order, and
    the linked filters they were read with (``list_products`` filters by them too)."""

    by_kind: dict[str, dict[str, FilterOption]] = field(
        default_factory=lambda: {kind: {} for kind in FILTER_KINDS})
    linked: tuple[LinkedFilter, ...] = ()

    def shown(self, kind: str) -> list[FilterOption]:
        return [option for option in self.by_kind[kind].values() if option.in_use]

    def find(self, kind: str, slug: str | None) -> FilterOption | None:
        return self.by_kind[kind].get(slug) if slug else None


@cache
def _filter_options_statement(linked: tuple[LinkedFilter, ...]):
    """The statement ``filter_options`` runs: the same for every request, so it is put
    together once (statements are immutable; SQLAlchemy caches its compiled form)."""
    active = Product.status == ProductStatus.ACTIVE
    categories = select(
        literal("category").label("kind"), Category.id, Category.slug, Category.name,
        Category.position.label("position"),
        select(Product.id).where(Product.category_id == Category.id, active).exists()
        .label("in_use"))
    # An ingredient's links first, then each linked product by its key: joined, SQLite
    # walked the active products instead, until one had the ingredient (all of them for
    # an ingredient no active product has).
    active_link = select(Product.id).where(
        Product.id == product_ingredient.c.product_id, active).exists()
    ingredients = select(
        literal("ingredient"), Ingredient.id, Ingredient.slug, Ingredient.name, literal(0),
        select(product_ingredient.c.product_id)
        .where(product_ingredient.c.ingredient_id == Ingredient.id, active_link).exists())
    combined = union_all(categories, *(each.options(active) for each in linked),
                         ingredients).subquery()
    return select(combined).order_by(combined.c.kind, combined.c.position, combined.c.name)


def filter_options(*linked: LinkedFilter) -> FilterOptions:
    """Every filter value in one statement, those of the ``linked`` filters too; ``in_use``
    marks those with active products.

    Each ``in_use`` is an EXISTS that stops at the first active product it meets (through
    the link's index, then the product's key), never a list of every active product.
    """
    rows = read_rows(_filter_options_statement(linked))
    options = FilterOptions(linked=linked)
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
    products: list[CardProduct]
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


def _has_size_in_stock():
    """SQL: the product has a size on sale with stock left. Looked up per product through
    the index on ``variant.product_id`` (EXISTS) rather than as a list of every size in
    stock (IN), which SQLite builds by reading the whole table."""
    return select(Variant.id).where(
        Variant.product_id == Product.id, Variant.active.is_(True),
        Variant.stock_on_hand - Variant.stock_reserved > 0).exists()


def _filter_clauses(shape: ListShape, price):
    """The WHERE clauses for a list of ``shape``; the values are bound parameters named
    after the filters (see ``_list_parameters``)."""
    clauses = [Product.status == ProductStatus.ACTIVE]
    if shape.category:
        clauses.append(Product.category_id == bindparam("category_id"))
    for linked in shape.linked:
        clauses.append(Product.id.in_(linked.products(bindparam(f"{linked.kind}_id"))))
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
    if shape.in_stock:
        clauses += [Product.prescription_only.is_(False), _has_size_in_stock()]
    # The price last: it is the dearest test (a lookup per product), so the cheaper ones
    # above leave it fewer products; BETWEEN works it out once for both limits.
    if shape.price_min and shape.price_max:
        clauses.append(price.between(bindparam("price_min"), bindparam("price_max")))
    elif shape.price_min:
        clauses.append(price >= bindparam("price_min"))
    elif shape.price_max:
        clauses.append(price <= bindparam("price_max"))
    return clauses


class ListShape(NamedTuple):
    """Which filters a list uses and its sort: what its statements look like."""

    category: bool
    linked: tuple[LinkedFilter, ...]  # those with a value (the skin concern)
    ingredient: bool
    skin_type: bool
    price_min: bool
    price_max: bool
    in_stock: bool
    sort: str

    @property
    def filtered(self) -> bool:
        return bool(self.category or self.linked or self.ingredient or self.skin_type
                    or self.price_min or self.price_max or self.in_stock)


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
    linked = tuple(each for each in options.linked if f"{each.kind}_id" in values)
    shape = ListShape("category_id" in values, linked, "ingredient_id" in values,
                      "skin_type" in values, "price_min" in values, "price_max" in values,
                      listing.in_stock, listing.sort)
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
    count = _count(shape, clauses)
    # The page's ids are sorted on their own, so the sort carries ids rather than whole
    # rows with their brand and category; only those rows are then loaded.
    ordering = _ordering(shape.sort, price)
    page_ids = (select(Product.id).where(*clauses).order_by(*ordering)
                .limit(bindparam("limit")).offset(bindparam("offset")))
    # The cards as plain rows, sizes and first pictures joined (the limit is in page_ids).
    page = cards_statement(Product.id.in_(page_ids), *ordering)
    return count, page


def _count(shape: ListShape, clauses) -> Select:
    """SQL: how many products a list of ``shape`` has in all.

    count(*), not count(id): SQLite reads each id to check it is not NULL (+70 %). With no
    filter, the products of the whole table less those not on sale: SQLite counts a
    table's rows from its pages without reading them, and the few products not on sale
    from the status index (at 5,000 products 18 µs, where counting the active ones, entry
    by entry, took 187 µs)."""
    if shape.filtered:
        return select(func.count()).select_from(Product).where(*clauses)
    not_on_sale = [status for status in ProductStatus if status is not ProductStatus.ACTIVE]
    every = select(func.count()).select_from(Product).scalar_subquery()
    others = (select(func.count()).select_from(Product)
              .where(Product.status.in_(not_on_sale)).scalar_subquery())
    return select(every - others)


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
    total = read_rows(count, values).scalar_one()
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
        products = load_cards(page, values)
    depends_on(*_price_bands(listing, products))
    return ProductPage(products, total, listing.page, pages)


def _price_bands(listing: Listing, products: list) -> list[str]:
    """The price bands (``page_tags.price_change_tags``) whose changes could move a product
    onto or off this page: those of its price limits (a price moving through one) and,
    sorted by price, where its page ends. Prices themselves are refilled in the cards."""
    tags = [through_tag(price_band(limit)) for limit in (listing.price_min, listing.price_max)
            if limit is not None]
    # What the list sorts by: the lowest price on sale, none for a prescription medicine.
    prices = [None if product.prescription_only else product.lowest_price
              for product in products]
    priced = [price for price in prices if price is not None]
    if listing.sort == "price_asc":  # unpriced products come last, after every band
        tags.append(up_to_tag(price_band(max(priced) if priced and len(priced) == len(prices)
                                         else None)))
    elif listing.sort == "price_desc":
        tags.append(from_tag(price_band(min(priced)) if priced else 0))
    return tags


@cache
def _featured_statement():
    featured = (select(Product.id)
                .where(Product.status == ProductStatus.ACTIVE,
                       Product.featured_rank.is_not(None))
                .order_by(Product.featured_rank, Product.id).limit(bindparam("limit")))
    return cards_statement(Product.id.in_(featured), Product.featured_rank, Product.id)


def featured_products(limit: int = 4) -> list[CardProduct]:
    """Active products the shop features, by rank, as cards."""
    return load_cards(_featured_statement(), {"limit": limit})
