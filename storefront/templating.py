"""What every template can use: navigation, the shop's particulars and pages, the cart
count, money and dates. ``create_app`` calls ``register_template_helpers`` once: every
template global, filter and context processor of the app is registered here (features'
blueprints only add routes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import Environment
from markupsafe import Markup

from storefront import addresses
from storefront.assets import asset_url, register_assets
from storefront.cart.visitor import visitor_item_count
from storefront.catalog.templating import register_catalog_helpers
from storefront.content import shop
from storefront.content.pages import SHOP_PAGES, is_shown
from storefront.content.templating import register_content_helpers
from storefront.html import escaped, lower_first
from storefront.links import nav_url, route_link
from storefront.money import format_money
from storefront.reviews.services import can_review
from storefront.search.templating import register_search_helpers
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


@dataclass(slots=True)
class Chrome:
    """What ``base.html`` shows around every page (links, the visitor's account and cart),
    worked out in Python in one call: each call and lookup in a template costs more there,
    and every page pays for them. Without the database (a server error's page) the account
    and cart count are left out: ``signed_in`` is None."""

    home: str
    search: str | None
    suggest: str | None
    query: str  # the search box's words, on the search page
    nav: list[tuple[str, str | None, bool]]  # (label, URL, this page)
    cart: str | None
    about: str | None
    icon_svg: str
    icon: str
    css: str
    menu_js: str
    suggest_js: str | None
    signed_in: bool | None = None
    staff: bool = False
    admin: str | None = None  # the staff's home in the admin
    account: list[str] = field(default_factory=list)  # profile, log out; or log in, register
    token: str = ""  # the log-out form's
    cart_count: int = 0


def page_chrome(without_database: bool = False) -> Chrome:
    """``base.html``'s values for this request."""
    endpoint = request.endpoint
    search, suggest = nav_url("search.search"), nav_url("search.suggest")
    chrome = Chrome(
        home=nav_url("main.home") or "", search=search, suggest=suggest,
        query=request.args.get("q", "")[:200] if search and endpoint == "search.search" else "",
        nav=[(label, nav_url(name), endpoint == name) for label, name in MAIN_NAV],
        cart=nav_url("cart.view_cart"), about=nav_url("content.about"),
        icon_svg=asset_url("favicon.svg"), icon=asset_url("favicon.ico"),
        css=asset_url("css/site.css"), menu_js=asset_url("js/menu.js"),
        suggest_js=asset_url("js/search-suggest.js") if suggest else None,
    )
    if not without_database:
        _visitor(chrome)
    return chrome


def _visitor(chrome: Chrome) -> None:
    """The account links and cart count of the visitor."""
    chrome.signed_in = bool(current_user.is_authenticated)
    if chrome.signed_in:
        chrome.staff = bool(current_user.is_staff)
        if chrome.staff:
            chrome.admin = ((nav_url("admin.dashboard") or nav_url("admin.users"))
                            if current_user.role.value == "admin" else nav_url("admin.articles"))
        chrome.account = [nav_url("accounts.profile") or "", nav_url("accounts.logout") or ""]
        chrome.token = generate_csrf()
    else:
        chrome.account = [nav_url("accounts.login") or "", nav_url("accounts.register") or ""]
    if chrome.cart:
        chrome.cart_count = visitor_item_count()


def account_email() -> str | None:
    """The logged-in customer's e-mail address, for forms that would otherwise ask it."""
    return current_user.email if current_user and current_user.is_authenticated else None


def money(amount, currency: str | None = None) -> str:
    """``{{ amount|money }}``: in the shop's currency unless another is given."""
    return format_money(amount, currency or current_app.config["SHOP_CURRENCY"])


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def long_date(value) -> Markup:
    """A date as readers say it ("7 December 2026"), machine-readable in ``<time>``: a
    function rather than a macro, as every teaser shows one. Written from its numbers
    (``strftime`` took 7.4 µs for the two parts, this 2.0; a condition page shows 12)."""
    year, month, day = value.year, value.month, value.day
    return Markup(  # noqa: S704 (numbers and month names only)
        f'<time datetime="{year:04d}-{month:02d}-{day:02d}">{day} {MONTHS[month - 1]} {year}'
        "</time>")


def article_teaser(article, heading_level: int = 3) -> Markup:
    """An article's card in a list (its kind, linked title, summary and date): a function
    rather than a macro, as lists show a dozen or more (a condition's articles, the
    article list, the home page's answers)."""
    level = int(heading_level)
    href = route_link("content.article_detail", "slug")(article.slug)
    summary = f"<p>{escaped(article.summary)}</p>" if article.summary else ""
    date = (f'<p class="muted">{long_date(article.published_at)}</p>'
            if article.published_at else "")
    return Markup(  # noqa: S704 (escaped)
        f'<article class="card article-teaser">\n  <p class="eyebrow">'
        f"{escaped(article.kind.label)}</p>\n  <h{level} class=\"article-teaser-title\">"
        f'<a href="{escaped(href)}">{escaped(article.title)}</a></h{level}>\n{summary}\n'
        f"{date}\n</article>")


# The macro files of the reader's pages and what each defines: template globals, so that
# no page imports them. Jinja 3.1 pays about 35 µs for each ``{% from ... import %}`` a
# page renders (it compares the page's globals with the file's, key by key, to decide
# whether to build the file's module again); an article or condition page made two.
MACRO_FILES = {
    "content/_macros.html": ("breadcrumbs", "ask_callout", "disclaimer", "question_text",
                             "author_box"),
    "content/_recommendations.html": ("condition_picks", "what_helps"),
    "content/_introduction.html": ("shop_introduction",),
    "catalog/_picture.html": ("picture",),
    "reviews/_macros.html": ("stars", "product_stars", "reviews_word", "rating_summary",
                             "review_paragraphs", "review_facts"),
    "alerts/_form.html": ("back_in_stock",),
}


class TemplateMacro:
    """A macro of a template file, callable from any template as a global: the file's
    module (its macros, built once, as an import without context builds it) is looked up
    at each call, so that a template reloaded in development is seen."""

    __slots__ = ("_environment", "_file", "_name")

    def __init__(self, environment: Environment, file: str, name: str) -> None:
        self._environment, self._file, self._name = environment, file, name

    def __call__(self, *args, **kwargs) -> Markup:
        module = self._environment.get_template(self._file).module
        return getattr(module, self._name)(*args, **kwargs)


def _register_macros(environment: Environment) -> None:
    for file, names in MACRO_FILES.items():
        environment.globals.update(
            (name, TemplateMacro(environment, file, name)) for name in names)


def register_template_helpers(app: Flask) -> None:
    register_assets(app)
    register_catalog_helpers(app)
    register_content_helpers(app)
    register_search_helpers(app)
    # The indentation in front of a {% tag %} is for the people editing the templates; it
    # is not sent (about 2% of an article page). Text and {{ values }} keep their spacing.
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        nav_url=nav_url,
        route_link=route_link,  # one link per value, the route built once a request
        lower_first=lower_first,
        shop_page_links=shop_page_links,
        page_chrome=page_chrome,
        account_email=account_email,
        public_url=public_url,
        address_lines=addresses.address_lines,
        long_date=long_date,
        article_teaser=article_teaser,
        shop_text_html=shop.text_html,
        can_review_order=can_review,  # "Your orders" offers a review where it says yes
    )
    _register_macros(app.jinja_env)
    app.jinja_env.filters.update(
        money=money,
        country_name=addresses.country_name,
        phone=addresses.phone_display,
    )

    @app.context_processor
    def shop_context():
        info = shop_info()
        return {"shop_name": info.name, "shop_info": info}
