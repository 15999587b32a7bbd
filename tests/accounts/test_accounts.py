"""Accounts through the test client, with mail delivered to a real SMTP server."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

import itsdangerous.timed
from flask import Flask
from sqlalchemy import select

from storefront.accounts.models import User, UserLogin
from storefront.accounts.passwords import hash_password
from storefront.config import load_config
from storefront.db import utcnow
from storefront.extensions import db
from tests.factories import DEFAULT_PASSWORD, ProductFactory, UserFactory
from tests.factories.orders import add_to_cart
from tests.helpers import (
    csrf_from,
    first_link,
    html_part,
    login,
    logout,
    register,
    submit,
    text_part,
)
from tests.helpers.apps import TEST_PASSWORD_HASH_METHOD
from tests.helpers.caching import variant_of

NEW_PASSWORD = "a brand new passphrase"


def test_register_logout_login_change_password(client, mailbox, app):
    response = register(client)
    assert response.status_code == 302
    assert "Maya Rossi" in client.get("/account/").get_data(as_text=True)

    assert [m["To"] for m in mailbox] == ["maya@example.com"]
    assert "confirm" in text_part(mailbox[0]).lower()

    logout(client)
    assert client.get("/account/").status_code == 302

    assert login(client, "maya@example.com", "gentle cleanser daily").status_code == 302
    page = client.get("/account/").get_data(as_text=True)
    assert "maya@example.com" in page

    response = submit(client, "/account/password", {
        "current_password": "gentle cleanser daily",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200, "still logged in on this device"
    logout(client)
    assert login(client, "maya@example.com", "gentle cleanser daily").status_code == 422
    assert login(client, "maya@example.com", NEW_PASSWORD).status_code == 302


def test_confirmation_link_confirms_the_address(client, mailbox, app):
    register(client)
    link = first_link(text_part(mailbox[0]), "/account/confirm/")
    response = client.get(urlsplit(link).path, follow_redirects=True)
    assert "your e-mail address is confirmed" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "maya@example.com"))
        assert user.email_confirmed_at is not None
    assert client.get("/account/confirm/not-a-token").status_code == 400


def test_email_has_html_and_text_parts(client, mailbox):
    register(client)
    message = mailbox[0]
    assert message.is_multipart()
    assert "<a href=" in html_part(message)
    assert "http://shop.test/account/confirm/" in text_part(message)


def test_wrong_password_is_refused_with_a_message(client, make):
    user = make(UserFactory)
    response = login(client, user.email, "not the password at all")
    assert response.status_code == 422
    assert "don&#39;t match an account" in response.get_data(as_text=True)


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, make):
    user = make(UserFactory)
    wrong = login(client, user.email, "not the password at all").get_data(as_text=True)
    unknown = login(client, "nobody@example.com", "not the password at all").get_data(as_text=True)
    assert wrong.count("match an account") == unknown.count("match an account") == 1


def test_inactive_user_cannot_log_in(client, make):
    user = make(UserFactory, active=False)
    assert login(client, user.email).status_code == 422


def test_duplicate_email_is_refused(client, make):
    user = make(UserFactory, email="taken@example.com")
    response = register(client, email=user.email.upper())
    assert response.status_code == 422
    assert "already uses this e-mail address" in response.get_data(as_text=True)


def test_weak_password_is_refused(client):
    for password, message in [
        ("short1", "at least 10 characters"),
        ("password123", "too easy to guess"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("maya@example.com", "must not be your e-mail"),
    ]:
        response = register(client, password=password)
        assert response.status_code == 422, password
        assert message in response.get_data(as_text=True), password


def test_mismatched_confirmation_is_refused(client):
    response = register(client, confirm="something else entirely")
    assert response.status_code == 422
    assert "The two passwords do not match." in response.get_data(as_text=True)


def test_invalid_email_is_refused(client):
    response = register(client, email="not-an-email")
    assert response.status_code == 422
    assert "Enter an e-mail address like" in response.get_data(as_text=True)


def test_form_without_csrf_token_is_refused(client, make):
    user = make(UserFactory)
    data = {"email": user.email, "password": DEFAULT_PASSWORD}
    response = client.post("/account/login", data=data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "nothing was changed" in body
    assert 'class="site-header"' in body
    assert client.get("/account/").status_code == 302, "not logged in"


def test_next_on_this_site_is_followed(client, make):
    user = make(UserFactory)
    response = login(client, user.email, next="/account/password")
    assert response.headers["Location"] == "/account/password"


def test_off_site_next_is_refused(client, make):
    user = make(UserFactory)
    targets = ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
    for target in targets:
        response = login(client, user.email, next=target)
        assert response.status_code == 302
        assert response.headers["Location"] == "/account/", target
        logout(client)


def test_login_page_carries_next_into_the_form(client):
    page = client.get("/account/login?next=/account/password").get_data(as_text=True)
    assert 'value="/account/password"' in page


def test_remember_me_sets_a_lasting_cookie(client, make):
    user = make(UserFactory)
    login(client, user.email, remember="y")
    cookie = client.get_cookie("remember_token", domain="shop.test")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.expires is not None


def test_eleventh_login_attempt_in_a_minute_is_refused(client, make):
    user = make(UserFactory)
    token = csrf_from(client.get("/account/login").get_data(as_text=True))
    statuses = [
        client.post("/account/login", data={"csrf_token": token, "email": user.email,
                                             "password": "wrong password here"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    page = client.get("/account/login")
    assert page.status_code == 200, "looking at the form is not limited"
    blocked = client.post("/account/login", data={"csrf_token": token, "email": user.email,
                                                  "password": DEFAULT_PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)


def _request_reset(client, email):
    return submit(client, "/account/reset", {"email": email})


def test_reset_link_arrives_works_once(client, make, mailbox):
    user = make(UserFactory)
    response = _request_reset(client, user.email)
    assert response.status_code == 200
    assert len(mailbox) == 1
    path = urlsplit(first_link(text_part(mailbox[0]), "/account/reset/")).path

    response = submit(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert login(client, user.email, NEW_PASSWORD).status_code == 302
    logout(client)

    again = client.get(path)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_reset_link_expires(client, make, mailbox, monkeypatch):
    user = make(UserFactory)
    _request_reset(client, user.email)
    path = urlsplit(first_link(text_part(mailbox[0]), "/account/reset/")).path
    assert client.get(path).status_code == 200
    later = time.time() + 3601
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = client.get(path)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_reset_does_not_reveal_whether_an_account_exists(client, make, mailbox):
    user = make(UserFactory)
    known = _request_reset(client, user.email).get_data(as_text=True)
    unknown = _request_reset(client, "ghost@example.com").get_data(as_text=True)
    assert known.replace(user.email, "X") == unknown.replace("ghost@example.com", "X")
    assert len(mailbox) == 1


def test_reset_token_is_bound_to_its_purpose(client, mailbox):
    register(client)
    confirm_token = first_link(text_part(mailbox[0]), "/account/confirm/").rsplit("/", 1)[1]
    response = client.get(f"/account/reset/{confirm_token}")
    assert response.status_code == 400


def test_change_password_with_wrong_current_password(client, make):
    user = make(UserFactory)
    login(client, user.email)
    response = submit(client, "/account/password", {
        "current_password": "wrong wrong wrong", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    })
    assert response.status_code == 422
    assert "current password is not correct" in response.get_data(as_text=True)


def test_changing_password_logs_out_other_devices(app, client, make):
    user = make(UserFactory)
    other_device = app.test_client()
    login(other_device, user.email)
    login(client, user.email)
    submit(client, "/account/password", {
        "current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    })
    assert client.get("/account/").status_code == 200
    assert other_device.get("/account/").status_code == 302


def _cookies(client) -> dict[str, str]:
    return {name: client.get_cookie(name, domain="shop.test").value
            for name in ("session", "remember_token")}


def _replaying(app, name: str, value: str):
    """A browser that was never logged in, sending a copy of someone's cookie."""
    thief = app.test_client()
    thief.set_cookie(name, value, domain="shop.test")
    return thief


def test_logging_out_revokes_copies_of_both_login_cookies(app, client, make):
    user = make(UserFactory, name="Ines Varga")
    product = make(ProductFactory, name="Barrier Cream")
    login(client, user.email, remember="y")
    with app.app_context():
        variant_id = variant_of(product.slug).id
    add_to_cart(client, variant_id, "2")
    assert "Ines Varga" in client.get("/account/").get_data(as_text=True)
    assert "Barrier Cream" in client.get("/cart/").get_data(as_text=True)  # and stored
    copied = _cookies(client)
    for name, value in copied.items():
        assert _replaying(app, name, value).get("/account/").status_code == 200, name

    logout(client)

    for name, value in copied.items():
        thief = _replaying(app, name, value)
        response = thief.get("/account/")
        assert response.status_code == 302, name
        assert response.headers["Location"].startswith("/account/login"), name
        assert thief.get("/account/password").status_code == 302, name
        home = thief.get("/").get_data(as_text=True)
        assert "Log out" not in home, name
        assert "Log in" in home, name
        cart = thief.get("/cart/").get_data(as_text=True)
        assert "Barrier Cream" not in cart, name
        assert "Your cart is empty" in cart, name


def test_logging_out_on_one_device_keeps_the_others_logged_in(app, client, make):
    user = make(UserFactory)
    phone = app.test_client()
    login(phone, user.email, remember="y")
    login(client, user.email)
    logout(client)
    assert client.get("/account/").status_code == 302
    assert phone.get("/account/").status_code == 200
    remembered = _replaying(app, "remember_token", _cookies(phone)["remember_token"])
    assert remembered.get("/account/").status_code == 200


def test_a_password_change_revokes_the_remember_me_cookies_of_other_devices(app, client, make):
    user = make(UserFactory)
    other_device = app.test_client()
    login(other_device, user.email, remember="y")
    copied = _cookies(other_device)
    login(client, user.email)
    submit(client, "/account/password", {
        "current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    })
    assert client.get("/account/").status_code == 200
    for name, value in copied.items():
        assert _replaying(app, name, value).get("/account/").status_code == 302, name


def test_a_deactivated_account_is_logged_out(app, client, make):
    user = make(UserFactory)
    login(client, user.email, remember="y")
    remember = _cookies(client)["remember_token"]
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/account/").status_code == 302
    assert _replaying(app, "remember_token", remember).get("/account/").status_code == 302


def test_a_login_ends_when_its_time_is_up(app, client, make):
    user = make(UserFactory)
    login(client, user.email, remember="y")
    copied = _cookies(client)
    with app.app_context():
        for row in db.session.scalars(select(UserLogin).where(UserLogin.user_id == user.id)):
            row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    for name, value in copied.items():
        assert _replaying(app, name, value).get("/account/").status_code == 302, name
    login(app.test_client(), user.email)
    with app.app_context():
        left = db.session.scalars(select(UserLogin).where(UserLogin.user_id == user.id)).all()
        assert len(left) == 1, "expired log-ins are deleted when someone logs in"


def test_profile_update(client, make):
    user = make(UserFactory)
    login(client, user.email)
    response = submit(client, "/account/", {"name": "Dana Field"}, follow_redirects=True)
    assert "Your details are saved." in response.get_data(as_text=True)
    assert 'value="Dana Field"' in response.get_data(as_text=True)
    assert submit(client, "/account/", {"name": ""}).status_code == 422


def test_logout_needs_post(client, make):
    user = make(UserFactory)
    login(client, user.email)
    assert client.get("/account/logout").status_code == 405
    assert client.get("/account/").status_code == 200
    logout(client)
    assert client.get("/account/").status_code == 302


def test_passwords_are_hashed(app, make):
    user = make(UserFactory)
    assert DEFAULT_PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")


def test_the_shop_hashes_with_werkzeugs_full_scrypt_cost_unless_told_otherwise(tmp_path):
    assert load_config(str(tmp_path), {})["PASSWORD_HASH_METHOD"] == "scrypt"
    stronger = load_config(str(tmp_path), {"PASSWORD_HASH_METHOD": "scrypt:65536:8:1"})
    assert stronger["PASSWORD_HASH_METHOD"] == "scrypt:65536:8:1"
    app = Flask(__name__)
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    with app.app_context():
        assert hash_password("a long passphrase").startswith("scrypt:32768:8:1$")


def test_a_hash_of_another_cost_is_made_again_at_log_in_without_ending_sessions(
        app, client, make):
    user = make(UserFactory)
    old_hash, token = user.password_hash, user.session_token
    app.config["PASSWORD_HASH_METHOD"] = "scrypt:2048:8:1"
    try:
        assert login(client, user.email).status_code == 302
        with app.app_context():
            stored = db.session.get(User, user.id)
            assert stored.password_hash.startswith("scrypt:2048:8:1$")
            assert stored.password_hash != old_hash
            assert stored.session_token == token
        logout(client)
        assert login(client, user.email).status_code == 302  # the new hash checks out
        logout(client)
        assert login(client, user.email, "not the password 1").status_code == 422
    finally:
        app.config["PASSWORD_HASH_METHOD"] = TEST_PASSWORD_HASH_METHOD
