"""The product page's product read as plain rows: two statements, no ORM objects.

Loaded through the ORM, the product with its sizes, pictures and skin types (one row for
each combination) and its key ingredients cost more in SQLAlchemy's loading than in SQL.
The page only reads values, so ``product_for_page`` selects the columns it shows and
builds small slotted objects that follow the models' own rules (``ProductRules``,
``VariantRules``, ``BrandRules``), as product cards do (``storefront.catalog.cards``).
Rows fire no ORM load event: ``product_for_page`` tells the page cache itself that the page
shows the product and its prices (``depends_on(product_tag(id), price_tag(id))``), as a
loaded ``Product``, its sizes and its pictures would. Its brand, category, ingredients and
skin types are tracked by no tag: a change to any of them re-renders every page (``all``),
as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import BindParameter, Select, bindparam, literal, null, select, union_all

from storefront.caching import depends_on
from storefront.catalog.cards import CardBrand, CardVariant
from storefront.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductImage,
    ProductRules,
    ProductSkinType,
    ProductStatus,
    SkinType,
    Variant,
    product_ingredient,
)
from storefront.catalog.page_tags import price_tag, product_tag
from storefront.extensions import read_rows
from storefront.slugs import is_slug


@dataclass(slots=True)
class PageCategory:
    slug: str
    name: str


@dataclass(slots=True)
class PageVariant(CardVariant):
    """A size as the product's page shows it: a card's, with its SKU."""

    sku: str


@dataclass(slots=True)
class PagePicture:
    key: str
    alt_text: str
    width: int
    height: int


@dataclass(slots=True)
class PageIngredient:
    slug: str
    name: str
    summary: str
    family: str


@dataclass(slots=True)
class PageProduct(ProductRules[PageVariant, PagePicture]):
    """A product as its own page shows it: every size (on sale or not), every picture."""

    id: int
    slug: str
    name: str
    short_description: str
    description: str
    ingredients_list: str
    how_to_use: str
    status: ProductStatus
    prescription_only: bool
    brand_names: str
    rating_1_count: int
    rating_2_count: int
    rating_3_count: int
    rating_4_count: int
    rating_5_count: int
    brand: CardBrand
    category: PageCategory
    variants: list[PageVariant] = field(default_factory=list)
    images: list[PagePicture] = field(default_factory=list)
    skin_types: list[SkinType] = field(default_factory=list)
    ingredients: list[PageIngredient] = field(default_factory=list)

    @property
    def families(self) -> set[str]:
        return {ingredient.family for ingredient in self.ingredients if ingredient.family}


_PRODUCT_COLUMNS = (
    Product.id, Product.slug, Product.name, Product.short_description, Product.description,
    Product.ingredients_list, Product.how_to_use, Product.status, Product.prescription_only,
    Product.brand_names, Product.rating_1_count, Product.rating_2_count,
    Product.rating_3_count, Product.rating_4_count, Product.rating_5_count)
_BRAND_COLUMNS = (Brand.name, Brand.financial_tie)
_CATEGORY_COLUMNS = (Category.slug, Category.name)
_VARIANT_COLUMNS = (
    Variant.id, Variant.size_label, Variant.price, Variant.compare_at_price,
    Variant.currency, Variant.stock_on_hand, Variant.stock_reserved,
    Variant.low_stock_threshold, Variant.position, Variant.active, Variant.sku)
_BRAND_START = len(_PRODUCT_COLUMNS)
_CATEGORY_START = _BRAND_START + len(_BRAND_COLUMNS)
_VARIANT_START = _CATEGORY_START + len(_CATEGORY_COLUMNS)
# What each row of the details statement is (its first column).
_PICTURE, _SKIN_TYPE, _INGREDIENT = 1, 2, 3


@cache
def _product_statement() -> Select:
    """The active product with a slug, one row per size (one row of NULLs without sizes),
    with its brand and category; built once."""
    return (
        select(*_PRODUCT_COLUMNS, *_BRAND_COLUMNS, *_CATEGORY_COLUMNS, *_VARIANT_COLUMNS)
        .join(Brand, Brand.id == Product.brand_id)
        .join(Category, Category.id == Product.category_id)
        .outerjoin(Variant, Variant.product_id == Product.id)
        .where(Product.slug == bindparam("slug"), Product.status == ProductStatus.ACTIVE)
        .order_by(Variant.position, Variant.id)
    )


@cache
def _details_statement() -> Select:
    """A product's pictures, skin types and key ingredients, each in the models' order, in
    one statement: (kind, four texts, width, height, then sort keys). Built once.

    Ingredients are read from the link table first: joined from the product, SQLite
    materialises every product's links."""
    product_id: BindParameter[int] = bindparam("product_id")
    pictures = select(
        literal(_PICTURE).label("kind"), ProductImage.key, ProductImage.alt_text,
        null().label("summary"), null().label("family"), ProductImage.width,
        ProductImage.height, ProductImage.position.label("position"),
        ProductImage.id.label("row_id"), null().label("name"),
    ).where(ProductImage.product_id == product_id)
    skin_types = select(
        literal(_SKIN_TYPE), ProductSkinType.skin_type, null(), null(), null(), null(), null(),
        null(), null(), ProductSkinType.skin_type,
    ).where(ProductSkinType.product_id == product_id)
    ingredients = select(
        literal(_INGREDIENT), Ingredient.slug, Ingredient.name, Ingredient.summary,
        Ingredient.family, null(), null(), null(), null(), Ingredient.name,
    ).join(product_ingredient, product_ingredient.c.ingredient_id == Ingredient.id).where(
        product_ingredient.c.product_id == product_id)
    details = union_all(pictures, skin_types, ingredients).subquery()
    return select(*details.c[:7]).order_by(
        details.c.kind, details.c.position, details.c.row_id, details.c.name)


def product_for_page(slug: str) -> PageProduct | None:
    """The active product with ``slug`` and everything its page shows of it, or None."""
    if not is_slug(slug):
        return None
    rows = read_rows(_product_statement(), {"slug": slug}).all()
    if not rows:
        return None
    product = _product(rows[0])
    product.variants = [PageVariant(*row[_VARIANT_START:]) for row in rows
                        if row[_VARIANT_START] is not None]
    for kind, first, second, third, fourth, width, height in read_rows(
            _details_statement(), {"product_id": product.id}):
        if kind == _PICTURE:
            product.images.append(PagePicture(first, second, width, height))
        elif kind == _SKIN_TYPE:
            product.skin_types.append(SkinType(first))
        else:
            product.ingredients.append(PageIngredient(first, second, third, fourth))
    depends_on(product_tag(product.id), price_tag(product.id))  # its sizes' prices, outside holes
    return product


def _product(row) -> PageProduct:
    (product_id, slug, name, short_description, description, ingredients_list, how_to_use,
     status, prescription_only, brand_names, one, two, three, four, five) = row[:_BRAND_START]
    return PageProduct(
        product_id, slug, name, short_description, description, ingredients_list,
        how_to_use, status, prescription_only, brand_names, one, two, three, four, five,
        CardBrand(*row[_BRAND_START:_CATEGORY_START]),
        PageCategory(*row[_CATEGORY_START:_VARIANT_START]))
