"""What every template can use: navigation, the shop's particulars and pages, the cart
count."""

from __future__ import annotations

from flask import Flask, current_app, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from storefront import addresses
from storefront.content.pages import SHOP_PAGES, is_shown
from storefront.links import request_memo
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


def nav_url(endpoint: str, **values) -> str | None:
    """The URL for ``endpoint``, or None when that page does not exist in this app.

    Without ``values``, built once per request: the header, footer and every card with
    a form ask for the same few.
    """
    if values:
        return _build(endpoint, values)
    links = request_memo("nav_urls")
    if endpoint not in links:
        links[endpoint] = _build(endpoint, values)
    return links[endpoint]


def _build(endpoint: str, values: dict) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


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


def cart_item_count() -> int:
    """Items in the visitor's cart; the cart feature installs the real counter."""
    counter = current_app.extensions.get("storefront.cart_count")
    return counter() if counter else 0


def register_template_helpers(app: Flask) -> None:
    from storefront.assets import register_assets
    from storefront.catalog.templating import register_catalog_helpers

    register_assets(app)
    register_catalog_helpers(app)
    # The indentation in front of a {% tag %} is for the people editing the templates; it
    # is not sent (about 2% of an article page). Text and {{ values }} keep their spacing.
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        nav_url=nav_url,
        main_nav=MAIN_NAV,
        cart_item_count=cart_item_count,
        shop_page_links=shop_page_links,
        account_email=account_email,
        public_url=public_url,
        address_lines=addresses.address_lines,
    )
    app.jinja_env.filters.update(
        country_name=addresses.country_name,
        phone=addresses.phone_display,
    )

    @app.context_processor
    def shop_context():
        info = shop_info()
        return {"shop_name": info.name, "shop_info": info}
