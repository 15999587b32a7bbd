"""The reviews part of ``flask seed-demo``: a handful of published reviews, each from a
guest order that was sent, so every one is a verified buyer's, as the rules require.

Written by us for the demo: varied stars, every skin type, the concerns the products are
recommended for. The orders are marked as invited already, so no demo address is e-mailed.
Looked up by order number before anything is made; products or concerns the demo catalog
lacks are skipped with a note. Flushes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.catalog.models import Product, SkinType
from storefront.checkout import pricing
from storefront.content.models import Condition
from storefront.db import utcnow
from storefront.extensions import db
from storefront.orders.models import Order, OrderLine, OrderStatus, Payment, PaymentStatus
from storefront.reviews.models import (
    AgeRange,
    Review,
    ReviewInvitation,
    ReviewStatus,
    ReviewVote,
)
from storefront.reviews.services import recount_ratings
from storefront.shipping import services as shipping

DRY, OILY, NORMAL = SkinType.DRY, SkinType.OILY, SkinType.NORMAL
COMBI, SENSITIVE = SkinType.COMBINATION, SkinType.SENSITIVE


@dataclass(frozen=True)
class DemoReview:
    code: str  # the end of the demo order's number
    product: str  # product slug
    buyer: str  # the name on the order
    shown_as: str
    sent_days_ago: int
    rating: int
    title: str
    body: str
    skin_type: SkinType
    age_range: AgeRange
    concerns: tuple[str, ...] = ()
    helpful: int = 0


REVIEWS = [
    DemoReview(
        "2A", "retinol-night-serum", "Sanne Willemsen", "Sanne W.", 160, 4,
        "Worth the slow start",
        "I started twice a week, as the leaflet says, and still had a flaky chin in the "
        "second week. By week six I was using it every other night without any stinging.\n"
        "The lines at the corners of my eyes look softer in daylight and my skin is smoother "
        "than it has been in years. One star off because the pump gives more than the "
        "pea-sized amount you need.",
        COMBI, AgeRange.FROM_35, ("fine-lines", "enlarged-pores"), helpful=7),
    DemoReview(
        "2B", "retinol-night-serum", "Jonas Brandt", "Jonas B.", 95, 5,
        "Fewer clogged pores on my nose",
        "My nose and chin were always full of small bumps. After two months at night, three "
        "times a week, they are mostly gone. No perfume, which matters to me, and a bottle "
        "lasts a long time. I wear sunscreen every morning since I started.",
        OILY, AgeRange.FROM_25, ("enlarged-pores",), helpful=3),
    DemoReview(
        "2C", "gentle-cream-cleanser", "Margaret Okafor", "Margaret O.", 120, 5,
        "The first cleanser that doesn't turn me red",
        "I have rosacea and most face washes leave my cheeks hot for an hour. This one "
        "doesn't. It feels like a thin lotion, takes off my tinted sunscreen and leaves no "
        "tight feeling.\nI use it morning and night with lukewarm water and pat dry.",
        SENSITIVE, AgeRange.FROM_45, ("rosacea",), helpful=11),
    DemoReview(
        "2D", "gentle-cream-cleanser", "Els Vermeer", "Els V.", 70, 4,
        "Comfortable, once you stop expecting foam",
        "It doesn't lather at all, which felt odd for the first week. Wiped off with a warm "
        "flannel it works well and my skin no longer feels dry after washing. The tube is "
        "hard to empty at the end.",
        DRY, AgeRange.FROM_55, ("dry-skin",), helpful=2),
    DemoReview(
        "2E", "mineral-sunscreen-spf50", "Lucas Moreau", "Lucas M.", 140, 4,
        "No stinging, a little white at first",
        "Chemical sunscreens make my eyes water; this one never has. It leaves a slight white "
        "cast for about ten minutes and then settles. It works well under make-up for my "
        "partner, and I have stopped getting new freckles on my cheekbones.",
        NORMAL, AgeRange.FROM_35, ("sun-damage", "hyperpigmentation"), helpful=4),
    DemoReview(
        "2F", "mineral-sunscreen-spf50", "Amara Nwosu", "Amara N.", 45, 3,
        "Kind to my skin, hard to rub in",
        "It is the only sunscreen that doesn't make my cheeks burn, so I keep it. On my dark "
        "skin it leaves a grey tint unless I warm it between my fingers first and press it "
        "in. A tinted version would get five stars.",
        SENSITIVE, AgeRange.UNDER_25, ("rosacea",), helpful=9),
    DemoReview(
        "2G", "niacinamide-serum", "Pieter de Groot", "Pieter G.", 110, 4,
        "Less shine by lunchtime",
        "I used to blot my forehead by eleven every morning. Two drops after washing and my "
        "skin stays matte until mid-afternoon. The red marks from old spots fade faster "
        "too. It pills if I put moisturiser on straight away, so I wait a minute.",
        OILY, AgeRange.FROM_25, ("acne", "enlarged-pores"), helpful=5),
    DemoReview(
        "2H", "ceramide-barrier-cream", "Ingrid Hansen", "Ingrid H.", 85, 5,
        "No more tight skin after a shower",
        "Every winter my shins and cheeks crack. I put this on within a few minutes of "
        "washing, as the pharmacist suggested, and for the first time this year they "
        "haven't. Thick but not greasy, no scent. I now buy the big jar.",
        DRY, AgeRange.FROM_45, ("dry-skin",), helpful=6),
    DemoReview(
        "2J", "azelaic-acid-cream", "Chloe Martin", "Chloe M.", 130, 4,
        "Slow, but the redness really is less",
        "It tingled for the first week, so I used it every other evening. After two months "
        "the bumps on my cheeks are rare and the dark marks on my jaw are lighter. Patience "
        "needed: I almost gave up after three weeks.",
        COMBI, AgeRange.FROM_35, ("rosacea", "hyperpigmentation"), helpful=8),
    DemoReview(
        "2K", "salicylic-acid-cleanser", "Tom Fischer", "Tom F.", 60, 3,
        "Clears blackheads, dries me out twice a day",
        "Used morning and night it made my skin flaky around the nose. Once a day, in the "
        "evening, it is fine and my blackheads are far fewer. A clear instruction on the "
        "tube to start once a day would help.",
        OILY, AgeRange.UNDER_25, ("acne", "enlarged-pores"), helpful=1),
    DemoReview(
        "2L", "adapalene-gel", "Nadia Rahman", "Nadia R.", 150, 5,
        "Worse for a month, then the clearest my skin has been",
        "My dermatologist warned me about the first weeks and she was right: more spots and "
        "dry patches. I kept going with a plain moisturiser on top and by the second month "
        "new spots had mostly stopped. I have used it every night for five months now.",
        COMBI, AgeRange.FROM_25, ("acne",), helpful=12),
]

ORDER_PREFIX = "HS-DEMORV"
# Where the demo buyers live: in the country the shop's preset sells to.
DEMO_ADDRESSES = {
    "us": {"shipping_line1": "1420 NW Market St", "shipping_city": "Seattle",
           "shipping_country_area": "WA", "shipping_postcode": "98107",
           "shipping_country": "US"},
    "eu": {"shipping_line1": "Prinsengracht 263", "shipping_city": "Amsterdam",
           "shipping_postcode": "1016 GV", "shipping_country": "NL"},
}


def _demo_address() -> dict[str, str]:
    return DEMO_ADDRESSES.get(current_app.config.get("SHOP_PRESET", ""), DEMO_ADDRESSES["us"])


def _priced(price: Decimal, currency: str, address: dict[str, str]):
    """The delivery method and the totals the shop would have charged for one item."""
    place = shipping.Place(address["shipping_country"],
                           address.get("shipping_country_area", ""))
    method = next(iter(shipping.methods_for(place)), None)
    delivery = Decimal("0.00")
    if method is not None and (method.free_from is None or price < method.free_from):
        delivery = method.price
    rate = shipping.tax_rate_for(place)
    totals = pricing.totals(
        [price], discount=Decimal("0.00"), shipping=delivery,
        tax_rate=rate.rate if rate else Decimal("0"),
        prices_include_tax=current_app.config["PRICES_INCLUDE_TAX"],
        shipping_taxable=rate.shipping_taxable if rate else True, currency=currency)
    return method, rate, totals


def _order_for(data: DemoReview, product: Product) -> Order:
    """A guest's paid and sent order of one of ``product``, as the shop would have it."""
    variant = product.sold_variants[0]
    sent = utcnow() - timedelta(days=data.sent_days_ago)
    address = _demo_address()
    method, rate, totals = _priced(variant.price, variant.currency, address)
    order = Order(
        number=ORDER_PREFIX + data.code, email=f"{data.buyer.split()[0].lower()}@example.com",
        status=OrderStatus.FULFILLED, currency=variant.currency, subtotal=totals.subtotal,
        shipping_total=totals.shipping, total=totals.total, tax_total=totals.tax,
        prices_include_tax=totals.prices_include_tax, tax_rate=totals.tax_rate,
        tax_name=shipping.tax_name(rate), shipping_tax=totals.shipping_tax,
        shipping_method_id=method.id if method else None,
        shipping_method_name=method.name if method else "Standard delivery",
        shipping_name=data.buyer, paid_at=sent - timedelta(days=1), fulfilled_at=sent,
        carrier="USPS" if address["shipping_country"] == "US" else "PostNL",
        tracking_number=f"3SDEMO{data.code}", created_at=sent - timedelta(days=1), **address)
    order.lines.append(OrderLine(
        variant_id=variant.id, product_id=product.id, sku=variant.sku,
        product_name=product.name, size_label=variant.size_label, unit_price=variant.price,
        quantity=1, line_total=variant.price, tax_rate=totals.tax_rate,
        tax_amount=totals.line_taxes[0] if totals.line_taxes else Decimal("0.00")))
    order.payments.append(Payment(
        provider="demo", provider_reference=f"demo_{ORDER_PREFIX}{data.code}".lower(),
        amount=totals.total, currency=variant.currency, status=PaymentStatus.SUCCEEDED,
        raw_status="succeeded"))
    db.session.add(order)
    db.session.flush()
    db.session.add(ReviewInvitation(order_id=order.id, sent_at=sent + timedelta(days=14)))
    return order


def _review_for(data: DemoReview, order: Order, product: Product,
                conditions: dict[str, Condition]) -> Review:
    written = order.fulfilled_at + timedelta(days=min(16, data.sent_days_ago - 1))
    review = Review(
        order_line_id=order.lines[0].id, product_id=product.id, email=order.email,
        display_name=data.shown_as, rating=data.rating, title=data.title, body=data.body,
        skin_type=data.skin_type, age_range=data.age_range, status=ReviewStatus.APPROVED,
        published_at=written + timedelta(days=1), moderated_at=written + timedelta(days=1),
        helpful_count=data.helpful, created_at=written, updated_at=written,
        concerns=[conditions[slug] for slug in data.concerns if slug in conditions])
    db.session.add(review)
    db.session.flush()
    db.session.add_all(ReviewVote(review_id=review.id, voter=f"g:demo-{data.code}-{n}")
                       for n in range(data.helpful))
    return review


def seed_reviews() -> list[str]:
    """Create the demo reviews that are missing and say what was done. Flushes only."""
    numbers = {ORDER_PREFIX + data.code for data in REVIEWS}
    existing = set(db.session.scalars(select(Order.number).where(Order.number.in_(numbers))))
    wanted = {data.product for data in REVIEWS}
    products = {product.slug: product for product in db.session.scalars(
        select(Product).where(Product.slug.in_(wanted))
        .options(selectinload(Product.variants)))}
    conditions = {condition.slug: condition for condition in db.session.scalars(
        select(Condition))}
    made, missing = [], set()
    for data in REVIEWS:
        product = products.get(data.product)
        if ORDER_PREFIX + data.code in existing:
            continue
        if product is None or not product.is_sold or not product.sold_variants:
            missing.add(data.product)
            continue
        order = _order_for(data, product)
        made.append(_review_for(data, order, product, conditions))
    recount_ratings(review.product_id for review in made)
    db.session.flush()
    lines = ([f"Reviews: created {len(made)} demo reviews from verified buyers"] if made
             else [f"Reviews: all {len(REVIEWS) - len(missing)} demo reviews exist"])
    if missing:
        lines.append("Reviews: skipped those of products the catalog lacks: "
                     + ", ".join(sorted(missing)))
    return lines
