"""Admins manage products, sizes, pictures and stock; every change is audited."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from storefront.audit.models import AuditEntry
from storefront.catalog.models import Product, ProductImage, ProductStatus, SkinType, Variant
from storefront.extensions import db
from storefront.inventory import queries as inventory_queries
from storefront.inventory import services as inventory
from storefront.inventory.models import StockMovement, StockReason
from storefront.media import LocalMediaStorage
from tests.factories import (
    AdminFactory,
    BrandFactory,
    CategoryFactory,
    EditorFactory,
    IngredientFactory,
    ProductFactory,
    VariantFactory,
    placed_order,
)
from tests.helpers import login, submit
from tests.helpers.pages import Page, text


@pytest.fixture
def admin(client, make):
    user = make(AdminFactory, email="stock.keeper@example.com")
    login(client, user.email)
    return user


@pytest.fixture
def storage(app, tmp_path, monkeypatch):
    storage = LocalMediaStorage(tmp_path / "media")
    monkeypatch.setitem(app.extensions, "storefront.media", storage)
    return storage


def audit_entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                       .order_by(AuditEntry.id)))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def load(app, model, object_id):
    with app.app_context():
        obj = db.session.get(model, object_id)
        if isinstance(obj, Product):
            _ = obj.variants, obj.images, obj.ingredients, obj.skin_types, obj.brand
        db.session.expunge(obj)
        return obj


def ledger(app, variant_id) -> list[StockMovement]:
    with app.app_context():
        movements = list(db.session.scalars(select(StockMovement).where(
            StockMovement.variant_id == variant_id).order_by(StockMovement.id)))
        db.session.expunge_all()
        return movements


# -- the product list ------------------------------------------------------------------

def test_list_searches_filters_and_totals_available_stock(app, client, admin, make):
    serums = make(CategoryFactory, slug="serums", name="Serums")
    calm = make(ProductFactory, name="Calm Serum", category=serums, variant=False)
    make(VariantFactory, product=calm, sku="CALM-15", stock_on_hand=7, stock_reserved=2)
    make(VariantFactory, product=calm, sku="CALM-30", stock_on_hand=4)
    make(VariantFactory, product=calm, sku="CALM-OLD", stock_on_hand=50, active=False)
    make(ProductFactory, name="Bright Cleanser", status=ProductStatus.DRAFT)

    page = client.get("/admin/products").get_data(as_text=True)
    assert "Calm Serum" in page
    assert "Bright Cleanser" in page
    row = Page(page).row("Calm Serum")
    assert text(row.select_one('td[data-label="Available"].num')) == "9", \
        "5 + 4 available; the size not on sale is left out"
    assert "2 of 3" in text(row)

    by_sku = client.get("/admin/products?q=calm-30").get_data(as_text=True)
    assert "Calm Serum" in by_sku
    assert "Bright Cleanser" not in by_sku
    drafts = client.get("/admin/products?status=draft").get_data(as_text=True)
    assert "Bright Cleanser" in drafts
    assert "Calm Serum" not in drafts
    in_serums = client.get("/admin/products?category=serums").get_data(as_text=True)
    assert "Calm Serum" in in_serums
    assert "Bright Cleanser" not in in_serums
    assert client.get("/admin/products?q=%00calm").status_code == 200
    junk = client.get("/admin/products?status=nope&category=%00%27&page=-3&q=%25")
    assert junk.status_code == 200
    assert "No products match" in junk.get_data(as_text=True)


def test_list_pages(client, admin, make, monkeypatch):
    monkeypatch.setattr(inventory_queries, "PRODUCTS_PER_PAGE", 2)
    for name in ("Alpha", "Beta", "Gamma"):
        make(ProductFactory, name=name)
    first = client.get("/admin/products").get_data(as_text=True)
    assert "Alpha" in first
    assert "Gamma" not in first
    assert "Page 1 of 2" in first
    second = client.get("/admin/products?page=2").get_data(as_text=True)
    assert "Gamma" in second
    assert "Alpha" not in second
    assert client.get("/admin/products?page=99").status_code == 200


def test_bulk_archive_and_activate(app, client, admin, make):
    first, second, third = (make(ProductFactory, name=f"Bulk {n}") for n in range(3))
    response = submit(client, "/admin/products/bulk?q=Bulk",
                      {"action": "archive", "product_ids": [first.id, second.id]},
                      form_url="/admin/products?q=Bulk")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/products?q=Bulk")
    assert [load(app, Product, p.id).status for p in (first, second, third)] == [
        ProductStatus.ARCHIVED, ProductStatus.ARCHIVED, ProductStatus.ACTIVE]
    archived = audit_entries(app, "product.archived")
    assert {(e.target_id, e.before["status"], e.after["status"]) for e in archived} == {
        (str(first.id), "active", "archived"), (str(second.id), "active", "archived")}
    assert all(entry.actor_id == admin.id for entry in archived)

    submit(client, "/admin/products/bulk", {"action": "activate",
                                            "product_ids": [first.id, third.id]},
           form_url="/admin/products")
    assert load(app, Product, first.id).status is ProductStatus.ACTIVE
    assert [(e.target_id, e.before, e.after) for e in audit_entries(
        app, "product.status_changed")] == [
        (str(first.id), {"status": "archived"}, {"status": "active"})], "third was active"


@pytest.mark.parametrize(("data", "message"), [
    ({"action": "archive"}, "Tick at least one product"),
    ({"action": "archive", "product_ids": ["999999"]}, "Tick at least one product"),
    ({"action": "archive", "product_ids": ["abc"]}, "Choose Archive or Activate"),
    ({"action": "delete", "product_ids": ["1"]}, "Choose Archive or Activate"),
])
def test_bulk_with_bad_input_changes_nothing(app, client, admin, make, data, message):
    product = make(ProductFactory)
    response = submit(client, "/admin/products/bulk", data, form_url="/admin/products")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert load(app, Product, product.id).status is ProductStatus.ACTIVE
    assert count(app, AuditEntry) == 0


# -- creating and editing products -----------------------------------------------------

def _product_data(brand_, category_, **overrides):
    brand, category = brand_, category_
    data = {
        "name": "Barrier Repair Cream", "slug": "barrier-repair-cream",
        "brand": str(brand.id), "category": str(category.id),
        "short_description": "Ceramides for dry skin.",
        "description": "A rich cream.\n\nFor very dry skin.",
        "ingredients_list": "Aqua, Glycerin, Ceramide NP",
        "how_to_use": "Morning and evening.", "skin_types": ["dry", "sensitive"],
        "status": "draft", "prescription_only": "y", "featured_rank": "3",
        "brand_names": "Renova, Retin-A",
    }
    data.update(overrides)
    return data


def test_create_product_with_every_field(app, client, admin, make):
    brand, category = make(BrandFactory), make(CategoryFactory)
    ceramides, urea = make(IngredientFactory, slug="ceramides"), make(IngredientFactory,
                                                                      slug="urea")
    data = _product_data(brand, category, ingredients=[str(ceramides.id), str(urea.id)])
    response = submit(client, "/admin/products/new", data)
    assert response.status_code == 303
    with app.app_context():
        product = db.session.scalar(select(Product).where(
            Product.slug == "barrier-repair-cream"))
        assert response.headers["Location"].endswith(f"/admin/products/{product.id}")
        assert (product.name, product.brand_id, product.category_id) == (
            "Barrier Repair Cream", brand.id, category.id)
        assert product.description == "A rich cream.\r\n\r\nFor very dry skin." or \
            product.description == "A rich cream.\n\nFor very dry skin."
        assert {i.slug for i in product.ingredients} == {"ceramides", "urea"}
        assert set(product.skin_types) == {SkinType.DRY, SkinType.SENSITIVE}
        assert product.status is ProductStatus.DRAFT
        assert product.prescription_only is True
        assert product.featured_rank == 3
        assert product.brand_names == "Renova, Retin-A"
        assert product.variants == []
    [entry] = audit_entries(app, "product.created")
    assert entry.before is None
    assert entry.after["slug"] == "barrier-repair-cream"
    assert entry.after["ingredients"] == ["ceramides", "urea"]
    assert entry.after["skin_types"] == ["dry", "sensitive"]
    assert entry.after["brand_names"] == "Renova, Retin-A"
    assert entry.actor_id == admin.id


def test_nul_characters_are_dropped_not_sent_to_the_database(app, client, admin, make):
    brand, category = make(BrandFactory), make(CategoryFactory)
    response = submit(client, "/admin/products/new",
                      _product_data(brand, category, name="Night\x00 Cream",
                                    description="Rich\x00", slug=""))
    assert response.status_code == 303
    with app.app_context():
        product = db.session.scalar(select(Product))
        assert (product.name, product.slug, product.description) == (
            "Night Cream", "night-cream", "Rich")


def test_an_empty_slug_is_made_from_the_name(app, client, admin, make):
    brand, category = make(BrandFactory), make(CategoryFactory)
    submit(client, "/admin/products/new",
           _product_data(brand, category, name="Crème Légère SPF 30", slug=""),
           form_url="/admin/products/new")
    with app.app_context():
        assert db.session.scalar(select(Product.slug)) == "creme-legere-spf-30"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"slug": "Not A Slug!"}, "Use lower-case letters"),
    ({"slug": "taken-slug"}, "is already the address of"),
    ({"name": ""}, "This field is required"),
    ({"brand": "999999"}, "Not a valid choice"),
    ({"category": "abc"}, "Invalid Choice"),
    ({"featured_rank": "-1"}, "Number must be"),
    ({"status": "published"}, "Not a valid choice"),
    ({"skin_types": ["greasy"]}, "not a valid choice"),
])
def test_product_form_errors_keep_what_was_typed(app, client, admin, make, overrides,
                                                 message):
    brand, category = make(BrandFactory), make(CategoryFactory)
    make(ProductFactory, slug="taken-slug")
    data = _product_data(brand, category, short_description="Typed by hand", **overrides)
    response = submit(client, "/admin/products/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message.lower() in page.lower()
    assert "Typed by hand" in page
    assert count(app, Product) == 1
    assert count(app, AuditEntry) == 0


def test_edit_product_records_before_and_after(app, client, admin, make):
    product = make(ProductFactory, name="Old Name", slug="old-name",
                   skin_types=[SkinType.OILY])
    url = f"/admin/products/{product.id}"
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="Old Name"' in form.get_data(as_text=True)
    data = _product_data(product.brand, product.category, name="New Name", slug="old-name",
                         status="active", prescription_only="", featured_rank="",
                         skin_types=["oily", "normal"])
    response = submit(client, url, data)
    assert response.status_code == 303
    saved = load(app, Product, product.id)
    assert saved.name == "New Name"
    assert set(saved.skin_types) == {SkinType.OILY,
                                                                  SkinType.NORMAL}
    [entry] = audit_entries(app, "product.updated")
    assert entry.before["name"] == "Old Name"
    assert entry.after["name"] == "New Name"
    assert entry.before["skin_types"] == ["oily"]
    assert entry.after["skin_types"] == ["normal", "oily"]
    assert "status" not in entry.before, "only changed fields are recorded"

    submit(client, url, data)
    assert len(audit_entries(app, "product.updated")) == 1, "saving unchanged: no entry"


def test_editing_to_a_taken_slug_is_refused(app, client, admin, make):
    make(ProductFactory, slug="first")
    second = make(ProductFactory, slug="second", name="Second")
    data = _product_data(second.brand, second.category, name="Renamed", slug="first")
    response = submit(client, f"/admin/products/{second.id}", data)
    assert response.status_code == 422
    assert "already the address of" in response.get_data(as_text=True)
    assert 'value="Renamed"' in response.get_data(as_text=True)
    assert load(app, Product, second.id).name == "Second"


def test_archive_keeps_the_product_and_its_sizes(app, client, admin, make):
    product = make(ProductFactory)
    url = f"/admin/products/{product.id}"
    response = submit(client, f"{url}/archive", {}, form_url=url)
    assert response.status_code == 303
    archived = load(app, Product, product.id)
    assert archived.status is ProductStatus.ARCHIVED
    assert len(archived.variants) == 1
    assert len(audit_entries(app, "product.archived")) == 1
    assert client.get(url).status_code == 200
    assert client.get("/admin/products/999999").status_code == 404


# -- sizes -----------------------------------------------------------------------------

VARIANT = {"sku": "BRC-50", "size_label": "50 ml", "price": "24.50",
           "compare_at_price": "29.00", "currency": "eur", "low_stock_threshold": "4",
           "active": "y"}


def test_add_a_size_that_starts_with_no_stock(app, client, admin, make):
    product = make(ProductFactory, variant=False)
    url = f"/admin/products/{product.id}/variants/new"
    response = submit(client, url, {**VARIANT, "stock_on_hand": "50"})
    assert response.status_code == 303
    with app.app_context():
        variant = db.session.scalar(select(Variant).where(Variant.sku == "BRC-50"))
        assert response.headers["Location"].endswith(
            f"/admin/products/variants/{variant.id}/stock")
        assert (variant.price, variant.compare_at_price, variant.currency) == (
            Decimal("24.50"), Decimal("29.00"), "EUR")
        assert (variant.stock_on_hand, variant.low_stock_threshold, variant.active) == (
            0, 4, True)
    [entry] = audit_entries(app, "variant.created")
    assert entry.after["price"] == "24.50"
    assert entry.after["sku"] == "BRC-50"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"sku": "TAKEN-1"}, "already used by another size"),
    ({"sku": "has space"}, "Use letters, digits"),
    ({"price": "abc"}, "Not a valid decimal"),
    ({"price": "NaN"}, "Enter an amount"),
    ({"price": "-1"}, "Enter an amount"),
    ({"price": "12.345"}, "at most two decimals"),
    ({"compare_at_price": "24.50"}, "must be higher than the price"),
    ({"compare_at_price": "10"}, "must be higher than the price"),
    ({"currency": "euro"}, "three-letter code"),
    ({"low_stock_threshold": "-2"}, "Number must be"),
])
def test_size_form_errors(app, client, admin, make, overrides, message):
    product = make(ProductFactory, variant=False)
    make(VariantFactory, sku="TAKEN-1")
    response = submit(client, f"/admin/products/{product.id}/variants/new",
                      {**VARIANT, "size_label": "Typed 75 ml", **overrides})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "Typed 75 ml" in page
    assert count(app, Variant) == 1
    assert count(app, AuditEntry) == 0


def test_edit_a_size(app, client, admin, make):
    variant = make(VariantFactory, sku="EDIT-1", price=Decimal("20.00"), stock_on_hand=8)
    url = f"/admin/products/variants/{variant.id}"
    assert "8 on hand" in client.get(url).get_data(as_text=True)
    response = submit(client, url, {**VARIANT, "sku": "EDIT-1", "price": "22",
                                    "compare_at_price": "", "active": ""})
    assert response.status_code == 303
    saved = load(app, Variant, variant.id)
    assert (saved.price, saved.active, saved.stock_on_hand) == (Decimal("22.00"), False, 8)
    [entry] = audit_entries(app, "variant.updated")
    assert entry.before["price"] == "20.00"
    assert entry.after["price"] == "22.00"
    assert entry.before["active"] is True
    assert entry.after["active"] is False
    assert client.get("/admin/products/variants/999999").status_code == 404


# -- stock -----------------------------------------------------------------------------

def test_adjustment_goes_through_the_ledger_and_the_audit_log(app, client, admin, make):
    variant = make(VariantFactory, sku="ADJ-1", stock_on_hand=0)
    url = f"/admin/products/variants/{variant.id}/stock"
    response = submit(client, url, {"reason": "received", "quantity": "12",
                                    "note": "Delivery 4411"})
    assert response.status_code == 303
    submit(client, url, {"reason": "damaged", "quantity": "-2", "note": ""})
    assert load(app, Variant, variant.id).stock_on_hand == 10
    assert [(m.quantity_change, m.on_hand_before, m.on_hand_after, m.reason, m.actor_id,
             m.note) for m in ledger(app, variant.id)] == [
        (12, 0, 12, StockReason.RECEIVED, admin.id, "Delivery 4411"),
        (-2, 12, 10, StockReason.DAMAGED, admin.id, "")]
    entries = audit_entries(app, "stock.adjusted")
    assert [(e.before, e.after["stock_on_hand"], e.after["reason"]) for e in entries] == [
        ({"stock_on_hand": 0}, 12, "received"), ({"stock_on_hand": 12}, 10, "damaged")]

    history = client.get(url).get_data(as_text=True)
    assert "stock.keeper@example.com" in history
    assert "Delivery 4411" in history
    assert "Received" in history
    assert "+12" in history
    assert "-2" in history


@pytest.mark.parametrize(("data", "message"), [
    ({"reason": "received", "quantity": "-6"}, "You can remove at most 3 of NEG-1"),
    ({"reason": "count_correction", "quantity": "-4"}, "You can remove at most 3"),
    ({"reason": "received", "quantity": "0"}, "other than zero"),
    ({"reason": "received", "quantity": "lots"}, "Not a valid integer"),
    ({"reason": "sale", "quantity": "1"}, "Not a valid choice"),
    ({"reason": "import", "quantity": "1"}, "Not a valid choice"),
    ({"reason": "received", "quantity": "99999999999"}, "Number must be"),
])
def test_stock_cannot_go_negative_or_below_what_is_held(app, client, admin, make, data,
                                                        message):
    variant = make(VariantFactory, sku="NEG-1", stock_on_hand=5, stock_reserved=2)
    response = submit(client, f"/admin/products/variants/{variant.id}/stock",
                      {"note": "typed note", **data})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "typed note" in page
    saved = load(app, Variant, variant.id)
    assert (saved.stock_on_hand, saved.stock_reserved) == (5, 2)
    assert ledger(app, variant.id) == []
    assert count(app, AuditEntry) == 0


def test_history_names_the_order_of_a_sale(app, client, admin, make):
    variant = make(VariantFactory, sku="SOLD-1", stock_on_hand=5)
    with app.app_context():
        order = placed_order((db.session.get(Variant, variant.id), 2))
        inventory.commit_sale([(variant.id, 2)], order_id=order.id)
        number = order.number
        db.session.commit()
    history = client.get(f"/admin/products/variants/{variant.id}/stock")
    page = history.get_data(as_text=True)
    assert number in page
    assert "Sale" in page
    assert client.get("/admin/products/variants/999999/stock").status_code == 404
    assert client.get(f"/admin/products/variants/{variant.id}/stock?page=x").status_code == 200


def test_low_stock_lists_sizes_at_or_below_their_threshold(app, client, admin, make):
    product = make(ProductFactory, name="Low Product", variant=False)
    make(VariantFactory, product=product, sku="AT-THRESHOLD", stock_on_hand=7,
         stock_reserved=2, low_stock_threshold=5)
    make(VariantFactory, product=product, sku="EMPTY-1", stock_on_hand=0)
    make(VariantFactory, product=product, sku="PLENTY-1", stock_on_hand=6,
         low_stock_threshold=5)
    make(VariantFactory, product=product, sku="NOT-ON-SALE", stock_on_hand=0, active=False)
    make(VariantFactory, sku="ARCHIVED-1", stock_on_hand=0,
         product=make(ProductFactory, status=ProductStatus.ARCHIVED, variant=False))
    low = make(VariantFactory, product=product, sku="LOW-LINK", stock_on_hand=1)
    page = client.get("/admin/stock/low").get_data(as_text=True)
    for sku in ("AT-THRESHOLD", "EMPTY-1", "LOW-LINK"):
        assert sku in page
    for sku in ("PLENTY-1", "NOT-ON-SALE", "ARCHIVED-1"):
        assert sku not in page
    rows = [" ".join(cells) for cells in Page(page).table("table")]
    order = [sku for row in rows for sku in ("EMPTY-1", "LOW-LINK", "AT-THRESHOLD") if sku in row]
    assert order == ["EMPTY-1", "LOW-LINK", "AT-THRESHOLD"]
    assert f"/admin/products/variants/{low.id}/stock#adjust" in page


# -- pictures --------------------------------------------------------------------------

def picture(kind: str = "PNG", size=(300, 200), colour=(200, 120, 90)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, kind)
    return buffer.getvalue()


def upload(client, product_id, data: bytes, name: str, alt: str = "A jar of cream"):
    return submit(client, f"/admin/products/{product_id}/images",
                  {"picture": (BytesIO(data), name), "alt_text": alt},
                  form_url=f"/admin/products/{product_id}")


def test_upload_a_picture(app, client, admin, make, storage):
    product = make(ProductFactory)
    response = upload(client, product.id, picture(), "jar.png")
    assert response.status_code == 303
    [image] = load(app, Product, product.id).images
    assert image.alt_text == "A jar of cream"
    assert image.width == 300
    assert storage.exists(f"{image.key}-200.webp")
    assert storage.exists(f"{image.key}-300.jpg")
    [entry] = audit_entries(app, "product.image_added")
    assert entry.after["image"] == image.key
    page = client.get(f"/admin/products/{product.id}").get_data(as_text=True)
    assert f"{image.key}-200.webp" in page

    again = upload(client, product.id, picture(), "same.png")
    assert again.status_code == 303
    assert len(load(app, Product, product.id).images) == 1
    assert len(audit_entries(app, "product.image_added")) == 1


@pytest.mark.parametrize(("make_data", "name", "alt", "message"), [
    (lambda: picture("JPEG") + b"\0" * (5 * 1024 * 1024), "big.jpg", "Big",
     "larger than 5 MB"),
    (lambda: picture("GIF"), "anim.gif", "A gif", "not a JPEG, PNG or WebP"),
    (lambda: b"<?php echo 'hello'; ?>" * 10, "photo.jpg", "Looks like a photo",
     "not a JPEG, PNG or WebP"),
    (lambda: picture("PNG")[:60], "cut.png", "Cut off", "not a picture we can use"),
    (lambda: picture(), "jar.png", "", "Describe the picture"),
])
def test_bad_pictures_are_refused(app, client, admin, make, storage, make_data, name, alt,
                                  message):
    product = make(ProductFactory)
    response = upload(client, product.id, make_data(), name, alt=alt)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, ProductImage) == 0
    assert count(app, AuditEntry) == 0
    assert not (storage.root / "products").exists()


def test_upload_without_a_file(app, client, admin, make):
    product = make(ProductFactory)
    response = submit(client, f"/admin/products/{product.id}/images", {"alt_text": "x"},
                      form_url=f"/admin/products/{product.id}")
    assert response.status_code == 422
    assert "Choose a picture" in response.get_data(as_text=True)


def test_reorder_and_delete_pictures(app, client, admin, make, storage):
    product = make(ProductFactory)
    url = f"/admin/products/{product.id}"
    upload(client, product.id, picture(colour=(10, 10, 10)), "a.png", alt="First")
    upload(client, product.id, picture(colour=(250, 250, 250)), "b.png", alt="Second")
    first, second = load(app, Product, product.id).images

    response = submit(client, f"/admin/products/images/{second.id}/move",
                      {"direction": "up"}, form_url=url)
    assert response.status_code == 303
    assert [image.alt_text for image in load(app, Product, product.id).images] == [
        "Second", "First"]
    [moved] = audit_entries(app, "product.images_reordered")
    assert moved.before["order"] == [first.key, second.key]
    assert moved.after["order"] == [second.key, first.key]
    assert submit(client, f"/admin/products/images/{second.id}/move",
                  {"direction": "sideways"}, form_url=url).status_code == 400

    response = submit(client, f"/admin/products/images/{second.id}/delete", {}, form_url=url)
    assert response.status_code == 303
    [left] = load(app, Product, product.id).images
    assert (left.alt_text, left.position) == ("First", 0)
    assert not storage.exists(f"{second.key}-200.webp")
    assert storage.exists(f"{first.key}-200.webp")
    [deleted] = audit_entries(app, "product.image_deleted")
    assert deleted.before["image"] == second.key
    assert deleted.after is None
    assert submit(client, "/admin/products/images/999999/delete", {},
                  form_url=url).status_code == 404


# -- who may -----------------------------------------------------------------------------

def test_editors_cannot_touch_inventory(app, client, make):
    editor = make(EditorFactory)
    variant = make(VariantFactory, stock_on_hand=3)
    login(client, editor.email)
    for url in ("/admin/products", "/admin/stock/low", "/admin/products/import",
                "/admin/products/export.csv", f"/admin/products/{variant.product_id}",
                f"/admin/products/variants/{variant.id}/stock"):
        assert client.get(url).status_code == 403, url
    response = submit(client, f"/admin/products/variants/{variant.id}/stock",
                      {"reason": "received", "quantity": "5"}, form_url="/account/")
    assert response.status_code == 403
    assert load(app, Variant, variant.id).stock_on_hand == 3
