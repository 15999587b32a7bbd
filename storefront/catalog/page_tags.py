"""What the catalog's rows make of pages (``storefront.caching.track``): a product and its
sizes and pictures show wherever the product does. A size's price or stock, a product's
words, pictures and ratings change only those pages (and the lists that sort or filter by
price or stock); anything else about a product (its name, brand, category, status) may
move it in or out of lists, and re-renders every page.

Called once by ``create_app``.
"""

from __future__ import annotations

from bisect import bisect_left
from decimal import Decimal

from storefront.caching import EVERYTHING, loaded, track
from storefront.catalog.models import Product, ProductImage, Variant

PRICES = "prices"  # anything that depends on every price (the routine builder's budget)
STOCK = "stock"  # lists filtered by stock, and picks of products in stock (a size running
# out or coming back bumps it; storefront.inventory.services names the tags a sale touches)
SEARCH = "search"  # words that search finds pages by


def product_tag(product_id: int) -> str:
    return f"product:{product_id}"


def price_tag(product_id: int) -> str:
    """A product's prices: pages show them in holes refilled on their own (a card's price
    line, ``storefront.caching.hole``), or depend on it whole (its own page, ``price_of``)."""
    return f"price:{product_id}"


def available_tag(product_id: int) -> str:
    """Pages that show how many of a product's sizes are left to the unit (a cart's "only 4
    left"), where its pages only show in stock, out of stock or low."""
    return f"available:{product_id}"


# Where lists sorted or filtered by price are told apart, in the shop's currency: a list
# depends on the band its own prices end in, and a size's new price bumps only the bands
# it could reach (``price_change_tags``).
PRICE_BANDS = (5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300, 500)
LAST_BAND = len(PRICE_BANDS)


def price_band(price: Decimal | int | None) -> int:
    """The band of ``price``: 0 up to 5, 1 above 5 up to 10, ...; no price, the last."""
    return LAST_BAND if price is None else bisect_left(PRICE_BANDS, price)


def up_to_tag(band: int) -> str:
    """Lists whose order or members a price at or below ``band`` can change: sorted cheapest
    first (the band of the page's dearest), or filtered "up to" a price."""
    return f"prices-up-to:{band}"


def from_tag(band: int) -> str:
    """Lists whose order or members a price at or above ``band`` can change: sorted dearest
    first (the band of the page's cheapest), or filtered "from" a price."""
    return f"prices-from:{band}"


def through_tag(band: int) -> str:
    """Lists filtered by a price limit in ``band``: a product enters or leaves them only
    when its price moves through that band (whatever they are sorted by)."""
    return f"prices-through:{band}"


def price_change_tags(old: Decimal | None, new: Decimal | None) -> tuple[str, ...]:
    """What a size's price going from ``old`` to ``new`` touches besides its product.

    Lists sort and filter by a product's lowest price. That moves only if the size was or
    becomes the cheapest, so from and to prices between ``old`` and ``new``: a list sorted
    cheapest first whose page ends below both is unchanged, and so is one sorted dearest
    first whose page ends above both, and one filtered to a range both miss on the same
    side; and a list filtered by a limit in a band neither price reaches gains or loses
    nothing (``through_tag``). Unknown ``old``: every band."""
    if old is None or new is None:
        low, high = 0, LAST_BAND
    else:
        low, high = price_band(min(old, new)), price_band(max(old, new))
    return (PRICES, *(up_to_tag(band) for band in range(low, LAST_BAND + 1)),
            *(from_tag(band) for band in range(high + 1)),
            *(through_tag(band) for band in range(low, high + 1)))


def _price_tags(variant, history) -> tuple[str, ...]:
    return (*_compare_at_tags(variant, history),
            *price_change_tags(history.deleted[0] if history.deleted else None,
                               history.added[0] if history.added else None))


def _compare_at_tags(variant, _history) -> tuple[str, ...]:
    product_id = loaded(variant, "product_id")
    return (EVERYTHING,) if product_id is None else (price_tag(product_id),)


def _of_product(row) -> tuple[str, ...] | None:
    """A picture's tag: its product's (when its ``product_id`` was loaded; a card loads its
    pictures without it, and the product itself is tagged then)."""
    product_id = loaded(row, "product_id")
    return None if product_id is None else (product_tag(product_id),)


def _of_size(row) -> tuple[str, ...] | None:
    """A size's tags: its product's and its product's prices (a size loaded through the ORM
    may show its price outside a hole)."""
    product_id = loaded(row, "product_id")
    return None if product_id is None else (product_tag(product_id), price_tag(product_id))


def track_catalog() -> None:
    track(Product, lambda product: (product_tag(loaded(product, "id")),), narrow={
        **{f"rating_{stars}_count": () for stars in range(1, 6)},
        "updated_at": (), "how_to_use": (), "images": (), "variants": (),
        "description": (SEARCH,), "short_description": (SEARCH,),
        "ingredients_list": (SEARCH,),
    })
    track(Variant, _of_size, narrow={
        "price": _price_tags, "stock_on_hand": (STOCK,), "stock_reserved": (STOCK,),
        "compare_at_price": _compare_at_tags, "low_stock_threshold": (), "sku": (),
        "size_label": (), "position": (), "updated_at": (),
    }, alone=("price", "compare_at_price", "updated_at"))
    track(ProductImage, _of_product, children=True)
