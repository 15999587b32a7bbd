"""The settings area's pages, one module per page group; importing this installs them all."""

from storefront.admin.settings.views import (  # noqa: F401  (their routes)
    search,
    shipping,
    shop,
)
