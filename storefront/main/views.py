"""The home page and site-wide pages."""

from flask import Blueprint, render_template

from storefront import caching
from storefront.catalog import services as catalog
from storefront.content import reading as content
from storefront.content import shop

bp = Blueprint("main", __name__)
LATEST_ANSWERS = 3
FEATURED_PRODUCTS = 4


@bp.get("/")
@caching.cached_page
def home():
    return render_template(
        "main/home.html",
        answers=content.latest_answers(LATEST_ANSWERS),
        conditions=content.condition_teasers(),
        featured=catalog.featured_products(FEATURED_PRODUCTS),
        introduction=shop.shown_text(shop.SHOP_INTRODUCTION),
    )
