"""The reviews part of ``flask seed-demo``: a handful of published reviews, each from a
guest order that was sent, so every one is a verified buyer's, as the rules require.

Written by us for the demo: varied stars, every skin type, the concerns the products are
recommended for. The orders are marked as invited already, so no demo address is e-mailed.
Looked up by order number before anything is made; products or concerns the demo catalog
lacks are skipped with a note. Flushes only. The words and buyers are in
``data/reviews.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront import pricing
from storefront.catalog.models import Product, SkinType
from storefront.content.models import Condition
from storefront.db import utcnow
from storefront.demo import files
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

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> DemoReview:
        return cls(**{**row, "skin_type": SkinType(row["skin_type"]),
                      "age_range": AgeRange(row["age_range"]),
                      "concerns": tuple(row.get("concerns", ()))})


ORDER_PREFIX = "HS-DEMORV"


@dataclass(frozen=True)
class DemoReviews:
    reviews: list[DemoReview]
    addresses: dict[str, dict[str, str]]  # where the demo buyers live, by SHOP_PRESET


def load() -> DemoReviews:
    data = files.table("reviews")
    return DemoReviews([DemoReview.from_row(row) for row in data["reviews"]], data["addresses"])


def _demo_address(addresses: dict[str, dict[str, str]]) -> dict[str, str]:
    """Where the demo buyers live: in the country the shop's preset sells to."""
    return addresses.get(current_app.config.get("SHOP_PRESET", ""), addresses["us"])


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


def _order_for(data: DemoReview, product: Product, address: dict[str, str]) -> Order:
    """A guest's paid and sent order of one of ``product``, as the shop would have it."""
    variant = product.sold_variants[0]
    sent = utcnow() - timedelta(days=data.sent_days_ago)
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
    assert order.fulfilled_at is not None  # _order_for makes a sent order
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
    demo = load()
    address = _demo_address(demo.addresses)
    numbers = {ORDER_PREFIX + data.code for data in demo.reviews}
    existing = set(db.session.scalars(select(Order.number).where(Order.number.in_(numbers))))
    wanted = {data.product for data in demo.reviews}
    products = {product.slug: product for product in db.session.scalars(
        select(Product).where(Product.slug.in_(wanted))
        .options(selectinload(Product.variants)))}
    conditions = {condition.slug: condition for condition in db.session.scalars(
        select(Condition))}
    made, missing = [], set()
    for data in demo.reviews:
        product = products.get(data.product)
        if ORDER_PREFIX + data.code in existing:
            continue
        if product is None or not product.is_sold or not product.sold_variants:
            missing.add(data.product)
            continue
        order = _order_for(data, product, address)
        made.append(_review_for(data, order, product, conditions))
    recount_ratings(review.product_id for review in made)
    db.session.flush()
    lines = ([f"Reviews: created {len(made)} demo reviews from verified buyers"] if made
             else [f"Reviews: all {len(demo.reviews) - len(missing)} demo reviews exist"])
    if missing:
        lines.append("Reviews: skipped those of products the catalog lacks: "
                     + ", ".join(sorted(missing)))
    return lines
