"""What every template can use: navigation, the shop's particulars and pages, the cart
count, money and dates. ``create_app`` calls ``register_template_helpers`` once: every
template global, filter and context processor of the app is registered here (features'
blueprints only add routes)."""

from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user
from markupsafe import Markup

from storefront import addresses
from storefront.assets import register_assets
from storefront.cart.visitor import visitor_item_count
from storefront.catalog.templating import register_catalog_helpers
from storefront.content import shop
from storefront.content.pages import SHOP_PAGES, is_shown
from storefront.links import nav_url, slug_url
from storefront.money import format_money
from storefront.reviews.services import can_review
from storefront.settings.services import shop_info
from storefront.urls import public_url

# Header navigation in order: (label, endpoint). Entries whose feature is not installed
# are left out rather than linking to a page that does not exist.
MAIN_NAV = [
    ("Shop", "catalog.product_list"),
    ("Conditions", "content.condition_list"),
    ("Articles", "content.article_list"),
    ("Ask a question", "content.ask"),
]


def shop_page_links() -> list[tuple[str, str]]:
    """(label, URL) of each of the shop's pages readers can open, for the footer."""
    info, preset = shop_info(), current_app.config["SHOP_PRESET"]
    links = []
    for page in SHOP_PAGES:
        href = nav_url(page.endpoint)
        if href and is_shown(page, page.key in info.written_pages, preset):
            links.append((page.label, href))
    return links


def account_email() -> str | None:
    """The logged-in customer's e-mail address, for forms that would otherwise ask it."""
    return current_user.email if current_user and current_user.is_authenticated else None


def money(amount, currency: str | None = None) -> str:
    """``{{ amount|money }}``: in the shop's currency unless another is given."""
    return format_money(amount, currency or current_app.config["SHOP_CURRENCY"])


def long_date(value) -> Markup:
    """A date as readers say it ("7 December 2026"), machine-readable in ``<time>``: a
    function rather than a macro, as every teaser shows one."""
    return Markup('<time datetime="{}">{} {}</time>').format(
        value.strftime("%Y-%m-%d"), value.day, value.strftime("%B %Y"))


def register_template_helpers(app: Flask) -> None:
    register_assets(app)
    register_catalog_helpers(app)
    # The indentation in front of a {% tag %} is for the people editing the templates; it
    # is not sent (about 2% of an article page). Text and {{ values }} keep their spacing.
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        nav_url=nav_url,
        slug_url=slug_url,
        main_nav=MAIN_NAV,
        cart_item_count=visitor_item_count,  # the header's count: one small query a page
        shop_page_links=shop_page_links,
        account_email=account_email,
        public_url=public_url,
        address_lines=addresses.address_lines,
        long_date=long_date,
        shop_text_html=shop.text_html,
        can_review_order=can_review,  # "Your orders" offers a review where it says yes
    )
    app.jinja_env.filters.update(
        money=money,
        country_name=addresses.country_name,
        phone=addresses.phone_display,
    )

    @app.context_processor
    def shop_context():
        info = shop_info()
        return {"shop_name": info.name, "shop_info": info}
