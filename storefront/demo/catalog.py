"""The catalog part of ``flask seed-demo``: categories, brands and ingredients
(``data/catalog.toml``) and products (``data/products.toml``). Everything is looked up
before it is made."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.catalog.images import create_product_image, file_name
from storefront.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductSkinType,
    ProductStatus,
    SkinType,
    Variant,
)
from storefront.demo import files
from storefront.demo.pictures import draw_pack_shot
from storefront.extensions import db
from storefront.media import media_storage

SHAPE_WORDS = {"dropper": "dropper bottle", "pump": "pump bottle", "tube": "tube",
               "jar": "jar", "bottle": "bottle"}


@dataclass(frozen=True)
class Size:
    label: str
    price: str
    stock: int
    compare_at: str | None = None

    @property
    def amount(self) -> Decimal:
        return Decimal(self.price)

    @property
    def compare_amount(self) -> Decimal | None:
        return Decimal(self.compare_at) if self.compare_at else None


@dataclass(frozen=True)
class DemoProduct:
    slug: str
    name: str
    label: str  # the short name printed on the pack in the picture
    brand: str
    category: str
    shape: str  # dropper, pump, tube, jar or bottle
    colour: tuple[int, int, int]
    key_ingredients: tuple[str, ...]
    skin_types: tuple[SkinType, ...]
    sizes: tuple[Size, ...]
    short_description: str
    description: str
    how_to_use: str
    ingredients_list: str
    featured_rank: int | None = None
    prescription_only: bool = False
    brand_names: str = ""  # what a prescription medicine is sold as

    @property
    def sku_stem(self) -> str:
        return "HS-" + "".join(word[0] for word in self.slug.split("-")).upper()

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> DemoProduct:
        return cls(**{**row, "colour": tuple(row["colour"]),
                      "key_ingredients": tuple(row["key_ingredients"]),
                      "skin_types": tuple(SkinType(kind) for kind in row["skin_types"]),
                      "sizes": tuple(Size(**size) for size in row["sizes"])})


@dataclass(frozen=True)
class DemoCatalog:
    categories: list[dict[str, str]]  # slug, name, description
    brands: list[dict[str, str]]  # slug, name, description
    ingredients: list[dict[str, str]]  # slug, name, family, summary
    products: list[DemoProduct]


def load() -> DemoCatalog:
    """The demo catalog as its data files have it."""
    lookups = files.table("catalog")
    return DemoCatalog(lookups["categories"], lookups["brands"], lookups["ingredients"],
                       [DemoProduct.from_row(row) for row in files.table("products")["products"]])


def _by_slug(model) -> dict:
    return {row.slug: row for row in db.session.scalars(select(model))}


def _seed_lookups(data: DemoCatalog) -> tuple[dict, dict, dict, int]:
    """Categories, brands and ingredients by slug, creating the missing ones."""
    created = 0
    tables = ((Category, [{**row, "position": position}
                          for position, row in enumerate(data.categories)]),
              (Brand, data.brands),
              (Ingredient, data.ingredients))
    found = []
    for model, rows in tables:
        existing = _by_slug(model)
        for row in rows:
            if row["slug"] not in existing:
                existing[row["slug"]] = model(**row)
                db.session.add(existing[row["slug"]])
                created += 1
        found.append(existing)
    _fill_families(found[2], data.ingredients)
    db.session.flush()
    return found[0], found[1], found[2], created


def _fill_families(ingredients: dict, rows: list[dict[str, str]]) -> None:
    """Give demo ingredients seeded before families existed their family."""
    for row in rows:
        if not ingredients[row["slug"]].family:
            ingredients[row["slug"]].family = row["family"]


def _new_product(data: DemoProduct, categories, brands, ingredients) -> Product:
    product = Product(
        slug=data.slug, name=data.name, brand=brands[data.brand],
        category=categories[data.category], short_description=data.short_description,
        description=data.description, how_to_use=data.how_to_use,
        ingredients_list=data.ingredients_list, status=ProductStatus.ACTIVE,
        prescription_only=data.prescription_only, featured_rank=data.featured_rank,
        brand_names=data.brand_names,
    )
    product.ingredients = [ingredients[slug] for slug in data.key_ingredients]
    product.skin_type_links = [ProductSkinType(skin_type=kind) for kind in data.skin_types]
    db.session.add(product)
    return product


def _sku(data: DemoProduct, size_label: str) -> str:
    return f"{data.sku_stem}-{re.sub(r'[^0-9]', '', size_label)}"


def _add_missing_variants(product: Product, data: DemoProduct, known_skus: set[str]) -> int:
    created = 0
    for position, size in enumerate(data.sizes):
        sku = _sku(data, size.label)
        if sku in known_skus:
            continue
        product.variants.append(Variant(
            sku=sku, size_label=size.label, price=size.amount,
            compare_at_price=size.compare_amount,
            currency=current_app.config["SHOP_CURRENCY"], stock_on_hand=size.stock,
            position=position,
        ))
        known_skus.add(sku)
        created += 1
    return created


def _ensure_picture(product: Product, data: DemoProduct, brand: str, storage) -> int:
    """Draw the pack shot when the product has none, or when its files have gone missing."""
    if product.images:
        image = product.images[0]
        if storage.exists(file_name(image.key, image.width, "jpg")):
            return 0
    picture = draw_pack_shot(data.label, brand, data.shape, data.colour)
    alt = f"{data.name} by {brand}, in a {SHAPE_WORDS[data.shape]}"
    create_product_image(product, picture, alt, storage=storage, quick=True)
    return 1


def _align_currency(product: Product, data: DemoProduct) -> int:
    """Demo sizes priced in another currency (a demo database made before the shop's
    currency changed) take the shop's: otherwise none of them could be sold."""
    currency = current_app.config["SHOP_CURRENCY"]
    demo_skus = {_sku(data, size.label) for size in data.sizes}
    changed = [variant for variant in product.variants
               if variant.sku in demo_skus and variant.currency != currency]
    for variant in changed:
        variant.currency = currency
    return len(changed)


def seed_catalog() -> list[str]:
    """Create the demo catalog's missing parts and say what was done. Flushes only."""
    demo = load()
    categories, brands, ingredients, lookups = _seed_lookups(demo)
    products = {product.slug: product for product in db.session.scalars(
        select(Product).options(selectinload(Product.variants),
                                selectinload(Product.images)))}
    known_skus = set(db.session.scalars(select(Variant.sku)))
    storage = media_storage()
    brand_names = {row["slug"]: row["name"] for row in demo.brands}
    made = {"products": 0, "sizes": 0, "pictures": 0, "repriced": 0}
    for data in demo.products:
        product = products.get(data.slug)
        if product is None:
            product = _new_product(data, categories, brands, ingredients)
            made["products"] += 1
        else:
            if data.brand_names and not product.brand_names:
                product.brand_names = data.brand_names  # seeded before brand names existed
            made["repriced"] += _align_currency(product, data)
        made["sizes"] += _add_missing_variants(product, data, known_skus)
        db.session.flush()
        made["pictures"] += _ensure_picture(product, data, brand_names[data.brand], storage)
    if not lookups and not any(made.values()):
        return [f"Catalog: all {len(demo.products)} demo products exist"]
    lines = [f"Catalog: created {made['products']} products, {made['sizes']} sizes, "
             f"{made['pictures']} pictures and {lookups} categories, brands and ingredients"]
    if made["repriced"]:
        lines.append(f"Catalog: {made['repriced']} demo sizes now priced in "
                     f"{current_app.config['SHOP_CURRENCY']}")
    return lines
