"""What the catalog's rows make of pages (``storefront.caching.track``): a product and its
sizes and pictures show wherever the product does. A size's price or stock, a product's
words, pictures and ratings change only those pages (and the lists that sort or filter by
price or stock); anything else about a product (its name, brand, category, status) may
move it in or out of lists, and re-renders every page.

Called once by ``create_app``.
"""

from __future__ import annotations

from storefront.caching import loaded, track
from storefront.catalog.models import Product, ProductImage, Variant

PRICES = "prices"  # lists sorted or filtered by price
STOCK = "stock"  # lists filtered by stock, and picks of products in stock (a size running
# out or coming back bumps it; storefront.inventory.services names the tags a sale touches)
SEARCH = "search"  # words that search finds pages by


def product_tag(product_id: int) -> str:
    return f"product:{product_id}"


def available_tag(product_id: int) -> str:
    """Pages that show how many of a product's sizes are left to the unit (a cart's "only 4
    left"), where its pages only show in stock, out of stock or low."""
    return f"available:{product_id}"


def _of_product(row) -> tuple[str, ...] | None:
    """A size's or a picture's tag: its product's (when its ``product_id`` was loaded; a
    card loads its sizes without it, and the product itself is tagged then)."""
    product_id = loaded(row, "product_id")
    return None if product_id is None else (product_tag(product_id),)


def track_catalog() -> None:
    track(Product, lambda product: (product_tag(loaded(product, "id")),), narrow={
        **{f"rating_{stars}_count": () for stars in range(1, 6)},
        "updated_at": (), "how_to_use": (), "images": (), "variants": (),
        "description": (SEARCH,), "short_description": (SEARCH,),
        "ingredients_list": (SEARCH,),
    })
    track(Variant, _of_product, narrow={
        "price": (PRICES,), "stock_on_hand": (STOCK,), "stock_reserved": (STOCK,),
        "compare_at_price": (), "low_stock_threshold": (), "sku": (), "size_label": (),
        "position": (), "updated_at": (),
    })
    track(ProductImage, _of_product, children=True)
