"""Rate limits on the forms worth abusing, answered with the site's 429 page, and shared by
every process when ``REDIS_URL`` is set.

Each limit is lowered to two tries for the test (the setting is read on every request).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import redis
from limits import parse

from storefront import ratelimit
from tests.factories import (
    DiscountCodeFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    add_to_cart,
    fill_checkout,
)
from tests.helpers import SAME_ORIGIN, csrf_from, token_of

ROOT = Path(__file__).resolve().parents[2]
TOO_MANY = "Too many attempts"
QUESTION = "Why do I get small white bumps around my eyes every winter?"


def _token(client, page: str) -> str:
    return csrf_from(client.get(page).get_data(as_text=True))


def _token_data(client, page: str) -> dict[str, str]:
    """The form page's token as form data (none on a guest form's page)."""
    return token_of(client.get(page).get_data(as_text=True))


def _shopper_at_review(client, make):
    variant = make(VariantFactory, product=make(ProductFactory, variant=False),
                   stock_on_hand=50)
    assert add_to_cart(client, variant.id).status_code == 302
    fill_checkout(client)


# What one counted try of each limited form sends: (setting, URL, form page, data).
def _login(client, make):
    return "/account/login", "/account/login", {"email": make(UserFactory).email,
                                                "password": "not the password"}


def _register(client, make):
    return "/account/register", "/account/register", {"name": "Eve", "email": "bad",
                                                      "password": "x", "confirm": "y"}


def _reset(client, make):
    return "/account/reset", "/account/reset", {"email": "someone@example.com"}


def _ask(client, make):
    return "/ask", "/ask", {"name": "Ines", "email": "ines@example.com", "question": QUESTION}


def _discount(client, make):
    _shopper_at_review(client, make)
    return "/checkout/discount", "/checkout/discount", {"code": "GUESS1", "action": "apply"}


def _checkout(client, make):
    _shopper_at_review(client, make)
    return "/checkout/pay", "/checkout/review", {}


LIMITED = {
    "LOGIN_RATE_LIMIT": _login,
    "REGISTER_RATE_LIMIT": _register,
    "RESET_RATE_LIMIT": _reset,
    "ASK_RATE_LIMIT": _ask,
    "DISCOUNT_RATE_LIMIT": _discount,
    "CHECKOUT_RATE_LIMIT": _checkout,
}


@pytest.mark.parametrize("setting", list(LIMITED))
def test_the_third_try_gets_the_sites_429_page(app, client, make, monkeypatch, setting):
    url, form_page, data = LIMITED[setting](client, make)
    monkeypatch.setitem(app.config, setting, "2 per minute")
    token = _token_data(client, form_page)
    statuses = [client.post(url, data={**token, **data}, headers=SAME_ORIGIN).status_code
                for _ in range(2)]
    assert 429 not in statuses, statuses
    refused = client.post(url, data={**token, **data}, headers=SAME_ORIGIN)
    assert refused.status_code == 429, (setting, statuses, refused.status_code)
    page = refused.get_data(as_text=True)
    assert TOO_MANY in page
    assert '<main id="main"' in page  # the site's own page
    assert refused.headers.get("Retry-After") or refused.headers.get("X-RateLimit-Reset")
    # Another address is not held back by this one's tries.
    other = app.test_client()
    elsewhere = other.post(url, data={"csrf_token": _token(other, "/account/login"), **data},
                           environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code != 429


def test_codes_that_apply_do_not_count_towards_the_guessing_limit(app, client, make,
                                                                   monkeypatch):
    make(DiscountCodeFactory, code="WELCOME10")
    _shopper_at_review(client, make)
    monkeypatch.setitem(app.config, "DISCOUNT_RATE_LIMIT", "2 per minute")
    token = _token(client, "/checkout/discount")
    for _ in range(4):
        response = client.post("/checkout/discount", data={
            "csrf_token": token, "code": "welcome10", "action": "apply"})
        assert response.status_code == 302


def test_every_limit_has_a_setting_and_a_sane_default(app):
    for setting in LIMITED:
        value = app.config[setting]
        count, _, period = value.partition(" per ")
        assert int(count) >= 1, (setting, value)
        assert period, (setting, value)


# -- Across processes, through Redis --------------------------------------------------------------

REDIS_DB = 14
_CHILD = textwrap.dedent("""
    import json, re, sys
    from storefront import create_app
    from storefront.extensions import db
    app = create_app({"TESTING": True, "SERVER_NAME": "shop.test",
                      "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                      "SQLALCHEMY_DATABASE_URI": sys.argv[1], "LOGIN_RATE_LIMIT": "3 per minute"})
    assert app.config["RATELIMIT_STORAGE_URI"] == app.config["REDIS_URL"]
    with app.app_context():
        db.create_all()
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "email": "maya@example.com", "password": "wrong password"}
    print(json.dumps([client.post("/account/login", data=data).status_code
                      for _ in range(int(sys.argv[2]))]))
""")

@pytest.fixture
def redis_url():
    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at {url} is not reachable: {error}")
    prefix = f"sf-test-{uuid.uuid4().hex[:10]}"
    # Only this run's keys are removed: other runs may share the database.
    client.delete(*client.keys(f"*{prefix}*") or ["-"])
    yield url, prefix
    client.delete(*client.keys(f"*{prefix}*") or ["-"])
    client.close()


def _tries_in_a_process(url: str, prefix: str, tmp_path, tries: int) -> list[int]:
    env = {**os.environ, "REDIS_URL": url, "RATELIMIT_KEY_PREFIX": prefix,
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, f"sqlite:///{tmp_path / 'limits.db'}", str(tries)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_processes_with_the_same_redis_share_one_counter(redis_url, tmp_path):
    url, prefix = redis_url
    first = _tries_in_a_process(url, prefix, tmp_path, 2)
    second = _tries_in_a_process(url, prefix, tmp_path, 2)
    # A wrong password (422) until the limit of 3, counted across both processes, is reached.
    assert first == [422, 422]
    assert second == [422, 429]


# -- Only the views with a limit pay for limits ---------------------------------------------------

def _counted_keys(app) -> list[str]:
    """The keys the app's (in-memory) rate-limit storage holds."""
    return list(app.extensions[ratelimit.EXTENSION].shared.storage.storage)


def test_requests_to_views_without_a_limit_count_nothing(app, client, make):
    make(ProductFactory, name="Calm Serum", slug="calm-serum")
    for url in ("/healthz", "/products", "/products", "/", "/account/login"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "X-RateLimit-Limit" not in response.headers, url
    assert _counted_keys(app) == []

    # A limited view counts (the log-in form counts its POSTs only).
    data = {**_token_data(client, "/account/login"), "email": "a@example.com", "password": "x"}
    tried = client.post("/account/login", data=data, headers=SAME_ORIGIN)
    assert len(_counted_keys(app)) == 1
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    assert tried.headers["X-RateLimit-Limit"] == str(limit)
    assert tried.headers["X-RateLimit-Remaining"] == str(limit - 1)


def test_a_limit_of_several_windows_refuses_at_the_tightest(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "100 per day;1 per minute")
    data = {**_token_data(client, "/account/login"), "email": "a@example.com", "password": "x"}
    first = client.post("/account/login", data=data, headers=SAME_ORIGIN)
    assert first.status_code == 422
    refused = client.post("/account/login", data=data, headers=SAME_ORIGIN)
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Limit"] == "1"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


class _FailingStrategy:
    """A shared store that fails (Redis down), then answers once ``working`` is set."""

    def __init__(self):
        self.working = False
        self.hits = 0

    def hit(self, item, *key):
        if not self.working:
            raise redis.ConnectionError("down")
        self.hits += 1
        return True


def test_counts_stay_in_memory_while_the_store_fails_then_go_back(monkeypatch):
    shared, now = _FailingStrategy(), [1000.0]
    monkeypatch.setattr(ratelimit, "monotonic", lambda: now[0])
    counts = ratelimit.Counts(shared, "")  # type: ignore[arg-type]
    item = parse("2 per minute")

    def hit(strategy):
        return strategy.hit(item, "192.0.2.1", "view")

    assert [counts.run(hit) for _ in range(3)] == [True, True, False], "limited in memory"
    shared.working = True
    now[0] += ratelimit.RETRY_SECONDS - 1
    counts.run(hit)
    assert shared.hits == 0, "the store rests after a failure"
    now[0] += 2
    assert counts.run(hit) is True
    assert shared.hits == 1, "and is asked again afterwards"
