"""Alternatives that do the same job: ranked from the data (shared jobs, ingredient family),
each with its reason, for any prescription product, not only tretinoin."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.catalog.models import Product, ProductStatus
from storefront.content.alternatives import rank_alternatives
from storefront.content.models import Recommendation, RecommendationRole
from storefront.extensions import db
from tests.factories import (
    ConditionFactory,
    IngredientFactory,
    ProductFactory,
    RecommendationFactory,
)

PREVENT, TREAT, PROTECT, SOOTHE = (RecommendationRole.PREVENT, RecommendationRole.TREAT,
                                   RecommendationRole.PROTECT, RecommendationRole.SOOTHE)


def ingredients(*families: str):
    return {family: IngredientFactory(name=family.title(), family=family)
            for family in families}


def recommend(condition, *entries):
    """``entries``: (product, role, why) in the order the condition recommends them."""
    for position, (product, role, why) in enumerate(entries):
        RecommendationFactory(condition=condition, product=product, role=role, why=why,
                              position=position)


def ranked(product, limit=6):
    """``rank_alternatives`` over every recommendation, as a product page loads them."""
    db.session.flush()
    db.session.expire_all()
    recommendations = list(db.session.scalars(select(Recommendation).options(
        selectinload(Recommendation.product).selectinload(Product.ingredients),
        selectinload(Recommendation.product).selectinload(Product.variants))))
    products = {rec.product_id: rec.product for rec in recommendations if rec.product}
    target = db.session.get(Product, product.id)
    return [(alt.product.slug, alt.reason.why, alt.shared_jobs)
            for alt in rank_alternatives(target, recommendations, products, limit)]


def retinoid_shop():
    family = ingredients("retinoid", "mineral UV filter", "antioxidant", "antibacterial")
    milia, acne, lines = (ConditionFactory(slug=slug) for slug in ("milia", "acne", "lines"))
    rx = ProductFactory(slug="tretinoin", prescription_only=True,
                        ingredients=[family["retinoid"]])
    adapalene = ProductFactory(slug="adapalene", ingredients=[family["retinoid"]])
    retinol = ProductFactory(slug="retinol", ingredients=[family["retinoid"]], featured_rank=1)
    sunscreen = ProductFactory(slug="sunscreen", ingredients=[family["mineral UV filter"]],
                               featured_rank=0)
    vitamin_c = ProductFactory(slug="vitamin-c", ingredients=[family["antioxidant"]])
    wash = ProductFactory(slug="bpo-wash", ingredients=[family["antibacterial"]])
    recommend(milia, (rx, PREVENT, "Rx for milia."), (adapalene, PREVENT, "Adapalene, milia."),
              (retinol, PREVENT, "Retinol, milia."))
    recommend(acne, (adapalene, TREAT, "Adapalene, acne."), (wash, TREAT, "Wash, acne."),
              (rx, TREAT, "Rx for acne."))
    recommend(lines, (sunscreen, PROTECT, "Sunscreen, lines."), (retinol, TREAT, "Retinol, lines."),
              (rx, TREAT, "Rx for lines."), (vitamin_c, PROTECT, "Vitamin C, lines."))
    return rx


def test_retinoids_come_first_and_protection_is_not_the_same_job(app_ctx):
    rx = retinoid_shop()
    assert ranked(rx) == [
        # Both retinoids share two of tretinoin's jobs; adapalene is the higher
        # recommendation where tretinoin itself is recommended highest (milia).
        ("adapalene", "Adapalene, milia.", 2),
        ("retinol", "Retinol, milia.", 2),
        ("bpo-wash", "Wash, acne.", 1),  # treats acne too, but it is not a retinoid
    ]


def test_only_what_can_be_bought_now_is_offered(app_ctx):
    rx = retinoid_shop()
    for slug, change in (("adapalene", {"status": ProductStatus.ARCHIVED}),
                         ("retinol", {"prescription_only": True})):
        product = db.session.scalar(select(Product).where(Product.slug == slug))
        for name, value in change.items():
            setattr(product, name, value)
    wash = db.session.scalar(select(Product).where(Product.slug == "bpo-wash"))
    wash.variants[0].stock_on_hand = 0
    assert ranked(rx) == []


def test_another_prescription_product_gets_its_own_family_first(app_ctx):
    family = ingredients("antibacterial", "retinoid", "vitamin B3")
    acne = ConditionFactory(slug="acne")
    rx_gel = ProductFactory(slug="clindamycin-bpo-gel", prescription_only=True,
                            ingredients=[family["antibacterial"]])
    adapalene = ProductFactory(slug="adapalene", ingredients=[family["retinoid"]])
    wash = ProductFactory(slug="bpo-wash", ingredients=[family["antibacterial"]])
    serum = ProductFactory(slug="niacinamide", ingredients=[family["vitamin B3"]])
    recommend(acne, (adapalene, TREAT, "Unblocks pores."), (rx_gel, TREAT, "Kills bacteria."),
              (serum, SOOTHE, "Calms redness."), (wash, TREAT, "Kills bacteria, rinsed off."))
    assert ranked(rx_gel) == [("bpo-wash", "Kills bacteria, rinsed off.", 1),
                              ("adapalene", "Unblocks pores.", 1)]
    assert ranked(rx_gel, limit=1) == [("bpo-wash", "Kills bacteria, rinsed off.", 1)]


def test_without_families_more_shared_jobs_then_the_list_order_decide(app_ctx):
    first, second = ConditionFactory(), ConditionFactory()
    rx = ProductFactory(slug="rx", prescription_only=True)
    once = ProductFactory(slug="once", featured_rank=1)
    twice = ProductFactory(slug="twice")
    late = ProductFactory(slug="late")
    recommend(first, (once, TREAT, "Once."), (rx, TREAT, "Rx."), (twice, TREAT, "Twice, 1."),
              (late, TREAT, "Late."))
    recommend(second, (rx, TREAT, "Rx."), (twice, TREAT, "Twice, 2."))
    assert ranked(rx) == [("twice", "Twice, 2.", 2), ("once", "Once.", 1),
                          ("late", "Late.", 1)]
