"""Template helpers for catalog pages and the product card other features embed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from flask import Flask, request, url_for

from storefront.catalog.images import file_name, rendition_widths
from storefront.catalog.models import ProductRules, StockState, VariantRules
from storefront.links import nav_url, request_memo, route_link, with_query
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


def stock_of(item: ProductRules | VariantRules) -> Stock:
    """The stock state of a variant or product with the words a shopper sees."""
    state = item.stock_state
    if state is StockState.LOW:
        variants = item.sold_variants if isinstance(item, ProductRules) else [item]
        left = sum(variant.available for variant in variants
                   if variant.stock_state is StockState.LOW)
        return Stock(state, f"Only {left} left")
    return Stock(state, "In stock" if state is StockState.IN_STOCK else "Out of stock")


def price_of(product: ProductRules) -> PriceInfo | None:
    """The lowest price on sale, its struck-through compare-at price, and whether sizes differ."""
    variants = product.sold_variants
    if not variants:
        return None
    cheapest = min(variants, key=lambda variant: (variant.price, variant.position))
    compare_at = cheapest.compare_at_price if cheapest.on_sale else None
    varies = len({variant.price for variant in variants}) > 1
    return PriceInfo(cheapest.price, compare_at, cheapest.currency, varies)


def quick_add_variant(product: ProductRules) -> VariantRules | None:
    """The variant a card can add straight to the cart: the only one on sale, in stock."""
    if not product.is_sold:
        return None
    variants = product.sold_variants
    if len(variants) == 1 and variants[0].available > 0:
        return variants[0]
    return None


def picture_data(image, widths) -> dict:
    """URLs and dimensions for ``<picture>``: the requested widths that exist for ``image``."""
    key, image_width = image.key, image.width
    made = rendition_widths(image_width)
    chosen = sorted({min(int(width), image_width) for width in widths} & set(made))
    chosen = chosen or [made[-1]]
    largest = chosen[-1]
    url = media_storage().url
    # JPEG needs no srcset: it is only the fallback.
    return {
        "webp": ", ".join(f"{url(file_name(key, width, 'webp'))} {width}w" for width in chosen),
        "src": url(file_name(key, largest, "jpg")),
        "width": largest,
        "height": max(1, round(image.height * largest / image_width)),
    }


# The card's picture: the sizes attribute and widths it asks for.
CARD_PICTURE_WIDTHS = (200, 400)
STARS = 5


@dataclass(frozen=True, slots=True)
class Card:
    """What a product card shows, worked out in Python in one call: the card is drawn
    dozens of times per page, and each lookup or call made in the template costs more
    there than here. ``action`` is "add" (one size on sale, in stock: a cart form),
    "alert" (sold out: a link to ask for an e-mail), "choose" (several sizes: a link to
    the product) or None."""

    href: str
    name: str
    brand: str
    picture: dict | None
    rating: tuple[str, Decimal | None, str] | None  # (stars, average, "12 reviews")
    prescription_only: bool
    brand_names: list[str]
    price: str | None  # "From €12.00"
    compare_at: str | None
    size: str | None  # the only size on sale
    stock: Stock | None
    disclosure: tuple[str, str] | None  # (the tie in lower case, what it means)
    action: str | None
    variant_id: int | None  # the size the cart form adds
    cart_url: str | None
    alert_url: str | None


def card_of(product, article=None) -> Card:
    """Everything ``product_card`` shows of ``product`` (linked from ``article``)."""
    href = route_link("catalog.product_detail", "slug")(product.slug)
    if article is not None:
        href = with_query(href, {"article": article.slug})
    prescription = product.prescription_only
    sold = product.sold_variants
    image = product.primary_image
    brand = product.brand
    price_text = compare_text = size = stock = None
    if not prescription:
        price_text, compare_text, size = _card_price(product, sold)
        stock = stock_of(product)
    action, variant_id, cart_url, alert_url = _card_action(product, sold, stock)
    return Card(
        href=href, name=product.name, brand=brand.name,
        picture=picture_data(image, CARD_PICTURE_WIDTHS) if image else None,
        rating=None if prescription else _card_rating(product),
        prescription_only=prescription,
        brand_names=product.brand_name_list if prescription and product.brand_names else [],
        price=price_text, compare_at=compare_text, size=size, stock=stock,
        disclosure=((brand.financial_tie.label.lower(), brand.financial_tie.disclosure)
                    if brand.has_tie else None),
        action=action, variant_id=variant_id, cart_url=cart_url, alert_url=alert_url,
    )


def _card_rating(product: ProductRules) -> tuple[str, Decimal | None, str] | None:
    """(whole stars, the average, "12 reviews") once the product has published reviews."""
    count = product.rating_count
    if not count:
        return None
    full = product.rating_sum // count
    return ("★" * full + "☆" * (STARS - full), product.rating_average,
            f"{count} review{'' if count == 1 else 's'}")


def _card_price(product: ProductRules, sold: list):
    """(the price, the struck-through price, the only size on sale), each or None."""
    price = price_of(product)
    if price is None:
        return None, None, None
    text = ("From " if price.varies else "") + format_money(price.amount, price.currency)
    compare = format_money(price.compare_at, price.currency) if price.compare_at else None
    return text, compare, sold[0].size_label if len(sold) == 1 else None


def _card_action(product, sold: list, stock: Stock | None):
    """(action, the size a cart form adds, the cart's URL, the e-mail alert's URL)."""
    if variant := quick_add_variant(product):
        return "add", variant.id, nav_url("cart.add"), None
    if product.prescription_only:
        return None, None, None, None
    if product.is_sold and stock is not None and stock.state is StockState.OUT:
        alert_url = None
        if nav_url("alerts.ask") and sold:
            alert_url = url_for("alerts.new", variant=sold[0].id, next=current_path())
        return "alert", None, None, alert_url
    return ("choose" if len(sold) > 1 else None), None, None, None


def list_link(args: dict[str, str]) -> str:
    """The product list's address with ``args`` (``Listing.args``), as ``url_for`` writes
    it; the list links itself once per filter value, sort and page."""
    base = request_memo("list_url")
    if not base:
        base["url"] = url_for("catalog.product_list")
    return with_query(base["url"], args)


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
        card_of=card_of,
        list_link=list_link,
        current_path=current_path,
    )
