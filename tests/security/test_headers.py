"""Headers, cookies and markup that keep injected script from running, on every page.

Pages come from the URL map (tests/helpers/security/site.py), so a new page gets the same checks.
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie

import pytest

from storefront.extensions import db as _db
from tests.factories import UserFactory, add_to_cart, fill_checkout
from tests.helpers import csrf_from, login
from tests.helpers.apps import build_schema, make_test_app
from tests.helpers.security.markup import script_problems
from tests.helpers.security.routes import routes
from tests.helpers.security.site import seed_site, walk

SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin",
                          "strict-origin-when-cross-origin"}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name.lower()] = sources
    return directives


def assert_safe_headers(response, where: str) -> None:
    headers = response.headers
    csp = csp_directives(headers.get("Content-Security-Policy", ""))
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, (where, "no script-src or default-src")
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert unsafe not in scripts, (where, scripts)
    assert csp.get("default-src") == ["'self'"], where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("object-src") == ["'none'"], where
    assert csp.get("base-uri") in (["'none'"], ["'self'"]), where
    assert "'unsafe-inline'" not in csp.get("style-src", []), where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") in SAFE_REFERRER_POLICIES, where


def test_every_route_sends_the_security_headers(app, client):
    checked = 0
    for route in routes(app):
        for method in sorted(route.methods):
            response = client.open(route.url(), method=method)
            assert_safe_headers(response, f"{method} {route.url()} {response.status_code}")
            checked += 1
    not_found = client.get("/no/such/page")
    assert not_found.status_code == 404
    assert_safe_headers(not_found, "404 page")
    assert checked > 40


def test_the_site_sends_no_hsts_over_plain_http_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def _set_cookies(response) -> dict[str, SimpleCookie]:
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            cookies[name] = (morsel, header)
    return cookies


def _flags(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


def _samesite(header: str) -> str | None:
    for part in header.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "samesite":
            return value
    return None


def _log_in_remembered(client, email):
    response = login(client, email, remember="y")
    assert response.status_code == 302, response.get_data(as_text=True)
    return _set_cookies(response)


def test_session_and_remember_cookies_are_httponly_and_samesite_lax(client, make):
    user = make(UserFactory)
    cookies = _log_in_remembered(client, user.email)
    assert {"session", "remember_token"} <= set(cookies)
    for name in ("session", "remember_token"):
        header = cookies[name][1]
        assert "httponly" in _flags(header), header
        assert _samesite(header) == "Lax", header


@pytest.fixture
def production_app(tmp_path):
    """A production app (strong key) on its own SQLite file, reached over HTTPS."""
    app = make_test_app(f"sqlite:///{tmp_path / 'production.db'}", tmp_path,
                        APP_ENV="production", SECRET_KEY=secrets.token_hex(32))
    build_schema(app)
    yield app
    with app.app_context():
        _db.engine.dispose()


def test_production_over_https_sends_hsts_and_only_secure_cookies(production_app):
    assert production_app.config["APP_ENV"] == "production"
    client = production_app.test_client()
    https = "https://shop.test"

    page = client.get("/account/register", base_url=https)
    assert page.status_code == 200
    hsts = page.headers.get("Strict-Transport-Security", "")
    assert "max-age=" in hsts
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    assert_safe_headers(page, "production page")

    password = "gentle cleanser daily"
    token = csrf_from(page.get_data(as_text=True))
    same_site = {"Referer": f"{https}/account/register"}
    details = {"csrf_token": token, "name": "Maya", "email": "maya@example.com",
               "password": password, "confirm": password}
    # The token alone is not enough: the form must come from this site (refused by the
    # origin check, storefront/origin.py, before Flask-WTF's Referer check over HTTPS).
    elsewhere = client.post(f"{https}/account/register", data=details,
                            headers={"Referer": "https://evil.test/form"})
    assert elsewhere.status_code == 403
    registered = client.post(f"{https}/account/register", data=details, headers=same_site)
    assert registered.status_code == 302, registered.get_data(as_text=True)
    token = csrf_from(client.get("/account/", base_url=https).get_data(as_text=True))
    assert client.post(f"{https}/account/logout", data={"csrf_token": token},
                       headers=same_site).status_code == 302
    cookies = _set_cookies(client.post(
        f"{https}/account/login", headers=same_site,
        data={"csrf_token": token, "email": "maya@example.com", "password": password,
              "remember": "y"}))
    assert {"session", "remember_token"} <= set(cookies), cookies
    for name in ("session", "remember_token"):
        header = cookies[name][1]
        assert {"secure", "httponly"} <= _flags(header), header
        assert _samesite(header) == "Lax", header


# -- Markup: no inline script, no event handlers, no style attributes --------------------------

def _audit_walk(client, app, site, *, admin_routes: bool) -> set[str]:
    """Audit every HTML page of the walk; returns the URLs of the pages checked."""
    checked = set()
    for url, response in walk(client, app, site, admin_routes=admin_routes):
        assert response.status_code < 500, (url, response.status_code)
        if response.mimetype != "text/html":
            continue
        problems = script_problems(response.get_data(as_text=True))
        assert not problems, (url, problems)
        checked.add(url)
    return checked


def test_no_page_has_inline_script_handlers_or_style_attributes(app, client, make):
    site = seed_site(app)
    anonymous = _audit_walk(client, app, site, admin_routes=False)
    assert {f"/products/{site.product_slug}", f"/articles/{site.article_slug}",
            f"/conditions/{site.condition_slug}", "/", "/ask",
            f"/orders/view/{site.guest_token}"} <= anonymous

    shopper = app.test_client()
    login(shopper, site.customer_email)
    add_to_cart(shopper, site.ids["variant"])
    fill_checkout(shopper, email=site.customer_email)
    customer = _audit_walk(shopper, app, site, admin_routes=False)
    assert {"/cart/", "/checkout/review", f"/account/orders/{site.order_number}",
            "/account/"} <= customer
    for step in ("email", "address", "delivery", "discount"):
        page = shopper.get(f"/checkout/{step}")
        assert page.status_code == 200
        assert not script_problems(page.get_data(as_text=True))

    admin = app.test_client()
    login(admin, site.admin_email)
    staff = _audit_walk(admin, app, site, admin_routes=True)
    assert len([url for url in staff if url.startswith("/admin")]) >= 2

    # Error pages too.
    for url, status in (("/no/such/page", 404), ("/account/logout", 405)):
        response = client.get(url)
        assert response.status_code == status
        assert not script_problems(response.get_data(as_text=True))


def test_the_audit_notices_what_it_is_meant_to_find():
    """The checker itself: each thing it forbids is reported."""
    bad = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<p style="x">',
           '<a href=" javascript:alert(1)">x</a>', '<script src="https://evil.test/x.js">'
           '</script>', '<script type="application/ld+json">{"a": </script>',
           '<iframe src="/"></iframe>', '<p>7006652</p>']
    for html in bad:
        assert script_problems(html), html
    good = ('<script type="application/ld+json">{"a": 1}</script>'
            '<script src="/assets/site.js"></script><a href="/x">x</a><p>&lt;script&gt;</p>')
    assert script_problems(good) == []
    assert script_problems('<p style="x">', allow_style=True) == []

