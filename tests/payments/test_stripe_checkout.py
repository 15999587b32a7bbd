"""A shopper paying with Stripe Checkout, end to end through the local fake Stripe.

The shop runs in the test client; "Stripe" is tests/helpers/stripe_fake.py on a loopback port,
reached by stripe-python over HTTP. The shopper's browser visits Stripe's hosted page
with ``requests``, and Stripe's webhook events are delivered by the test.
"""

from __future__ import annotations

import socket
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from storefront.extensions import db as _db
from storefront.orders.models import Order, OrderStatus, PaymentStatus
from tests.helpers.stripe_support import checkout, deliver, load_order, stock

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")


@pytest.fixture
def stripe(app):
    """Another client for Stripe's webhook calls (no shopper cookies)."""
    return app.test_client()


def go_to_stripe(client, fake, variant) -> str:
    """Check out and follow the redirect to Stripe's page; returns the session id."""
    response = checkout(client, variant)
    assert response.status_code == 303, response.get_data(as_text=True)
    url = response.headers["Location"]
    assert url.startswith(f"{fake.base_url}/_config/checkout/cs_test_")
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    assert "Barrier Cream (50 ml)" in page.text
    return url.rsplit("/", 1)[1]


def press(fake, session_id: str, action: str) -> str:
    """Press a button on Stripe's hosted page; returns the path Stripe sends the browser to."""
    response = requests.post(fake.sessions[session_id]["url"], data={"action": action},
                             allow_redirects=False, timeout=5)
    assert response.status_code == 303, response.text
    target = urlsplit(response.headers["Location"])
    assert target.netloc == "shop.test"
    return f"{target.path}?{target.query}" if target.query else target.path


def the_order(app) -> Order:
    with app.app_context():
        number = _db.session.scalar(select(Order.number).order_by(Order.id.desc()))
    return load_order(app, number)


def outcome(app, variant):
    """What a paid checkout leaves behind, to compare two orders of events."""
    order = the_order(app)
    return (order.status, [(p.status, p.amount) for p in order.payments], stock(app, variant))


# -- paying ---------------------------------------------------------------------------------


def test_card_payment_webhook_first_then_return(app, client, stripe, fake_stripe, cream,
                                                 mailbox):
    session_id = go_to_stripe(client, fake_stripe, cream)
    order = the_order(app)
    items = [(i["description"], i["price"]["unit_amount"], i["quantity"])
             for i in fake_stripe.line_items[session_id]]
    assert items[0] == ("Barrier Cream (50 ml)", 2450, 2)
    assert fake_stripe.sessions[session_id]["amount_total"] == 5390 == order.total * 100
    assert [(p.provider, p.provider_reference, p.status) for p in order.payments] == [
        ("stripe", session_id, PaymentStatus.PENDING)]
    assert stock(app, cream) == (10, 2)

    back = press(fake_stripe, session_id, "pay")
    [response] = deliver(stripe, fake_stripe)
    assert response.json["outcome"] == "paid"

    returned = client.get(back)
    assert returned.status_code == 302
    confirmation = client.get(returned.headers["Location"]).get_data(as_text=True)
    assert "Thank you for your order" in confirmation
    assert order.number in confirmation

    assert outcome(app, cream) == (
        OrderStatus.PAID, [(PaymentStatus.SUCCEEDED, Decimal("53.90"))], (8, 0))
    assert [m["Subject"] for m in mailbox] == [f"Your order {order.number} is confirmed"]
    assert "Your cart is empty" in client.get("/cart/").get_data(as_text=True)


def test_return_first_then_webhook_ends_the_same(app, client, stripe, fake_stripe, cream,
                                                 mailbox):
    session_id = go_to_stripe(client, fake_stripe, cream)
    back = press(fake_stripe, session_id, "pay")

    returned = client.get(back)
    assert returned.status_code == 302
    assert "Thank you for your order" in client.get(returned.headers["Location"]).get_data(
        as_text=True)
    assert the_order(app).status == OrderStatus.PAID

    [late] = deliver(stripe, fake_stripe)
    assert late.json["outcome"] == "already_paid"
    assert client.get(back).status_code == 302  # the shopper reloads: nothing new

    assert outcome(app, cream) == (
        OrderStatus.PAID, [(PaymentStatus.SUCCEEDED, Decimal("53.90"))], (8, 0))
    assert len(mailbox) == 1


def test_the_return_page_trusts_stripe_not_the_link(app, client, fake_stripe, cream):
    session_id = go_to_stripe(client, fake_stripe, cream)
    # The shopper types the success URL without paying.
    returned = client.get(f"/checkout/stripe/return?session_id={session_id}")
    assert returned.status_code == 200
    assert "Processing your payment" in returned.get_data(as_text=True)
    assert the_order(app).status == OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize("query", ["", "?session_id=", "?session_id=cs_test_nosuchsession1",
                                   "?session_id=../../etc", "?session_id=pi_123456789"])
def test_the_return_page_with_an_unknown_session_is_not_found(client, fake_stripe, query):
    assert client.get(f"/checkout/stripe/return{query}").status_code == 404


def test_the_return_page_while_stripe_is_down_says_processing(app, client, stripe,
                                                              fake_stripe, cream):
    session_id = go_to_stripe(client, fake_stripe, cream)
    back = press(fake_stripe, session_id, "pay")
    fake_stripe.trouble = ("status", 500)

    returned = client.get(back)
    page = client.get(returned.headers["Location"]).get_data(as_text=True)
    assert "Processing your payment" in page
    assert the_order(app).status == OrderStatus.PENDING_PAYMENT

    fake_stripe.trouble = None
    deliver(stripe, fake_stripe)
    assert the_order(app).status == OrderStatus.PAID


# -- not paying ------------------------------------------------------------------------------


def test_cancelling_on_stripe_returns_to_checkout_with_the_cart(app, client, stripe,
                                                                fake_stripe, cream):
    session_id = go_to_stripe(client, fake_stripe, cream)

    cancelled = client.get(press(fake_stripe, session_id, "back"), follow_redirects=True)

    page = cancelled.get_data(as_text=True)
    assert cancelled.request.path == "/checkout/review"
    assert "The payment was cancelled" in page
    assert "Barrier Cream" in page
    assert the_order(app).status == OrderStatus.PAYMENT_FAILED
    assert stock(app, cream) == (10, 0)
    # Closed at Stripe too: the page can no longer be paid in another tab.
    assert fake_stripe.sessions[session_id]["status"] == "expired"
    late = requests.post(fake_stripe.sessions[session_id]["url"], data={"action": "pay"},
                         allow_redirects=False, timeout=5)
    assert late.status_code == 400
    [expired] = deliver(stripe, fake_stripe)
    assert expired.json["outcome"] == "no_change"


def test_cancel_after_paying_in_another_tab_keeps_the_payment(app, client, stripe,
                                                              fake_stripe, cream):
    session_id = go_to_stripe(client, fake_stripe, cream)
    cancel_path = urlsplit(fake_stripe.sessions[session_id]["cancel_url"]).path
    press(fake_stripe, session_id, "pay")

    response = client.get(cancel_path)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/checkout/orders/{the_order(app).number}")
    assert the_order(app).status == OrderStatus.PAID
    assert stock(app, cream) == (8, 0)


def test_cancel_while_stripe_is_down_still_frees_the_stock(app, client, fake_stripe, cream):
    session_id = go_to_stripe(client, fake_stripe, cream)
    cancel_path = press(fake_stripe, session_id, "back")
    fake_stripe.trouble = ("status", 500)

    cancelled = client.get(cancel_path, follow_redirects=True)

    assert cancelled.request.path == "/checkout/review"
    assert the_order(app).status == OrderStatus.PAYMENT_FAILED
    assert stock(app, cream) == (10, 0)


def test_cancel_while_a_bank_payment_is_under_way_keeps_the_order(app, client, fake_stripe,
                                                                  cream):
    session_id = go_to_stripe(client, fake_stripe, cream)
    cancel_path = urlsplit(fake_stripe.sessions[session_id]["cancel_url"]).path
    press(fake_stripe, session_id, "pay_later")

    response = client.get(cancel_path, follow_redirects=True)

    assert "Processing your payment" in response.get_data(as_text=True)
    assert the_order(app).status == OrderStatus.PENDING_PAYMENT
    assert stock(app, cream) == (10, 2)


def test_a_forged_cancel_link_is_not_found(client, fake_stripe):
    assert client.get("/checkout/stripe/cancel/eyJvIjoiSFMtQUJDIn0.forged").status_code == 404


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("trouble", ["down", "slow", "500"])
def test_stripe_unavailable_at_checkout_keeps_the_cart_and_no_order(
        app, client, fake_stripe, cream, monkeypatch, trouble):
    if trouble == "down":
        monkeypatch.setitem(app.config, "STRIPE_API_BASE", closed_port())
    elif trouble == "slow":
        monkeypatch.setitem(app.config, "STRIPE_TIMEOUT", 0.3)
        fake_stripe.trouble = ("slow", 2)
    else:
        fake_stripe.trouble = ("status", 500)

    response = checkout(client, cream)

    assert response.status_code == 503
    assert "The payment service is unavailable" in response.get_data(as_text=True)
    assert the_order(app).status == OrderStatus.CANCELLED  # nothing left waiting
    assert stock(app, cream) == (10, 0)
    assert "Barrier Cream" in client.get("/cart/").get_data(as_text=True)


def test_a_declined_card_keeps_the_shopper_on_stripe_until_they_pay_or_leave(
        app, client, stripe, fake_stripe, cream):
    session_id = go_to_stripe(client, fake_stripe, cream)
    declined = requests.post(fake_stripe.sessions[session_id]["url"],
                             data={"action": "decline"}, timeout=5)
    assert declined.status_code == 200
    assert "Your card was declined." in declined.text
    assert fake_stripe.events == []
    assert the_order(app).status == OrderStatus.PENDING_PAYMENT

    client.get(press(fake_stripe, session_id, "pay"))
    assert the_order(app).status == OrderStatus.PAID


def test_a_declined_bank_payment_sends_the_shopper_back_with_the_reason(
        app, client, stripe, fake_stripe, cream, mailbox):
    session_id = go_to_stripe(client, fake_stripe, cream)
    back = press(fake_stripe, session_id, "pay_later")
    [waiting] = deliver(stripe, fake_stripe)
    assert waiting.json["outcome"] == "awaiting_payment"

    returned = client.get(back)
    assert "Processing your payment" in client.get(returned.headers["Location"]).get_data(
        as_text=True)
    assert stock(app, cream) == (10, 2)

    requests.post(f"{fake_stripe.sessions[session_id]['url']}/settle",
                  data={"outcome": "failed"}, timeout=5).raise_for_status()
    [failed] = deliver(stripe, fake_stripe)
    assert failed.json["outcome"] == "failed"

    page = client.get(returned.headers["Location"]).get_data(as_text=True)
    assert "Your bank did not complete the payment" in page
    assert "Back to checkout" in page
    assert the_order(app).status == OrderStatus.PAYMENT_FAILED
    assert stock(app, cream) == (10, 0)
    assert "Barrier Cream" in client.get("/cart/").get_data(as_text=True)
    assert mailbox == []


def test_a_bank_payment_that_arrives_later_pays_the_order(app, client, stripe, fake_stripe,
                                                          cream, mailbox):
    session_id = go_to_stripe(client, fake_stripe, cream)
    back = press(fake_stripe, session_id, "pay_later")
    assert parse_qs(urlsplit(back).query)["session_id"] == [session_id]
    client.get(back)

    requests.post(f"{fake_stripe.sessions[session_id]['url']}/settle",
                  data={"outcome": "succeeded"}, timeout=5).raise_for_status()
    responses = deliver(stripe, fake_stripe)

    assert [r.json["outcome"] for r in responses] == ["awaiting_payment", "paid"]
    assert outcome(app, cream) == (
        OrderStatus.PAID, [(PaymentStatus.SUCCEEDED, Decimal("53.90"))], (8, 0))
    assert len(mailbox) == 1
