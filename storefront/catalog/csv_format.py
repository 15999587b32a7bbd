"""The product CSV: its columns, writing the export, reading an upload into rows.

One row per size (variant) with its product's fields repeated; rows with the same
``product_slug`` belong to one product. The export writes every column; an import
needs the required ones, and leaves a product's or size's value alone when an optional
column is missing from the file or its cell is empty. To empty a value on purpose the
cell says ``[clear]`` (any case), which only the ``clearable`` columns accept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from storefront.catalog.models import Product, Variant


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    meaning: str
    clearable: bool = False  # takes CLEAR_MARKER to empty the value


COLUMNS = (
    Column("sku", True, "The size's SKU: letters, digits, dots, hyphens, underscores."),
    Column("action", False, "create, update, or empty: create when the SKU is new, "
                            "update when it exists."),
    Column("product_slug", True, "The product's web address; rows with the same slug are "
                                 "one product."),
    Column("product_name", True, "The product's name."),
    Column("brand", True, "The brand's slug (or its exact name)."),
    Column("category", True, "The category's slug (or its exact name)."),
    Column("status", False, "draft, active or archived. Empty: draft for a new product, "
                            "unchanged otherwise."),
    Column("prescription_only", False, "yes or no. Empty: no for a new product, unchanged "
                                       "otherwise."),
    Column("featured_rank", False, "A whole number, lower first. Empty: none for a new "
                                   "product, unchanged otherwise.", clearable=True),
    Column("short_description", False, "Up to 300 characters.", clearable=True),
    Column("description", False, "The long description.", clearable=True),
    Column("key_ingredients", False, "Ingredient slugs separated by |, like "
                                     "retinol|niacinamide.", clearable=True),
    Column("ingredients_list", False, "The full ingredient list (INCI).", clearable=True),
    Column("how_to_use", False, "How to use the product.", clearable=True),
    Column("skin_types", False, "Skin types separated by |: normal, dry, oily, "
                                "combination, sensitive.", clearable=True),
    Column("size_label", True, "The size as shoppers see it, like 50 ml."),
    Column("price", True, "The price, like 12.50 (a dot before the cents)."),
    Column("compare_at_price", False, "The earlier price, higher than the price. Empty: "
                                      "none for a new size, unchanged otherwise; [clear] "
                                      "ends a sale.", clearable=True),
    Column("currency", False, "A three-letter code, like EUR. Empty: the shop's currency "
                              "for a new size, unchanged otherwise."),
    Column("low_stock_threshold", False, "A whole number. Empty: 5 for a new size, "
                                         "unchanged otherwise."),
    Column("active", False, "yes or no: is the size on sale. Empty: yes for a new size, "
                            "unchanged otherwise."),
    Column("stock_on_hand", False, "Units on the shelf; a change is written to the stock "
                                   "ledger as an import. Empty: unchanged (0 for a new size)."),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
REQUIRED = tuple(column.name for column in COLUMNS if column.required)
CLEARABLE = tuple(column.name for column in COLUMNS if column.clearable)
# Written in a cell to empty that value: an empty cell always means "leave it as it is".
CLEAR_MARKER = "[clear]"
TEXT_COLUMNS = ("product_name", "short_description", "description", "ingredients_list",
                "how_to_use", "size_label")
LIST_SEPARATOR = "|"
# Spreadsheets run cells that start with these as formulas; the export puts a ' in front.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_FIELD = 100_000


def is_clear_marker(value: str) -> bool:
    return value.strip().lower() == CLEAR_MARKER


class CsvFileError(Exception):
    """The upload as a whole cannot be read; the message says why, for a person."""


@dataclass(frozen=True)
class Row:
    line: int  # where the row starts in the file (a cell can hold several lines)
    number: int  # its row number in a spreadsheet, the header being row 1
    cells: dict[str, str]
    problem: str = ""  # set when the row cannot be read cell by cell


# -- writing ---------------------------------------------------------------------------

def _protect(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _money(value) -> str:
    return "" if value is None else f"{value:.2f}"


def export_row(product: Product, variant: Variant) -> dict[str, str]:
    row = {
        "sku": variant.sku, "action": "", "product_slug": product.slug,
        "product_name": product.name, "brand": product.brand.slug,
        "category": product.category.slug, "status": product.status.value,
        "prescription_only": _yes_no(product.prescription_only),
        "featured_rank": "" if product.featured_rank is None else str(product.featured_rank),
        "short_description": product.short_description, "description": product.description,
        "key_ingredients": LIST_SEPARATOR.join(sorted(i.slug for i in product.ingredients)),
        "ingredients_list": product.ingredients_list, "how_to_use": product.how_to_use,
        "skin_types": LIST_SEPARATOR.join(sorted(kind.value for kind in product.skin_types)),
        "size_label": variant.size_label, "price": _money(variant.price),
        "compare_at_price": _money(variant.compare_at_price), "currency": variant.currency,
        "low_stock_threshold": str(variant.low_stock_threshold),
        "active": _yes_no(variant.active), "stock_on_hand": str(variant.stock_on_hand),
    }
    for name in TEXT_COLUMNS:
        row[name] = _protect(row[name])
    return row


def write_csv(products: Iterable[Product]) -> str:
    """The export: a byte-order mark (for spreadsheets), the header, a row per size."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=COLUMN_NAMES, lineterminator="\r\n")
    writer.writeheader()
    for product in products:
        for variant in product.variants:
            writer.writerow(export_row(product, variant))
    return buffer.getvalue()


# -- reading ---------------------------------------------------------------------------

def decode(data: bytes) -> str:
    """The file's text; refuses what is not UTF-8 text."""
    if not data.strip():
        raise CsvFileError("The file is empty.")
    if b"\x00" in data:
        raise CsvFileError("This is not a CSV file (it contains binary data). Export the "
                           "sheet as “CSV UTF-8” and upload that.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFileError(
            f"The file is not UTF-8 text (unreadable byte at position {error.start + 1}). "
            "Save it as “CSV UTF-8 (comma delimited)” and upload it again.") from error


def _check_header(header: list[str]) -> list[str]:
    names = [name.strip().lower() for name in header]
    if len(names) == 1 and any(mark in header[0] for mark in (";", "\t")):
        raise CsvFileError("The columns are separated by semicolons or tabs. Please use "
                           "commas (save as “CSV UTF-8 (comma delimited)”).")
    problems = []
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        problems.append("missing required column" + ("s" if len(missing) > 1 else "")
                        + ": " + ", ".join(missing))
    unknown = [name for name in names if name not in COLUMN_NAMES]
    if unknown:
        problems.append("unknown column" + ("s" if len(unknown) > 1 else "") + ": "
                        + ", ".join(name or "(empty)" for name in unknown))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        problems.append("repeated column" + ("s" if len(repeated) > 1 else "") + ": "
                        + ", ".join(repeated))
    if problems:
        raise CsvFileError("Line 1 (the header): " + "; ".join(problems) + ". The columns "
                           "are listed below the upload form.")
    return names


def _records(reader) -> Iterator[tuple[int, list[str]]]:
    """``(first line, cells)`` for each record; a record can span lines."""
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvFileError(f"Line {start}: this is not valid CSV ({error}).") from error
        yield start, cells


def _unprotect(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:2] in FORMULA_STARTS else value


def _cell(name: str, value: str) -> str:
    """Codes and numbers lose surrounding spaces; texts are kept exactly as written."""
    return _unprotect(value) if name in TEXT_COLUMNS else value.strip()


def read_rows(text: str) -> tuple[list[str], list[Row]]:
    """The header (lower-cased names) and the data rows, blank lines left out."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = _records(reader)
    first = next(records, None)
    if first is None or not any(cell.strip() for cell in first[1]):
        raise CsvFileError("The file has no header line. The first line must name the "
                           "columns, like sku,product_slug,price.")
    header = _check_header(first[1])
    rows = []
    for number, (line, cells) in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            rows.append(Row(line, number, {}, f"{len(cells)} cells where the header has "
                                              f"{len(header)}; check for a missing comma "
                                              "or quote."))
            continue
        rows.append(Row(line, number, {name: _cell(name, cell)
                                       for name, cell in zip(header, cells, strict=True)}))
    if not rows:
        raise CsvFileError("The file has a header but no rows.")
    return header, rows


def parse(data: bytes) -> tuple[list[str], list[Row]]:
    """Header and rows of an uploaded file; CsvFileError for anything unreadable."""
    return read_rows(decode(data))
