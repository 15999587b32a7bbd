"""Every error page renders in the site's layout with its status."""

import pytest
from werkzeug.exceptions import Forbidden

from tests.factories import AdminFactory, EditorFactory, UserFactory
from tests.helpers import csrf_from, login
from tests.helpers.apps import make_test_app


@pytest.fixture
def error_app(database_url, tmp_path):
    """An app with two extra routes that fail on purpose."""
    app = make_test_app(database_url, tmp_path, MAX_CONTENT_LENGTH=1024)
    app.testing = False  # let errors become 500 pages, as in production

    @app.get("/boom")
    def boom():
        raise RuntimeError("broken on purpose")

    @app.get("/forbidden")
    def forbidden():
        raise Forbidden()

    return app


def _assert_in_layout(response, status, heading):
    body = response.get_data(as_text=True)
    assert response.status_code == status
    assert 'class="site-header"' in body
    assert 'class="site-footer"' in body
    assert "Medical disclaimer" in body
    assert heading in body
    assert f"Error {status}" in body


def test_404(client):
    _assert_in_layout(client.get("/no-such-page"), 404, "We can&#39;t find that page")


def test_405_names_the_allowed_methods(client):
    response = client.get("/account/logout")
    _assert_in_layout(response, 405, "That action isn&#39;t possible here")
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}


def test_400_for_a_form_without_csrf(client):
    _assert_in_layout(client.post("/account/reset", data={"email": "a@b.c"}), 400,
                      "Something was wrong with that request")


def test_403_and_500_and_413(error_app, db):
    client = error_app.test_client()
    _assert_in_layout(client.get("/forbidden"), 403, "You can&#39;t open this page")
    _assert_in_layout(client.get("/boom"), 500, "Something went wrong on our side")
    _assert_in_layout(client.post("/account/login", data={"x": "y" * 4096}), 413,
                      "That upload is too large")


def test_429(client):
    token = csrf_from(client.get("/account/reset").get_data(as_text=True))
    for _ in range(6):
        response = client.post("/account/reset", data={"csrf_token": token, "email": "a@b.cd"})
    _assert_in_layout(response, 429, "Too many attempts")


def test_anonymous_is_sent_to_log_in_for_an_admin_page(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


@pytest.mark.parametrize("factory", [UserFactory, EditorFactory])
def test_non_admin_gets_403_on_an_admin_only_page(client, make, factory):
    user = make(factory)
    login(client, user.email)
    _assert_in_layout(client.get("/admin/users"), 403, "You can&#39;t open this page")


def test_admin_can_open_the_admin_page(client, make):
    admin = make(AdminFactory)
    login(client, admin.email)
    assert client.get("/admin/users").status_code == 200

