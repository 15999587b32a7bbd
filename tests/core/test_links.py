"""Links built once per request (storefront.links) are the links ``url_for`` writes."""

from urllib.parse import quote, urlencode

import pytest
from flask import g, url_for

from storefront.links import (
    PATH_SAFE,
    QUERY_SAFE,
    nav_url,
    query_string,
    quote_path,
    quote_query,
    route_link,
)

AWKWARD = ["plain", "with space", "ünïcode", "a/b", "q?x=1&y", "100%", "#hash", "+plus"]


@pytest.mark.parametrize("script_name", ["", "/shop"])
def test_nav_url_with_values_writes_what_url_for_writes(app, script_name):
    with app.test_request_context("/", environ_base={"SCRIPT_NAME": script_name}):
        for value in AWKWARD:
            # Query parameters only, one route part, a route part and query parameters.
            for endpoint, values in (
                ("catalog.product_list", {"ingredient": value}),
                ("catalog.product_list", {"category": value, "sort": "name", "page": 2}),
                ("content.ask", {"article": value}),
                ("routines.build", {"concern": [value, "acne"], "skin": None}),
                ("content.article_detail", {"slug": value}),
                ("catalog.product_detail", {"slug": value, "article": value}),
                ("catalog.product_detail", {"slug": value, "article": None}),
            ):
                assert nav_url(endpoint, **values) == url_for(endpoint, **values), values
            assert (route_link("content.condition_detail", "slug")(value)
                    == url_for("content.condition_detail", slug=value))


# Every ASCII character alone and beside a letter, some beyond ASCII, and the empty text.
QUOTED = ["", *(chr(code) for code in range(128)), *(f"a{chr(code)}b" for code in range(128)),
          "é", "ünïcode slug", "日本", "\u00a0", "🧴 cream", *AWKWARD]


def test_quoting_gives_what_urllib_gives():
    for text in QUOTED:
        assert quote_path(text) == quote(text, safe=PATH_SAFE), text
        assert query_string([(text, text)]) == urlencode([(text, text)], safe=QUERY_SAFE), text
        assert quote_query(text) == urlencode([("", text)], safe=QUERY_SAFE)[1:], text
    items = [("page", 3), ("sort", "price_asc"), ("q", "a b&c"), ("in_stock", True)]
    assert query_string(items) == urlencode(items, safe=QUERY_SAFE)


def test_nav_url_leaves_to_url_for_what_it_cannot_build_by_joining(app):
    with app.test_request_context("/"):
        assert nav_url("no.such_page", slug="x") is None
        assert nav_url("content.article_detail", slug=None) is None  # a missing part
        assert nav_url("content.ask", article="x", _anchor="top") == url_for(
            "content.ask", article="x", _anchor="top")
        assert nav_url("reviews.my_order", number="SO-1") == url_for(
            "reviews.my_order", number="SO-1")


def test_a_value_outside_the_route_is_quoted_as_a_query_value(app):
    with app.test_request_context("/"):
        link = route_link("catalog.product_list", "category")
        assert link("with space&more") == url_for("catalog.product_list",
                                                  category="with space&more")


def test_links_kept_for_the_app_follow_the_script_root(app):
    for script_name in ("", "/shop", "", "/other"):
        with app.test_request_context("/", base_url=f"http://localhost{script_name}"):
            assert nav_url("catalog.product_list") == url_for("catalog.product_list")
            assert nav_url("catalog.product_list").startswith(f"{script_name}/")
            assert (route_link("catalog.product_detail", "slug")("a b")
                    == url_for("catalog.product_detail", slug="a b"))


def test_links_follow_url_defaults_request_by_request(app, monkeypatch):
    """An app whose URL defaults could change a link from one request to the next keeps
    its links for one request only."""
    monkeypatch.setitem(app.url_default_functions, None, [
        lambda endpoint, values: values.setdefault("sort", g.sort)
        if endpoint == "catalog.product_list" else None])
    for sort in ("name", "newest"):
        with app.test_request_context("/"):
            g.sort = sort
            assert nav_url("catalog.product_list") == f"/products?sort={sort}"
