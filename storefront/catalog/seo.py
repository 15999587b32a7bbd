"""Structured data (schema.org JSON-LD) for product pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import url_for

from storefront.catalog.images import file_name
from storefront.catalog.models import StockState
from storefront.catalog.product_page import PageProduct, PageVariant
from storefront.links import route_link, with_query
from storefront.media import media_storage

AVAILABILITY = {
    StockState.IN_STOCK: "https://schema.org/InStock",
    StockState.LOW: "https://schema.org/LimitedAvailability",
    StockState.OUT: "https://schema.org/OutOfStock",
}


def image_urls(product: PageProduct) -> list[str]:
    """Absolute URLs of the largest JPEG of each picture (JPEG: every crawler reads it)."""
    storage = media_storage()
    return [storage.url(file_name(image.key, image.width, "jpg"), external=True)
            for image in product.images]


def product_url(product: PageProduct) -> str:
    """The product page's absolute address: its canonical URL."""
    return route_link("catalog.product_detail", "slug", external=True)(product.slug)


def _offer(product: PageProduct, variant: PageVariant, url: str) -> dict:
    return {
        "@type": "Offer",
        "sku": variant.sku,
        "name": f"{product.name}, {variant.size_label}",
        # A string, so the amount is exactly what the shop charges (no float rounding).
        "price": f"{variant.price:.2f}",
        "priceCurrency": variant.currency,
        "availability": AVAILABILITY[variant.stock_state],
        "itemCondition": "https://schema.org/NewCondition",
        "url": with_query(url, {"variant": str(variant.id)}),
    }


def breadcrumbs_json_ld(product: PageProduct, url: str) -> dict:
    """The trail to the product at ``url``: the shop, its category, the product."""
    shop = url_for("catalog.product_list", _external=True)
    trail = [
        ("Shop", shop),
        (product.category.name, with_query(shop, {"category": product.category.slug})),
        (product.name, url),
    ]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


def _rating(stars) -> dict:
    return {"@type": "Rating", "ratingValue": stars, "bestRating": 5, "worstRating": 1}


def _review(review) -> dict:
    """A published review (``storefront.reviews.models.Review``) as a schema.org Review."""
    return {
        "@type": "Review",
        "name": review.title,
        "reviewBody": review.body,
        "reviewRating": _rating(review.rating),
        "author": {"@type": "Person", "name": review.display_name},
        "datePublished": review.created_at.date().isoformat(),
    }


def _add_reviews(data: dict, product: PageProduct, reviews: Sequence) -> None:
    """``aggregateRating`` from the published reviews' counts, and the reviews shown."""
    count, average = product.rating_count, product.rating_average
    if average is None or product.prescription_only:  # never a rating for a medicine
        return  # (None: no published review)
    data["aggregateRating"] = {
        "@type": "AggregateRating",
        "ratingValue": float(average),
        "reviewCount": count,
        "bestRating": 5,
        "worstRating": 1,
    }
    published = [review for review in reviews if review.is_published]
    if published:
        data["review"] = [_review(review) for review in published]


def product_json_ld(product: PageProduct, url: str, reviews: Sequence = ()) -> list[dict]:
    """The ``Product`` at ``url`` (its ``product_url``), with an ``Offer`` per size on sale,
    its rating and ``reviews`` (the published reviews on the page), and its
    ``BreadcrumbList``.

    Prescription-only products get no offers: an Offer states that the item can be
    bought here, and it cannot. Leaving them out is accurate; it also keeps search
    engines from showing a price and a buy box for a medicine that needs a prescription.
    """
    variants = product.sold_variants or product.variants
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.short_description or product.description[:300],
        "url": url,
        "brand": {"@type": "Brand", "name": product.brand.name},
        "category": product.category.name,
    }
    if variants:
        data["sku"] = variants[0].sku
    if product.images:
        data["image"] = image_urls(product)
    if product.is_sold and product.sold_variants:
        data["offers"] = [_offer(product, variant, url) for variant in product.sold_variants]
    _add_reviews(data, product, reviews)
    return [data, breadcrumbs_json_ld(product, url)]
