"""Template helpers for catalog pages and the product card other features embed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from flask import Flask, request

from storefront.catalog.images import file_name, rendition_widths
from storefront.catalog.models import Product, ProductImage, StockState, Variant
from storefront.links import request_memo
from storefront.media import media_storage
from storefront.money import format_money

STOCK_CLASSES = {
    StockState.IN_STOCK: "stock-in",
    StockState.LOW: "stock-low",
    StockState.OUT: "stock-out",
}
MAX_NEXT_LENGTH = 1000


@dataclass(frozen=True)
class Stock:
    state: StockState
    label: str

    @property
    def css_class(self) -> str:
        return STOCK_CLASSES[self.state]


@dataclass(frozen=True)
class PriceInfo:
    amount: Decimal
    compare_at: Decimal | None
    currency: str
    varies: bool


def media_url(name: str, external: bool = False) -> str:
    return media_storage().url(name, external=external)


def stock_of(item: Product | Variant) -> Stock:
    """The stock state of a variant or product with the words a shopper sees."""
    state = item.stock_state
    if state is StockState.LOW:
        variants = item.sold_variants if isinstance(item, Product) else [item]
        left = sum(variant.available for variant in variants
                   if variant.stock_state is StockState.LOW)
        return Stock(state, f"Only {left} left")
    return Stock(state, "In stock" if state is StockState.IN_STOCK else "Out of stock")


def price_of(product: Product) -> PriceInfo | None:
    """The lowest price on sale, its struck-through compare-at price, and whether sizes differ."""
    variants = product.sold_variants
    if not variants:
        return None
    cheapest = min(variants, key=lambda variant: (variant.price, variant.position))
    compare_at = cheapest.compare_at_price if cheapest.on_sale else None
    varies = len({variant.price for variant in variants}) > 1
    return PriceInfo(cheapest.price, compare_at, cheapest.currency, varies)


def quick_add_variant(product: Product) -> Variant | None:
    """The variant a card can add straight to the cart: the only one on sale, in stock."""
    if not product.is_sold:
        return None
    variants = product.sold_variants
    if len(variants) == 1 and variants[0].available > 0:
        return variants[0]
    return None


def picture_data(image: ProductImage, widths) -> dict:
    """URLs and dimensions for ``<picture>``: the requested widths that exist for ``image``."""
    made = rendition_widths(image.width)
    chosen = sorted({min(int(width), image.width) for width in widths} & set(made))
    chosen = chosen or [made[-1]]
    largest = chosen[-1]

    def srcset(extension: str) -> str:  # JPEG needs none: it is only the fallback
        return ", ".join(f"{media_url(file_name(image.key, width, extension))} {width}w"
                         for width in chosen)

    return {
        "webp": srcset("webp"),
        "src": media_url(file_name(image.key, largest, "jpg")),
        "width": largest,
        "height": max(1, round(image.height * largest / image.width)),
    }


def current_path() -> str:
    """This page's path and query, for a form's ``next`` field (just the path if very long).

    The query holds what the view reads (``request.args``): on a cached page, only the
    parameters it declares, so a stored page never carries anyone's other parameters.
    """
    memo = request_memo("current_path")  # asked once per card with a form
    if not memo:
        query = urlencode(list(request.args.items(multi=True)))
        full = f"{request.path}?{query}" if query else request.path
        memo["path"] = full if len(full) <= MAX_NEXT_LENGTH else request.path
    return memo["path"]


def register_catalog_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        format_money=format_money,
        media_url=media_url,
        stock_of=stock_of,
        price_of=price_of,
        quick_add_variant=quick_add_variant,
        picture_data=picture_data,
        current_path=current_path,
    )
