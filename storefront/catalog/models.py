"""Catalog records. Stock is changed only through the inventory services, in SQL."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Generic, TypeVar

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.db import TimestampMixin, enum_column, utcnow
from storefront.extensions import Model, db
from storefront.money import money_column, shop_currency


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class SkinType(enum.StrEnum):
    NORMAL = "normal"
    DRY = "dry"
    OILY = "oily"
    COMBINATION = "combination"
    SENSITIVE = "sensitive"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class StockState(enum.StrEnum):
    IN_STOCK = "in_stock"
    LOW = "low"
    OUT = "out"


product_ingredient = Table(
    "product_ingredient",
    db.metadata,
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    Column("ingredient_id", ForeignKey("ingredient.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Category(Model):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)


class FinancialTie(enum.StrEnum):
    """What, if anything, links the shop's money to a brand beyond selling its products."""

    NONE = "none"
    OWN_BRAND = "own_brand"
    PAID_PARTNERSHIP = "paid_partnership"
    AFFILIATE = "affiliate"

    @property
    def label(self) -> str:
        return TIE_LABELS[self]

    @property
    def disclosure(self) -> str:
        """What the tie means, shown next to every product of a brand that has it."""
        return TIE_DISCLOSURES[self]


TIE_LABELS = {
    FinancialTie.NONE: "No financial tie",
    FinancialTie.OWN_BRAND: "Our own brand",
    FinancialTie.PAID_PARTNERSHIP: "Paid partnership",
    FinancialTie.AFFILIATE: "Affiliate",
}
TIE_DISCLOSURES = {
    FinancialTie.NONE: "",
    FinancialTie.OWN_BRAND: "The shop makes this brand, so we earn more from it than from "
                            "the others we sell.",
    FinancialTie.PAID_PARTNERSHIP: "This brand pays the shop for a partnership.",
    FinancialTie.AFFILIATE: "The shop earns a commission from this brand on what it sells.",
}


class BrandRules:
    """What a brand's values mean, for the model and for a card's plain row
    (``storefront.catalog.cards``) alike."""

    __slots__ = ()
    if TYPE_CHECKING:  # the fields the rules read (annotations only: not mapped here)
        financial_tie: FinancialTie

    @property
    def has_tie(self) -> bool:
        return self.financial_tie != FinancialTie.NONE


class Brand(BrandRules, Model):
    __tablename__ = "brand"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    financial_tie: Mapped[FinancialTie] = mapped_column(
        enum_column(FinancialTie), default=FinancialTie.NONE)


class Ingredient(Model):
    """A key active ingredient, such as retinol or niacinamide."""

    __tablename__ = "ingredient"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The class of active it belongs to ("retinoid"): products sharing one do the same job.
    family: Mapped[str] = mapped_column(String(40), default="")


# Stars a review can give, lowest first.
RATING_STARS = (1, 2, 3, 4, 5)


SizeT = TypeVar("SizeT", bound="VariantRules")
PictureT = TypeVar("PictureT")


class ProductRules(Generic[SizeT, PictureT]):
    """What a product's values mean (sold or not, its sizes on sale, rating, stock), for the
    model and for a card's plain row (``storefront.catalog.cards``) alike."""

    __slots__ = ()
    if TYPE_CHECKING:  # the fields the rules read (annotations only: not mapped here)
        id: int
        status: ProductStatus
        prescription_only: bool
        brand_names: str
        rating_1_count: int
        rating_2_count: int
        rating_3_count: int
        rating_4_count: int
        rating_5_count: int
        variants: Sequence[SizeT]
        images: Sequence[PictureT]

    @property
    def is_active(self) -> bool:
        return self.status == ProductStatus.ACTIVE

    @property
    def is_sold(self) -> bool:
        """Can be put in a cart: active and not prescription-only."""
        return self.is_active and not self.prescription_only

    @property
    def brand_name_list(self) -> list[str]:
        return [name.strip() for name in self.brand_names.split(",") if name.strip()]

    @property
    def sold_variants(self) -> list[SizeT]:
        return [variant for variant in self.variants if variant.active]

    @property
    def primary_image(self) -> PictureT | None:
        return self.images[0] if self.images else None

    @property
    def lowest_price(self) -> Decimal | None:
        prices = [variant.price for variant in self.sold_variants]
        return min(prices) if prices else None

    @property
    def rating_distribution(self) -> list[tuple[int, int]]:
        """(stars, published reviews giving that many), five stars first."""
        return [(stars, getattr(self, f"rating_{stars}_count") or 0)
                for stars in reversed(RATING_STARS)]

    @property
    def rating_totals(self) -> tuple[int, int]:
        """(published reviews, the sum of their stars)."""
        counts = (self.rating_1_count or 0, self.rating_2_count or 0, self.rating_3_count or 0,
                  self.rating_4_count or 0, self.rating_5_count or 0)
        count = sum(counts)
        if not count:  # most products on a list (a generator over none costs a card 1 µs)
            return 0, 0
        return count, sum(stars * count for stars, count in enumerate(counts, 1))

    @property
    def rating_count(self) -> int:
        return self.rating_totals[0]

    @property
    def rating_sum(self) -> int:
        return self.rating_totals[1]

    @property
    def rating_average(self) -> Decimal | None:
        """The mean of the published reviews' stars to one decimal (4.3), or None."""
        return average_rating(*self.rating_totals)

    @property
    def stock_state(self) -> StockState:
        """The best state among the variants: in stock if any variant is."""
        return best_stock_state(self.sold_variants)


def average_rating(count: int, total: int) -> Decimal | None:
    """The mean of ``count`` reviews giving ``total`` stars to one decimal (4.3), or None."""
    if not count:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def best_stock_state(variants: Iterable[VariantRules]) -> StockState:
    """The best state among ``variants`` (sizes on sale): in stock if any is."""
    best = StockState.OUT
    for variant in variants:
        state = variant.stock_state
        if state is StockState.IN_STOCK:
            return state
        if state is StockState.LOW:
            best = state
    return best


class VariantRules:
    """What a size's values mean (what is left, its stock state, on sale or not), for the
    model and for a card's plain row alike."""

    __slots__ = ()
    if TYPE_CHECKING:  # the fields the rules read (annotations only: not mapped here)
        id: int
        active: bool
        price: Decimal
        compare_at_price: Decimal | None
        stock_on_hand: int
        stock_reserved: int
        low_stock_threshold: int

    @property
    def available(self) -> int:
        return max(self.stock_on_hand - self.stock_reserved, 0)

    @property
    def stock_state(self) -> StockState:
        left = self.stock_on_hand - self.stock_reserved  # ``available``, before the floor
        if left <= 0:
            return StockState.OUT
        if left <= self.low_stock_threshold:
            return StockState.LOW
        return StockState.IN_STOCK

    @property
    def on_sale(self) -> bool:
        return self.compare_at_price is not None and self.compare_at_price > self.price


class Product(ProductRules["Variant", "ProductImage"], TimestampMixin, Model):
    __tablename__ = "product"
    __table_args__ = (
        Index("ix_product_status_featured", "status", "featured_rank"),
        # Lists filtered to what can be bought (in stock, a price range) ask both of every
        # active product: from the index, not from rows whose long texts come first.
        Index("ix_product_status_prescription", "status", "prescription_only"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    short_description: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    ingredients_list: Mapped[str] = mapped_column(Text, default="")
    how_to_use: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProductStatus] = mapped_column(
        enum_column(ProductStatus), default=ProductStatus.DRAFT
    )
    prescription_only: Mapped[bool] = mapped_column(default=False)
    # The names a prescription medicine is sold under ("Renova, Retin-A"); searchable.
    brand_names: Mapped[str] = mapped_column(String(200), default="")
    # The sun protection factor a sunscreen states on its pack; None for everything else.
    spf: Mapped[int | None]
    # Lower ranks come first in the "featured" sort; None sorts after every ranked product.
    featured_rank: Mapped[int | None]
    # How many published reviews give the product 1, 2, ... 5 stars. Kept here so that every
    # product card and page has its rating without a query; changed only in one SQL UPDATE
    # when a review is published or unpublished (storefront.reviews.services).
    rating_1_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_2_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_3_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_4_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_5_count: Mapped[int] = mapped_column(default=0, server_default="0")

    # "unnested": reached through an outer join (a cart line's variant's product), these
    # become plain LEFT JOINs rather than a nested "(product JOIN brand ...)" group, which
    # SQLite can only answer by materialising every product.
    # (SQLAlchemy documents innerjoin="unnested"; its annotation says bool only.)
    brand: Mapped[Brand] = relationship(
        lazy="joined", innerjoin="unnested")  # type: ignore[arg-type]
    category: Mapped[Category] = relationship(
        lazy="joined", innerjoin="unnested")  # type: ignore[arg-type]
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="Variant.position, Variant.id",
        cascade="all, delete-orphan",
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", order_by="ProductImage.position, ProductImage.id",
        cascade="all, delete-orphan",
    )
    ingredients: Mapped[list[Ingredient]] = relationship(
        secondary=product_ingredient, order_by="Ingredient.name"
    )
    skin_type_links: Mapped[list[ProductSkinType]] = relationship(
        cascade="all, delete-orphan", order_by="ProductSkinType.skin_type"
    )

    def __repr__(self) -> str:
        return f"<Product {self.slug}>"

    @property
    def families(self) -> set[str]:
        return {ingredient.family for ingredient in self.ingredients if ingredient.family}

    @property
    def skin_types(self) -> list[SkinType]:
        return [link.skin_type for link in self.skin_type_links]


# The product list's default ("featured") sort read in order from an index, so a page of
# it costs a few rows rather than sorting every active product; the expressions are the
# ones storefront.catalog.services orders by. A category's products by status, for the
# count and the filtered list without reading each product's row.
Index("ix_product_featured_order", Product.status, Product.featured_rank.is_(None),
      Product.featured_rank, func.lower(Product.name), Product.id)
Index("ix_product_category_status", Product.category_id, Product.status)


class ProductSkinType(Model):
    __tablename__ = "product_skin_type"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), primary_key=True
    )
    skin_type: Mapped[SkinType] = mapped_column(enum_column(SkinType), primary_key=True,
                                                index=True)


class Variant(VariantRules, TimestampMixin, Model):
    """A size of a product with its own SKU, price and stock.

    ``stock_reserved`` counts units held for checkouts in progress; what can still be
    sold is ``stock_on_hand - stock_reserved``. Both only ever change in one SQL
    statement guarded by a WHERE clause, so they can't go negative or be oversold.
    """

    __tablename__ = "variant"
    __table_args__ = (
        CheckConstraint("stock_on_hand >= 0", name="stock_on_hand_not_negative"),
        CheckConstraint("stock_reserved >= 0", name="stock_reserved_not_negative"),
        CheckConstraint("stock_reserved <= stock_on_hand", name="reserved_within_on_hand"),
        CheckConstraint("price >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"),
                                            index=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    size_label: Mapped[str] = mapped_column(String(40))
    price: Mapped[Decimal] = mapped_column(money_column())
    compare_at_price: Mapped[Decimal | None] = mapped_column(money_column())
    currency: Mapped[str] = mapped_column(String(3), default=shop_currency)
    stock_on_hand: Mapped[int] = mapped_column(default=0)
    stock_reserved: Mapped[int] = mapped_column(default=0)
    low_stock_threshold: Mapped[int] = mapped_column(default=5)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    product: Mapped[Product] = relationship(back_populates="variants")

    def __repr__(self) -> str:
        return f"<Variant {self.sku}>"


# A product's lowest price on sale (the list's price sorts and filters) from the index alone.
Index("ix_variant_product_active_price", Variant.product_id, Variant.active, Variant.price)


class ProductImage(Model):
    """An uploaded picture; ``key`` names the files made from it in every size."""

    __tablename__ = "product_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    alt_text: Mapped[str] = mapped_column(String(200))
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship(back_populates="images")


# A product's pictures in order, from the index alone: a card shows the first one, and each
# card statement looks it up once a product (it was a sort of the product's pictures).
Index("ix_product_image_product_order", ProductImage.product_id, ProductImage.position,
      ProductImage.id)
