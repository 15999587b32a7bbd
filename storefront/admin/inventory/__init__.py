"""Admin area "inventory" (admins): products, their sizes and pictures, brands, stock and
the product CSV (export, import with a dry run).

The rules are in ``storefront.catalog.editing`` (products, sizes, pictures),
``storefront.inventory.editing`` (stock) and ``storefront.inventory.csv_import``; the lists
in ``storefront.inventory.queries``.
"""
