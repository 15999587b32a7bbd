"""Links that leave the site come from the shop's configured address, never the Host header.

Every request here is sent with ``Host: evil.example``, as an attacker reaching the app
directly would send it (asking for a reset of the victim's password, say), to an app
without ``SERVER_NAME`` (as deployed; the other tests set one). The e-mails
(received by a real SMTP server) and the addresses handed to Stripe must still lead to
the shop (``SHOP_URL``, ``http://shop.test`` in the tests).
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from storefront.catalog.models import Variant
from storefront.extensions import db as _db
from storefront.orders import services as order_services
from storefront.orders.models import Order
from tests.factories import (
    AdminFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    add_to_cart,
    fill_checkout,
    pay_with_demo,
)
from tests.factories.orders import press_pay
from tests.helpers import html_part, login, register, submit, text_part
from tests.helpers.admin import act, post_form, seed_order
from tests.helpers.apps import make_test_app
from tests.helpers.content import ask

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")

EVIL = "evil.example"
SHOP = "http://shop.test/"
_LINK = re.compile(r"""https?://[^\s"'<>]+""")


class EvilHostClient(FlaskClient):
    """A browser whose every request names another host (``Host: evil.example``)."""

    def open(self, *args, **kwargs):
        if args and isinstance(args[0], str):
            kwargs.setdefault("base_url", f"http://{EVIL}")
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db, monkeypatch):
    # As deployed: no SERVER_NAME, so Flask takes the host of each request for its own.
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    return EvilHostClient(app, app.response_class, use_cookies=True)


def links_of(message) -> list[str]:
    return _LINK.findall(text_part(message)) + _LINK.findall(html_part(message))


def assert_links_lead_to_the_shop(message, path_fragment: str) -> None:
    links = links_of(message)
    assert any(path_fragment in link for link in links), links
    assert all(link.startswith(SHOP) for link in links), links
    assert EVIL not in message.as_string()


def test_a_password_reset_asked_for_through_another_host_links_to_the_shop(
        client, make, mailbox):
    user = make(UserFactory, email="victim@example.com")
    assert client.get("/account/reset").status_code == 200
    response = submit(client, "/account/reset", {"email": user.email})
    assert response.status_code == 200
    [message] = mailbox
    assert_links_lead_to_the_shop(message, "/account/reset/")


def test_the_confirmation_of_a_new_account_links_to_the_shop(client, mailbox):
    assert register(client).status_code == 302
    [message] = mailbox
    assert_links_lead_to_the_shop(message, "/account/confirm/")


def test_a_readers_question_is_acknowledged_with_links_to_the_shop(client, mailbox):
    assert ask(client).status_code == 302
    [message] = mailbox
    assert_links_lead_to_the_shop(message, "/articles")


def test_the_answer_to_a_question_links_to_the_article_on_the_shop(client, mailbox, inbox):
    _, _, answer, _, question = inbox
    url = f"/admin/questions/{question.id}"
    response = post_form(client, f"{url}/answer", {"article": str(answer.id)}, form_url=url)
    assert response.status_code == 303
    [message] = mailbox
    assert_links_lead_to_the_shop(message, f"/articles/{answer.slug}")


@pytest.fixture
def cream(make):
    product = make(ProductFactory, name="Barrier Cream", variant=False)
    return make(VariantFactory, product=product, price=Decimal("24.50"), stock_on_hand=10)


def test_an_order_confirmation_links_to_the_guests_order_on_the_shop(client, cream, mailbox):
    add_to_cart(client, cream.id)
    fill_checkout(client)
    pay_with_demo(client)
    [message] = mailbox
    assert message["Subject"].endswith("is confirmed")
    assert_links_lead_to_the_shop(message, "/orders/view/")


def test_a_refund_for_an_order_that_cannot_be_fulfilled_links_to_the_shop(
        app, client, cream, mailbox):
    add_to_cart(client, cream.id)
    fill_checkout(client)
    response = press_pay(client)
    with app.app_context():
        order = _db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        order_services.payment_expired(order)
        _db.session.get(Variant, cream.id).stock_on_hand = 0
        _db.session.commit()
    approved = submit(client, urlsplit(response.headers["Location"]).path,
                      {"action": "approve"}, form_url="/account/register")
    assert approved.status_code == 302
    [message] = mailbox
    assert message["Subject"].endswith("payment refunded")
    assert_links_lead_to_the_shop(message, "/orders/view/")


def test_the_shipping_notice_sent_from_the_back_office_links_to_the_shop(
        app, client, make, cream, mailbox):
    admin = make(AdminFactory, email="dr.halden@example.com")
    login(client, admin.email)
    number = seed_order(app, cream)
    mailbox.clear()
    response = act(client, number, "fulfil", {"carrier": "PostNL", "tracking_number": "3S123"})
    assert response.status_code == 303
    [message] = mailbox
    assert message["Subject"].endswith("is on its way")
    assert_links_lead_to_the_shop(message, "/orders/view/")


def test_stripe_sends_the_shopper_back_to_the_shop(client, cream, fake_stripe):
    add_to_cart(client, cream.id)
    fill_checkout(client)
    response = press_pay(client)
    assert response.status_code == 303
    [session] = fake_stripe.sessions.values()
    for url in (session["success_url"], session["cancel_url"]):
        assert url.startswith(f"{SHOP}checkout/stripe/"), url
        assert EVIL not in url


def test_trusted_hosts_turn_away_requests_for_other_hosts(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path, TRUSTED_HOSTS=["shop.test"])
    client = app.test_client()
    assert client.get("/account/login").status_code == 200
    refused = client.get("/account/login", base_url=f"http://{EVIL}")
    assert refused.status_code == 400
    assert "This site is not served at that address." in refused.get_data(as_text=True)
    assert refused.headers["X-Frame-Options"] == "DENY"
