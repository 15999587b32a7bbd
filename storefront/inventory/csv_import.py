"""Importing the product CSV: a dry run that lists every change and problem, then apply.

An empty cell leaves the value as it is (a new product or size gets the default); only
``[clear]`` empties a value, and the dry run lists each value it would clear.

``plan`` reads the rows against the database without changing anything; ``apply``
makes a plan's changes through the same services the admin pages use (audit entries,
stock through the ledger with the reason "import"). The caller runs ``apply`` in one
transaction (a savepoint) and commits once, so an import lands whole or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from storefront.audit import services as audit
from storefront.catalog import csv_format
from storefront.catalog import editing as services
from storefront.catalog.editing import (
    CURRENCY_RE,
    MAX_RANK,
    MAX_THRESHOLD,
    SKU_RE,
    price_problem,
)
from storefront.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductStatus,
    SkinType,
    Variant,
)
from storefront.extensions import db
from storefront.inventory import editing as stock
from storefront.inventory.models import StockReason
from storefront.slugs import MAX_LENGTH, SLUG

MAX_STOCK = 1_000_000
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
ACTIONS = {"", "create", "update"}
KEEP = object()  # an empty optional cell: leave the value as it is (or the default when new)
# What a column holds once cleared (the texts: ""); csv_format.CLEARABLE says which can be.
CLEARED_VALUES = {"featured_rank": None, "key_ingredients": (), "skin_types": (),
                  "compare_at_price": None}
LABELS = {"compare_at_price": "compare-at price"}  # how a warning names a column


class CellError(ValueError):
    """A cell that cannot be used; the message is for the person fixing the file."""


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str
    row: int = 0  # the spreadsheet row, when it differs from the line

    @property
    def where(self) -> str:
        return f"{self.line} (row {self.row})" if self.row and self.row != self.line \
            else str(self.line)


@dataclass
class RowPlan:
    line: int
    sku: str
    product_slug: str
    product_fields: dict[str, Any]
    variant_fields: dict[str, Any]
    product: Product | None = None
    variant: Variant | None = None
    product_action: str = ""  # create or update, on the first row of that product only
    variant_action: str = ""  # create or update
    stock: tuple[int, int] | None = None  # on hand before and after
    changes: list[str] = field(default_factory=list)
    number: int = 0  # the spreadsheet row
    cleared: set[str] = field(default_factory=set)  # fields whose cell says [clear]

    @property
    def where(self) -> str:
        return f"{self.line} (row {self.number})" if self.number and self.number != self.line \
            else str(self.line)

    @property
    def action(self) -> str:
        """What happens on this line: create (a new size), update or unchanged."""
        if self.variant_action == "create":
            return "create"
        changed = self.variant_action or self.product_action or self.stock is not None
        return "update" if changed else "unchanged"


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    clears: list[Problem] = field(default_factory=list)  # values that will be emptied

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, what: str) -> int:
        counters = {
            "products_created": lambda row: row.product_action == "create",
            "products_updated": lambda row: row.product_action == "update",
            "variants_created": lambda row: row.variant_action == "create",
            "variants_updated": lambda row: row.variant_action != "create" and bool(
                row.variant_action or row.stock),
            "unchanged": lambda row: not (row.variant_action or row.stock),
            "stock_changes": lambda row: row.stock is not None,
        }
        return sum(1 for row in self.rows if counters[what](row))

    @property
    def has_changes(self) -> bool:
        return any(row.action != "unchanged" for row in self.rows)


# -- the database, read once -----------------------------------------------------------

@dataclass
class Catalog:
    brands: dict[str, Brand]
    categories: dict[str, Category]
    ingredients: dict[str, Ingredient]
    products: dict[str, Product]
    variants: dict[str, Variant]

    @classmethod
    def load(cls) -> Catalog:
        def by_slug_and_name(model) -> dict:
            items = list(db.session.scalars(select(model)))
            return {**{item.name.lower(): item for item in items},
                    **{item.slug: item for item in items}}

        products = db.session.scalars(select(Product).options(
            selectinload(Product.ingredients), selectinload(Product.skin_type_links)))
        variants = db.session.scalars(select(Variant).options(joinedload(Variant.product)))
        return cls(
            brands=by_slug_and_name(Brand), categories=by_slug_and_name(Category),
            ingredients={item.slug: item for item in db.session.scalars(select(Ingredient))},
            products={product.slug: product for product in products},
            variants={variant.sku: variant for variant in variants},
        )


# -- cells -----------------------------------------------------------------------------

def _shown(value: str, limit: int = 40) -> str:
    return "“" + (value if len(value) <= limit else value[:limit] + "…") + "”"


def _text(limit: int | None = None, required: bool = False):
    def parse(value: str, _catalog: Catalog) -> str:
        if required and not value.strip():
            raise CellError("is required.")
        if limit and len(value) > limit:
            raise CellError(f"is {len(value)} characters long; at most {limit}.")
        return value
    return parse


def _pattern(regex: re.Pattern, limit: int, example: str):
    def parse(value: str, _catalog: Catalog) -> str:
        if not value:
            raise CellError("is required.")
        if len(value) > limit or not regex.fullmatch(value):
            raise CellError(f"{_shown(value)} is not valid; write it like {example}.")
        return value
    return parse


def _lookup(attribute: str, noun: str):
    def parse(value: str, catalog: Catalog):
        if not value:
            raise CellError("is required.")
        found = getattr(catalog, attribute)
        item = found.get(value) or found.get(value.lower())
        if item is None:
            known = ", ".join(sorted({item.slug for item in found.values()})[:12]) or "none"
            raise CellError(f"there is no {noun} {_shown(value)}. Known: {known}.")
        return item
    return parse


def _choice(choices: dict[str, Any], words: str):
    def parse(value: str, _catalog: Catalog):
        if value.lower() not in choices:
            raise CellError(f"{_shown(value)} is not one of {words}.")
        return choices[value.lower()]
    return parse


def _whole(low: int, high: int):
    def parse(value: str, _catalog: Catalog):
        try:
            number = int(value)
        except ValueError:
            raise CellError(f"{_shown(value)} is not a whole number.") from None
        if not low <= number <= high:
            raise CellError(f"{number} must be from {low} to {high:,}.")
        return number
    return parse


def _price(value: str, _catalog: Catalog) -> Decimal:
    if not value:
        raise CellError("is required.")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise CellError(f"{_shown(value)} is not a price; write it like 12.50.") from None
    problem = price_problem(amount, None)
    if problem:
        raise CellError(f"{_shown(value)}: {problem}")
    return amount.quantize(Decimal("0.01"))


def _stock(value: str, catalog: Catalog) -> int:
    if value.startswith("-"):
        raise CellError(f"{_shown(value)}: stock cannot be negative.")
    return _whole(0, MAX_STOCK)(value, catalog)


def _list_items(value: str, noun: str) -> list[str]:
    """The entries of a list cell; one that names none is refused (it would empty it)."""
    items = [part.strip() for part in value.split(csv_format.LIST_SEPARATOR) if part.strip()]
    if not items:
        raise CellError(f"{_shown(value)} names no {noun}; leave the cell empty to keep "
                        f"them as they are, or write {csv_format.CLEAR_MARKER} to remove them.")
    return items


def _ingredients(value: str, catalog: Catalog) -> list[Ingredient]:
    slugs = _list_items(value, "ingredient")
    unknown = [slug for slug in slugs if slug not in catalog.ingredients]
    if unknown:
        raise CellError("unknown ingredient " + ", ".join(_shown(slug) for slug in unknown)
                        + ". Use the ingredients' slugs separated by |.")
    return [catalog.ingredients[slug] for slug in dict.fromkeys(slugs)]


def _skin_types(value: str, _catalog: Catalog) -> list[SkinType]:
    words = [word.lower() for word in _list_items(value, "skin type")]
    unknown = [word for word in words if word not in set(SkinType)]
    if unknown:
        raise CellError("unknown skin type " + ", ".join(_shown(w) for w in unknown)
                        + "; use normal, dry, oily, combination or sensitive.")
    return [SkinType(word) for word in dict.fromkeys(words)]


def _action(value: str, _catalog: Catalog) -> str:
    if value.lower() not in ACTIONS:
        raise CellError(f"{_shown(value)} is not create, update or empty.")
    return value.lower()


def _currency(value: str, _catalog: Catalog) -> str:
    if not CURRENCY_RE.fullmatch(value.upper()):
        raise CellError(f"{_shown(value)} is not a three-letter currency code like EUR.")
    return value.upper()


YES_NO = {**dict.fromkeys(YES, True), **dict.fromkeys(NO, False)}
# column -> (part of the row, field name, parser)
CELLS: dict[str, tuple[str, str, Callable]] = {
    "sku": ("variant", "sku", _pattern(SKU_RE, 64, "HS-GCC-150")),
    "action": ("row", "action", _action),
    "product_slug": ("product", "slug", _pattern(SLUG, MAX_LENGTH, "gentle-cream-cleanser")),
    "product_name": ("product", "name", _text(160, required=True)),
    "brand": ("product", "brand", _lookup("brands", "brand")),
    "category": ("product", "category", _lookup("categories", "category")),
    "status": ("product", "status", _choice({s.value: s for s in ProductStatus},
                                            "draft, active or archived")),
    "prescription_only": ("product", "prescription_only", _choice(YES_NO, "yes or no")),
    "featured_rank": ("product", "featured_rank", _whole(0, MAX_RANK)),
    "short_description": ("product", "short_description", _text(300)),
    "description": ("product", "description", _text()),
    "key_ingredients": ("product", "ingredients", _ingredients),
    "ingredients_list": ("product", "ingredients_list", _text()),
    "how_to_use": ("product", "how_to_use", _text()),
    "skin_types": ("product", "skin_types", _skin_types),
    "size_label": ("variant", "size_label", _text(40, required=True)),
    "price": ("variant", "price", _price),
    "compare_at_price": ("variant", "compare_at_price", _price),
    "currency": ("variant", "currency", _currency),
    "low_stock_threshold": ("variant", "low_stock_threshold", _whole(0, MAX_THRESHOLD)),
    "active": ("variant", "active", _choice(YES_NO, "yes or no")),
    "stock_on_hand": ("row", "stock", _stock),
}
PRODUCT_DEFAULTS = {"status": ProductStatus.DRAFT, "prescription_only": False,
                    **{CELLS[column][1]: CLEARED_VALUES.get(column, "")
                       for column in csv_format.CLEARABLE if CELLS[column][0] == "product"}}


@dataclass(frozen=True)
class Cleared:
    """A cell that says [clear]: the column's empty value."""

    value: Any


def _cleared(column: str) -> Cleared:
    if column in csv_format.REQUIRED:
        raise CellError("cannot be cleared: every row needs a value here.")
    if column not in csv_format.CLEARABLE:
        raise CellError("cannot be cleared; leave the cell empty to keep the value as it "
                        "is.")
    value = CLEARED_VALUES.get(column, "")
    return Cleared(list(value) if isinstance(value, tuple) else value)


def _read_cell(column: str, value: str, catalog: Catalog) -> Any:
    """A cell's value: KEEP when an optional cell is empty, Cleared for the marker."""
    if csv_format.is_clear_marker(value):
        return _cleared(column)
    if not value.strip() and column not in csv_format.REQUIRED:
        return KEEP
    return CELLS[column][2](value, catalog)




@dataclass
class ParsedRow:
    line: int
    product: dict[str, Any] = field(default_factory=dict)
    variant: dict[str, Any] = field(default_factory=dict)
    action: str = ""
    stock: int | None = None
    cleared: set[str] = field(default_factory=set)


def _parse_row(row: csv_format.Row, catalog: Catalog, problems: list[Problem]) -> ParsedRow:
    parsed = ParsedRow(row.line)
    for column, value in row.cells.items():
        part, name, _parser = CELLS[column]
        try:
            result = _read_cell(column, value, catalog)
        except CellError as error:
            problems.append(Problem(row.line, column, str(error), row.number))
            continue
        if result is KEEP:
            continue
        if isinstance(result, Cleared):
            parsed.cleared.add(name)
            result = result.value
        if part == "row":
            setattr(parsed, name, result)
        else:
            getattr(parsed, part)[name] = result
    return parsed


# -- the plan --------------------------------------------------------------------------

PRODUCT_COLUMN = {parts[1]: column for column, parts in CELLS.items() if parts[0] == "product"}
VARIANT_COLUMN = {parts[1]: column for column, parts in CELLS.items() if parts[0] == "variant"}


def _short(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    text = ", ".join(value) if isinstance(value, list) else str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _describe(diff: dict[str, tuple[Any, Any]], columns: dict[str, str],
              cleared: set[str]) -> list[str]:
    return [f"{columns.get(key, key)}: {_short(old)} → "
            + ("[cleared]" if key in cleared else _short(new))
            for key, (old, new) in diff.items()]


def _same(key: str, first: Any, second: Any) -> bool:
    if first is KEEP or second is KEEP:
        return first is second
    return services.plain(key, first) == services.plain(key, second)


class _Planner:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.plan = Plan()
        self.seen_skus: dict[str, int] = {}
        self.first_of_product: dict[str, ParsedRow] = {}
        self.broken_lines: set[int] = set()
        self.numbers: dict[int, int] = {}  # line -> spreadsheet row

    def problem(self, line: int, column: str, message: str) -> None:
        self.plan.problems.append(Problem(line, column, message, self.numbers.get(line, 0)))

    def add(self, row: csv_format.Row) -> None:
        self.numbers[row.line] = row.number
        if row.problem:
            self.problem(row.line, "", row.problem)
            return
        before = len(self.plan.problems)
        parsed = _parse_row(row, self.catalog, self.plan.problems)
        sku, slug = parsed.variant.get("sku"), parsed.product.get("slug")
        if sku is None or slug is None:
            return
        if len(self.plan.problems) > before:
            self.broken_lines.add(row.line)
        self._check_repeats(parsed, sku, slug)
        variant = self._existing_variant(parsed, sku, slug)
        if len(self.plan.problems) == before:
            self._plan_row(parsed, variant)

    def _check_repeats(self, parsed: ParsedRow, sku: str, slug: str) -> None:
        if sku in self.seen_skus:
            self.problem(parsed.line, "sku", f"duplicate SKU {sku} in the file (first on "
                                             f"line {self.seen_skus[sku]}).")
        self.seen_skus.setdefault(sku, parsed.line)
        first = self.first_of_product.setdefault(slug, parsed)
        if first is parsed or {first.line, parsed.line} & self.broken_lines:
            return
        for key in sorted(set(first.product) | set(parsed.product)):
            if not _same(key, first.product.get(key, KEEP), parsed.product.get(key, KEEP)):
                self.problem(parsed.line, PRODUCT_COLUMN[key],
                             f"differs from line {first.line}, another size of the same "
                             "product; product columns must match on every size.")
                return

    def _existing_variant(self, parsed: ParsedRow, sku: str, slug: str) -> Variant | None:
        variant = self.catalog.variants.get(sku)
        if parsed.action == "update" and variant is None:
            self.problem(parsed.line, "sku", f"unknown SKU {sku}: there is no size to "
                                             "update. Leave action empty to create it.")
        elif parsed.action == "create" and variant is not None:
            self.problem(parsed.line, "sku", f"SKU {sku} already exists; use update or "
                                             "leave action empty.")
        elif variant is not None and variant.product.slug != slug:
            self.problem(parsed.line, "product_slug",
                         f"SKU {sku} belongs to {_shown(variant.product.slug, 60)}, not "
                         f"{_shown(slug, 60)}; sizes cannot move between products.")
        if variant is not None and parsed.stock is not None \
                and parsed.stock < variant.stock_reserved:
            self.problem(parsed.line, "stock_on_hand",
                         f"{parsed.stock} is less than the {variant.stock_reserved} units "
                         "held for checkouts in progress.")
        self._check_prices(parsed, variant)
        return variant

    def _check_prices(self, parsed: ParsedRow, variant: Variant | None) -> None:
        price = parsed.variant.get("price")
        compare_at = parsed.variant.get("compare_at_price",
                                        getattr(variant, "compare_at_price", None))
        if price is not None and compare_at is not None and compare_at <= price:
            self.problem(parsed.line, "compare_at_price",
                         "must be higher than the price, or empty.")

    def _plan_row(self, parsed: ParsedRow, variant: Variant | None) -> None:
        slug = parsed.product["slug"]
        product = self.catalog.products.get(slug)
        row = RowPlan(parsed.line, parsed.variant["sku"], slug, parsed.product,
                      parsed.variant, product=product, variant=variant,
                      number=self.numbers.get(parsed.line, 0), cleared=parsed.cleared)
        if self.first_of_product[slug] is parsed:
            self._plan_product(row, product)
        if variant is None:
            row.variant_action = "create"
            row.changes.append(f"new size {parsed.variant['size_label']}")
        else:
            diff = services.changes(variant, parsed.variant)
            row.changes += _describe(diff, VARIANT_COLUMN, row.cleared)
            row.variant_action = "update" if diff else ""
            self._warn_clears(row, diff, VARIANT_COLUMN)
        self._plan_stock(row, parsed, variant)
        self.plan.rows.append(row)

    def _plan_product(self, row: RowPlan, product: Product | None) -> None:
        if product is None:
            row.product_action = "create"
            row.changes.append(f"new product {row.product_fields['name']}")
            return
        diff = services.changes(product, row.product_fields)
        if diff:
            row.product_action = "update"
            row.changes += _describe(diff, PRODUCT_COLUMN, row.cleared)
            self._warn_clears(row, diff, PRODUCT_COLUMN)

    def _warn_clears(self, row: RowPlan, diff: dict[str, tuple[Any, Any]],
                     columns: dict[str, str]) -> None:
        """One warning for each value the row empties (none for what is empty already)."""
        for key, (old, _new) in diff.items():
            if key in row.cleared:
                assert row.product is not None  # only what exists changes: a product, a size
                column = columns[key]
                label = LABELS.get(column, column.replace("_", " "))
                self.plan.clears.append(Problem(
                    row.line, column, f"will clear the {label} of SKU {row.sku} "
                                      f"({row.product.name}), now {_shown(_short(old))}.",
                    row.number))

    def _plan_stock(self, row: RowPlan, parsed: ParsedRow, variant: Variant | None) -> None:
        before = variant.stock_on_hand if variant is not None else 0
        if parsed.stock is not None and parsed.stock != before:
            row.stock = (before, parsed.stock)
            row.changes.append(f"stock_on_hand: {before} → {parsed.stock}")


def plan(rows: list[csv_format.Row]) -> Plan:
    """What importing ``rows`` would do, and every problem found; changes nothing in the
    catalog. The caller gives back the holds of unpaid orders whose time ran out first
    (``orders.services.release_overdue_holds()``), so they never make a new stock count
    look too low."""
    planner = _Planner(Catalog.load())
    for row in rows:
        planner.add(row)
    return planner.plan


def plan_file(data: bytes) -> Plan:
    """``plan`` for an uploaded file; raises ``csv_format.CsvFileError`` for an unreadable one."""
    _header, rows = csv_format.parse(data)
    return plan(rows)


# -- applying --------------------------------------------------------------------------

@dataclass(frozen=True)
class CsvImport:
    """The audit log's target for an import as a whole."""

    id: str


def _variant_defaults() -> dict[str, Any]:
    return {"compare_at_price": None, "low_stock_threshold": 5, "active": True,
            "currency": current_app.config.get("SHOP_CURRENCY", "EUR")}


def _apply_row(row: RowPlan, created: dict[str, Product], actor) -> None:
    product = row.product or created.get(row.product_slug)
    if row.product_action == "create":
        product = created[row.product_slug] = services.create_product(
            {**PRODUCT_DEFAULTS, **row.product_fields}, actor)
    assert product is not None  # it was there, or this row or one above created it
    if row.product_action == "update":
        services.update_product(product, row.product_fields, actor)
    variant = row.variant
    if row.variant_action == "create":
        variant = services.create_variant(product, {**_variant_defaults(),
                                                    **row.variant_fields}, actor)
    assert variant is not None  # it was there, or this row created it
    if row.variant_action == "update":
        services.update_variant(variant, row.variant_fields, actor)
    if row.stock is not None:
        stock.set_stock(variant, row.stock[1], StockReason.IMPORT, actor,
                        note=f"CSV import, line {row.line}")


def apply(import_plan: Plan, actor, reference: str, file_name: str) -> None:
    """Make every change of a plan without problems. Flushes; the caller commits."""
    if not import_plan.ok:
        raise ValueError("a plan with problems cannot be applied")
    created: dict[str, Product] = {}
    for row in import_plan.rows:
        _apply_row(row, created, actor)
    counts = {what: import_plan.count(what) for what in (
        "products_created", "products_updated", "variants_created", "variants_updated",
        "stock_changes")}
    counts["values_cleared"] = len(import_plan.clears)
    audit.record(actor, "catalog.imported", CsvImport(reference),
                 f"Imported {file_name[:100]}: " + ", ".join(
                     f"{number} {what.replace('_', ' ')}" for what, number in counts.items()),
                 after={"file": file_name, **counts})
