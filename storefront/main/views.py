"""The home page and site-wide pages."""

from flask import Blueprint, render_template

from storefront import caching
from storefront.content import reading, shop

bp = Blueprint("main", __name__)
LATEST_ANSWERS = 3
FEATURED_PRODUCTS = 4


@bp.get("/")
@caching.cached_page
def home():
    return render_template(
        "main/home.html",
        answers=reading.latest_answers(LATEST_ANSWERS),
        conditions=reading.all_conditions(),
        featured=reading.featured_products(FEATURED_PRODUCTS),
        introduction=shop.shop_text(shop.SHOP_INTRODUCTION),
    )
