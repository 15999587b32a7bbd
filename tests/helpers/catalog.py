"""Shared pieces of the catalog tests: a small known shop, page readers, a stand-in cart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import url_for
from werkzeug.routing import Map, Rule

from storefront.catalog.models import ProductImage, ProductStatus, SkinType
from storefront.db import utcnow
from storefront.extensions import db
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    ConditionFactory,
    IngredientFactory,
    ProductFactory,
    RecommendationFactory,
    VariantFactory,
)
from tests.helpers.pages import Page


def card_slugs(page: str) -> list[str]:
    """The slugs of the product cards on a page, in order."""
    links = Page(page).all('.product-name > a[href^="/products/"]')
    return [str(link["href"]).removeprefix("/products/").split("?")[0] for link in links]


def json_ld(page: str) -> list[dict]:
    return [json.loads(script.get_text())
            for script in Page(page).all('script[type="application/ld+json"]')]


def meta(page: str, prop: str) -> str | None:
    found = Page(page).all(f'meta[property="{prop}"]')
    return str(found[0]["content"]) if found else None


def text_of(page: str) -> str:
    """The page's visible words (or a part's), whitespace collapsed."""
    return Page(page).text


def install_fake_cart(app, monkeypatch) -> str:
    """Make ``cart.add`` exist for this test (unless the real cart is installed)."""
    if "cart.add" not in app.view_functions:
        rules = [rule.empty() for rule in app.url_map.iter_rules()]
        rules.append(Rule("/cart/add", endpoint="cart.add", methods=["POST"]))
        url_map = Map(rules, host_matching=app.url_map.host_matching,
                      strict_slashes=app.url_map.strict_slashes,
                      converters=app.url_map.converters)
        monkeypatch.setattr(app, "url_map", url_map)
        monkeypatch.setitem(app.view_functions, "cart.add", lambda: ("", 204))
    with app.test_request_context():
        return url_for("cart.add")


def add_image_row(product, key: str | None = None, width: int = 800, height: int = 800):
    """A ProductImage row without files: enough for pages that only link to pictures."""
    image = ProductImage(key=key or f"products/{product.slug}", alt_text=f"{product.name} pack",
                         width=width, height=height)
    product.images.append(image)
    return image


@dataclass
class Shop:
    """Slugs of the known shop, named after their product's first letter."""

    alpha: str = "alpha-serum"
    beta: str = "beta-cream"
    gamma: str = "gamma-wash"
    delta: str = "delta-gel"
    epsilon: str = "epsilon-rx"


def build_shop(app) -> Shop:
    """Five active products (one prescription-only), a draft, an archived one, two conditions.

    ========  ============  ==========  ======  ========  =============  =====  ====  ======
    product   category      ingredient  price   stock     skin types     rank   age   for
    ========  ============  ==========  ======  ========  =============  =====  ====  ======
    alpha     serums        retinol     10.00   20        dry            2      5 d
    beta      moisturisers  ceramides   25/40   3 + 30    dry, sens.     1      4 d   dryness
    gamma     cleansers     salicylic   15.00   0         oily                  3 d   acne
    delta     treatments    retinol,    30.00   4         oily                  2 d   acne
                            niacin.     (36)
    epsilon   treatments    tretinoin   20.00   10        oily (Rx)             1 d   acne
    ========  ============  ==========  ======  ========  =============  =====  ====  ======
    """
    with app.app_context():
        categories = {slug: CategoryFactory(slug=slug, name=slug.capitalize(), position=n)
                      for n, slug in enumerate(
                          ["serums", "moisturisers", "cleansers", "treatments"])}
        ingredients = {slug: IngredientFactory(slug=slug, name=slug.replace("-", " ").title(),
                                               summary=f"What {slug} does, in short.")
                       for slug in ["retinol", "ceramides", "salicylic-acid", "niacinamide",
                                    "tretinoin"]}
        brand = BrandFactory(slug="testbrand", name="Testbrand")
        now = utcnow()

        def product(slug, name, category, price, stock, keys, skins, rank=None, age=0,
                    **extra):
            variant = {f"variant__{k}": v for k, v in extra.pop("variant", {}).items()}
            return ProductFactory(
                slug=slug, name=name, brand=brand, category=categories[category],
                ingredients=[ingredients[key] for key in keys], skin_types=skins,
                featured_rank=rank, created_at=now - timedelta(days=age),
                variant__price=Decimal(price), variant__stock_on_hand=stock,
                variant__sku=f"SKU-{slug}", variant__size_label="30 ml", **variant, **extra)

        product("alpha-serum", "Alpha Serum", "serums", "10.00", 20, ["retinol"],
                [SkinType.DRY], rank=2, age=5)
        beta = product("beta-cream", "Beta Cream", "moisturisers", "25.00", 3, ["ceramides"],
                       [SkinType.DRY, SkinType.SENSITIVE], rank=1, age=4)
        VariantFactory(product=beta, sku="SKU-beta-cream-100", size_label="100 ml",
                       price=Decimal("40.00"), stock_on_hand=30, position=1)
        gamma = product("gamma-wash", "Gamma Wash", "cleansers", "15.00", 0,
                        ["salicylic-acid"], [SkinType.OILY], age=3)
        delta = product("delta-gel", "Delta Gel", "treatments", "30.00", 4,
                        ["retinol", "niacinamide"], [SkinType.OILY], age=2,
                        variant={"compare_at_price": Decimal("36.00")})
        epsilon = product("epsilon-rx", "Epsilon Rx", "treatments", "20.00", 10, ["tretinoin"],
                          [SkinType.OILY], age=1, prescription_only=True)
        product("zeta-draft", "Zeta Draft", "serums", "12.00", 10, ["retinol"], [SkinType.DRY],
                status=ProductStatus.DRAFT)
        product("eta-archived", "Eta Archived", "serums", "12.00", 10, ["retinol"],
                [SkinType.DRY], status=ProductStatus.ARCHIVED)
        acne = ConditionFactory(slug="acne", name="Acne")
        dryness = ConditionFactory(slug="dryness", name="Dryness")
        for item in (gamma, delta, epsilon):
            RecommendationFactory(condition=acne, product=item)
        RecommendationFactory(condition=dryness, product=beta)
        db.session.commit()
    return Shop()
