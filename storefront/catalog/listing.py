"""The product list's query string, read forgivingly: bad values fall back, with a note."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation

from storefront.catalog.models import SkinType
from storefront.links import query_string, quote_query
from storefront.money import quantize

PER_PAGE = 24
MAX_PAGE = 100_000
MAX_PRICE = Decimal("100000")
MAX_SLUG_LENGTH = 120
SORTS = {
    "featured": "Featured",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
    "newest": "Newest",
    "name": "Name: A to Z",
}
DEFAULT_SORT = "featured"
SLUG_FILTERS = {"category": "category", "condition": "skin concern",
                "ingredient": "key ingredient"}
TRUE_WORDS = {"1", "true", "on", "yes"}
# Every query parameter ``parse_listing`` reads.
QUERY_ARGS = (*SLUG_FILTERS, "skin_type", "price_min", "price_max", "in_stock", "sort", "page")


def shorten(value: str, limit: int = 40) -> str:
    """User input quoted back in a note, cut short so a huge value stays readable."""
    value = " ".join("".join(char for char in value if char.isprintable()).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass
class Listing:
    """What the shopper asked the product list for, already checked."""

    category: str | None = None
    condition: str | None = None
    ingredient: str | None = None
    skin_type: SkinType | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool = False
    sort: str = DEFAULT_SORT
    page: int = 1
    notes: list[str] = field(default_factory=list, compare=False)

    def args(self, **changes) -> dict[str, str]:
        """Query arguments for a link to this list with ``changes`` (None drops a filter).

        The page number is dropped unless it is changed too: new filters start at page 1.
        """
        values = {name: getattr(self, name) for name in ARG_FIELDS}
        values["page"] = 1
        values.update(changes)
        return {name: _arg(value) for name, value in values.items()
                if not _is_default(name, value)}

    @property
    def has_filters(self) -> bool:
        return bool(self.args(sort=DEFAULT_SORT))


# The fields that are query arguments, in the order links write them.
ARG_FIELDS = tuple(f.name for f in fields(Listing) if f.name != "notes")
ARG_DEFAULTS = {"sort": DEFAULT_SORT, "page": 1, "in_stock": False}


class ListLinks:
    """The list's links from this page (to each filter value, sort and page), each one a
    small change to this page's query string worked out once: a list page links itself
    60 times or more. They are what ``with_query(url, listing.args(...))`` writes."""

    def __init__(self, url: str, listing: Listing) -> None:
        self.url, self.listing = url, listing
        self.current = [(name, value) for name, value in listing.args().items()]

    def link(self, **changes) -> str:
        """The list with ``changes`` (as ``Listing.args`` takes them)."""
        return self._join(list(self.listing.args(**changes).items()))

    def filter(self, name: str):
        """A function of one value: the list filtered by ``name`` = that value, from page 1
        (as ``link(**{name: value})``)."""
        position = ARG_FIELDS.index(name)
        before = [item for item in self.current if ARG_FIELDS.index(item[0]) < position]
        after = [item for item in self.current if ARG_FIELDS.index(item[0]) > position]
        head = self._join(before) + ("&" if before else "?") + quote_query(name) + "="
        tail = "&" + query_string(after) if after else ""

        def link(value) -> str:
            if _is_default(name, value):
                return self.link(**{name: value})
            return head + quote_query(_arg(value)) + tail

        return link

    def page(self, number: int) -> str:
        """This list's page ``number`` (``page`` comes last in a link)."""
        if number == ARG_DEFAULTS["page"]:
            return self._join(self.current)
        return self._join([*self.current, ("page", str(number))])

    def _join(self, items: list[tuple[str, str]]) -> str:
        return f"{self.url}?{query_string(items)}" if items else self.url


def _is_default(name: str, value) -> bool:
    return (value is None or value == ""
            or (name in ARG_DEFAULTS and value == ARG_DEFAULTS[name]))


def _arg(value) -> str:
    if value is True:
        return "1"
    if isinstance(value, SkinType):
        return value.value
    return str(value)


def _read_slug(args: Mapping[str, str], name: str, listing: Listing) -> None:
    value = (args.get(name) or "").strip().lower()
    if not value:
        return
    if len(value) > MAX_SLUG_LENGTH:
        listing.notes.append(f"We don't know the {SLUG_FILTERS[name]} "
                             f"“{shorten(value)}”, so that filter was left out.")
        return
    setattr(listing, name, value)


def _read_skin_type(args: Mapping[str, str], listing: Listing) -> None:
    value = (args.get("skin_type") or "").strip().lower()
    if not value:
        return
    try:
        listing.skin_type = SkinType(value)
    except ValueError:
        listing.notes.append(f"“{shorten(value)}” is not a skin type we filter by, so that "
                             "filter was left out.")


def _read_price(args: Mapping[str, str], name: str, label: str,
                listing: Listing) -> Decimal | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        amount = Decimal(raw.replace(",", ".").lstrip("€$£¥").strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount <= MAX_PRICE:
        listing.notes.append(f"The {label} price “{shorten(raw)}” isn't an amount in euros "
                             "we can use, so it was left out.")
        return None
    return quantize(amount).copy_abs()  # "-0" is zero, not "€-0.00"


def _read_prices(args: Mapping[str, str], listing: Listing) -> None:
    low = _read_price(args, "price_min", "lowest", listing)
    high = _read_price(args, "price_max", "highest", listing)
    if low is not None and high is not None and low > high:
        low, high = high, low
        listing.notes.append("The lowest price was above the highest, so we swapped them.")
    listing.price_min, listing.price_max = low, high


def _read_sort(args: Mapping[str, str], listing: Listing) -> None:
    value = (args.get("sort") or "").strip()
    if not value or value == DEFAULT_SORT:
        return
    if value in SORTS:
        listing.sort = value
    else:
        listing.notes.append(f"We can't sort by “{shorten(value)}”, so the list is in "
                             "featured order.")


def _read_page(args: Mapping[str, str], listing: Listing) -> None:
    raw = (args.get("page") or "").strip()
    if not raw:
        return
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0
    if page < 1:
        listing.notes.append(f"“{shorten(raw)}” is not a page number, so you're seeing the "
                             "first page.")
        return
    listing.page = min(page, MAX_PAGE)


def parse_listing(args: Mapping[str, str]) -> Listing:
    """Read the list's query arguments; each unusable one is dropped with a note saying so."""
    listing = Listing()
    for name in SLUG_FILTERS:
        _read_slug(args, name, listing)
    _read_skin_type(args, listing)
    _read_prices(args, listing)
    listing.in_stock = (args.get("in_stock") or "").strip().lower() in TRUE_WORDS
    _read_sort(args, listing)
    _read_page(args, listing)
    return listing


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page links to show: the first, the last and those near ``page``; None marks a gap."""
    wanted = {1, pages, *range(page - around, page + around + 1)}
    numbers: list[int | None] = []
    for number in sorted(n for n in wanted if 1 <= n <= pages):
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
