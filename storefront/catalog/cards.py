"""Product cards read as plain rows: one statement, no ORM objects.

A list page shows 24 cards; building and instrumenting the ~120 ORM objects behind them
(product, brand, sizes, picture) cost more than everything else the page's data needs. The
card reads only values, so ``load_cards`` selects those columns (the product, its brand,
each size, its first picture) and builds small slotted objects that follow the same rules
as the models (``ProductRules``, ``VariantRules``, ``BrandRules``): ``card_of`` draws
either. Rows loaded this way fire no ORM load event, so each card says itself that the
page shows its product (``depends_on(product_tag(id))``), as a loaded ``Product`` would.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, select

from storefront.caching import depends_on
from storefront.catalog.models import (
    Brand,
    BrandRules,
    FinancialTie,
    Product,
    ProductImage,
    ProductRules,
    ProductStatus,
    Variant,
    VariantRules,
)
from storefront.catalog.page_tags import product_tag
from storefront.extensions import read_rows


@dataclass(slots=True)
class CardBrand(BrandRules):
    name: str
    financial_tie: FinancialTie


@dataclass(slots=True)
class CardVariant(VariantRules):
    id: int
    size_label: str
    price: Decimal
    compare_at_price: Decimal | None
    currency: str
    stock_on_hand: int
    stock_reserved: int
    low_stock_threshold: int
    position: int
    active: bool


@dataclass(slots=True)
class CardPicture:
    key: str
    width: int
    height: int


@dataclass(slots=True)
class CardProduct(ProductRules[CardVariant, CardPicture]):
    """A product as a card shows it; ``images`` holds its first picture only."""

    id: int
    slug: str
    name: str
    status: ProductStatus
    prescription_only: bool
    brand_names: str
    rating_1_count: int
    rating_2_count: int
    rating_3_count: int
    rating_4_count: int
    rating_5_count: int
    featured_rank: int | None  # the catalogue's order (recommendations' substitutes)
    brand: CardBrand
    variants: list[CardVariant] = field(default_factory=list)
    images: list[CardPicture] = field(default_factory=list)


_PRODUCT_COLUMNS = (
    Product.id, Product.slug, Product.name, Product.status, Product.prescription_only,
    Product.brand_names, Product.rating_1_count, Product.rating_2_count,
    Product.rating_3_count, Product.rating_4_count, Product.rating_5_count,
    Product.featured_rank)
_BRAND_COLUMNS = (Brand.name, Brand.financial_tie)
_VARIANT_COLUMNS = (
    Variant.id, Variant.size_label, Variant.price, Variant.compare_at_price, Variant.currency,
    Variant.stock_on_hand, Variant.stock_reserved, Variant.low_stock_threshold,
    Variant.position, Variant.active)
_PICTURE_COLUMNS = (ProductImage.key, ProductImage.width, ProductImage.height)
_BRAND_END = len(_PRODUCT_COLUMNS) + len(_BRAND_COLUMNS)
_VARIANT_END = _BRAND_END + len(_VARIANT_COLUMNS)
# Every column a card reads, in the order ``cards_of`` reads them from the start of a row,
# and a product's sizes in the order a card lists them.
CARD_COLUMNS = (*_PRODUCT_COLUMNS, *_BRAND_COLUMNS, *_VARIANT_COLUMNS, *_PICTURE_COLUMNS)
CARD_SIZE_ORDER = (Variant.position, Variant.id)
_CARD_END = len(CARD_COLUMNS)


@cache
def _first_picture_id() -> Any:
    """The id of a product's first picture (the card's), for the outer join."""
    first = ProductImage.__table__.alias("first_picture")
    return (select(first.c.id).where(first.c.product_id == Product.id)
            .order_by(first.c.position, first.c.id).limit(1).scalar_subquery())


def cards_statement(where: ColumnElement[bool], *ordering: Any) -> Select:
    """The statement ``load_cards`` runs: the products matching ``where`` in ``ordering``,
    one row per size (a product with no size has one row of NULLs), with the brand and the
    first picture. Build it once per shape and keep it: making a statement costs more than
    running it."""
    return (
        select(*CARD_COLUMNS)
        .join(Brand, Brand.id == Product.brand_id)
        .outerjoin(Variant, Variant.product_id == Product.id)
        .outerjoin(ProductImage, and_(ProductImage.product_id == Product.id,
                                      ProductImage.id == _first_picture_id()))
        .where(where)
        .order_by(*ordering, *CARD_SIZE_ORDER)
    )


def cards_of(rows: Iterable[Any]) -> list[CardProduct]:
    """The cards of rows that start with ``CARD_COLUMNS`` (a product's sizes one a row), in
    the order their products first come; the page being rendered shows each product."""
    cards: dict[int, CardProduct] = {}
    for row in rows:
        card = cards.get(row[0])
        if card is None:
            card = cards[row[0]] = _card(row)
        if row[_BRAND_END] is not None:
            card.variants.append(CardVariant(*row[_BRAND_END:_VARIANT_END]))
    for product_id in cards:
        depends_on(product_tag(product_id))
    return list(cards.values())


def load_cards(statement: Select, parameters: Mapping[str, Any] | None = None,
               ) -> list[CardProduct]:
    """The cards of ``statement`` (made by ``cards_statement``), in its order."""
    return cards_of(read_rows(statement, parameters))


_BY_ID = cards_statement(Product.id.in_(bindparam("ids", expanding=True)), Product.id)


def cards_by_id(ids: Collection[int]) -> dict[int, CardProduct]:
    """The cards of the products ``ids``, by id, in one statement (a product no longer
    there has none): for a page that chose which products to show by other means."""
    if not ids:
        return {}
    return {card.id: card for card in load_cards(_BY_ID, {"ids": sorted(ids)})}


def _card(row) -> CardProduct:
    (product_id, slug, name, status, prescription_only, brand_names,
     one, two, three, four, five, featured_rank, brand_name, tie) = row[:_BRAND_END]
    card = CardProduct(product_id, slug, name, status, prescription_only, brand_names,
                       one, two, three, four, five, featured_rank,
                       CardBrand(brand_name, tie))
    if row[_VARIANT_END] is not None:
        card.images.append(CardPicture(*row[_VARIANT_END:_CARD_END]))
    return card
