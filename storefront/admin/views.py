"""The admin blueprint with every admin area's routes (one import line per area)."""

from storefront.admin import users  # noqa: F401
from storefront.admin.blueprint import bp

__all__ = ["bp"]
