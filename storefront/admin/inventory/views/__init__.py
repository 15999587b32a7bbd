"""The inventory area's pages, one module per page group; importing this installs them all."""

from storefront.admin.inventory.views import (  # noqa: F401  (their routes)
    brands,
    product_csv,
    products,
    stock,
    variants,
)
