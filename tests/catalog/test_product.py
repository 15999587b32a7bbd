"""GET /products/<slug>: sizes, stock, structured data, prescription-only, articles, budget."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from storefront.catalog.models import Product, ProductStatus, SkinType, Variant
from storefront.content.models import ArticleStatus, Condition
from storefront.db import utcnow
from storefront.extensions import db
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ConditionFactory,
    IngredientFactory,
    ProductFactory,
    RecommendationFactory,
    VariantFactory,
)
from tests.helpers.catalog import (
    add_image_row,
    card_slugs,
    install_fake_cart,
    json_ld,
    meta,
    text_of,
)
from tests.helpers.pages import Page

PRODUCT_QUERY_BUDGET = 6


@pytest.fixture
def serum(app, db):
    """A serum in three sizes (in stock, running low, sold out), with a picture."""
    with app.app_context():
        retinol = IngredientFactory(slug="retinol", name="Retinol",
                                    summary="Speeds up cell renewal.")
        product = ProductFactory(
            slug="retinol-night-serum", name="Retinol Night Serum",
            short_description="An evening retinol serum.",
            description="A gentle start.\nKept in an airless bottle.",
            how_to_use="Two drops at night.\nSunscreen every morning.",
            ingredients_list="Squalane, Retinol, Tocopherol",
            ingredients=[retinol], skin_types=[SkinType.NORMAL, SkinType.OILY],
            category=CategoryFactory(slug="serums", name="Serums"),
            variant__sku="RNS-30", variant__size_label="30 ml",
            variant__price=Decimal("32.00"), variant__compare_at_price=Decimal("38.00"),
            variant__stock_on_hand=40,
        )
        VariantFactory(product=product, sku="RNS-50", size_label="50 ml",
                       price=Decimal("46.00"), stock_on_hand=3, position=1)
        VariantFactory(product=product, sku="RNS-100", size_label="100 ml",
                       price=Decimal("80.00"), stock_on_hand=0, position=2)
        VariantFactory(product=product, sku="RNS-OLD", size_label="15 ml",
                       price=Decimal("9.00"), active=False, position=3)
        add_image_row(product, key="products/abc123", width=800, height=1000)
        db.session.commit()
        return {variant.sku: variant.id for variant in product.variants}


def get_page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- Visibility ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [ProductStatus.DRAFT, ProductStatus.ARCHIVED])
def test_draft_and_archived_products_are_not_found(client, make, status):
    product = make(ProductFactory, status=status)
    response = client.get(f"/products/{product.slug}")
    assert response.status_code == 404
    assert "We can&#39;t find that page" in response.get_data(as_text=True)


@pytest.mark.parametrize("slug", ["no-such-product", "x" * 5000, "%00", "..%2f..%2fetc"])
def test_unknown_slugs_are_not_found(client, slug):
    assert client.get(f"/products/{slug}").status_code == 404


# --- What the page shows ------------------------------------------------------------


def test_sizes_are_radio_buttons_with_price_and_stock(client, serum):
    page = get_page(client, "/products/retinol-night-serum")
    sizes = Page(page)
    assert sizes.texts('input[type="radio"] + label') == [
        "30 ml, €32.00 was €38.00 In stock",
        "50 ml, €46.00 Only 3 left",
        "100 ml, €80.00 Out of stock",
    ]
    assert sizes.one(f'input[value="{serum["RNS-30"]}"]').has_attr("checked")
    assert sizes.one(f'input[value="{serum["RNS-100"]}"]').has_attr("disabled"), \
        "sold out: not choosable"
    assert "15 ml" not in page, "a size that is no longer sold is not offered"
    assert '<span class="price">From €32.00</span>' in page
    assert "<s class=\"price-compare\"><span class=\"visually-hidden\">was </span>€38.00</s>" \
        in page


def test_a_size_can_be_preselected_but_only_if_it_can_be_bought(client, serum):
    page = get_page(client, f"/products/retinol-night-serum?variant={serum['RNS-50']}")
    assert f'value="{serum["RNS-50"]}" checked' in page
    for bad in (serum["RNS-100"], serum["RNS-OLD"], "abc", "9" * 40):
        page = get_page(client, f"/products/retinol-night-serum?variant={bad}")
        assert f'value="{serum["RNS-30"]}" checked' in page


def test_the_add_to_cart_form_follows_the_cart_contract(client, serum, app, monkeypatch):
    action = install_fake_cart(app, monkeypatch)
    page = get_page(client, "/products/retinol-night-serum?variant=x")
    buy = Page(page)
    form = buy.one("form.buy-box")
    assert form["method"] == "post"
    assert form["action"] == action
    fields = buy.form_fields("form.buy-box")
    assert "csrf_token" not in fields  # a guest form: the origin check protects it
    assert form.select('input[name="variant_id"]')
    quantity = buy.one("form.buy-box #quantity")
    assert {name: quantity.get(name) for name in ("type", "name", "value", "min", "max")} == {
        "type": "number", "name": "quantity", "value": "1", "min": "1", "max": "99"}
    assert buy.text_of('form.buy-box label[for="quantity"]') == "Quantity"
    assert fields["next"] == "/products/retinol-night-serum?variant=x"
    assert not form.select('[name="source_article"]')
    button = buy.one("form.buy-box button")
    assert (button["type"], button["class"], button.get_text()) == ("submit", ["button"],
                                                                    "Add to cart")


def test_without_the_cart_the_button_is_disabled(client, serum, app, monkeypatch):
    if "cart.add" in app.view_functions:
        monkeypatch.delitem(app.view_functions, "cart.add")
    page = get_page(client, "/products/retinol-night-serum")
    assert '<button type="button" class="button" disabled>Add to cart</button>' in page
    assert '<div class="buy-box">' in page
    assert not Page(page).has("form.buy-box")


def test_a_single_size_product_needs_no_radio_buttons(client, make, app, monkeypatch):
    install_fake_cart(app, monkeypatch)
    product = make(ProductFactory, slug="solo", variant__size_label="15 ml",
                   variant__price=Decimal("9.90"))
    page = get_page(client, "/products/solo")
    assert 'type="radio"' not in page
    assert "<p>Size: 15 ml</p>" in page
    assert '<span class="price">€9.90</span>' in page
    with app.app_context():
        variant_id = db.session.scalar(db.select(Variant.id).where(
            Variant.product_id == product.id))
    assert f'<input type="hidden" name="variant_id" value="{variant_id}">' in page


def test_a_sold_out_product_has_no_form(client, make, app, monkeypatch):
    install_fake_cart(app, monkeypatch)
    make(ProductFactory, slug="gone", variant__stock_on_hand=0)
    page = get_page(client, "/products/gone")
    assert '<p class="stock-out">Out of stock</p>' in page
    assert "Out of stock for now." in page
    assert 'class="buy-box"' not in page


def test_ingredients_how_to_use_skin_types_and_breadcrumbs(client, serum):
    page = get_page(client, "/products/retinol-night-serum")
    text = text_of(page)
    assert ('<div><dt><a href="/products?ingredient=retinol">Retinol</a></dt>'
            "<dd>Speeds up cell renewal.</dd></div>") in page
    assert "<p>Two drops at night.</p><p>Sunscreen every morning.</p>" in page
    assert "Full ingredient list Squalane, Retinol, Tocopherol" in text
    assert '<a class="tag" href="/products?skin_type=normal">Normal</a>' in page
    assert '<a class="tag" href="/products?skin_type=oily">Oily</a>' in page
    crumbs = 'nav.breadcrumbs[aria-label="Breadcrumb"]'
    assert Page(page).text_of(crumbs) == "Shop Serums Retinol Night Serum"
    assert Page(page).links(crumbs) == [("/products", "Shop"),
                                        ("/products?category=serums", "Serums")]
    assert Page(page).text_of(f'{crumbs} span[aria-current="page"]') == "Retinol Night Serum"


def test_pictures_are_responsive_with_a_jpeg_fallback(client, serum):
    page = get_page(client, "/products/retinol-night-serum")
    assert ('<source type="image/webp" srcset="/media/products/abc123-400.webp 400w, '
            '/media/products/abc123-800.webp 800w"') in page
    assert ('<img src="/media/products/abc123-800.jpg" width="800" height="1000" '
            'alt="Retinol Night Serum pack" loading="eager">') in page


# --- Structured data and sharing ----------------------------------------------------


def test_json_ld_product_with_an_offer_per_size(client, serum):
    page = get_page(client, "/products/retinol-night-serum")
    product, crumbs = json_ld(page)
    assert product["@context"] == "https://schema.org"
    assert product["@type"] == "Product"
    assert product["name"] == "Retinol Night Serum"
    assert product["brand"]["@type"] == "Brand"
    assert product["brand"]["name"].startswith("Brand")
    assert product["sku"] == "RNS-30"
    assert product["image"] == ["http://shop.test/media/products/abc123-800.jpg"]
    assert product["url"] == "http://shop.test/products/retinol-night-serum"
    offers = {offer["sku"]: offer for offer in product["offers"]}
    assert set(offers) == {"RNS-30", "RNS-50", "RNS-100"}
    assert offers["RNS-30"]["price"] == "32.00"
    assert offers["RNS-50"]["price"] == "46.00"
    assert {offer["priceCurrency"] for offer in offers.values()} == {"EUR"}
    assert offers["RNS-30"]["availability"] == "https://schema.org/InStock"
    assert offers["RNS-50"]["availability"] == "https://schema.org/LimitedAvailability"
    assert offers["RNS-100"]["availability"] == "https://schema.org/OutOfStock"
    assert offers["RNS-50"]["url"] == (
        f"http://shop.test/products/retinol-night-serum?variant={serum['RNS-50']}")
    assert crumbs["@type"] == "BreadcrumbList"
    assert [item["position"] for item in crumbs["itemListElement"]] == [1, 2, 3]
    assert [item["name"] for item in crumbs["itemListElement"]] == [
        "Shop", "Serums", "Retinol Night Serum"]
    assert crumbs["itemListElement"][1]["item"] == "http://shop.test/products?category=serums"
    assert crumbs["itemListElement"][2]["item"] == product["url"]


def test_json_ld_cannot_break_out_of_its_script_tag(client, make):
    make(ProductFactory, slug="tricky", name="</script><script>alert(1)</script>",
         short_description="Ampersand & <b>bold</b>")
    page = get_page(client, "/products/tricky")
    assert "<script>alert(1)" not in page
    product, _crumbs = json_ld(page)
    assert product["name"] == "</script><script>alert(1)</script>"
    assert product["description"] == "Ampersand & <b>bold</b>"


def test_open_graph_and_canonical(client, serum):
    page = get_page(client, "/products/retinol-night-serum?article=x&utm_source=mail")
    assert meta(page, "og:type") == "product"
    assert meta(page, "og:title") == "Retinol Night Serum"
    assert meta(page, "og:description") == "An evening retinol serum."
    assert meta(page, "og:image") == "http://shop.test/media/products/abc123-800.jpg"
    assert meta(page, "og:url") == "http://shop.test/products/retinol-night-serum"
    assert '<link rel="canonical" href="http://shop.test/products/retinol-night-serum">' in page
    assert "<title>Retinol Night Serum · " in page


# --- Prescription-only --------------------------------------------------------------


@pytest.fixture
def prescription(app, db):
    """Tretinoin for acne, with the over-the-counter products around it."""
    with app.app_context():
        acne, rosacea = ConditionFactory(slug="acne", name="Acne"), ConditionFactory()
        tretinoin = ProductFactory(slug="tretinoin-cream", name="Tretinoin Cream",
                                   prescription_only=True, variant__sku="TRET-20")
        options = {
            "adapalene-gel": {},
            "retinol-serum": {"featured_rank": 1},
            "sold-out-gel": {"variant__stock_on_hand": 0},
            "draft-gel": {"status": ProductStatus.DRAFT},
            "other-rx": {"prescription_only": True},
        }
        for slug, extra in options.items():
            RecommendationFactory(condition=acne, product=ProductFactory(slug=slug, **extra))
        RecommendationFactory(condition=acne, product=tretinoin,
                              why="Retinoic acid unblocks pores.",
                              how_to_use="A pea-sized amount at night.")
        RecommendationFactory(condition=rosacea, product=ProductFactory(slug="for-rosacea"))
        ProductFactory(slug="unrelated")
        db.session.commit()


def test_prescription_only_product_is_information_only(client, prescription, app,
                                                       monkeypatch):
    install_fake_cart(app, monkeypatch)
    page = get_page(client, "/products/tretinoin-cream")
    text = text_of(page)
    assert "Prescription only: ask your dermatologist" in text
    assert 'class="callout callout-warning"' in page
    own_part = Page(page)
    # The alternatives' cards can be bought: their section is left out.
    own_part.one('section[aria-labelledby="alternatives-heading"]').decompose()
    assert not own_part.has(".buy-box")
    assert not own_part.has('[name="quantity"]')
    assert "Add to cart" not in own_part.text
    product, _crumbs = json_ld(page)
    assert "offers" not in product, "nothing is offered for sale"
    assert product["sku"] == "TRET-20"


def test_prescription_only_product_lists_over_the_counter_alternatives(client, prescription):
    page = get_page(client, "/products/tretinoin-cream")
    alternatives = Page(page)
    assert alternatives.text_of("#alternatives-heading") == "Over-the-counter alternatives"
    section = alternatives.html_of('section[aria-labelledby="alternatives-heading"]')
    # In the order acne recommends them (the shop's featured order comes after that).
    assert card_slugs(section) == ["adapalene-gel", "retinol-serum"]


def test_prescription_only_product_without_alternatives_says_so(client, make):
    make(ProductFactory, slug="lonely-rx", prescription_only=True)
    text = text_of(get_page(client, "/products/lonely-rx"))
    assert "We have no over-the-counter product that does the same job in stock just now." \
        in text


def test_ordinary_products_list_no_alternatives(client, serum):
    assert "Over-the-counter alternatives" not in get_page(client, "/products/retinol-night-serum")


# --- Conditions and articles --------------------------------------------------------


@pytest.fixture
def editorial(app, db, serum):
    """Two conditions recommending the serum, and articles around them."""
    with app.app_context():
        product = db.session.scalar(db.select(Product).where(
            Product.slug == "retinol-night-serum"))
        acne = ConditionFactory(slug="acne", name="Acne", position=1)
        ageing = ConditionFactory(slug="photoageing", name="Sun-damaged skin", position=2)
        RecommendationFactory(condition=ageing, product=product,
                              why="Retinol softens fine lines.", how_to_use="Three nights a week.")
        RecommendationFactory(condition=acne, product=product,
                              why="Keeps pores clear.", how_to_use="")
        now = utcnow()
        for days in range(1, 7):  # six visible articles on acne, newest first = day 1
            ArticleFactory(slug=f"acne-{days}", title=f"Acne answer {days}",
                           published_at=now - timedelta(days=days), conditions=[acne])
        ArticleFactory(slug="draft-on-acne", status=ArticleStatus.DRAFT, conditions=[acne])
        ArticleFactory(slug="tomorrow", status=ArticleStatus.SCHEDULED,
                       published_at=now + timedelta(days=1), conditions=[acne])
        ArticleFactory(slug="old-source", title="The article you came from",
                       published_at=now - timedelta(days=90))
        db.session.commit()


def test_helps_with_lists_each_condition_with_reason_and_use(client, editorial):
    page = get_page(client, "/products/retinol-night-serum")
    helps = 'section[aria-labelledby="helps-heading"]'
    text = Page(page).text_of(helps)
    assert text.startswith("Helps with")
    assert text.index("Acne") < text.index("Sun-damaged skin")
    assert "Keeps pores clear." in text
    assert "Retinol softens fine lines. How to use it for this: Three nights a week." in text
    assert "/conditions/acne" in dict(Page(page).links(helps))


def test_related_articles_are_visible_newest_first_and_at_most_four(client, editorial):
    page = get_page(client, "/products/retinol-night-serum")
    links = Page(page).links('section[aria-labelledby="articles-heading"]')
    assert [href for href, _ in links] == [
        "/articles/acne-1", "/articles/acne-2", "/articles/acne-3", "/articles/acne-4"]


def test_a_visible_source_article_is_remembered(client, editorial, app, monkeypatch):
    install_fake_cart(app, monkeypatch)
    page = get_page(client, "/products/retinol-night-serum?article=old-source")
    assert '<input type="hidden" name="source_article" value="old-source">' in page
    assert "Recommended in The article you came from" in text_of(page)
    related = Page(page).links('section[aria-labelledby="articles-heading"]')
    assert "/articles/old-source" not in dict(related)
    assert len([href for href, _ in related if href.startswith("/articles/")]) == 4


@pytest.mark.parametrize("article", ["draft-on-acne", "tomorrow", "nope", "x" * 5000, "",
                                     "%00", "acne-1%00", "' OR 1=1 --"])
def test_an_unknown_or_hidden_source_article_is_ignored(client, editorial, app, monkeypatch,
                                                        article):
    install_fake_cart(app, monkeypatch)
    page = get_page(client, f"/products/retinol-night-serum?article={article}")
    assert "source_article" not in page
    assert "Recommended in" not in page


# --- Query budget -------------------------------------------------------------------


def test_a_product_page_stays_within_its_query_budget(client, editorial, count_queries):
    client.get("/products/retinol-night-serum")
    with count_queries() as counter:
        page = get_page(client, "/products/retinol-night-serum?article=old-source")
    assert "Helps with" in page
    assert "Read more" in page
    assert counter.count <= PRODUCT_QUERY_BUDGET, counter.statements


def test_a_prescription_page_with_alternatives_stays_within_budget(client, prescription, app,
                                                                   count_queries):
    with app.app_context():
        acne = db.session.scalar(db.select(Condition).where(Condition.slug == "acne"))
        ArticleFactory(slug="on-acne", conditions=[acne])
        db.session.commit()
    client.get("/products/tretinoin-cream")
    with count_queries() as counter:
        page = get_page(client, "/products/tretinoin-cream?article=on-acne")
    assert len(card_slugs(page)) == 2
    assert counter.count <= PRODUCT_QUERY_BUDGET, counter.statements
