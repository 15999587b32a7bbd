"""The demo catalog: complete, idempotent, with real pictures, and pages that render it."""

from __future__ import annotations

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from storefront.catalog.images import image_file_names
from storefront.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductImage,
    StockState,
    Variant,
)
from storefront.demo.catalog import seed_catalog
from storefront.extensions import db
from storefront.media import LocalMediaStorage
from tests.helpers.catalog import card_slugs, json_ld

REQUIRED = {
    "retinol-night-serum": ["retinol"],
    "adapalene-gel": ["adapalene"],
    "tretinoin-cream": ["tretinoin"],
    "gentle-cream-cleanser": ["ceramides"],
    "mineral-sunscreen-spf50": ["zinc-oxide"],
    "glycolic-exfoliating-toner": ["glycolic-acid"],
    "niacinamide-serum": ["niacinamide"],
    "ceramide-barrier-cream": ["ceramides", "hyaluronic-acid"],
    "salicylic-acid-cleanser": ["salicylic-acid"],
    "benzoyl-peroxide-wash": ["benzoyl-peroxide"],
    "vitamin-c-serum": ["vitamin-c"],
    "azelaic-acid-cream": ["azelaic-acid"],
    "urea-repair-cream": ["urea"],
    "hyaluronic-hydrating-serum": ["hyaluronic-acid"],
    "lactic-acid-body-lotion": ["lactic-acid"],
}
INGREDIENTS = {"retinol", "adapalene", "tretinoin", "niacinamide", "glycolic-acid",
               "salicylic-acid", "benzoyl-peroxide", "vitamin-c", "zinc-oxide", "azelaic-acid",
               "ceramides", "hyaluronic-acid", "urea", "lactic-acid"}
CATEGORIES = {"cleansers", "serums", "moisturisers", "sunscreen", "treatments", "exfoliants"}


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    """One media folder for the module: the drawn pictures are the same every time."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture
def storage(app, media_root, monkeypatch):
    storage = LocalMediaStorage(media_root)
    monkeypatch.setitem(app.extensions, "storefront.media", storage)
    return storage


@pytest.fixture
def seeded(app, db, storage):
    with app.app_context():
        lines = seed_catalog()
        db.session.commit()
    return lines


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Category, Brand, Ingredient, Product, Variant, ProductImage)}


def _products() -> dict[str, Product]:
    statement = select(Product).options(
        selectinload(Product.variants), selectinload(Product.images),
        selectinload(Product.ingredients))
    return {product.slug: product for product in db.session.scalars(statement)}


def test_seeding_twice_creates_one_copy(app, seeded, storage):
    assert seeded[0].startswith("Catalog: created 30 products")
    with app.app_context():
        before = _counts()
        files_before = sorted(storage.root.rglob("*.*"))
        again = seed_catalog()
        db.session.flush()
        assert _counts() == before
    assert again == ["Catalog: all 30 demo products exist"]
    assert sorted(storage.root.rglob("*.*")) == files_before
    assert before["Product"] == 30
    assert before["Category"] == 6
    assert 3 <= before["Brand"] <= 5


def test_a_lost_picture_is_drawn_again(app, seeded, storage):
    with app.app_context():
        image = _products()["niacinamide-serum"].images[0]
        largest = f"{image.key}-{image.width}.jpg"
    storage.delete(largest)
    with app.app_context():
        assert seed_catalog()[0].startswith("Catalog: created 0 products, 0 sizes, 1 pictures")
        assert _counts()["ProductImage"] == 30
    assert storage.exists(largest)


def test_the_products_other_features_rely_on(app, seeded):
    with app.app_context():
        products = _products()
        for slug, keys in REQUIRED.items():
            assert sorted(i.slug for i in products[slug].ingredients) == sorted(keys), slug
        assert {i.slug for i in db.session.scalars(select(Ingredient))} == INGREDIENTS
        assert {c.slug for c in db.session.scalars(select(Category))} == CATEGORIES
        retinol = products["retinol-night-serum"]
        assert [v.size_label for v in retinol.variants] == ["30 ml", "50 ml"]
        assert products["tretinoin-cream"].prescription_only
        assert not products["adapalene-gel"].prescription_only
        assert "0.1%" in products["adapalene-gel"].name
        assert "0.025%" in products["tretinoin-cream"].name


def test_the_demo_shows_every_stock_state_and_offer(app, seeded):
    with app.app_context():
        sold = [p for p in _products().values() if not p.prescription_only]
        states = [product.stock_state for product in sold]
        assert states.count(StockState.LOW) >= 4
        assert states.count(StockState.OUT) >= 3
        assert states.count(StockState.IN_STOCK) >= 15
        assert 6 <= sum(product.featured_rank is not None for product in sold) <= 10
        assert sum(v.on_sale for p in sold for v in p.variants) >= 3
        for product in sold:
            assert product.how_to_use
            assert product.ingredients_list
            assert product.skin_types
            assert product.short_description
            assert product.ingredients
        for ingredient in db.session.scalars(select(Ingredient)):
            assert 1 <= ingredient.summary.count(". ") + 1 <= 3, ingredient.slug


def test_every_product_has_a_picture_in_every_size(app, seeded, storage):
    with app.app_context():
        for product in _products().values():
            assert len(product.images) == 1, product.slug
            image = product.images[0]
            assert (image.width, image.height) == (800, 800)
            assert product.name in image.alt_text
            for name in image_file_names(image.key, image.width):
                assert storage.exists(name), name
    with storage.open(f"{image.key}-400.webp") as stream:
        assert Image.open(stream).size == (400, 400)


def test_the_shop_pages_render_the_demo(client, seeded, count_queries):
    client.get("/products")
    with count_queries() as counter:
        response = client.get("/products")
    page = response.get_data(as_text=True)
    assert len(card_slugs(page)) == 24
    assert card_slugs(page)[:3] == ["retinol-night-serum", "adapalene-gel",
                                    "mineral-sunscreen-spf50"]
    assert counter.count <= 5
    assert len(response.data) <= 40_000
    detail = client.get("/products/retinol-night-serum").get_data(as_text=True)
    product, _crumbs = json_ld(detail)
    assert [offer["price"] for offer in product["offers"]] == ["32.00", "46.00"]
    rx = client.get("/products/tretinoin-cream").get_data(as_text=True)
    assert "Prescription only: ask your dermatologist" in rx
    image = client.get(product["image"][0].removeprefix("http://shop.test"))
    assert image.status_code == 200
    assert image.mimetype == "image/jpeg"
