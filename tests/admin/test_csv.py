"""The product CSV: export, a dry run that lists changes and problems, apply all or nothing."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storefront.audit.models import AuditEntry
from storefront.catalog import csv_format as csv_io
from storefront.catalog.models import Product, ProductStatus, SkinType, Variant
from storefront.demo.catalog import seed_catalog
from storefront.extensions import db
from storefront.inventory import editing as services
from storefront.inventory.models import StockMovement, StockReason
from storefront.inventory.services import InventoryError
from storefront.media import LocalMediaStorage
from tests.factories import (
    AdminFactory,
    BrandFactory,
    CategoryFactory,
    IngredientFactory,
    ProductFactory,
    VariantFactory,
)
from tests.helpers import csrf_from, login, submit
from tests.helpers.pages import Page, text

IMPORT = "/admin/products/import"


@pytest.fixture
def admin(client, make):
    user = make(AdminFactory, email="importer@example.com")
    login(client, user.email)
    return user


@pytest.fixture
def shop(make):
    """Two products (one with two sizes) with every kind of field filled in."""
    brand = make(BrandFactory, slug="quiet-fern", name="Quiet Fern")
    category = make(CategoryFactory, slug="serums", name="Serums")
    make(CategoryFactory, slug="cleansers", name="Cleansers")
    retinol = make(IngredientFactory, slug="retinol", name="Retinol")
    niacinamide = make(IngredientFactory, slug="niacinamide", name="Niacinamide")
    serum = make(ProductFactory, slug="night-serum", name="Night Serum", brand=brand,
                 category=category, variant=False, featured_rank=2,
                 short_description="Retinol for the night.",
                 ingredients_list="Aqua, Retinol, Niacinamide", how_to_use="Two drops at night.",
                 description="- Line one, \"quoted\"\n=SUM(A1)\nLast line ",
                 ingredients=[retinol, niacinamide], skin_types=[SkinType.DRY, SkinType.OILY])
    serum_id = serum.id
    make(VariantFactory, product=serum, sku="NS-15", size_label="15 ml",
         price=Decimal("19.00"), compare_at_price=Decimal("24.00"), stock_on_hand=8,
         stock_reserved=3)
    make(VariantFactory, product=serum, sku="NS-30", size_label="30 ml",
         price=Decimal("32.50"), stock_on_hand=0, active=False, low_stock_threshold=2)
    gel = make(ProductFactory, slug="clear-gel", name="Clear Gel", brand=brand,
               category=category, status=ProductStatus.DRAFT, prescription_only=True,
               variant=False)
    make(VariantFactory, product=gel, sku="CG-50", size_label="50 ml", price=Decimal("9.90"),
         stock_on_hand=4)
    return {"serum_id": serum_id}


def state(app) -> dict:
    """Everything an import could change, for "nothing changed" assertions."""
    with app.app_context():
        products = db.session.scalars(select(Product).order_by(Product.id)).all()
        return {
            "products": [(p.slug, p.name, p.status, p.brand_id, p.category_id, p.description,
                          p.featured_rank, p.prescription_only,
                          sorted(i.slug for i in p.ingredients), sorted(p.skin_types))
                         for p in products],
            "variants": db.session.execute(
                select(Variant.sku, Variant.product_id, Variant.price,
                       Variant.compare_at_price, Variant.stock_on_hand,
                       Variant.stock_reserved, Variant.active, Variant.low_stock_threshold)
                .order_by(Variant.id)).all(),
            "movements": db.session.scalar(select(func.count(StockMovement.id))),
            "audit": db.session.scalar(select(func.count(AuditEntry.id))),
        }


def export(client) -> str:
    response = client.get("/admin/products/export.csv")
    assert response.status_code == 200
    return response.get_data().decode("utf-8-sig")


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def to_csv(rows: list[dict[str, str]], columns=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or list(rows[0]), lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def upload(client, data: bytes, name: str = "products.csv"):
    return submit(client, IMPORT, {"file": (BytesIO(data), name)})


def apply(client, preview):
    html = preview.get_data(as_text=True)
    tokens = Page(html).all('input[name="token"]')
    assert tokens, "the dry run offers no Apply button"
    return client.post(f"{IMPORT}/apply", data={"csrf_token": csrf_from(html),
                                                "token": tokens[0]["value"]})


def problems(page: str) -> list[list[str]]:
    """The preview's problems: [line, column, message] of each row of their table."""
    return Page(page).table('[aria-label="Problems by line and column"] tbody')


def messages_at(page: str, line: str, column: str) -> list[str]:
    """The messages of the preview's problems on ``line`` in ``column``."""
    return [message for where, name, message in problems(page) if (where, name) == (line, column)]


def entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                       .order_by(AuditEntry.id)))


# -- export ----------------------------------------------------------------------------

def test_export_has_a_row_per_size_with_the_documented_columns(app, client, admin, shop):
    response = client.get("/admin/products/export.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data().startswith("\ufeff".encode())
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(csv_io.COLUMN_NAMES)
    rows = rows_of(text)
    assert [row["sku"] for row in rows] == ["CG-50", "NS-15", "NS-30"]
    ns15 = rows[1]
    assert ns15["product_slug"] == "night-serum"
    assert ns15["brand"] == "quiet-fern"
    assert ns15["key_ingredients"] == "niacinamide|retinol"
    assert ns15["skin_types"] == "dry|oily"
    assert (ns15["price"], ns15["compare_at_price"], ns15["stock_on_hand"]) == (
        "19.00", "24.00", "8")
    assert ns15["description"].startswith("'- Line one"), "formula-like cells are defused"
    assert rows[2]["active"] == "no"
    assert rows[0]["prescription_only"] == "yes"
    assert rows[1]["description"] == rows[2]["description"], "product fields on every size"
    documented = client.get(IMPORT).get_data(as_text=True)
    for column in csv_io.COLUMN_NAMES:
        assert f"<code>{column}</code>" in documented


def test_the_export_imports_with_zero_changes(app, client, admin, shop):
    before = state(app)
    response = upload(client, export(client).encode("utf-8-sig"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nothing to import" in page
    assert "Apply these changes" not in page
    assert "3 unchanged" in page
    assert state(app) == before


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


def test_the_demo_catalog_round_trips_too(app, client, admin, media_root, monkeypatch):
    monkeypatch.setitem(app.extensions, "storefront.media", LocalMediaStorage(media_root))
    with app.app_context():
        seed_catalog()
        db.session.commit()
    before = state(app)
    text = export(client)
    assert len(rows_of(text)) == len(before["variants"]) > 30
    page = upload(client, text.encode("utf-8-sig")).get_data(as_text=True)
    assert "nothing to import" in page
    assert state(app) == before


# -- a good import ---------------------------------------------------------------------

def test_dry_run_then_apply_creates_updates_and_records_stock(app, client, admin, shop):
    before = state(app)
    rows = rows_of(export(client))
    rows[1].update(price="21.00", stock_on_hand="11")   # NS-15: price and stock
    rows[0].update(status="active")                     # CG-50's product
    new = dict(rows[0], sku="FG-100", action="create", product_slug="foam-gel",
               product_name="Foam Gel", category="Cleansers", status="draft",
               key_ingredients="retinol", skin_types="sensitive", size_label="100 ml",
               price="12", compare_at_price="", stock_on_hand="25", prescription_only="no",
               description="New", short_description="", currency="", active="")
    data = to_csv([*rows, new])

    preview = upload(client, data)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "1 to create, 1 to update" in page            # products: foam-gel; clear-gel
    assert "1 to create, 1 to update, 2 unchanged" in page  # sizes
    assert "price: 19.00 → 21.00" in page
    assert "stock_on_hand: 8 → 11" in page
    assert "status: draft → active" in page
    assert "new product Foam Gel" in page
    assert state(app) == before, "the dry run changes nothing"

    response = apply(client, preview)
    assert response.status_code == 303
    assert "Imported products.csv" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    with app.app_context():
        ns15 = db.session.scalar(select(Variant).where(Variant.sku == "NS-15"))
        assert (ns15.price, ns15.stock_on_hand, ns15.stock_reserved) == (
            Decimal("21.00"), 11, 3)
        gel = db.session.scalar(select(Product).where(Product.slug == "clear-gel"))
        assert gel.status is ProductStatus.ACTIVE
        foam = db.session.scalar(select(Product).where(Product.slug == "foam-gel"))
        assert (foam.category.slug, foam.status, foam.skin_types) == (
            "cleansers", ProductStatus.DRAFT, [SkinType.SENSITIVE])
        [size] = foam.variants
        assert (size.sku, size.price, size.stock_on_hand, size.currency, size.active) == (
            "FG-100", Decimal("12.00"), 25, "EUR", True)
        movements = db.session.scalars(select(StockMovement).order_by(StockMovement.id)).all()
        assert [(m.variant_id, m.quantity_change, m.on_hand_before, m.on_hand_after,
                 m.reason, m.actor_id) for m in movements] == [
            (ns15.id, 3, 8, 11, StockReason.IMPORT, admin.id),
            (size.id, 25, 0, 25, StockReason.IMPORT, admin.id)]
        assert movements[0].note == "CSV import, line 3"

    [price_change] = entries(app, "variant.updated")
    assert (price_change.before, price_change.after) == ({"price": "19.00"},
                                                         {"price": "21.00"})
    assert [(e.before, e.after["stock_on_hand"]) for e in entries(app, "stock.adjusted")] == [
        ({"stock_on_hand": 8}, 11), ({"stock_on_hand": 0}, 25)]
    [status_change] = entries(app, "product.updated")
    assert (status_change.before, status_change.after) == ({"status": "draft"},
                                                           {"status": "active"})
    assert entries(app, "product.created")[0].after["slug"] == "foam-gel"
    assert entries(app, "variant.created")[0].after["sku"] == "FG-100"
    [summary] = entries(app, "catalog.imported")
    assert summary.after["products_created"] == 1
    assert summary.after["stock_changes"] == 2
    assert all(entry.actor_id == admin.id for entry in entries(app, "stock.adjusted"))

    again = upload(client, to_csv(rows_of(export(client))))
    assert "nothing to import" in again.get_data(as_text=True)


def test_optional_columns_left_out_keep_their_values(app, client, admin, shop):
    data = b"sku,product_slug,product_name,brand,category,size_label,price\n" \
           b"NS-30,night-serum,Night Serum,quiet-fern,serums,30 ml,30.00\n"
    preview = upload(client, data)
    assert "price: 32.50 → 30.00" in preview.get_data(as_text=True)
    assert apply(client, preview).status_code == 303
    with app.app_context():
        ns30 = db.session.scalar(select(Variant).where(Variant.sku == "NS-30"))
        assert (ns30.price, ns30.active, ns30.low_stock_threshold, ns30.stock_on_hand) == (
            Decimal("30.00"), False, 2, 0)
        serum = db.session.get(Product, shop["serum_id"])
        assert serum.featured_rank == 2
        assert len(serum.ingredients) == 2


# -- blank cells and the [clear] marker ------------------------------------------------

# Every column an import can empty on purpose, and what it holds once cleared.
CLEARED = {"featured_rank": None, "short_description": "", "description": "",
           "key_ingredients": [], "ingredients_list": "", "how_to_use": "", "skin_types": [],
           "compare_at_price": None}
OPTIONAL = [column.name for column in csv_io.COLUMNS if not column.required]


def columns_of(app, sku: str) -> dict:
    """Every column of the CSV for one size, as the shop holds it now."""
    with app.app_context():
        variant = db.session.scalar(select(Variant).where(Variant.sku == sku))
        product = variant.product
        return {
            "product_name": product.name, "brand": product.brand.slug,
            "category": product.category.slug, "status": product.status,
            "prescription_only": product.prescription_only,
            "featured_rank": product.featured_rank,
            "short_description": product.short_description, "description": product.description,
            "key_ingredients": sorted(item.slug for item in product.ingredients),
            "ingredients_list": product.ingredients_list, "how_to_use": product.how_to_use,
            "skin_types": sorted(kind.value for kind in product.skin_types),
            "size_label": variant.size_label, "price": variant.price,
            "compare_at_price": variant.compare_at_price, "currency": variant.currency,
            "low_stock_threshold": variant.low_stock_threshold, "active": variant.active,
            "stock_on_hand": variant.stock_on_hand,
        }


def test_blank_cells_in_an_update_row_change_nothing(app, client, admin, shop):
    before = {sku: columns_of(app, sku) for sku in ("NS-15", "NS-30")}
    assert all(before["NS-15"][column] not in ("", [], None) for column in CLEARED), \
        "the test's own check: every clearable column holds something"
    rows = rows_of(export(client))
    for row in rows[1:]:                                   # both sizes of the serum
        row.update(dict.fromkeys(OPTIONAL, ""))
    rows[2]["short_description"] = "   "                  # only spaces is blank too
    preview = upload(client, to_csv(rows))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[page.find("problem"):][:1500]
    assert "nothing to import" in page
    assert "will be cleared" not in page
    for sku, columns in before.items():
        after = columns_of(app, sku)
        for column, value in columns.items():
            assert after[column] == value, (sku, column)


def test_the_clear_marker_clears_each_clearable_column(app, client, admin, shop):
    before = state(app)
    rows = rows_of(export(client))
    markers = ["[clear]", "[CLEAR]", " [Clear] ", "[clear]", "[clear]", "[clear]", "[clear]"]
    for row in rows[1:]:                                   # both sizes of the serum
        row.update(zip(list(CLEARED)[:-1], markers, strict=True))
    rows[1]["compare_at_price"] = "[clear]"                # NS-15 is on sale; NS-30 is not
    preview = upload(client, to_csv(rows))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[page.find("problem"):][:1500]
    assert state(app) == before, "the dry run changes nothing"

    assert "8 values will be cleared" in page
    clears = Page(page).one("section#clears")
    assert clears["role"] == "alert"
    warnings = text(clears)
    for label, now in [("featured rank", "2"), ("short description", "Retinol for the night."),
                       ("description", "- Line one"), ("key ingredients", "niacinamide, retinol"),
                       ("ingredients list", "Aqua, Retinol"),
                       ("how to use", "Two drops at night."), ("skin types", "dry, oily")]:
        assert re.search(rf"Line 3: will clear the {label} of SKU NS-15 \(Night Serum\), now "
                         rf"“{re.escape(now)}", warnings), label
    assert "Line 3: will clear the compare-at price of SKU NS-15 (Night Serum), now “24.00”" \
        in warnings
    assert "NS-30" not in warnings, "its product is cleared once, on line 3"
    apply_button = Page(page).one('button:-soup-contains("Apply these changes")')
    assert clears in apply_button.find_all_previous("section")
    assert "short_description: Retinol for the night. → [cleared]" in page

    assert apply(client, preview).status_code == 303
    after = columns_of(app, "NS-15")
    for column, empty in CLEARED.items():
        assert after[column] == empty, column
    assert columns_of(app, "NS-30")["compare_at_price"] is None
    [change] = entries(app, "product.updated")
    assert change.after["short_description"] == ""
    assert change.after["ingredients"] == []
    assert change.before["how_to_use"] == "Two drops at night."
    assert "8 values cleared" in client.get("/admin/products").get_data(as_text=True)


@pytest.mark.parametrize("column", [name for name in csv_io.COLUMN_NAMES
                                    if name not in CLEARED])
def test_the_clear_marker_is_refused_where_a_value_is_needed(app, client, admin, shop,
                                                            column):
    before = state(app)
    rows = rows_of(export(client))
    rows[1][column] = "[Clear]"
    response = upload(client, to_csv(rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any("cannot be cleared" in message for message in messages_at(page, "3", column)), \
        problems(page)
    assert "Apply these changes" not in page
    assert state(app) == before


def test_a_new_product_row_with_blanks_gets_the_defaults(app, client, admin, shop):
    rows = rows_of(export(client))
    new = dict.fromkeys(csv_io.COLUMN_NAMES, "")
    new.update(sku="FG-100", product_slug="foam-gel", product_name="Foam Gel",
               brand="quiet-fern", category="cleansers", size_label="100 ml", price="12")
    other = dict(new, sku="FG-200", size_label="200 ml", price="20",
                 compare_at_price="[clear]")
    preview = upload(client, to_csv([*rows, new, other]))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[page.find("problem"):][:1500]
    assert "1 to create, 0 to update" in page
    assert "will be cleared" not in page
    assert apply(client, preview).status_code == 303
    assert columns_of(app, "FG-100") == {
        "product_name": "Foam Gel", "brand": "quiet-fern", "category": "cleansers",
        "status": ProductStatus.DRAFT, "prescription_only": False, "featured_rank": None,
        "short_description": "", "description": "", "key_ingredients": [],
        "ingredients_list": "", "how_to_use": "", "skin_types": [], "size_label": "100 ml",
        "price": Decimal("12.00"), "compare_at_price": None, "currency": "EUR",
        "low_stock_threshold": 5, "active": True, "stock_on_hand": 0}
    assert columns_of(app, "FG-200")["compare_at_price"] is None


def test_the_import_page_documents_blank_cells_and_the_clear_marker(client, admin):
    page = client.get(IMPORT).get_data(as_text=True)
    assert "An empty cell leaves the value as it is" in page
    assert "<code>[clear]</code>" in page
    columns = {cells[0]: cells[1:] for cells in Page(page).table() if cells}
    for column in CLEARED:
        assert columns[column][1] == "Yes", column
    assert columns["product_name"][:2] == ["Yes", "No"]


# -- problems --------------------------------------------------------------------------

BAD_ROWS = [
    ({"action": "update", "sku": "NOPE-1"}, "sku", "unknown SKU NOPE-1"),
    ({"stock_on_hand": "-4"}, "stock_on_hand", "stock cannot be negative"),
    ({"price": "twelve"}, "price", "is not a price"),
    ({"price": "1,50"}, "price", "is not a price"),
    ({"category": "lotions"}, "category", "there is no category “lotions”"),
    ({"brand": "acme"}, "brand", "there is no brand “acme”"),
    ({"status": "live"}, "status", "is not one of draft, active or archived"),
    ({"compare_at_price": "1.00"}, "compare_at_price", "must be higher than the price"),
    ({"stock_on_hand": "2"}, "stock_on_hand", "held for checkouts"),
    ({"key_ingredients": "retinol|unobtainium"}, "key_ingredients", "unknown ingredient"),
    ({"skin_types": "greasy"}, "skin_types", "unknown skin type"),
    ({"action": "create"}, "sku", "already exists"),
    ({"product_slug": "clear-gel"}, "product_slug", "sizes cannot move between products"),
    ({"action": "delete"}, "action", "is not create, update or empty"),
    ({"product_slug": "Bad Slug"}, "product_slug", "is not valid"),
    ({"featured_rank": "first"}, "featured_rank", "is not a whole number"),
    ({"size_label": ""}, "size_label", "is required"),
    ({"key_ingredients": "|"}, "key_ingredients", "names no ingredient"),
    ({"skin_types": " | "}, "skin_types", "names no skin type"),
]


@pytest.mark.parametrize(("change", "column", "message"), BAD_ROWS)
def test_a_bad_row_is_named_by_line_and_column_and_nothing_changes(
        app, client, admin, shop, change, column, message):
    before = state(app)
    rows = rows_of(export(client))
    rows[1].update(change)                                  # line 3 of the file
    response = upload(client, to_csv(rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any(message in shown for shown in messages_at(page, "3", column)), problems(page)
    assert "Apply these changes" not in page
    assert state(app) == before


def test_duplicate_skus_and_every_problem_are_listed_together(app, client, admin, shop):
    rows = rows_of(export(client))
    rows[2].update(sku="NS-15", price="x")
    rows[0].update(category="nowhere")
    page = upload(client, to_csv(rows)).get_data(as_text=True)
    assert "duplicate SKU NS-15 in the file (first on line 3)" in page
    assert "0 is less than the 3 units held" in page
    assert "4 problems to fix" in page
    assert messages_at(page, "2", "category")
    assert messages_at(page, "6 (row 4)", "price"), \
        "the serum's description spans three lines: the spreadsheet row is named too"


def test_product_columns_must_match_across_sizes(app, client, admin, shop):
    rows = rows_of(export(client))
    rows[2]["product_name"] = "Night Serum XL"
    page = upload(client, to_csv(rows)).get_data(as_text=True)
    assert "<code>product_name</code>" in page
    assert "differs from line 3" in page


@pytest.mark.parametrize(("data", "message"), [
    (b"sku,product_slug,product_name,brand,category,size_label\nX,a,A,b,c,1 ml\n",
     "missing required column: price"),
    (b"sku,product_name,brand,category,size_label\nX,A,b,c,1 ml\n",
     "missing required columns: product_slug, price"),
    (b"sku,product_slug,product_name,brand,category,size_label,price,prise\n",
     "unknown column: prise"),
    (b"sku;product_slug;price\nX;a;1\n", "separated by semicolons"),
    (b"", "The file is empty"),
    (b"\n\n", "The file is empty"),
    (b",,,\nX,a,1,2\n", "no header line"),
    (csv_io.COLUMN_NAMES[0].encode() + b"," + ",".join(csv_io.COLUMN_NAMES[1:]).encode()
     + b"\n", "a header but no rows"),
    ("sku,product_slug,product_name,brand,category,size_label,price\n"
     "X,crème,Crème,b,c,1 ml,1\n".encode("latin-1"), "not UTF-8 text"),
    ("sku,price\n".encode("utf-16"), "not a CSV file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not a CSV file"),
    (b'sku,product_slug,product_name,brand,category,size_label,price\n"X,a\n', "not valid CSV"),
])
def test_a_file_that_cannot_be_read_gets_one_clear_error(app, client, admin, shop, data,
                                                         message):
    before = state(app)
    response = upload(client, data, name="upload.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "upload.csv:" in page
    assert state(app) == before


def test_a_row_with_too_many_cells_is_named(app, client, admin, shop):
    data = (b"sku,product_slug,product_name,brand,category,size_label,price\n"
            b"NS-15,night-serum,Night Serum,quiet-fern,serums,15 ml,19.00,extra\n")
    page = upload(client, data).get_data(as_text=True)
    assert "8 cells where the header has 7" in page


def test_a_20_mb_upload_is_refused_before_it_is_read(app, client, admin, shop):
    before = state(app)
    page = client.get(IMPORT).get_data(as_text=True)
    big = b"sku,price\n" + b"X,1\n" * (5 * 1024 * 1024)
    response = client.post(IMPORT, data={"csrf_token": csrf_from(page),
                                         "file": (BytesIO(big), "big.csv")})
    assert response.status_code == 413
    assert "larger than we accept" in response.get_data(as_text=True)
    assert state(app) == before


def test_upload_without_a_file(client, admin):
    response = submit(client, IMPORT, {})
    assert response.status_code == 422
    assert "Choose a CSV file" in response.get_data(as_text=True)


# -- apply checks again and is all or nothing ------------------------------------------

def _price_change(client) -> bytes:
    rows = rows_of(export(client))
    rows[1].update(price="23.00", stock_on_hand="20")
    rows[2].update(price="35.00")
    return to_csv(rows)


def test_apply_checks_every_row_again(app, client, admin, shop):
    preview = upload(client, _price_change(client))
    with app.app_context():        # a checkout holds more stock after the dry run
        db.session.execute(Variant.__table__.update().where(Variant.sku == "NS-15")
                           .values(stock_on_hand=30, stock_reserved=25))
        db.session.commit()
    before = state(app)
    response = apply(client, preview)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was imported" in page
    assert "held for checkouts" in page
    assert state(app) == before


def test_a_failure_while_applying_rolls_everything_back(app, client, admin, shop,
                                                        monkeypatch):
    before = state(app)
    preview = upload(client, _price_change(client))
    real = services.set_stock

    def failing(variant, target, reason, actor, note=""):
        real(variant, target, reason, actor, note)
        raise InventoryError("The stock of NS-15 changed while importing.")

    monkeypatch.setattr(services, "set_stock", failing)
    response = apply(client, preview)
    assert response.status_code == 409
    assert "Nothing was imported: The stock of NS-15 changed" in response.get_data(
        as_text=True)
    assert state(app) == before


def test_an_import_is_applied_once_and_only_by_its_uploader(app, client, admin, shop, make):
    preview = upload(client, _price_change(client))
    html = preview.get_data(as_text=True)
    token = Page(html).one('input[name="token"]')["value"]
    forged = client.post(f"{IMPORT}/apply", data={"csrf_token": csrf_from(html),
                                                  "token": "A" * 32})
    assert forged.status_code == 400
    assert "upload the file again" in forged.get_data(as_text=True)
    traversal = client.post(f"{IMPORT}/apply", data={"csrf_token": csrf_from(html),
                                                     "token": "../../secret_key"})
    assert traversal.status_code == 400

    assert apply(client, preview).status_code == 303
    applied = state(app)
    again = client.post(f"{IMPORT}/apply", data={"csrf_token": csrf_from(html),
                                                 "token": token})
    assert again.status_code == 400
    assert state(app) == applied
    assert not list((Path(app.instance_path) / "imports").glob(f"{token}*"))


def test_a_new_dry_run_replaces_the_waiting_one(app, client, admin, shop):
    first = upload(client, _price_change(client))
    second = upload(client, _price_change(client))
    folder = Path(app.instance_path) / "imports"
    tokens = [Page(page.get_data(as_text=True)).one('input[name="token"]')["value"]
              for page in (first, second)]
    assert not (folder / f"{tokens[0]}.csv").exists()
    assert (folder / f"{tokens[1]}.csv").exists()
    assert apply(client, first).status_code == 400, "only the latest dry run can be applied"
    assert apply(client, second).status_code == 303
