"""The page cache's fast lane (stored pages answered without Flask), the cart page stored per
cart, and the per-request savings beside them: remembered session cookies, CSRF tokens
made with a signer built once, Flask-Limiter without its before-every-request hook."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import g
from flask_wtf.csrf import generate_csrf as flask_wtf_generate_csrf
from flask_wtf.csrf import validate_csrf

from storefront import caching, sessions
from storefront.csrf_tokens import generate_csrf
from storefront.extensions import limiter
from tests.factories import ProductFactory, UserFactory
from tests.factories.orders import add_to_cart
from tests.helpers import csrf_from, login
from tests.helpers.caching import change, from_cache, html, variant_of

_BADGE = re.compile(r'class="badge" aria-label="(\d+) items?"')


def _fast_lane(app) -> caching.FastLane:
    layer = app.wsgi_app
    while not isinstance(layer, caching.FastLane):
        layer = layer.wsgi_app
    return layer


@pytest.fixture
def flask_calls(app, monkeypatch) -> list[str]:
    """The paths of the requests that got past the fast lane into Flask."""
    lane = _fast_lane(app)
    inner, calls = lane.wsgi_app, []

    def counting(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    monkeypatch.setattr(lane, "wsgi_app", counting)
    return calls


@pytest.fixture
def stored_product(client, make, flask_calls) -> str:
    """A product page, rendered once by Flask and so stored."""
    product = make(ProductFactory, name="Barrier Cream")
    url = f"/products/{product.slug}"
    html(client, url)
    assert flask_calls == [url]
    flask_calls.clear()
    return url


# --- The fast lane -------------------------------------------------------------------------

def test_a_new_visitor_gets_a_stored_page_without_flask(app, stored_product, flask_calls,
                                                        count_queries):
    newcomer = app.test_client()
    response = newcomer.get(stored_product)
    assert flask_calls == []
    assert response.status_code == 200
    assert "Barrier Cream" in response.get_data(as_text=True)
    assert "session=" in response.headers["Set-Cookie"]  # their new CSRF secret
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Request-ID"]
    assert response.headers["Cache-Control"] == "private, no-cache"
    from_cache(newcomer, count_queries, stored_product)  # and again, with their cookie
    assert flask_calls == []
    with app.app_context():
        variant_id = variant_of(stored_product.rsplit("/", 1)[1]).id
    token = csrf_from(newcomer.get(stored_product).get_data(as_text=True))
    added = newcomer.post("/cart/add", data={"csrf_token": token, "variant_id": variant_id,
                                             "quantity": "1"})
    assert added.status_code == 302, "the token in the fast lane's page is a valid one"


def test_an_unchanged_page_gets_304_from_the_fast_lane(app, stored_product, flask_calls):
    visitor = app.test_client()
    etag = visitor.get(stored_product).headers["ETag"]
    again = visitor.get(stored_product, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert flask_calls == []


def test_everyone_the_views_would_not_serve_from_the_cache_goes_to_flask(
        app, stored_product, flask_calls):
    assert app.test_client().head(stored_product).status_code == 200
    assert flask_calls == [stored_product], "HEAD"
    remembered = app.test_client()
    remembered.set_cookie("remember_token", "1|whatever", domain=app.config["SERVER_NAME"])
    assert remembered.get(stored_product).status_code == 200
    assert flask_calls == [stored_product, stored_product], "remember-me"

    shopper = app.test_client()
    with app.app_context():
        variant_id = variant_of(stored_product.rsplit("/", 1)[1]).id
    assert add_to_cart(shopper, variant_id, "2").status_code == 302
    flask_calls.clear()
    page = html(shopper, stored_product)
    assert flask_calls == [stored_product], "a visitor with a cart is served by Flask"
    assert _BADGE.search(page).group(1) == "2"


def test_a_forged_session_cookie_is_ignored_as_flask_would(app, stored_product, flask_calls):
    visitor = app.test_client()
    visitor.set_cookie("session", "eyJjYXJ0X2lkIjoxfQ.aaaaaa.forged-signature",
                       domain=app.config["SERVER_NAME"])
    response = visitor.get(stored_product)
    assert response.status_code == 200
    assert flask_calls == []
    assert _BADGE.search(response.get_data(as_text=True)).group(1) == "0"
    assert "session=" in response.headers["Set-Cookie"]  # a new session replaces it


def test_a_change_to_the_catalog_goes_back_to_flask_once(app, stored_product, flask_calls):
    slug = stored_product.rsplit("/", 1)[1]
    change(app, lambda: setattr(variant_of(slug), "price", Decimal("31.00")))
    visitor = app.test_client()
    assert "31.00" in html(visitor, stored_product)
    assert "31.00" in html(app.test_client(), stored_product)
    assert flask_calls == [stored_product]


# --- The cart page, stored per cart ---------------------------------------------------------

def _cart_with(app, client, slug: str, quantity: str) -> None:
    with app.app_context():
        variant_id = variant_of(slug).id
    assert add_to_cart(client, variant_id, quantity).status_code == 302
    assert "Added" in html(client, "/cart/")  # the message: shown once, never stored


def test_the_cart_page_is_read_back_with_one_statement(client, app, make, count_queries):
    product = make(ProductFactory, name="Calm Serum")
    _cart_with(app, client, product.slug, "2")
    first = html(client, "/cart/")
    with count_queries() as counter:
        again = html(client, "/cart/")
    assert counter.count == 1, counter.statements
    assert 'value="2"' in again
    assert "Calm Serum" in again
    assert re.sub(r'value="[0-9a-f.\-_A-Za-z]{60,}"', "", again) == \
        re.sub(r'value="[0-9a-f.\-_A-Za-z]{60,}"', "", first)


def test_a_guests_stored_cart_page_is_answered_without_flask(client, app, make, flask_calls,
                                                             count_queries):
    product = make(ProductFactory, name="Calm Serum")
    user = make(UserFactory, email="maya@example.com")
    _cart_with(app, client, product.slug, "2")
    html(client, "/cart/")
    flask_calls.clear()
    with count_queries() as counter:
        page = html(client, "/cart/")
    assert flask_calls == [], counter.statements
    assert counter.count == 1, counter.statements
    assert 'value="2"' in page
    assert "Calm Serum" in page
    member = app.test_client()
    assert login(member, user.email).status_code == 302
    _cart_with(app, member, product.slug, "1")
    flask_calls.clear()
    assert 'value="1"' in html(member, "/cart/")
    assert flask_calls == ["/cart/"], "a member's cart page is answered by the view"


def test_changes_to_the_cart_or_its_products_show_at_once(client, app, make):
    product = make(ProductFactory, name="Calm Serum")
    _cart_with(app, client, product.slug, "2")
    html(client, "/cart/")
    change(app, lambda: setattr(variant_of(product.slug), "price", Decimal("17.50")))
    assert "35.00" in html(client, "/cart/"), "the new price, at once"
    change(app, lambda: setattr(variant_of(product.slug), "stock_on_hand", 1))
    assert "Only 1 of Calm Serum" in html(client, "/cart/"), "the new stock, at once"
    line_id = re.search(r'name="line_id" value="(\d+)"', html(client, "/cart/")).group(1)
    token = csrf_from(html(client, "/cart/"))
    client.post("/cart/update", data={"csrf_token": token, "line_id": line_id,
                                      "quantity": "1"})
    html(client, "/cart/")  # the "Updated" message
    page = html(client, "/cart/")
    assert 'value="1"' in page
    assert "Only 1 of" not in page


def test_no_cart_page_reaches_another_visitor(client, app, make):
    product = make(ProductFactory, name="Calm Serum")
    user = make(UserFactory, email="maya@example.com")
    first, second, member = app.test_client(), app.test_client(), app.test_client()
    _cart_with(app, first, product.slug, "3")
    _cart_with(app, second, product.slug, "1")
    assert login(member, user.email).status_code == 302
    _cart_with(app, member, product.slug, "2")
    for _ in range(2):  # the second time, each from the store
        assert 'value="3"' in html(first, "/cart/")
        assert 'value="1"' in html(second, "/cart/")
        page = html(member, "/cart/")
        assert 'value="2"' in page
        assert "Log out" in page
        assert "Your cart is empty" in html(app.test_client(), "/cart/")


# --- Sessions, CSRF tokens, rate limits ----------------------------------------------------

def _cookie(app, data: dict) -> str:
    return app.session_interface.get_signing_serializer(app).dumps(data)


def test_a_remembered_session_cookie_still_has_to_be_the_same_bytes(app):
    interface = app.session_interface
    good = _cookie(app, {"cart_id": 5})
    assert dict(interface.session_from_cookie(app, good)) == {"cart_id": 5}
    payload, signature = good.rsplit(".", 1)
    other_payload = _cookie(app, {"cart_id": 6}).rsplit(".", 2)[0]
    for forged in (payload + "." + signature[::-1], other_payload + "." + signature,
                   good + "x"):
        assert dict(interface.session_from_cookie(app, forged)) == {}


def test_a_remembered_session_cookie_still_expires(app, monkeypatch):
    cookie = _cookie(app, {"cart_id": 5})
    assert dict(app.session_interface.session_from_cookie(app, cookie)) == {"cart_id": 5}
    later = sessions.time.time() + app.permanent_session_lifetime.total_seconds() + 5
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    assert dict(app.session_interface.session_from_cookie(app, cookie)) == {}


def test_requests_never_share_a_list_from_the_same_cookie(app):
    cookie = _cookie(app, {"_flashes": [["info", "Saved."]]})
    first = app.session_interface.session_from_cookie(app, cookie)
    first["_flashes"].append(["info", "Another."])
    second = app.session_interface.session_from_cookie(app, cookie)
    assert second["_flashes"] == [["info", "Saved."]]


def test_our_csrf_tokens_are_flask_wtfs(app):
    with app.test_request_context():
        ours = generate_csrf()
        validate_csrf(ours)
        assert flask_wtf_generate_csrf() == ours, "one token per request, shared"
    with app.test_request_context():
        theirs = flask_wtf_generate_csrf()
        g.pop("csrf_token")
        validate_csrf(theirs)
        validate_csrf(generate_csrf())


def test_view_limits_are_checked_by_their_views_only(app):
    assert limiter._check_request_limit not in app.before_request_funcs[None]
    for hook in app.after_request_funcs[None] + app.teardown_request_funcs[None]:
        assert getattr(hook, "args", None) != (limiter,), "wrapped to run only when limited"
