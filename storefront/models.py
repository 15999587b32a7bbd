"""Imports every model so that metadata (create_all, Alembic) sees the whole schema."""

from storefront.accounts.models import Role, SavedAddress, User, UserLogin
from storefront.alerts.models import StockAlert
from storefront.audit.models import AuditEntry
from storefront.cart.models import Cart, CartLine
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
    ShopText,
    ShopTextRevision,
)
from storefront.discounts.models import DiscountCode
from storefront.inventory.models import StockMovement
from storefront.mail.models import OutboxMessage
from storefront.orders.models import Order, OrderEvent, OrderLine, Payment, Refund
from storefront.payments.models import StripeEvent
from storefront.queue.models import FailedJob
from storefront.reviews.models import Review, ReviewInvitation, ReviewVote
from storefront.routines.models import ConflictRule, IngredientClass, RoutineStep, SavedRoutine
from storefront.search.models import SearchCount, SearchSynonym, SearchWord, SearchWordVersion
from storefront.settings.models import ShopSettings
from storefront.shipping.models import ShippingMethod, ShippingZone, ShippingZoneArea, TaxRate

__all__ = [
    "Article",
    "AuditEntry",
    "Author",
    "Brand",
    "Cart",
    "CartLine",
    "Category",
    "Condition",
    "ConflictRule",
    "DiscountCode",
    "FailedJob",
    "Ingredient",
    "IngredientClass",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OutboxMessage",
    "Payment",
    "Product",
    "ProductImage",
    "ProductSkinType",
    "ReaderQuestion",
    "Recommendation",
    "Refund",
    "Review",
    "ReviewInvitation",
    "ReviewVote",
    "Role",
    "RoutineStep",
    "SavedAddress",
    "SavedRoutine",
    "SearchCount",
    "SearchSynonym",
    "SearchWord",
    "SearchWordVersion",
    "ShippingMethod",
    "ShippingZone",
    "ShippingZoneArea",
    "ShopSettings",
    "ShopText",
    "ShopTextRevision",
    "StockAlert",
    "StockMovement",
    "StripeEvent",
    "TaxRate",
    "User",
    "UserLogin",
    "Variant",
]
