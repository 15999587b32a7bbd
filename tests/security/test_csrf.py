"""Every state-changing route, read from the URL map, refuses a request without a valid
CSRF token: as a visitor, a customer and an admin. The Stripe webhook is the one route
without a token; it refuses anything Stripe did not sign. The guest forms (add to cart, ...)
take an anonymous visitor's post without one, when it comes from the shop's own pages
(tests/test_csrf_origin.py); a logged-in visitor's post needs its token there too.
"""

from __future__ import annotations

import pytest

from storefront.extensions import csrf
from tests.factories import AdminFactory, UserFactory
from tests.helpers import csrf_from, login
from tests.helpers.security.routes import (
    CSRF_EXEMPT,
    GUEST_FORMS,
    STATE_CHANGING,
    requests_for,
    routes,
)

REFUSED = "did not come from this site"


def _state_changing(app, role: str):
    skipped = CSRF_EXEMPT | (GUEST_FORMS if role == "visitor" else set())
    found = [(method, route) for method, route in requests_for(routes(app), STATE_CHANGING)
             if route.endpoint not in skipped]
    assert len(found) >= 10, found
    return found


def _token_of_another_visitor(app) -> str:
    other = app.test_client()
    return csrf_from(other.get("/account/login").get_data(as_text=True))


@pytest.mark.parametrize("role", ["visitor", "customer", "admin"])
def test_every_state_changing_route_refuses_a_missing_or_foreign_token(app, client, make,
                                                                       role):
    if role != "visitor":
        user = make(AdminFactory if role == "admin" else UserFactory)
        assert login(client, user.email).status_code == 302
    foreign = _token_of_another_visitor(app)
    for method, route in _state_changing(app, role):
        url = route.url()
        for data in ({}, {"csrf_token": ""}, {"csrf_token": foreign},
                     {"csrf_token": "IjAxMjM0NTY3ODki.forged.signature"}):
            response = client.open(url, method=method, data=data)
            assert response.status_code == 400, (role, method, url, data, response.status_code)
            assert REFUSED in response.get_data(as_text=True), (method, url)
        # A token in a header other than the one Flask-WTF reads changes nothing either.
        response = client.open(url, method=method, headers={"X-Token": foreign})
        assert response.status_code == 400, (role, method, url)
    if role != "visitor":  # still logged in: the refused log-out did not log anyone out
        assert client.get("/account/").status_code == 200


def test_the_webhook_and_the_guest_forms_are_the_only_routes_without_the_check(app):
    views = {endpoint: app.view_functions[endpoint] for endpoint in CSRF_EXEMPT | GUEST_FORMS}
    allowed = {f"{view.__module__}.{view.__name__}" for view in views.values()}
    exempt = {view for view in csrf._exempt_views}
    assert exempt <= allowed, exempt
    assert not csrf._exempt_blueprints
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    assert app.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True


def test_an_unsigned_webhook_call_is_refused(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "whsec_test_0123456789abcdef")
    for route in routes(app):
        if route.endpoint in CSRF_EXEMPT:
            for headers in ({}, {"Stripe-Signature": "t=1,v1=00"}):
                response = client.post(route.url(), data=b'{"id": "evt_1"}', headers={
                    "Content-Type": "application/json", **headers})
                assert response.status_code == 400, (route, headers)
