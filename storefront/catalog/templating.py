"""Template helpers for catalog pages and the product card other features embed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import NamedTuple
from urllib.parse import urlencode

from flask import Flask, has_request_context, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from storefront.caching import depends_on, fill_holes, hole
from storefront.catalog.cards import cards_by_id
from storefront.catalog.images import file_name, rendition_widths
from storefront.catalog.listing import Listing, ListLinks
from storefront.catalog.models import (
    ProductRules,
    StockState,
    VariantRules,
    average_rating,
    best_stock_state,
)
from storefront.catalog.page_tags import price_tag
from storefront.html import escaped
from storefront.links import nav_url, request_memo, route_link, with_query
from storefront.media import media_storage
from storefront.money import MoneyWriter, format_money, money_writer, shop_locale
from storefront.origin import needs_form_token

STOCK_CLASSES = {
    StockState.IN_STOCK: "stock-in",
    StockState.LOW: "stock-low",
    StockState.OUT: "stock-out",
}
MAX_NEXT_LENGTH = 1000
PRICE = "price"  # the holes of prices (fill_price_holes): a card's price line, or a pick's
CARD, PICK = "card", "pick"
CARD_LINKS = "storefront.card_links"  # where a request keeps its ``CardLinks``


@dataclass(frozen=True)
class Stock:
    state: StockState
    label: str

    @property
    def css_class(self) -> str:
        return STOCK_CLASSES[self.state]


class PriceInfo(NamedTuple):  # one a card: a named tuple is made faster than a frozen dataclass
    amount: Decimal
    compare_at: Decimal | None
    currency: str
    varies: bool


def stock_of(item: ProductRules | VariantRules) -> Stock:
    """The stock state of a variant or product with the words a shopper sees."""
    if isinstance(item, ProductRules):
        return _stock(item.sold_variants)
    return _stock([item])


def _stock(sizes: list) -> Stock:
    """The stock of sizes on sale (a product's, or one size's)."""
    state = best_stock_state(sizes)
    if state is StockState.LOW:
        left = sum(size.available for size in sizes if size.stock_state is StockState.LOW)
        return Stock(state, f"Only {left} left")
    return IN_STOCK if state is StockState.IN_STOCK else OUT_OF_STOCK


def price_of(product: ProductRules) -> PriceInfo | None:
    """The lowest price on sale, its struck-through compare-at price, and whether sizes
    differ. The page being rendered depends on the product's prices (``pick_price`` and the
    card's price line show them in holes instead)."""
    depends_on(price_tag(product.id))
    return _price(product.sold_variants)


def pick_price(product: ProductRules) -> str:
    """A pick's price after its name (" from €12.00"), or nothing: a hole of the page."""
    price = _price(product.sold_variants)
    if price is None:
        return ""
    return hole(PRICE, price_tag(product.id), (product.id, PICK), _pick_price_html(price))


# The price lines are f-strings of escaped values: a list page writes one per card, and
# ``Markup.format`` (string.Formatter, in Python) costs six times as much.
def _pick_price_html(price: PriceInfo) -> Markup:
    amount = escaped(format_money(price.amount, price.currency))
    return Markup(f' <span class="price">{"from " if price.varies else ""}{amount}</span>')  # noqa: S704 (escaped)


def _price_line(text: str, compare: str | None, size: str | None) -> Markup:
    """A card's price, its struck-through price and its only size on sale."""
    was = (f'<s class="price-compare"><span class="visually-hidden">was </span>'
           f'{escaped(compare)}</s>' if compare else "")
    only = f' <span class="muted">· {escaped(size)}</span>' if size is not None else ""
    return Markup(f'<p><span class="price">{escaped(text)}</span>{was}{only}</p>')  # noqa: S704 (escaped)


def _prices(wanted: list[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """The price holes ``wanted`` (product id, ``CARD`` or ``PICK``), filled again from
    their products' sizes in one statement (``storefront.caching.hole``)."""
    cards = cards_by_id({product_id for product_id, _style in wanted})
    found: dict[tuple[int, str], str] = {}
    links = card_links()
    for product_id, style in wanted:
        card = cards.get(product_id)
        price = None if card is None else _price(card.sold_variants)
        if card is None or price is None:
            continue
        if style == PICK:
            found[product_id, style] = _pick_price_html(price)
        elif not card.prescription_only:
            found[product_id, style] = _price_line(*_card_price(card.sold_variants, links))
    return found


def _price(variants: list) -> PriceInfo | None:
    if not variants:
        return None
    if len(variants) == 1:  # most products: no lowest to look for
        only = variants[0]
        return PriceInfo(only.price, only.compare_at_price if only.on_sale else None,
                         only.currency, False)
    cheapest = min(variants, key=lambda variant: (variant.price, variant.position))
    compare_at = cheapest.compare_at_price if cheapest.on_sale else None
    varies = len({variant.price for variant in variants}) > 1
    return PriceInfo(cheapest.price, compare_at, cheapest.currency, varies)


def _quick_add(product: ProductRules, sold: list) -> VariantRules | None:
    if not product.is_sold:
        return None
    if len(sold) == 1 and sold[0].available > 0:
        return sold[0]
    return None


class Picture(NamedTuple):
    """What ``<picture>`` shows: WebP in each width (``srcset``), the largest as a JPEG (one a
    card: a named tuple, made faster than a frozen dataclass)."""

    webp: str
    src: str
    width: int
    height: int


@cache
def _widths(image_width: int, widths: tuple[int, ...]) -> tuple[int, ...]:
    """The requested widths made for a picture ``image_width`` pixels wide."""
    made = rendition_widths(image_width)
    chosen = sorted({min(int(width), image_width) for width in widths} & set(made))
    return tuple(chosen or [made[-1]])


def picture_data(image, widths, link: Callable[[str], str] | None = None) -> Picture:
    """URLs and dimensions for ``<picture>``: the requested widths that exist for ``image``
    (``link`` gives a file's URL: the media storage's, once per page)."""
    key, image_width = image.key, image.width
    chosen = _widths(image_width, tuple(widths))
    largest = chosen[-1]
    link = link or media_storage().links()
    # JPEG needs no srcset: it is only the fallback.
    return Picture(
        webp=", ".join([f"{link(file_name(key, width, 'webp'))} {width}w" for width in chosen]),
        src=link(file_name(key, largest, "jpg")),
        width=largest,
        height=max(1, round(image.height * largest / image_width)),
    )


# The card's picture: the sizes attribute and widths it asks for.
CARD_PICTURE_WIDTHS = (200, 400)
STARS = 5
IN_STOCK = Stock(StockState.IN_STOCK, "In stock")
OUT_OF_STOCK = Stock(StockState.OUT, "Out of stock")
# A card says a product is running low without the count: the product page gives it for
# each size. So a sale changes the cards on every page that shows the product only when
# its state changes (see ``inventory.services``), not at every unit sold.
FEW_LEFT = Stock(StockState.LOW, "Only a few left")


class CardLinks:
    """What every card of a page links to or puts in its form, worked out once per request
    (``card_links()``): the route of product pages and of picture files, the cart's and
    back-in-stock alerts' addresses, this page's path and the visitor's form token."""

    __slots__ = ("_from", "_next", "_token", "_writers", "alerts", "cart", "file", "locale",
                 "product")

    def __init__(self) -> None:
        self.product = route_link("catalog.product_detail", "slug")
        self.file = media_storage().links()
        self.cart = nav_url("cart.add")
        self.alerts = nav_url("alerts.ask") is not None
        self.locale = shop_locale()
        self._writers: dict[str, MoneyWriter | None] = {}
        self._next: str | None = None
        self._token: tuple[str | None] | None = None
        self._from: dict[str, str] = {}

    def money(self, amount: Decimal, currency: str) -> str:
        """``format_money(amount, currency)``, the locale's writer looked up once a page."""
        if currency not in self._writers:
            self._writers[currency] = (money_writer(currency.upper(), self.locale)
                                       if currency else None)
        writer = self._writers[currency]
        if type(amount) is not Decimal:
            amount = Decimal(amount)
        if writer is None or amount.is_signed() or not amount.is_finite():
            return format_money(amount, currency)
        return writer.write(amount)

    def product_from(self, slug: str, article=None) -> str:
        """A product's page, linked from ``article`` (``?article=<slug>``): the query is
        written once a page (an article page links its products 30 to 60 times)."""
        href = self.product(slug)
        if article is None:
            return href
        query = self._from.get(article.slug)
        if query is None:
            query = self._from[article.slug] = with_query("", {"article": article.slug})
        return f"{href}{query}"

    @property
    def next_path(self) -> str:
        if self._next is None:
            self._next = current_path()
        return self._next

    @property
    def token(self) -> str | None:
        """The CSRF token a logged-in visitor's cart form carries; None for others."""
        if self._token is None:
            self._token = (generate_csrf() if needs_form_token() else None,)
        return self._token[0]


def card_links() -> CardLinks:
    """This request's ``CardLinks`` (outside a request, the app context's)."""
    if not has_request_context():
        memo = request_memo("card_links")
        links = memo.get("links")
        if links is None:
            links = memo["links"] = CardLinks()
        return links
    environ = request.environ
    links = environ.get(CARD_LINKS)
    if links is None:
        links = environ[CARD_LINKS] = CardLinks()
    return links


@dataclass(slots=True)
class Card:
    """What a product card shows (``card_of``), before ``product_card`` writes it out.
    ``action`` is "add" (one size on sale, in stock: a cart form),
    "alert" (sold out: a link to ask for an e-mail), "choose" (several sizes: a link to
    the product) or None. A cart form carries ``token`` (logged-in visitors only) and
    ``next_path``."""

    href: str
    name: str
    brand: str
    picture: Picture | None
    rating: tuple[str, Decimal | None, str] | None  # (stars, average, "12 reviews")
    prescription_only: bool
    brand_names: list[str]
    price: str | None  # "From €12.00"
    price_line: str | None  # the price, struck-through price and size, as a hole
    compare_at: str | None
    size: str | None  # the only size on sale
    stock: Stock | None
    disclosure: str  # the brand's financial tie, as ``tie_disclosure`` writes it
    action: str | None
    variant_id: int | None  # the size the cart form adds
    cart_url: str | None
    alert_url: str | None
    token: str | None = None
    next_path: str | None = None


def card_of(product, article=None, links: CardLinks | None = None) -> Card:
    """Everything a product card shows of ``product`` (linked from ``article``); ``links``
    are ``card_links()``, passed by whatever writes many cards."""
    links = links or card_links()
    href = links.product_from(product.slug, article)
    prescription = product.prescription_only
    sold = product.sold_variants
    image = product.images[0] if product.images else None
    brand = product.brand
    price_text = compare_text = size = stock = price_line = None
    if not prescription:
        price_text, compare_text, size = _card_price(sold, links)
        if price_text is not None:
            price_line = hole(PRICE, price_tag(product.id), (product.id, CARD),
                              _price_line(price_text, compare_text, size))
        stock = _stock(sold)
        if stock.state is StockState.LOW:
            stock = FEW_LEFT
    card = Card(
        href, product.name, brand.name,
        picture_data(image, CARD_PICTURE_WIDTHS, links.file) if image else None,
        None if prescription else _card_rating(product),
        prescription,
        product.brand_name_list if prescription and product.brand_names else [],
        price_text, price_line, compare_text, size, stock,
        tie_disclosure(brand),
        *_card_action(product, sold, stock, links),
    )
    if card.cart_url:
        card.token, card.next_path = links.token, links.next_path
    return card


def product_card(product, article=None, reason: str | None = None,
                 how_to_use: str | None = None, heading_level: int = 3,
                 role: str | None = None, links: CardLinks | None = None) -> Markup:
    """The card of ``product`` (a model loaded with ``card_loader_options()``, or a card's
    row from ``catalog.cards``): its picture, brand, name, rating, price, stock, tie and
    the cart form or link that fits it. From ``article``, the product link carries
    ``?article=<slug>`` and the cart form remembers the article; a recommendation adds its
    ``role`` ("Prevention"), ``reason`` and ``how_to_use``.

    Written in Python, every value escaped here: pages draw up to 24 cards, and as a
    template macro the card cost twice what working out its values does."""
    card = card_of(product, article, links)
    name = escaped(card.name)
    level = int(heading_level)
    html = [
        '<article class="card product-card">', card_picture(card.picture),
        '<div class="card-body">',
        f'<p class="pick-role">{escaped(role)}</p>' if role else "",
        f'<p class="product-brand">{escaped(card.brand)}</p>\n<h{level} class="product-name">'
        f'<a href="{escaped(card.href)}">{name}</a></h{level}>',
    ]
    if card.rating:
        stars, average, count = card.rating
        html.append(f'\n<p class="rating"><span class="stars" aria-hidden="true">{stars}'
                    f'</span> <span class="visually-hidden">Rated </span>{escaped(average)}'
                    f'<span class="visually-hidden"> out of 5</span> <span class="muted">'
                    f'({escaped(count)})</span></p>')
    html.append(_card_stock(card))
    if reason:
        html.append(f"\n<p><strong>Why it helps:</strong> {escaped(reason)}</p>")
    if how_to_use:
        html.append(f"\n<p><strong>How to use:</strong> {escaped(how_to_use)}</p>")
    html.append(card.disclosure)
    html.append(_card_action_html(card, name, article))
    html.append("\n</div></article>")
    return Markup("".join(html))  # noqa: S704 (every value escaped above)


def product_cards(products: Iterable) -> Markup:
    """The cards of ``products``, each on a line of its own (a list's grid)."""
    links = card_links()
    return Markup("".join(f"\n{product_card(product, links=links)}"  # noqa: S704 (cards)
                          for product in products))


def tie_disclosure(brand, link: bool = False) -> Markup:
    """Says so wherever a product of a brand with a financial tie to the shop is shown (a
    card, a product page, a recommendation), with a link to how the shop earns money when
    ``link``; nothing for other brands."""
    if not brand.has_tie:
        return Markup("")
    tie = brand.financial_tie
    about = nav_url("content.about") if link else None
    more = f' <a href="{escaped(about)}#how-we-earn">How the shop earns money</a>' if about else ""
    return Markup(f'\n<p class="disclosure"><strong>Disclosure: {escaped(tie.label.lower())}.'  # noqa: S704 (escaped)
                  f"</strong> {escaped(tie.disclosure)}{more}</p>")


def tie_note(brand) -> Markup:
    """The same in a few words, after a product's name inside a sentence."""
    if not brand.has_tie:
        return Markup("")
    return Markup(' <small class="disclosure-note">(disclosure: '  # noqa: S704 (escaped)
                  f"{escaped(brand.financial_tie.label.lower())})</small>")


def card_picture(picture: Picture | None) -> str:
    """A card's ``<picture>`` (``picture_data`` in ``CARD_PICTURE_WIDTHS``), or a blank."""
    if picture is None:
        return '<div class="product-card-blank"></div>'
    return (f'<picture><source type="image/webp" srcset="{escaped(picture.webp)}" '
            'sizes="(min-width:40rem) 22rem, 90vw">'
            f'<img src="{escaped(picture.src)}" width="{picture.width}" '
            f'height="{picture.height}" alt="" loading="lazy"></picture>')


def _card_stock(card: Card) -> str:
    """A prescription product's warning and brand names, or the price line and stock."""
    if card.prescription_only:
        names = (f'\n<p class="brand-names">Brand names: {escaped(", ".join(card.brand_names))}'
                 "</p>" if card.brand_names else "")
        return f'\n<p class="tag tag-warn">Prescription only: ask your dermatologist</p>{names}'
    price = f"\n{card.price_line}" if card.price else ""
    stock = card.stock
    if stock is None:
        return price
    return f'{price}\n<p class="{stock.css_class}">{escaped(stock.label)}</p>'


def _card_action_html(card: Card, name: str, article) -> str:
    """The cart form, the back-in-stock link or the link to choose a size."""
    hidden = '<span class="visually-hidden">: '
    if card.action == "add":
        if not card.cart_url:
            return ('\n<p class="add-to-cart"><button type="button" class="button '
                    'button-small" disabled>Add to cart</button> <span class="hint">Online '
                    "ordering opens soon.</span></p>")
        token = (f'<input type="hidden" name="csrf_token" value="{escaped(card.token)}">'
                 if card.token else "")
        source = (f'<input type="hidden" name="source_article" value="{escaped(article.slug)}">'
                  if article else "")
        return (f'\n<form method="post" action="{escaped(card.cart_url)}" class="add-to-cart">'
                f'{token}<input type="hidden" name="variant_id" value="{card.variant_id}">'
                f'<input type="hidden" name="quantity" value="1">{source}'
                f'<input type="hidden" name="next" value="{escaped(card.next_path)}">'
                f'<button type="submit" class="button button-small">Add to cart{hidden}{name}'
                "</span></button></form>")
    if card.action == "alert":
        if not card.alert_url:
            return "\n"
        return (f'\n<a class="button button-small button-secondary" '
                f'href="{escaped(card.alert_url)}">E-mail me when it is back{hidden}{name}'
                "</span></a>")
    if card.action == "choose":
        return (f'\n<a class="button button-small button-secondary" href="{escaped(card.href)}">'
                f"Choose a size{hidden}{name}</span></a>")
    return ""


def _card_rating(product: ProductRules) -> tuple[str, Decimal | None, str] | None:
    """(whole stars, the average, "12 reviews") once the product has published reviews."""
    count, total = product.rating_totals
    if not count:
        return None
    full = total // count
    return ("★" * full + "☆" * (STARS - full), average_rating(count, total),
            f"{count} review{'' if count == 1 else 's'}")


def _card_price(sold: list, links: CardLinks):
    """(the price, the struck-through price, the only size on sale), each or None."""
    price = _price(sold)
    if price is None:
        return None, None, None
    text = ("From " if price.varies else "") + links.money(price.amount, price.currency)
    compare = links.money(price.compare_at, price.currency) if price.compare_at else None
    return text, compare, sold[0].size_label if len(sold) == 1 else None


def _card_action(product, sold: list, stock: Stock | None, links: CardLinks):
    """(action, the size a cart form adds, the cart's URL, the e-mail alert's URL)."""
    if variant := _quick_add(product, sold):
        return "add", variant.id, links.cart, None
    if product.prescription_only:
        return None, None, None, None
    if product.is_sold and stock is not None and stock.state is StockState.OUT:
        alert_url = None
        if links.alerts and sold:
            alert_url = nav_url("alerts.new", variant=sold[0].id, next=links.next_path)
        return "alert", None, None, alert_url
    return ("choose" if len(sold) > 1 else None), None, None, None


def list_link(args: dict[str, str]) -> str:
    """The product list's address with ``args`` (``Listing.args``), as ``url_for`` writes
    it; the list links itself once per filter value, sort and page."""
    base = request_memo("list_url")
    if not base:
        base["url"] = url_for("catalog.product_list")
    return with_query(base["url"], args)


def list_links(listing: Listing) -> ListLinks:
    """The product list's links from the page showing ``listing``."""
    return ListLinks(list_link({}), listing)


def filter_links(links: ListLinks, title: str, kind: str, items: list,
                 current: str | None) -> Markup:
    """A heading and a list of links, one for each filter value in ``items`` (options
    with a ``slug`` and ``name``), the one in use (``current``) marked. A list page links
    50 or more filter values; as a template loop they cost a tenth of the page."""
    if not items:
        return Markup("")
    link = links.filter(kind)
    rows = "".join(
        f'\n<li><a href="{escaped(link(item.slug))}"'
        f'{_CURRENT if item.slug == current else ""}>{escaped(item.name)}</a></li>'
        for item in items)
    return Markup(f'\n<h3 class="filter-heading">{escaped(title)}</h3>\n'  # noqa: S704 (escaped)
                  f'<ul class="filter-list">{rows}\n</ul>')


_CURRENT = ' aria-current="true"'


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


def fill_price_holes() -> None:
    """Pages keep products' prices in holes (``storefront.caching.hole``): how they are
    filled again when a price changes. Called by ``create_app``."""
    fill_holes(PRICE, _prices)


def register_catalog_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        format_money=format_money,
        stock_of=stock_of,
        price_of=price_of,
        picture_data=picture_data,
        product_card=product_card,
        product_cards=product_cards,
        tie_disclosure=tie_disclosure,
        list_link=list_link,
        filter_links=filter_links,
        current_path=current_path,
    )
