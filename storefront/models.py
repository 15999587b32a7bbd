"""Imports every model so that metadata (create_all, Alembic) sees the whole schema."""

from storefront.accounts.models import Role, User
from storefront.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductImage,
    ProductSkinType,
    Variant,
)
from storefront.content.models import (
    Article,
    Author,
    Condition,
    ReaderQuestion,
    Recommendation,
)
from storefront.mail.models import OutboxMessage

__all__ = [
    "Article",
    "Author",
    "Brand",
    "Category",
    "Condition",
    "Ingredient",
    "OutboxMessage",
    "Product",
    "ProductImage",
    "ProductSkinType",
    "ReaderQuestion",
    "Recommendation",
    "Role",
    "User",
    "Variant",
]
