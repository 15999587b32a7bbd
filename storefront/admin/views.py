"""The admin blueprint with every admin area's routes (one import line per area)."""

from storefront.admin import (
    content,  # noqa: F401
    content_authors,  # noqa: F401
    content_conditions,  # noqa: F401
    content_shop,  # noqa: F401
    dashboard,  # noqa: F401
    discounts,  # noqa: F401
    inventory,  # noqa: F401
    jobs,  # noqa: F401
    orders,  # noqa: F401
    questions,  # noqa: F401
    reviews,  # noqa: F401
    routines,  # noqa: F401
    search,  # noqa: F401
    settings,  # noqa: F401
    shipping,  # noqa: F401
    users,  # noqa: F401
)
from storefront.admin.blueprint import bp

__all__ = ["bp"]
