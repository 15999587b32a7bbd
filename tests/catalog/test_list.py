"""GET /products: filters, sorts, pagination, cards, bad input and the query budget."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bs4 import Tag
from sqlalchemy import select

from storefront.catalog.listing import ListLinks, page_numbers, parse_listing
from storefront.catalog.models import Category, ProductStatus, SkinType, Variant
from storefront.extensions import db
from storefront.links import with_query
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    ConditionFactory,
    IngredientFactory,
    ProductFactory,
    RecommendationFactory,
    VariantFactory,
)
from tests.helpers.catalog import (
    add_image_row,
    build_shop,
    card_slugs,
    install_fake_cart,
    text_of,
)
from tests.helpers.pages import Page, one, text

ALPHA, BETA, GAMMA, DELTA, EPSILON = ("alpha-serum", "beta-cream", "gamma-wash", "delta-gel",
                                      "epsilon-rx")
LIST_QUERY_BUDGET = 5
LIST_HTML_BUDGET = 40_000


@pytest.fixture
def shop(app, db):
    return build_shop(app)


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"/products?{query}")
    assert response.status_code == 200
    return card_slugs(response.get_data(as_text=True))


# --- Which products are listed ---------------------------------------------------------


def test_only_active_products_are_listed_and_prescription_ones_are_marked(client, shop):
    response = client.get("/products")
    page = response.get_data(as_text=True)
    assert sorted(card_slugs(page)) == sorted([ALPHA, BETA, GAMMA, DELTA, EPSILON])
    assert "Zeta Draft" not in page
    assert "Eta Archived" not in page
    card = _card(page, EPSILON)
    assert "Prescription only: ask your dermatologist" in text(card)
    assert "€20.00" not in text(card)
    assert not card.select("form")


@pytest.mark.parametrize(("query", "expected"), [
    ("category=serums", [ALPHA]),
    ("category=moisturisers", [BETA]),
    ("category=treatments", [DELTA, EPSILON]),
    ("condition=acne", [DELTA, EPSILON, GAMMA]),
    ("condition=dryness", [BETA]),
    ("ingredient=retinol", [ALPHA, DELTA]),
    ("ingredient=tretinoin", [EPSILON]),
    ("skin_type=dry", [BETA, ALPHA]),
    ("skin_type=oily", [DELTA, EPSILON, GAMMA]),
    ("skin_type=sensitive", [BETA]),
    ("price_min=15", [BETA, DELTA, GAMMA]),
    ("price_max=15", [ALPHA, GAMMA]),
    ("price_min=12&price_max=26", [BETA, GAMMA]),
    ("price_min=25.00&price_max=25.00", [BETA]),
    ("price_max=14,99", [ALPHA]),
    ("in_stock=1", [BETA, ALPHA, DELTA]),
])
def test_each_filter_alone(client, shop, query, expected):
    assert listed(client, query) == expected


@pytest.mark.parametrize(("query", "expected"), [
    ("category=treatments&skin_type=oily", [DELTA, EPSILON]),
    ("category=treatments&skin_type=oily&in_stock=1", [DELTA]),
    ("condition=acne&ingredient=retinol", [DELTA]),
    ("condition=acne&in_stock=1", [DELTA]),
    ("condition=acne&sort=price_asc", [GAMMA, DELTA, EPSILON]),
    ("ingredient=retinol&in_stock=1&sort=price_desc", [DELTA, ALPHA]),
    ("skin_type=dry&price_max=20", [ALPHA]),
    ("skin_type=oily&price_max=20&sort=name", [GAMMA]),
    ("category=treatments&condition=acne&ingredient=niacinamide&skin_type=oily"
     "&price_min=29&price_max=31&in_stock=1&sort=newest", [DELTA]),
    ("category=serums&condition=acne", []),
])
def test_filters_combine(client, shop, query, expected):
    assert listed(client, query) == expected


@pytest.mark.parametrize(("sort", "expected"), [
    ("featured", [BETA, ALPHA, DELTA, EPSILON, GAMMA]),
    ("", [BETA, ALPHA, DELTA, EPSILON, GAMMA]),
    ("price_asc", [ALPHA, GAMMA, BETA, DELTA, EPSILON]),
    ("price_desc", [DELTA, BETA, GAMMA, ALPHA, EPSILON]),
    ("newest", [EPSILON, DELTA, GAMMA, BETA, ALPHA]),
    ("name", [ALPHA, BETA, DELTA, EPSILON, GAMMA]),
])
def test_sorts(client, shop, sort, expected):
    assert listed(client, f"sort={sort}") == expected


def test_in_stock_counts_what_is_not_reserved(client, app, db):
    with app.app_context():
        ProductFactory(slug="all-held", variant__stock_on_hand=5, variant__stock_reserved=5)
        ProductFactory(slug="one-free", variant__stock_on_hand=5, variant__stock_reserved=4)
        db.session.commit()
    assert listed(client, "in_stock=1") == ["one-free"]
    page = client.get("/products").get_data(as_text=True)
    assert "Out of stock" in text(_card(page, "all-held"))
    assert "Only a few left" in text(_card(page, "one-free"))
    product_page = client.get("/products/one-free").get_data(as_text=True)
    assert "Only 1 left" in product_page  # the count is on the product's own page


def test_inactive_sizes_do_not_set_the_price(client, app, db):
    with app.app_context():
        product = ProductFactory(slug="sized", variant__price=Decimal("50.00"))
        VariantFactory(product=product, price=Decimal("5.00"), active=False)
        db.session.commit()
    assert listed(client, "price_max=10") == []
    assert "€50.00" in text(_card(client.get("/products").get_data(as_text=True), "sized"))


# --- Filter links, chips and the empty result ---------------------------------------


def test_filter_links_work_without_javascript(client, shop, app):
    with app.app_context():
        ConditionFactory(slug="unused", name="Unused")
        IngredientFactory(slug="in-nothing", name="In nothing")
        db.session.commit()
    page = client.get("/products?sort=price_asc").get_data(as_text=True)
    assert 'href="/products?category=serums&amp;sort=price_asc"' in page
    assert 'href="/products?condition=acne&amp;sort=price_asc"' in page
    assert 'href="/products?ingredient=retinol&amp;sort=price_asc"' in page
    assert 'href="/products?skin_type=oily&amp;sort=price_asc"' in page
    assert '<form method="get" action="/products">' in page
    assert '<option value="price_asc" selected>' in page
    # Conditions with no product recommended and ingredients in no product are not offered.
    assert "condition=unused" not in page
    assert "ingredient=in-nothing" not in page


def test_active_filters_are_shown_as_chips_that_remove_one_filter(client, shop):
    page = client.get("/products?category=treatments&skin_type=oily&price_max=40"
                      "&in_stock=1&sort=name").get_data(as_text=True)
    in_use = Page(page).links('ul.active-filters[aria-label="Filters in use"]')
    assert in_use == [
        ("/products?skin_type=oily&price_max=40.00&in_stock=1&sort=name",
         "Category: Treatments (remove this filter)"),
        ("/products?category=treatments&price_max=40.00&in_stock=1&sort=name",
         "Skin type: Oily (remove this filter)"),
        ("/products?category=treatments&skin_type=oily&in_stock=1&sort=name",
         "Up to €40.00 (remove this filter)"),
        ("/products?category=treatments&skin_type=oily&price_max=40.00&sort=name",
         "In stock only (remove this filter)"),
        ("/products?sort=name", "Clear all filters"),
    ]
    assert '<input type="hidden" name="category" value="treatments">' in page


def test_an_empty_result_says_what_to_do(client, shop):
    page = client.get("/products?category=serums&condition=acne").get_data(as_text=True)
    assert card_slugs(page) == []
    shown = text_of(page)
    assert "No products match all these filters" in shown
    assert "Try removing one of them" in shown
    assert 'href="/products?condition=acne"' in page  # remove the category
    assert 'href="/products?category=serums"' in page  # remove the condition
    assert "see every product" in shown


def test_an_empty_shop_says_so(client):
    assert "The shop has no products yet" in text_of(client.get("/products").get_data(
        as_text=True))


# --- Cards: price, compare-at price, stock, the add-to-cart form -------------------


def _card(page: str, slug: str) -> Tag:
    """The product card whose name links to ``slug``."""
    name = Page(page).one(f'article.product-card .product-name > a[href="/products/{slug}"]')
    card = name.find_parent("article", class_="product-card")
    assert card is not None
    return card


def test_cards_show_price_compare_at_price_and_stock_wording(client, shop):
    page = client.get("/products").get_data(as_text=True)
    alpha, beta, gamma, delta = (_card(page, slug) for slug in (ALPHA, BETA, GAMMA, DELTA))
    assert text(one(alpha, "span.price")) == "€10.00"
    assert text(one(alpha, "p.stock-in")) == "In stock"
    assert text(one(beta, "span.price")) == "From €25.00"
    assert text(one(beta, "p.stock-in")) == "In stock"
    assert text(one(gamma, "p.stock-out")) == "Out of stock"
    assert text(one(delta, "span.price")) == "€30.00"
    assert text(one(delta, "s.price-compare")) == "was €36.00"
    assert text(one(delta, "s.price-compare > span.visually-hidden")) == "was"
    assert text(one(delta, "p.stock-low")) == "Only a few left"  # the count: its own page
    assert not alpha.select(".price-compare")


def test_card_actions_follow_the_cart_contract(client, shop, app, monkeypatch):
    action = install_fake_cart(app, monkeypatch)
    page = client.get("/products?sort=name").get_data(as_text=True)
    alpha = _card(page, ALPHA)
    form = one(alpha, "form.add-to-cart")
    assert (form["method"], form["action"]) == ("post", action)
    with app.app_context():
        alpha_variant = db.session.scalar(
            db.select(Variant.id).where(Variant.sku == "SKU-alpha-serum"))
    # No csrf_token (a guest form: the origin check protects it), no source_article.
    assert [(field["type"], field["name"], field["value"]) for field in form.select("input")] == [
        ("hidden", "variant_id", str(alpha_variant)), ("hidden", "quantity", "1"),
        ("hidden", "next", "/products?sort=name")]
    assert "Choose a size" in text(_card(page, BETA))
    assert not _card(page, BETA).select("form")
    gamma = _card(page, GAMMA)  # its only size is sold out: no cart; the back-in-stock link
    assert not gamma.select("form")
    assert gamma.select('a[href^="/stock-alerts/new?variant="]')
    assert one(_card(page, DELTA), "form")["action"] == action  # running low is still for sale
    assert not _card(page, EPSILON).select("form")


def test_card_without_the_cart_shows_a_disabled_button(client, shop, app, monkeypatch):
    if "cart.add" in app.view_functions:  # nav_url() treats a missing view as "not installed"
        monkeypatch.delitem(app.view_functions, "cart.add")
    alpha = _card(client.get("/products").get_data(as_text=True), ALPHA)
    button = one(alpha, "button")
    assert (button["type"], button["class"], text(button)) == (
        "button", ["button", "button-small"], "Add to cart")
    assert button.has_attr("disabled")
    assert "Online ordering opens soon." in text(alpha)
    assert not alpha.select("form")


# --- Pagination -------------------------------------------------------------------------


@pytest.fixture
def thirty(app, db):
    with app.app_context():
        brand, category = BrandFactory(), CategoryFactory(slug="all", name="All")
        for number in range(30):
            ProductFactory(slug=f"item-{number:02d}", name=f"Item {number:02d}", brand=brand,
                           category=category)
        db.session.commit()


def test_pages_hold_24_products_and_link_to_each_other(client, thirty):
    first = client.get("/products?sort=name").get_data(as_text=True)
    assert card_slugs(first) == [f"item-{n:02d}" for n in range(24)]
    assert "Showing 1\N{EN DASH}24 of 30 products" in first
    assert 'href="/products?sort=name&amp;page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    assert 'aria-current="page">1</a>' in first
    second = client.get("/products?sort=name&page=2").get_data(as_text=True)
    assert card_slugs(second) == [f"item-{n:02d}" for n in range(24, 30)]
    assert "Showing 25\N{EN DASH}30 of 30 products" in second
    assert 'href="/products?sort=name" rel="prev"' in second
    assert 'rel="next"' not in second
    assert '<link rel="canonical" href="http://shop.test/products?sort=name&amp;page=2">' \
        in second


def test_a_page_past_the_end_shows_the_last_page(client, thirty):
    page = client.get("/products?page=999999").get_data(as_text=True)
    assert len(card_slugs(page)) == 6
    assert "There are only 2 pages of results, so you're seeing the last one." in text_of(page)


def test_the_total_counts_only_products_on_sale(client, app, thirty):
    """The unfiltered list counts the whole table less what is not on sale: each status
    that is not on sale is taken off, and a filtered list counts the same way."""
    with app.app_context():
        category = db.session.scalar(select(Category).where(Category.slug == "all"))
        for number, status in enumerate((ProductStatus.DRAFT, ProductStatus.ARCHIVED) * 2):
            ProductFactory(slug=f"gone-{number}", status=status, category=category)
        db.session.commit()
    for query in ("", "?category=all"):
        page = client.get(f"/products{query}").get_data(as_text=True)
        assert "Showing 1\N{EN DASH}24 of 30 products" in page, query
        assert not [slug for slug in card_slugs(page) if slug.startswith("gone-")]


def test_an_ingredient_only_withdrawn_products_have_is_not_a_filter(client, app, db):
    with app.app_context():
        kept, withdrawn = IngredientFactory(name="Kept acid"), IngredientFactory(name="Gone oil")
        ProductFactory(ingredients=[kept])
        ProductFactory(ingredients=[withdrawn], status=ProductStatus.ARCHIVED)
        ProductFactory(ingredients=[withdrawn], status=ProductStatus.DRAFT)
        db.session.commit()
    page = text_of(client.get("/products").get_data(as_text=True))
    assert "Kept acid" in page
    assert "Gone oil" not in page


def test_page_numbers_skip_the_middle_of_long_lists(app):
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_numbers(2, 20) == [1, 2, 3, 4, None, 20]


# --- Bad input --------------------------------------------------------------------------


LONG = "x" * 5000


@pytest.mark.parametrize(("query", "note"), [
    ("page=-1", "“-1” is not a page number, so you're seeing the first page."),
    ("page=abc", "“abc” is not a page number"),
    ("page=0", "“0” is not a page number"),
    ("page=\N{FULLWIDTH DIGIT ONE}\N{FULLWIDTH DIGIT TWO}", "is not a page number"),
    ("page=" + "9" * 5000, "is not a page number"),
    ("price_max=abc", "The highest price “abc” isn't an amount in euros we can use"),
    ("price_min=-5", "The lowest price “-5” isn't an amount"),
    ("price_max=NaN", "The highest price “NaN” isn't an amount"),
    ("price_max=Infinity", "isn't an amount"),
    ("price_max=1e999999", "isn't an amount"),
    ("price_min=" + LONG, "isn't an amount"),
    ("sort=drop%20table", "We can't sort by “drop table”, so the list is in featured order."),
    ("sort=" + LONG, "We can't sort by"),
    ("category=nope", "We don't have the category “nope”, so that filter was left out."),
    ("category=%00", "We don't have the category"),
    ("ingredient=retinol%00", "We don't have the key ingredient"),
    ("condition=nope", "We don't have the skin concern “nope”"),
    ("ingredient=nope", "We don't have the key ingredient “nope”"),
    ("category=" + LONG, "We don't know the category"),
    ("skin_type=scaly", "“scaly” is not a skin type we filter by"),
    ("skin_type=" + LONG, "is not a skin type we filter by"),
    ("price_min=30&price_max=10", "The lowest price was above the highest, so we swapped them."),
])
def test_bad_parameters_fall_back_with_a_note(client, shop, query, note):
    response = client.get(f"/products?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert note in text_of(page)
    assert LONG not in page, "a huge value is never echoed in full"
    assert card_slugs(page), "the shopper still sees products"


def test_unknown_and_odd_parameters_are_ignored(client, shop):
    for query in ("q=" + LONG, "in_stock=maybe", "category=", "page=&sort=",
                  "category=serums&category=cleansers", "%ff=%fe", "price_max=%00"):
        response = client.get(f"/products?{query}")
        assert response.status_code == 200, query


def test_an_unknown_slug_leaves_the_other_filters_working(client, shop):
    assert listed(client, "category=nope&ingredient=retinol") == [ALPHA, DELTA]


def test_minus_zero_is_zero(client, shop):
    page = client.get("/products?price_max=-0").get_data(as_text=True)
    assert "Up to €0.00" in page
    assert "€-0" not in page
    assert card_slugs(page) == []


def test_swapped_prices_still_filter(client, shop):
    assert listed(client, "price_min=26&price_max=12") == [BETA, GAMMA]


# --- Budgets: queries and page weight ---------------------------------------------------


def _products(app, count: int, start: int = 0) -> None:
    """``count`` products like real ones: two sizes, a picture, ingredients, a condition."""
    with app.app_context():
        brand = BrandFactory(name="Brightwater Dermatology Laboratories")
        category = CategoryFactory(name="Moisturisers and barrier creams")
        ingredient = IngredientFactory(name="Hyaluronic acid")
        condition = ConditionFactory(name="Dry skin and eczema")
        for number in range(start, start + count):
            product = ProductFactory(
                slug=f"ceramide-barrier-repair-cream-{number}",
                name=f"Ceramide Barrier Repair Cream for Very Dry Skin No. {number}",
                brand=brand, category=category, ingredients=[ingredient],
                skin_types=[SkinType.DRY, SkinType.SENSITIVE], featured_rank=number % 7 or None,
                variant__price=Decimal("22.00"), variant__compare_at_price=Decimal("27.50"),
                variant__stock_on_hand=3 if number % 3 else 40,
            )
            if number % 2:
                VariantFactory(product=product, size_label="100 ml", price=Decimal("36.00"))
            add_image_row(product)
            RecommendationFactory(condition=condition, product=product)
        db.session.commit()


def test_the_list_costs_the_same_queries_for_5_and_50_products(client, app, db, count_queries):
    queries = "/products?ingredient=&skin_type=dry&price_max=100&sort=price_asc"
    _products(app, 5)
    client.get("/products")  # warm up: nothing per-process is counted below
    with count_queries() as five:
        assert client.get(queries).status_code == 200
    _products(app, 45, start=5)
    client.get("/products")  # the cache's once-per-change lookup is not the list's either
    with count_queries() as fifty:
        response = client.get(queries)
    assert response.status_code == 200
    assert len(card_slugs(response.get_data(as_text=True))) == 24
    assert five.count == fifty.count <= LIST_QUERY_BUDGET, fifty.statements


def test_a_full_page_of_24_products_stays_under_40_kb(client, app, db, monkeypatch):
    install_fake_cart(app, monkeypatch)  # every card with a form: the heaviest case
    _products(app, 30)
    with app.app_context():
        for slug in ("cleansers", "serums", "sunscreen", "treatments", "exfoliants"):
            CategoryFactory(slug=slug, name=slug.capitalize())
        for number in range(14):
            IngredientFactory(name=f"Key ingredient number {number}")
        db.session.commit()
    response = client.get("/products?skin_type=dry&in_stock=0&sort=featured")
    body = response.get_data()
    assert len(card_slugs(body.decode())) == 24
    assert len(body) <= LIST_HTML_BUDGET, f"{len(body)} bytes"


def test_every_card_has_a_picture_with_sizes(client, app, db):
    _products(app, 2)
    page = client.get("/products").get_data(as_text=True)
    assert page.count("<picture>") == 2
    assert ('srcset="/media/products/ceramide-barrier-repair-cream-0-200.webp 200w, '
            '/media/products/ceramide-barrier-repair-cream-0-400.webp 400w"') in page
    assert ('<img src="/media/products/ceramide-barrier-repair-cream-0-400.jpg" width="400" '
            'height="400" alt="" loading="lazy">') in page  # the heading names the product


@pytest.mark.parametrize("query", [
    {},
    {"category": "serums", "skin_type": "dry", "sort": "price_asc", "page": "3"},
    {"condition": "acne & spots", "ingredient": "vitamin c/e", "price_min": "1.5",
     "price_max": "30", "in_stock": "1", "sort": "newest"},
    {"ingredient": "retinol", "price_max": "9"},
])
def test_list_links_change_this_page_query_as_listing_args_write_it(query):
    listing = parse_listing(query)
    links = ListLinks("/shop/products", listing)
    for name in ("category", "condition", "ingredient"):
        link = links.filter(name)
        for value in ("toners", "a b+c/é", listing.category or "x"):
            assert link(value) == with_query("/shop/products", listing.args(**{name: value}))
    link = links.filter("skin_type")
    for skin_type in SkinType:
        assert link(skin_type) == with_query("/shop/products", listing.args(skin_type=skin_type))
    for number in (1, 2, 17):
        assert links.page(number) == with_query("/shop/products", listing.args(page=number))
    assert links.link(category=None, sort="name") == with_query(
        "/shop/products", listing.args(category=None, sort="name"))
