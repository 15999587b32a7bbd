"""Every route answers malformed input with 2xx, 3xx or 4xx, never a server error.

Routes come from the URL map. Each is sent, as a visitor, a customer and (for /admin) an
admin: a fixed corpus of bad input (100 KB values, NUL, lone surrogates and invalid UTF-8
percent-encoded, wrong types, repeated keys, JSON and multipart bodies), junk path
parameters (ids too large for BIGINT, negative, text), the methods it does not allow (405),
then Hypothesis-generated query strings and forms, a fixed number per route family.
Form posts carry a valid CSRF token so that the views themselves see the junk.
"""

from __future__ import annotations

import io
import json
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.factories import AdminFactory, UserFactory
from tests.helpers import csrf_from, login
from tests.helpers.apps import make_test_app
from tests.helpers.security.inputs import KNOWN_FIELDS, query
from tests.helpers.security.routes import ALL_METHODS, FILE_ENDPOINTS, Route, routes
from tests.helpers.security.site import parameter_values, seed_site

HUGE = "x" * 100_000
# Values that have broken web apps: numbers out of every range, NUL, lone surrogates,
# invalid UTF-8, SQL and path metacharacters, markup, and a 100 KB string.
SPECIAL_VALUES: list[str | bytes] = [
    "", " ", "0", "-1", "-0", "1.5", "1e309", "NaN", "Infinity", str(2**31), str(2**63),
    str(-(2**63) - 1), "9" * 40, "[]", "{}", "null", "true", "\x00", "a\x00b", "\ud800",
    "\udfff", b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", "\u202e\u0644\u0627", "🙂" * 50,
    "' OR '1'='1", "1; DROP TABLE user_account; --", "%", "_", "\\", "../../etc/passwd",
    "<script>alert(1)</script>", "javascript:alert(1)", "\r\nX-Injected: 1", HUGE,
]
# Path parameter values no route should choke on.
JUNK_INTEGERS = ["0", str(2**31), str(2**63), "9" * 30, "-1"]
JUNK_TEXT = ["x" * 3000, "%00", "%ff%fe%ed%a0%80", "..%2F..%2Fetc%2Fpasswd",
             "%27%20OR%20%271%27=%271"]
JUNK_FILES = ["../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "x" * 3000 + ".webp",
              "a%00.jpg", "%ff.webp", "products/..%2F..%2Fsecret_key", "/etc/passwd"]


class Visitor:
    """A test client in one role, with a CSRF token for its session, logged in again when
    a fuzzed request happened to log it out."""

    def __init__(self, app, client, user=None):
        self.app, self.client, self.user = app, client, user
        self._login_id = None
        if user is not None:
            assert login(client, user.email).status_code == 302
            with client.session_transaction() as session:
                self._login_id = session["_user_id"]
        self._token = None

    def token(self) -> str:
        if self._token is None:
            page = "/account/" if self.user else "/account/login"
            self._token = csrf_from(self.client.get(page).get_data(as_text=True))
        return self._token

    def stay_logged_in(self) -> None:
        if self.user is None:
            return
        with self.client.session_transaction() as session:
            if "_user_id" not in session:
                session["_user_id"] = self._login_id
                session["_fresh"] = True

    def send(self, method: str, url: str, *, pairs=(), body: str = "form", raw: bytes = b""):
        """``method`` ``url`` with ``pairs`` in the query (GET) or the body (anything else)."""
        if method == "GET":
            extra = query(pairs)
            target = f"{url}{'&' if '?' in url else '?'}{extra}" if extra else url
            response = self.client.open(target, method=method)
        elif body == "json":
            payload = raw or json.dumps({str(k): str(v) for k, v in pairs
                                         if isinstance(k, str) and isinstance(v, str)},
                                        ensure_ascii=True)
            response = self.client.open(url, method=method, data=payload,
                                        content_type="application/json",
                                        headers={"X-CSRFToken": self.token()})
        elif body == "multipart":
            data = {"csrf_token": self.token()}
            for key, value in pairs:
                name = key if isinstance(key, str) else key.decode("latin-1")
                content = value if isinstance(value, bytes) else value.encode(
                    "utf-8", "surrogatepass")
                data[name.encode("utf-8", "surrogatepass").decode("latin-1")] = (
                    io.BytesIO(content), "photo.jpg", "image/jpeg")
            response = self.client.open(url, method=method, data=data,
                                        content_type="multipart/form-data")
        else:
            form = query([("csrf_token", self.token()), *pairs]).encode() + raw
            response = self.client.open(url, method=method, data=form,
                                        content_type="application/x-www-form-urlencoded")
        self.stay_logged_in()
        return response


def check(visitor: Visitor, method: str, url: str, **kwargs):
    response = visitor.send(method, url, **kwargs)
    detail = (method, url[:200], {k: str(v)[:200] for k, v in kwargs.items()})
    assert response.status_code < 500, (*detail, response.status_code)
    return response


# -- Who sends what ----------------------------------------------------------------------------

ROLES = {
    "visitor": (None, False),
    "customer": (UserFactory, False),
    "admin": (AdminFactory, True),
}


@pytest.fixture
def site(app, db, monkeypatch):
    # With a webhook secret the webhook route is live (without one it answers 404).
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "whsec_test_0123456789abcdef")
    return seed_site(app)


def _visitor(app, make, role):
    factory, _ = ROLES[role]
    return Visitor(app, app.test_client(), make(factory) if factory else None)


def _targets(app, role) -> list[Route]:
    """The routes a role is fuzzed on: /admin ones for the admin, the others otherwise."""
    admin = ROLES[role][1]
    return [route for route in routes(app, admin=admin) if route.endpoint not in FILE_ENDPOINTS
            and not (role != "visitor" and route.endpoint == "accounts.logout")]


FIELD_NAME = re.compile(r'name="([^"]{1,60})"')
# Wrong types and broken text, handed out in turn to every field of a form.
JUNK_MIX: list[str | bytes] = ["\x00", "\ud800", b"\xff\xfe", "-1", str(2**63), "1e309",
                               "NaN", "[]", "' OR 1=1 --", "9" * 40, " ", "<script>",
                               "2024-13-45", "on", "-0.001"]


def fields_of(visitor: Visitor, url: str) -> list[str]:
    """The field names of the form on ``url`` plus the usual ones, to aim the junk at."""
    page = visitor.client.get(url)
    html = page.status_code == 200 and page.mimetype == "text/html"
    found = FIELD_NAME.findall(page.get_data(as_text=True)) if html else []
    return sorted({*found, *KNOWN_FIELDS} - {"csrf_token"})


def fixed_inputs(method: str, fields: list[str]):
    """The fixed corpus for one route: huge values, junk in every field, odd bodies."""
    yield {"pairs": [("q", HUGE), ("name", HUGE), (HUGE[:2000], "1")]}
    yield {"pairs": [(field, "9" * 20) for field in fields]}  # past every integer column
    junk = [(field, JUNK_MIX[index % len(JUNK_MIX)]) for index, field in enumerate(fields)]
    yield {"pairs": [*junk, ("a[]", "1"), ("a[]", "2"), ("page", "1"), ("page", "2")],
           "raw": b"&x=\xff\xfe&=&&&%zz"}
    if method == "GET":
        return
    yield {"pairs": [(field, b"\x89PNG\r\n\x1a\n") for field in fields], "body": "multipart"}
    wrong_types = {field: value for field, value in zip(
        fields, [5, ["x"], {"a": 1}, None, True, 1.5] * len(fields), strict=False)}
    yield {"body": "json", "raw": json.dumps(wrong_types).encode()}
    yield {"body": "json", "raw": b"[1, 2, 3]"}


def send_fixed_corpus(visitor: Visitor, url: str, method: str, fields: list[str]) -> int:
    sent = 0
    for inputs in fixed_inputs(method, fields):
        check(visitor, method, url, **inputs)
        sent += 1
    return sent


def send_junk_path_parameters(visitor: Visitor, route: Route) -> None:
    for name in route.rule.arguments:
        converter = route.converter(name)
        junk = (JUNK_FILES if converter == "PathConverter" else
                JUNK_INTEGERS if converter == "IntegerConverter" else JUNK_TEXT)
        for value in junk:
            url = route.url(lambda _route, arg, value=value, name=name:
                            value if arg == name else None)
            for method in sorted(route.methods):
                response = check(visitor, method, url)
                if converter != "PathConverter":
                    continue
                if response.status_code == 308:  # "//" merged into "/": still on this site
                    location = urlsplit(response.headers["Location"])
                    assert location.netloc in ("", "shop.test"), url
                    response = visitor.client.get(location.path)
                # Never a file from outside the folder.
                assert response.status_code in (400, 404), (url, response.status_code)


@pytest.mark.parametrize("role", list(ROLES))
def test_malformed_input_never_causes_a_server_error(app, make, site, role):
    """Every route the role can reach: the fixed corpus, junk path parameters, then
    Hypothesis-generated queries and forms (25 per route family)."""
    visitor = _visitor(app, make, role)
    values = parameter_values(site)
    targets = _targets(app, role)
    if role == "visitor":
        targets += [route for route in routes(app) if route.endpoint in FILE_ENDPOINTS]
    fields, families, sent = {}, {}, 0
    for route in targets:
        url = route.url(values)
        fields[url] = fields_of(visitor, url)
        families.setdefault(_family(route), []).extend(
            (method, url) for method in sorted(route.methods))
        for method in sorted(route.methods):
            sent += send_fixed_corpus(visitor, url, method, fields[url])
        send_junk_path_parameters(visitor, route)
    assert sent > 20, (sent, families)
    assert len(families) >= 2, (sent, families)
    for family in sorted(families):
        _fuzzer(visitor, families[family], fields)()


# -- Hypothesis: random keys and values, a fixed number per route family -----------------------

def _values() -> st.SearchStrategy:
    return st.one_of(st.sampled_from(SPECIAL_VALUES), st.text(max_size=40),
                     st.binary(max_size=24), st.integers().map(str))


def _keys(fields: list[str]) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(fields), st.text(min_size=1, max_size=16),
                     st.binary(min_size=1, max_size=8))


FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


# Route families, by what a person does there (the first part of the path, or the first
# two under /admin); a route under a new prefix lands in "other" or "back office: other".
FAMILIES = {
    "shop": ("/", "/products", "/search", "/favicon.ico", "/robots.txt", "/sitemap.xml",
             "/healthz", "/readyz"),
    "accounts": ("/account",),
    "buying": ("/cart", "/checkout", "/orders", "/pay", "/stripe"),
    "reading": ("/articles", "/conditions", "/ask", "/routine"),
    "back office: shop": ("/admin/products", "/admin/orders", "/admin/discounts",
                          "/admin/stock", "/admin/users", "/admin/jobs"),
    "back office: content": ("/admin/articles", "/admin/conditions", "/admin/authors",
                             "/admin/questions", "/admin/recommendations", "/admin/preview",
                             "/admin/routine"),
}


def _family(route: Route) -> str:
    parts = route.path.split("/")
    prefix = "/".join(parts[:3]) if route.is_admin else "/" + parts[1]
    return next((name for name, prefixes in FAMILIES.items() if prefix in prefixes),
                "back office: other" if route.is_admin else "other")


def _fuzzer(visitor: Visitor, requests: list[tuple[str, str]], fields: dict[str, list[str]]):
    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        method, url = data.draw(st.sampled_from(requests), label="request")
        pairs = data.draw(st.lists(st.tuples(_keys(fields[url]), _values()), max_size=8),
                          label="pairs")
        body = "form" if method == "GET" else data.draw(
            st.sampled_from(["form", "form", "json", "multipart"]), label="body")
        check(visitor, method, url, pairs=pairs, body=body)

    return fuzz


def test_methods_a_route_does_not_take_answer_405(tmp_path):
    # Refused before any view runs, so one backend is enough (no database is touched).
    app = make_test_app("sqlite://", tmp_path)
    client = app.test_client()
    adapter = app.url_map.bind("shop.test")
    checked = 0
    for route in routes(app):
        url = route.url()
        for method in ALL_METHODS:
            try:
                adapter.match(url, method=method)
                continue  # some route takes it
            except MethodNotAllowed:
                pass
            except NotFound:
                continue
            response = client.open(url, method=method)
            assert response.status_code == 405, (method, url, response.status_code)
            assert "Allow" in response.headers, (method, url)
            checked += 1
    assert checked > 50
