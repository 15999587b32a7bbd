"""The routine builder's test shop (tests/routines, and the guest-form checks)."""

from __future__ import annotations

import re
from decimal import Decimal

from storefront.catalog.models import Product, SkinType
from storefront.routines.defaults import seed_default_rules
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ConditionFactory,
    IngredientFactory,
    ProductFactory,
    RecommendationFactory,
)

D = Decimal
ALL, DRY_ONES, OILY_ONES = [], [SkinType.DRY, SkinType.SENSITIVE, SkinType.NORMAL], [
    SkinType.OILY, SkinType.COMBINATION]
ACNE_AND_MILIA = "/routine?concern=acne&concern=milia&skin=oily&steps=essential"


def make_product(name, category, ingredients=(), skin=ALL, price="20.00", **fields):
    return ProductFactory(name=name, slug=re.sub(r"[^a-z0-9]+", "-", name.lower()),
                          category=category, ingredients=list(ingredients), skin_types=skin,
                          variant__price=D(price), variant__stock_on_hand=20, **fields)


def shop_setup():
    """The shop described in the module's docstring (committed by ``build``)."""
    cat = {slug: CategoryFactory(slug=slug, name=slug.capitalize()) for slug in (
        "cleansers", "serums", "treatments", "exfoliants", "moisturisers", "sunscreen")}
    ing = {slug: IngredientFactory(slug=slug, name=slug.replace("-", " ").capitalize())
           for slug in ("retinol", "adapalene", "tretinoin", "glycolic-acid", "salicylic-acid",
                        "vitamin-c", "niacinamide", "ceramides", "azelaic-acid")}
    p = {
        "cream_cleanser": make_product("Cream Cleanser", cat["cleansers"], [ing["ceramides"]],
                                   DRY_ONES, "14.00"),
        "gel_cleanser": make_product("Gel Cleanser", cat["cleansers"], [ing["niacinamide"]],
                                 OILY_ONES, "12.00"),
        "bha_cleanser": make_product("BHA Cleanser", cat["cleansers"], [ing["salicylic-acid"]],
                                 OILY_ONES, "16.00"),
        "retinol": make_product("Retinol Serum", cat["serums"], [ing["retinol"]], price="30.00"),
        "vitamin_c": make_product("Vitamin C Serum", cat["serums"], [ing["vitamin-c"]],
                              price="35.00"),
        "niacinamide": make_product("Niacinamide Serum", cat["serums"], [ing["niacinamide"]],
                                price="19.00"),
        "adapalene": make_product("Adapalene Gel", cat["treatments"], [ing["adapalene"]],
                              price="16.00"),
        "azelaic": make_product("Azelaic Cream", cat["treatments"], [ing["azelaic-acid"]],
                            price="24.00"),
        "tretinoin": make_product("Tretinoin Cream", cat["treatments"], [ing["tretinoin"]],
                              price="21.00", prescription_only=True),
        "glycolic": make_product("Glycolic Toner", cat["exfoliants"], [ing["glycolic-acid"]],
                             price="18.00"),
        "barrier": make_product("Barrier Cream", cat["moisturisers"], [ing["ceramides"]],
                            DRY_ONES, "22.00"),
        "gel_moisturiser": make_product("Gel Moisturiser", cat["moisturisers"],
                                    [ing["niacinamide"]], OILY_ONES, "17.00"),
        "spf50": make_product("Mineral SPF 50", cat["sunscreen"], spf=50, price="24.00"),
        "spf15": make_product("Tinted Day Cream SPF 15", cat["sunscreen"], spf=15, price="10.00"),
    }
    concerns = {slug: ConditionFactory(slug=slug, name=name, position=place) for place, (
        slug, name) in enumerate([("milia", "Milia"), ("acne", "Acne"),
                                  ("hyperpigmentation", "Hyperpigmentation"),
                                  ("rosacea", "Rosacea")])}
    recommended = {
        "milia": [p["retinol"], p["adapalene"], ing["glycolic-acid"]],
        "acne": [p["adapalene"], p["bha_cleanser"], p["tretinoin"], p["niacinamide"],
                 ing["azelaic-acid"]],
        "hyperpigmentation": [p["spf50"], p["azelaic"], p["vitamin_c"], p["glycolic"]],
        "rosacea": [p["cream_cleanser"], p["azelaic"], p["barrier"]],
    }
    for slug, targets in recommended.items():
        for place, target in enumerate(targets):
            kind = "product" if isinstance(target, Product) else "ingredient"
            RecommendationFactory(condition=concerns[slug], position=place,
                                  why=f"{target.name} helps {slug}.",
                                  how_to_use=f"Use {target.name} as directed.",
                                  **{kind: target})
    ArticleFactory(slug="what-causes-milia", title="What causes milia?",
                   conditions=[concerns["milia"]])
    seed_default_rules()
    return {key: product.id for key, product in p.items()}
