"""The admin's inventory area: products, sizes and pictures, stock, CSV export and import.

Each module adds its routes to the shared admin blueprint; importing this one installs
them all.
"""

from storefront.admin import (  # noqa: F401  (their routes)
    inventory_brands,
    inventory_csv,
    inventory_products,
    inventory_stock,
    inventory_variants,
)
