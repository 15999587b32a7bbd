"""The shop: the product list with its filters, product pages, and stored pictures."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, render_template, request

from storefront.caching import cached_page, depends_on
from storefront.catalog import services
from storefront.catalog.listing import (
    QUERY_ARGS,
    SORTS,
    Listing,
    page_numbers,
    parse_listing,
)
from storefront.catalog.models import SkinType, StockState
from storefront.catalog.page_tags import available_tag
from storefront.catalog.product_page import PageProduct, product_for_page
from storefront.catalog.seo import product_json_ld, product_url
from storefront.catalog.templating import list_links
from storefront.content import catalog_pages, shop
from storefront.content.alternatives import rank_alternatives
from storefront.extensions import db
from storefront.links import route_link
from storefront.media import send_media
from storefront.money import format_money
from storefront.orders.services import release_overdue_holds
from storefront.reviews import services as reviews

bp = Blueprint("catalog", __name__)
ALTERNATIVES = 6


@bp.get("/products")
@cached_page(args=QUERY_ARGS)
def product_list():
    listing = parse_listing(request.args)
    options = services.filter_options(catalog_pages.CONCERNS)
    services.drop_unknown_filters(listing, options)
    page = services.list_products(listing, options)
    # The doctor's introduction opens the whole shop, not every filtered page of it.
    introduction = (shop.shown_text(shop.SHOP_INTRODUCTION)
                    if page.page == 1 and not listing.has_filters else None)
    return render_template(
        "catalog/product_list.html", listing=listing, options=options, page=page,
        sorts=SORTS, skin_types=list(SkinType), chips=_active_filters(listing, options),
        page_numbers=page_numbers(page.page, page.pages), introduction=introduction,
        links=list_links(listing),
    )


def _active_filters(listing: Listing, options: services.FilterOptions):
    """(label, query args without that filter) for each filter in use: the removable chips."""
    chips = []
    for kind, word in (("category", "Category"), ("condition", "Concern"),
                       ("ingredient", "Ingredient")):
        if option := options.find(kind, getattr(listing, kind)):
            chips.append((f"{word}: {option.name}", listing.args(**{kind: None})))
    if listing.skin_type:
        chips.append((f"Skin type: {listing.skin_type.label}", listing.args(skin_type=None)))
    if listing.price_min is not None:
        chips.append((f"From {format_money(listing.price_min)}", listing.args(price_min=None)))
    if listing.price_max is not None:
        chips.append((f"Up to {format_money(listing.price_max)}",
                      listing.args(price_max=None)))
    if listing.in_stock:
        chips.append(("In stock only", listing.args(in_stock=False)))
    return chips


@bp.get("/products/<slug>")
@cached_page(args=("article", "variant", *reviews.QUERY_ARGS))
def product_detail(slug: str):
    product = _product_or_404(slug)
    if any(variant.stock_state is StockState.LOW for variant in product.sold_variants):
        depends_on(available_tag(product.id))  # it says how many are left: "Only 3 left"
    recommendations, alternatives = _recommendations_and_alternatives(product)
    condition_ids = [recommendation.condition_id for recommendation in recommendations]
    source_article, related = catalog_pages.articles_for_page(
        condition_ids, request.args.get("article", type=str))
    review_page = _review_page(product, recommendations)
    canonical = product_url(product)
    return render_template(
        "catalog/product_detail.html", product=product, recommendations=recommendations,
        source_article=source_article, related_articles=related, alternatives=alternatives,
        article_link=_slug_link("content.article_detail"),
        condition_link=_slug_link("content.condition_detail"),
        selected_variant=_selected_variant(product), review_page=review_page,
        sold_out=[variant for variant in product.sold_variants if variant.available <= 0],
        review_sorts=reviews.SORTS, skin_types=list(SkinType),
        canonical=canonical,
        json_ld=product_json_ld(product, canonical, [shown.review for shown in
                                                     review_page.reviews] if review_page else ()),
    )


def _product_or_404(slug: str) -> PageProduct:
    """The product, once holds past their time on its sizes are given back (only a size
    with stock held costs a statement; a hold given back, the product is read again)."""
    product = product_for_page(slug)
    if product is None:
        abort(404)
    held = [variant.id for variant in product.variants if variant.stock_reserved]
    if held and release_overdue_holds(held):
        db.session.commit()
        return _product_or_404(slug)
    return product


def _slug_link(endpoint: str) -> Callable[[object], str] | None:
    """A page's address from its slug, the route built once (None: no such page here)."""
    return route_link(endpoint, "slug") if endpoint in current_app.view_functions else None


def _review_page(product, recommendations) -> reviews.ReviewPage | None:
    """The page's reviews, narrowed to the concerns the product is recommended for (loaded
    already). None for a prescription medicine: it is not sold here, so nobody can review
    it, and buyers' testimonials are no way to present a medicine."""
    if not reviews.shows_reviews(product):
        return None
    filters = reviews.parse_filters(
        request.args, [recommendation.condition for recommendation in recommendations])
    return reviews.product_reviews(product.id, filters, product.rating_count)


def _recommendations_and_alternatives(product):
    """Why the product is recommended, condition by condition, and for a prescription
    medicine the products a shopper can buy that do the same job."""
    if not product.prescription_only:
        return catalog_pages.recommendations_for(product), []
    around = catalog_pages.recommendations_around(product)
    products = {rec.product_id: rec.product for rec in around}
    own = products.get(product.id)  # the product itself, among its conditions' picks
    alternatives = (rank_alternatives(own, around, products, ALTERNATIVES)
                    if own is not None else [])
    return [rec for rec in around if rec.product_id == product.id], alternatives


def _selected_variant(product):
    """The size picked by ``?variant=<id>`` when it can be bought, else the first in stock."""
    sold = [variant for variant in product.sold_variants if variant.available > 0]
    wanted = request.args.get("variant", type=int)
    for variant in sold:
        if variant.id == wanted:
            return variant
    return sold[0] if sold else None


@bp.get("/media/<path:name>")
def media_file(name: str):
    return send_media(name)
