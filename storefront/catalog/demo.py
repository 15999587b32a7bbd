"""The catalog part of ``flask seed-demo``: everything is looked up before it is made."""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.catalog.demo_data import BRANDS, CATEGORIES, INGREDIENTS, PRODUCTS, DemoProduct
from storefront.catalog.demo_pictures import draw_pack_shot
from storefront.catalog.images import create_product_image, file_name
from storefront.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductSkinType,
    ProductStatus,
    Variant,
)
from storefront.extensions import db
from storefront.media import media_storage

SHAPE_WORDS = {"dropper": "dropper bottle", "pump": "pump bottle", "tube": "tube",
               "jar": "jar", "bottle": "bottle"}


def _by_slug(model) -> dict:
    return {row.slug: row for row in db.session.scalars(select(model))}


def _seed_lookups() -> tuple[dict, dict, dict, int]:
    """Categories, brands and ingredients by slug, creating the missing ones."""
    created = 0
    tables = ((Category, [(slug, name, {"description": text, "position": position})
                          for position, (slug, name, text) in enumerate(CATEGORIES)]),
              (Brand, [(slug, name, {"description": text}) for slug, name, text in BRANDS]),
              (Ingredient, [(slug, name, {"summary": text, "family": family})
                            for slug, name, family, text in INGREDIENTS]))
    found = []
    for model, rows in tables:
        existing = _by_slug(model)
        for slug, name, fields in rows:
            if slug not in existing:
                existing[slug] = model(slug=slug, name=name, **fields)
                db.session.add(existing[slug])
                created += 1
        found.append(existing)
    _fill_families(found[2])
    db.session.flush()
    return found[0], found[1], found[2], created


def _fill_families(ingredients: dict) -> None:
    """Give demo ingredients seeded before families existed their family."""
    for slug, _name, family, _text in INGREDIENTS:
        if not ingredients[slug].family:
            ingredients[slug].family = family


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


def _ensure_picture(product: Product, data: DemoProduct, storage) -> int:
    """Draw the pack shot when the product has none, or when its files have gone missing."""
    if product.images:
        image = product.images[0]
        if storage.exists(file_name(image.key, image.width, "jpg")):
            return 0
    brand = next(name for slug, name, _text in BRANDS if slug == data.brand)
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
    categories, brands, ingredients, lookups = _seed_lookups()
    products = {product.slug: product for product in db.session.scalars(
        select(Product).options(selectinload(Product.variants),
                                selectinload(Product.images)))}
    known_skus = set(db.session.scalars(select(Variant.sku)))
    storage = media_storage()
    made = {"products": 0, "sizes": 0, "pictures": 0, "repriced": 0}
    for data in PRODUCTS:
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
        made["pictures"] += _ensure_picture(product, data, storage)
    if not lookups and not any(made.values()):
        return [f"Catalog: all {len(PRODUCTS)} demo products exist"]
    lines = [f"Catalog: created {made['products']} products, {made['sizes']} sizes, "
             f"{made['pictures']} pictures and {lookups} categories, brands and ingredients"]
    if made["repriced"]:
        lines.append(f"Catalog: {made['repriced']} demo sizes now priced in "
                     f"{current_app.config['SHOP_CURRENCY']}")
    return lines
