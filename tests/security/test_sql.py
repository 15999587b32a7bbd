"""SQL metacharacters in query parameters are plain text: no server error, no change in what
a page finds (``' OR '1'='1`` finds what the words ``OR 1 1`` find, ``%`` what nonsense
finds), and no table loses a row.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from storefront.accounts.models import User
from storefront.catalog.models import Product
from storefront.extensions import db as _db
from storefront.orders.models import Order
from tests.helpers import login
from tests.helpers.security.inputs import KNOWN_FIELDS, encode
from tests.helpers.security.routes import FILE_ENDPOINTS, routes
from tests.helpers.security.site import Texts, parameter_values, seed_site

SQL = ["' OR '1'='1", "1' OR 1=1 --", "%' OR 1=1 --", "1; DROP TABLE user_account; --",
       "' UNION SELECT password_hash, email FROM user_account --", "%", "_", "\\",
       "'); DELETE FROM product; --", "1 AND SLEEP(5)", "$1", ":name", "%%", "*"]
# The ones tried against every search box and filter (LIKE wildcards among them).
SEARCHED = ["' OR '1'='1", "%' OR 1=1 --", "%", "_", "1; DROP TABLE user_account; --",
            "' UNION SELECT password_hash, email FROM user_account --"]
NO_MATCH = "zqxjkvnomatch"
METACHARACTERS = re.compile(r"[^A-Za-z0-9 ]")


def _words_only(payload: str) -> str:
    """The payload without its metacharacters: what it should find, as plain words."""
    words = " ".join(METACHARACTERS.sub(" ", payload).split())
    return words or NO_MATCH


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(_db.session.scalar(select(func.count()).select_from(model))
                     for model in (User, Product, Order))


def test_sql_in_every_query_parameter_is_answered_and_changes_nothing(app, make):
    site = seed_site(app, Texts())
    before = _counts(app)
    values = parameter_values(site)
    for who, admin_routes in (("visitor", False), ("admin", True)):
        browser = app.test_client()
        if who == "admin":
            login(browser, site.admin_email)
        for route in routes(app, admin=admin_routes):
            if "GET" not in route.methods or route.endpoint in FILE_ENDPOINTS:
                continue
            for shift in (0, 7):
                query = "&".join(f"{field}={encode(SQL[(i + shift) % len(SQL)])}"
                                 for i, field in enumerate(KNOWN_FIELDS))
                url = f"{route.url(values)}?{query}"
                response = browser.get(url)
                assert response.status_code < 500, (who, url[:120], response.status_code)
    assert _counts(app) == before


def _found(html: str, names: list[str]) -> set[str]:
    return {name for name in names if name in html}


def test_searches_and_filters_find_the_same_for_sql_as_for_nonsense(app, make):
    site = seed_site(app, Texts())
    names = ["Barrier Cream", "What causes milia?", site.customer_email, site.order_number,
             site.guest_order_number, site.code, "Milia", "Ines", "Halden", "Serums"]
    admin = app.test_client()
    login(admin, site.admin_email)
    visitor = app.test_client()
    checks = [(visitor, "/search", "q"), (visitor, "/products", "category"),
              (visitor, "/products", "condition"), (visitor, "/products", "ingredient"),
              (visitor, "/products", "sort"), (visitor, "/articles", "condition")]
    checks += [(admin, rule.rule, "q") for rule in app.url_map.iter_rules()
               if rule.rule.startswith("/admin") and "GET" in rule.methods
               and not rule.arguments and not rule.rule.endswith(".csv")]
    searched = 0
    for browser, url, parameter in checks:
        nonsense = browser.get(f"{url}?{parameter}={NO_MATCH}")
        if nonsense.status_code != 200 or nonsense.mimetype != "text/html":
            continue
        everything = _found(browser.get(url).get_data(as_text=True), names)
        searched += everything != _found(nonsense.get_data(as_text=True), names)
        plain_pages: dict[str, set[str]] = {}
        for payload in SEARCHED:
            response = browser.get(f"{url}?{parameter}={encode(payload)}")
            assert response.status_code in (200, 404), (url, payload, response.status_code)
            if response.status_code != 200:
                continue
            words = _words_only(payload)
            if words not in plain_pages:
                plain = browser.get(f"{url}?{parameter}={encode(words)}")
                plain_pages[words] = _found(plain.get_data(as_text=True), names)
            expected = plain_pages[words]
            found = _found(response.get_data(as_text=True), names)
            assert found <= expected, (url, parameter, payload, found - expected)
    assert searched >= 4, "too few pages narrowed by their search: the check proves nothing"
