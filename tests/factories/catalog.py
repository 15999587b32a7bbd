"""Catalog rows: categories, brands, ingredients, products with variants."""

from __future__ import annotations

from decimal import Decimal

import factory
from flask import current_app

from storefront.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductSkinType,
    ProductStatus,
    Variant,
)
from tests.factories.base import BaseFactory

__all__ = [
    "BrandFactory",
    "CategoryFactory",
    "IngredientFactory",
    "ProductFactory",
    "VariantFactory",
]


class CategoryFactory(BaseFactory):
    class Meta:
        model = Category

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")


class BrandFactory(BaseFactory):
    class Meta:
        model = Brand

    slug = factory.Sequence(lambda n: f"brand-{n}")
    name = factory.Sequence(lambda n: f"Brand {n}")


class IngredientFactory(BaseFactory):
    class Meta:
        model = Ingredient

    slug = factory.Sequence(lambda n: f"ingredient-{n}")
    name = factory.Sequence(lambda n: f"Ingredient {n}")


class ProductFactory(BaseFactory):
    """An active product with one variant (``variants__...`` or ``VariantFactory`` for more).

    ``skin_types=[SkinType.DRY]`` and ``ingredients=[ingredient]`` are accepted too.
    """

    class Meta:
        model = Product

    slug = factory.Sequence(lambda n: f"product-{n}")
    name = factory.Sequence(lambda n: f"Product {n}")
    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    short_description = "A test product."
    status = ProductStatus.ACTIVE

    @factory.post_generation
    def ingredients(self, create, extracted, **kwargs):
        if extracted:
            self.ingredients.extend(extracted)

    @factory.post_generation
    def skin_types(self, create, extracted, **kwargs):
        for skin_type in extracted or []:
            self.skin_type_links.append(ProductSkinType(skin_type=skin_type))

    @factory.post_generation
    def variant(self, create, extracted, **kwargs):
        """One variant unless ``variant=False``; ``variant__price=...`` sets its fields."""
        if extracted is False:
            return
        VariantFactory(product=self, **kwargs)


class VariantFactory(BaseFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory, variant=False)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    size_label = "30 ml"
    price = Decimal("20.00")
    currency = factory.LazyFunction(lambda: current_app.config["SHOP_CURRENCY"])
    stock_on_hand = 20
    low_stock_threshold = 5
