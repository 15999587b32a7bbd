"""Cross-origin protection (storefront/origin.py) and the forms anonymous visitors post from
shared pages without a token: add to cart, "helpful", back-in-stock, ask, a routine to the
cart. A page of another site cannot make them; the pages holding them are the same for every
anonymous visitor (no token, no cookie); logged-in visitors and every other form keep tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from storefront.alerts.models import StockAlert
from storefront.cart.models import CartLine
from storefront.catalog.models import Variant
from storefront.content.models import ReaderQuestion
from storefront.extensions import db
from storefront.origin import origin_of
from storefront.reviews.models import ReviewStatus, ReviewVote
from tests.factories import ProductFactory, UserFactory, VariantFactory
from tests.factories.reviews import sent_order, written_review
from tests.helpers import csrf_from, login
from tests.helpers.apps import make_test_app
from tests.helpers.content import build, page
from tests.helpers.pages import Page
from tests.helpers.routines import ACNE_AND_MILIA, shop_setup
from tests.helpers.security.routes import (
    CSRF_EXEMPT,
    GUEST_FORMS,
    STATE_CHANGING,
    requests_for,
    routes,
)
from tests.helpers.stripe_support import event_payload, post_event, sign

SHOP = "http://shop.test"
REFUSED = "This form was sent from another site"
TOKEN_REFUSED = "did not come from this site"

CROSS_ORIGIN = [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another origin too
    {"Sec-Fetch-Site": "cross-site", "Origin": SHOP},  # Sec-Fetch-Site is believed first
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "https://shop.test"},  # another scheme
    {"Origin": "http://shop.test:8080"},  # another port
    {"Origin": "http://shop.test.evil.example"},
    {"Referer": "https://evil.example/free-gift"},  # neither header: a foreign Referer
]
SAME_ORIGIN = [
    {"Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "none"},
    {"Origin": SHOP},
    {"Origin": "http://SHOP.test:80"},
    {"Referer": f"{SHOP}/products"},
    {},  # neither header, no Referer: a program, or a very old browser (see origin.py)
]


# --- The shop and its anonymous forms -----------------------------------------------------

@pytest.fixture
def shop(app, db):
    def create():
        products = shop_setup()  # routines' shop: products, conditions, an article
        cream = db.session.scalar(select(Variant).where(
            Variant.product_id == products["barrier"]))
        balm = ProductFactory(name="Night Balm", slug="night-balm", variant=False)
        sold_out = VariantFactory(product=balm, stock_on_hand=0)
        review = written_review(sent_order(cream), status=ReviewStatus.APPROVED)
        return {"variant": cream.id, "sold_out": sold_out.id, "review": review.id}

    return build(app, create)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@dataclass
class Form:
    endpoint: str
    url: str
    data: Callable[[dict], MultiDict]
    changed: type  # the table a post that is accepted writes a row to
    accepted: int  # its status (a redirect)


FORMS = [
    Form("cart.add", "/cart/add", lambda shop: MultiDict({
        "variant_id": shop["variant"], "quantity": "1", "next": "/products/barrier-cream"}),
        CartLine, 302),
    Form("reviews.helpful", "/reviews/{review}/helpful", lambda shop: MultiDict({
        "next": "/products/barrier-cream"}), ReviewVote, 303),
    Form("alerts.ask", "/stock-alerts/", lambda shop: MultiDict({
        "variant_id": shop["sold_out"], "email": "maya@example.com",
        "next": "/products/night-balm"}), StockAlert, 303),
    Form("content.ask", "/ask", lambda shop: MultiDict({
        "name": "Ines", "email": "ines@example.com", "skin_type": "dry", "website": "",
        "question": "I have tiny white bumps under my eyes. What are they and what helps?"}),
        ReaderQuestion, 302),
    Form("routines.add_to_cart", "/routine/cart", lambda shop: MultiDict([
        ("concern", "acne"), ("concern", "milia"), ("skin", "oily"),
        ("steps", "essential")]), CartLine, 303),
]
IDS = [form.endpoint for form in FORMS]


def _post(client, form: Form, shop, headers, **extra):
    data = form.data(shop)
    for name, value in extra.items():
        data[name] = value  # in place of the form's own value
    return client.post(form.url.format(**shop), data=data, headers=headers)


def test_only_the_guest_forms_take_an_anonymous_post_without_a_token(app, client, shop):
    """A form joins the guest forms only with its tests here (and in GUEST_FORMS): every
    other route refuses an anonymous visitor's post without a token, from the same origin."""
    taken = set()
    for method, route in requests_for(routes(app), STATE_CHANGING):
        response = client.open(route.url(), method=method, headers={
            "Sec-Fetch-Site": "same-origin"})
        if TOKEN_REFUSED not in response.get_data(as_text=True):
            taken.add(route.endpoint)
    assert taken == set(IDS) | CSRF_EXEMPT
    assert set(IDS) == GUEST_FORMS


@pytest.mark.parametrize("form", FORMS, ids=IDS)
def test_a_cross_origin_post_is_refused_and_changes_nothing(app, client, shop, form):
    for headers in CROSS_ORIGIN:
        response = _post(client, form, shop, headers)
        assert response.status_code == 403, (headers, response.status_code)
        html = response.get_data(as_text=True)
        assert REFUSED in html, headers
        assert 'class="account-nav"' in html  # the shop's own error page, in its layout
        assert "Set-Cookie" not in response.headers
    assert _count(app, form.changed) == 0


@pytest.mark.parametrize("form", FORMS, ids=IDS)
def test_a_same_origin_post_without_a_token_is_accepted(app, shop, form, monkeypatch):
    monkeypatch.setitem(app.config, "ASK_RATE_LIMIT", "100 per hour")
    for number, headers in enumerate(SAME_ORIGIN, start=1):
        visitor = app.test_client()  # a new anonymous visitor each time
        extra = {"email": f"v{number}@example.com"} if "email" in form.data(shop) else {}
        response = _post(visitor, form, shop, headers, **extra)
        assert response.status_code == form.accepted, (headers, response.status_code)
        assert _count(app, form.changed) >= number, headers


@pytest.mark.parametrize("form", FORMS, ids=IDS)
def test_a_logged_in_visitor_still_needs_the_token(app, client, shop, form, make):
    login(client, make(UserFactory).email)
    for headers in ({}, {"Sec-Fetch-Site": "same-origin"}, {"Origin": SHOP}):
        for token in ({}, {"csrf_token": ""}, {"csrf_token": "forged.token.value"}):
            response = _post(client, form, shop, headers, **token)
            assert response.status_code == 400, (headers, token, response.status_code)
            assert TOKEN_REFUSED in response.get_data(as_text=True)
    assert _count(app, form.changed) == 0
    refused = _post(client, form, shop, {"Sec-Fetch-Site": "cross-site"},
                    csrf_token=csrf_from(page(client, "/account/")))
    assert refused.status_code == 403  # a token never lets another site's page through
    token = csrf_from(page(client, "/account/"))
    response = _post(client, form, shop, {"Sec-Fetch-Site": "same-origin"}, csrf_token=token)
    assert response.status_code == form.accepted
    assert _count(app, form.changed) > 0


def test_members_pages_carry_the_token_in_those_forms(app, client, shop, make):
    login(client, make(UserFactory).email)
    for url in ("/products/barrier-cream", "/products/night-balm", ACNE_AND_MILIA, "/ask",
                "/conditions/acne"):
        html = page(client, url)
        forms = Page(html).all('form[method="post"]')
        assert forms, url
        assert all(form.select_one('input[name="csrf_token"][value]') for form in forms), url


# --- Every other form keeps its token ---------------------------------------------------

@pytest.mark.parametrize("url", ["/account/login", "/account/register", "/account/reset",
                                 "/checkout/pay", "/checkout/email", "/cart/update",
                                 "/cart/remove", "/account/logout"])
def test_other_forms_refuse_a_missing_token_even_from_the_same_origin(client, shop, url):
    for headers in ({"Sec-Fetch-Site": "same-origin"}, {"Origin": SHOP}):
        response = client.post(url, data={"email": "maya@example.com"}, headers=headers)
        assert response.status_code == 400, (url, headers)
        assert TOKEN_REFUSED in response.get_data(as_text=True)


def test_every_unsafe_request_is_checked(app, client, shop, make):
    """App-wide, before the view: a 403 (never a 500, never the view) for every route and
    state-changing method, as a visitor and logged in."""
    found = requests_for(routes(app), STATE_CHANGING)
    assert len(found) > 50
    for role in ("visitor", "customer"):
        if role == "customer":
            login(client, make(UserFactory).email)
        for method, route in found:
            response = client.open(route.url(), method=method,
                                   headers={"Sec-Fetch-Site": "cross-site"})
            assert response.status_code == 403, (role, method, route, response.status_code)
    assert client.get("/account/").status_code == 200  # the refused log-out did nothing


# --- Pages that hold those forms: the same for every anonymous visitor -----------------

def test_a_first_anonymous_visit_gets_no_cookie_and_no_token(app, shop):
    pages = {
        "/": None,
        "/products": "/cart/add",
        "/products/barrier-cream": "/reviews/",
        "/products/night-balm": 'action="/stock-alerts/"',
        "/articles": None,
        "/articles/what-causes-milia": None,
        "/conditions": None,
        "/conditions/acne": 'action="/cart/add"',
        "/search?q=cream": 'action="/cart/add"',
        "/routine": None,
        ACNE_AND_MILIA: 'action="/routine/cart"',
        "/ask": 'action="/ask"',
        f"/stock-alerts/new?variant={shop['sold_out']}": 'action="/stock-alerts/"',
        "/about": None,
    }
    for url, form in pages.items():
        for visit in ("first", "again (from the page cache)"):
            response = app.test_client().get(url)
            assert response.status_code == 200, (url, visit)
            html = response.get_data(as_text=True)
            assert "Set-Cookie" not in response.headers, (url, visit)
            assert "csrf_token" not in html, (url, visit)
            assert form is None or form in html, (url, form)


def test_a_visitor_adds_to_the_cart_with_the_pages_own_form(app, shop):
    """What a browser does: read the form on a product page, send it from the same origin."""
    visitor = app.test_client()
    html = page(visitor, "/products/barrier-cream")
    fields = MultiDict(Page(html).form_items('form.buy-box[action="/cart/add"]'))
    fields.setdefault("variant_id", str(shop["variant"]))
    response = visitor.post("/cart/add", data=fields, headers={
        "Sec-Fetch-Site": "same-origin", "Origin": SHOP,
        "Referer": f"{SHOP}/products/barrier-cream"})
    assert response.status_code == 302
    assert "Barrier Cream" in page(visitor, "/cart/")
    assert _count(app, CartLine) == 1


# --- The webhook, other origins of the shop ------------------------------------------------

def test_the_stripe_webhook_works_without_browser_headers(app, client, monkeypatch):
    secret = "whsec_origin_test_0123456789"
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", secret)
    payload = event_payload("customer.created", {"id": "cus_test_1", "object": "customer"})
    response = post_event(client, payload, sign(payload, secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    refused = client.post("/stripe/webhook", data=payload, headers={
        "Content-Type": "application/json", "Stripe-Signature": sign(payload, secret),
        "Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403  # a page of another site posting to it


def test_the_shop_url_is_an_origin_of_the_shop(app, client, shop, monkeypatch):
    monkeypatch.setitem(app.config, "SHOP_URL", "https://www.shop.example")
    form = FORMS[0]
    assert _post(client, form, shop, {"Origin": "https://www.shop.example"}).status_code == 302
    assert _post(client, form, shop, {"Origin": "https://shop.example"}).status_code == 403


def test_behind_a_proxy_the_origin_is_the_one_the_visitor_used(database_url, tmp_path, app):
    """With TRUSTED_PROXIES, the request's origin is the proxy's (X-Forwarded-Proto/Host)."""
    proxied = make_test_app(database_url, tmp_path, TRUSTED_PROXIES=1, SERVER_NAME=None,
                            SHOP_URL="http://elsewhere.test")
    visitor = proxied.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "shop.example",
                 "X-Forwarded-For": "203.0.113.9"}

    def status(origin: str) -> int:  # a page that does not exist: 404 once let through
        return visitor.post("/no-such-page", headers={**forwarded, "Origin": origin},
                            base_url="http://10.0.0.5:8000").status_code

    assert status("https://shop.example") == 404
    assert status("http://10.0.0.5:8000") == 403
    assert status("https://evil.example") == 403


@pytest.mark.parametrize(("url", "origin"), [
    ("http://shop.test/products", "http://shop.test"),
    ("HTTPS://Shop.Test:443/", "https://shop.test"),
    ("http://shop.test:8080", "http://shop.test:8080"),
    ("http://[::1]:5000/x", "http://[::1]:5000"),
    ("null", None), ("", None), (None, None), ("ftp://shop.test", None),
    ("http://shop.test:port", None), ("//shop.test", None),
])
def test_origin_of(url, origin):
    assert origin_of(url) == origin
