"""The admin blueprint with every admin area's routes (one import line per area)."""

from storefront.admin.blueprint import bp
from storefront.admin.content import views as content_views  # noqa: F401
from storefront.admin.dashboard import views as dashboard_views  # noqa: F401
from storefront.admin.discounts import views as discounts_views  # noqa: F401
from storefront.admin.inventory import views as inventory_views  # noqa: F401
from storefront.admin.jobs import views as jobs_views  # noqa: F401
from storefront.admin.orders import views as orders_views  # noqa: F401
from storefront.admin.people import views as people_views  # noqa: F401
from storefront.admin.settings import views as settings_views  # noqa: F401

__all__ = ["bp"]
