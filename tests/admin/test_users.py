"""Admins list and search users and change their roles; the last admin stays."""

from sqlalchemy import select

from storefront.accounts.models import Role, User
from storefront.extensions import db
from tests.factories import AdminFactory, EditorFactory, UserFactory
from tests.helpers import login, submit


def _role_of(app, user_id):
    with app.app_context():
        return db.session.scalar(select(User.role).where(User.id == user_id))


def test_search_users(client, make):
    admin = make(AdminFactory)
    make(UserFactory, email="findme@example.com", name="Findable Person")
    make(UserFactory, email="other@example.com", name="Someone Else")
    login(client, admin.email)
    page = client.get("/admin/users?q=findme").get_data(as_text=True)
    assert "findme@example.com" in page
    assert "other@example.com" not in page
    page = client.get("/admin/users?q=%25").get_data(as_text=True)
    assert "No users match" in page, "a % is searched for literally"


def test_admin_changes_a_role(app, client, make):
    admin = make(AdminFactory)
    customer = make(UserFactory)
    login(client, admin.email)
    response = submit(client, f"/admin/users/{customer.id}/role", {"role": "editor"},
                      form_url="/admin/users")
    assert response.status_code == 303
    assert _role_of(app, customer.id) is Role.EDITOR


def test_unknown_role_is_refused(app, client, make):
    admin = make(AdminFactory)
    customer = make(UserFactory)
    login(client, admin.email)
    response = submit(client, f"/admin/users/{customer.id}/role", {"role": "overlord"},
                      form_url="/admin/users")
    assert response.status_code == 400
    assert _role_of(app, customer.id) is Role.CUSTOMER


def test_the_last_admin_cannot_be_demoted(app, client, make):
    admin = make(AdminFactory)
    login(client, admin.email)
    response = submit(client, f"/admin/users/{admin.id}/role", {"role": "customer"},
                      form_url="/admin/users")
    assert response.status_code == 409
    assert "only admin" in response.get_data(as_text=True)
    assert _role_of(app, admin.id) is Role.ADMIN


def test_an_admin_can_step_down_when_another_admin_exists(app, client, make):
    admin = make(AdminFactory)
    make(AdminFactory)
    login(client, admin.email)
    submit(client, f"/admin/users/{admin.id}/role", {"role": "editor"}, form_url="/admin/users")
    assert _role_of(app, admin.id) is Role.EDITOR
    assert client.get("/admin/users").status_code == 403


def test_unknown_user_is_404(client, make):
    admin = make(AdminFactory)
    login(client, admin.email)
    response = submit(client, "/admin/users/999999/role", {"role": "editor"},
                      form_url="/admin/users")
    assert response.status_code == 404


def test_customer_cannot_change_roles(app, client, make):
    customer = make(UserFactory)
    login(client, customer.email)
    response = submit(client, f"/admin/users/{customer.id}/role", {"role": "admin"},
                      form_url="/account/")
    assert response.status_code == 403
    assert _role_of(app, customer.id) is Role.CUSTOMER


def test_role_changes_are_in_the_audit_log(app, client, make):
    admin = make(AdminFactory, email="boss@example.com")
    customer = make(UserFactory, email="promoted@example.com")
    login(client, admin.email)
    submit(client, f"/admin/users/{customer.id}/role", {"role": "editor"}, form_url="/admin/users")

    page = client.get("/admin/audit?action=user.role_changed&actor=boss").get_data(as_text=True)
    assert "promoted@example.com is now editor" in page
    assert "customer → editor" in page
    assert "boss@example.com" in page

    assert "No changes match" in client.get("/admin/audit?actor=nobody").get_data(as_text=True)
    assert client.get("/admin/audit?from=not-a-date&to=2026-13-45").status_code == 200
    assert "promoted@example.com" not in client.get(
        "/admin/audit?to=2000-01-01").get_data(as_text=True)


def test_audit_log_is_for_admins_only(client, make):
    editor = make(EditorFactory)
    login(client, editor.email)
    assert client.get("/admin/audit").status_code == 403
