"""Every /admin route, enumerated from the URL map, refuses the wrong people.

A new admin route is covered without anyone remembering to add it here: anonymous
visitors are sent to log in, customers get 403, editors get 403 on shop routes, and
a state-changing route without a CSRF token is refused.
"""

from __future__ import annotations

from tests.factories import AdminFactory, EditorFactory, UserFactory
from tests.helpers import login

# Admin areas editors may use; every other /admin route is for admins only.
EDITOR_PREFIXES = ("/admin/articles", "/admin/conditions", "/admin/authors",
                   "/admin/questions", "/admin/recommendations", "/admin/preview",
                   "/admin/reviews", "/admin/shop-introduction", "/admin/routine",
                   "/admin/shop-pages")


def admin_rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")]
    assert rules, "no admin routes found"
    return rules


def _url(rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        values[name] = 1 if converter == "IntegerConverter" else "x"
    return rule.build(values, append_unknown=False)[1]


def _requests(app):
    for rule in admin_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, _url(rule)


def _send(client, method, url):
    return client.open(url, method=method, data={})


def test_anonymous_visitors_are_sent_to_log_in(app, client):
    for method, url in _requests(app):
        response = _send(client, method, url)
        if method == "GET":
            assert response.status_code == 302, (method, url)
            assert "/account/login" in response.headers["Location"], (method, url)
        else:
            assert response.status_code in (302, 400), (method, url)


def test_customers_get_403_everywhere(app, client, make):
    login(client, make(UserFactory).email)
    for method, url in _requests(app):
        if method != "GET":
            continue
        assert _send(client, method, url).status_code == 403, (method, url)


def test_editors_get_403_on_shop_routes(app, client, make):
    login(client, make(EditorFactory).email)
    for method, url in _requests(app):
        if method != "GET" or url.startswith(EDITOR_PREFIXES):
            continue
        assert _send(client, method, url).status_code == 403, (method, url)


def test_admins_never_get_a_server_error(app, client, make):
    login(client, make(AdminFactory).email)
    for method, url in _requests(app):
        status = _send(client, method, url).status_code
        assert status < 500, (method, url, status)


def test_state_changing_admin_routes_need_a_csrf_token(app, client, make):
    login(client, make(AdminFactory).email)
    for method, url in _requests(app):
        if method == "GET":
            continue
        response = _send(client, method, url)
        assert response.status_code == 400, (method, url, response.status_code)
        assert "did not come from this site" in response.get_data(as_text=True)
