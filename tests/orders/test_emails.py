"""An e-mail at every order event, through the outbox to a real SMTP server: paid, sent,
cancelled (with the refund that came with it), refunded in part and in full, with the
amounts and what happens next; plain text and HTML, links on the shop's public address."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefront.extensions import db
from storefront.orders import services
from storefront.orders.models import Order
from tests.factories import US_ADDRESS, AdminFactory, ProductFactory, VariantFactory, placed_order
from tests.helpers import html_part, login, submit, text_part


@pytest.fixture
def admin(client, make, us_shop):
    user = make(AdminFactory)
    login(client, user.email)
    return user


@pytest.fixture
def serum(make, us_shop):
    product = make(ProductFactory, name="Retinol Night Serum", variant=False)
    return make(VariantFactory, product=product, price=Decimal("32.00"), size_label="30 ml",
                stock_on_hand=10)


def _order(app, variant, *, paid: bool = True, quantity: int = 1) -> str:
    """A Seattle order: $32.00 + $5.95 shipping, 6.5 % WA sales tax ($2.47) = $40.42."""
    with app.app_context():
        order = placed_order((variant, quantity), email="dana@example.com",
                             address=US_ADDRESS)
        if paid:
            assert services.payment_succeeded(order, provider="demo",
                                              reference=f"demo_{order.number}",
                                              amount=order.total, currency=order.currency)
        db.session.commit()
        return order.number


def _act(client, number: str, action: str, data: dict):
    url = f"/admin/orders/{number}"
    response = submit(client, f"{url}/{action}", data, form_url=url)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


def _only(mailbox, subject: str):
    found = [message for message in mailbox if message["Subject"] == subject]
    assert len(found) == 1, [message["Subject"] for message in mailbox]
    return found[0]


def _total(app, number: str) -> Decimal:
    with app.app_context():
        return db.session.query(Order.total).filter_by(number=number).scalar()


def test_a_cancelled_paid_order_says_what_was_refunded_and_what_happens_next(
        app, client, admin, serum, mailbox):
    number = _order(app, serum)
    assert _total(app, number) == Decimal("40.42")
    mailbox.clear()
    _act(client, number, "cancel", {"reason": "Out of date stock, staff note"})
    message = _only(mailbox, f"Your order {number} is cancelled")
    assert message["To"] == "dana@example.com"
    assert message["Reply-To"] is None  # the contact e-mail is the sender's own address
    text, html = text_part(message), html_part(message)
    assert "We have refunded $40.42 to the card or account you paid with" in text
    assert "5 to 10 working days" in text
    assert "1 \u00d7 Retinol Night Serum (30 ml)" in text
    assert "staff note" not in text
    assert "staff note" not in html  # for staff only
    assert "<strong>$40.42</strong>" in html
    assert "http://shop.test/orders/view/" in text  # the guest's signed link, from SHOP_URL
    assert len(mailbox) == 1  # one e-mail for the cancellation and its refund


def test_an_unpaid_order_cancelled_says_nothing_was_charged(app, client, admin, serum,
                                                            mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "SHOP_EMAIL", "care@halden.example")
    number = _order(app, serum, paid=False)
    _act(client, number, "cancel", {"reason": ""})
    message = _only(mailbox, f"Your order {number} is cancelled")
    text = text_part(message)
    assert "you have not been charged" in text
    assert "refunded" not in text
    assert "write to care@halden.example" in text
    assert message["Reply-To"] == "care@halden.example"  # "just reply" reaches the shop


def test_a_partial_then_the_full_refund_each_send_the_amounts(app, client, admin, serum,
                                                              mailbox):
    number = _order(app, serum)
    mailbox.clear()
    _act(client, number, "refund", {"amount": "20.00"})
    message = _only(mailbox, f"Your order {number}: $20.00 refunded")
    text, html = text_part(message), html_part(message)
    # The tax's share of $20.00 of $40.42: 2.47 * 20 / 40.42 = 1.22.
    assert "We have refunded $20.00 (of which $1.22 WA sales tax) of your order" in text
    assert "You paid $40.42; $20.00 has been refunded so far, and the rest of your " \
           "order stands." in text
    assert "What happens next: the money goes back to the card or account you paid " \
           "with." in text
    assert "Part of your order is refunded" in html
    assert "$40.42" in html

    mailbox.clear()
    _act(client, number, "refund", {"amount": "20.42"})
    message = _only(mailbox, f"Your order {number}: refunded in full")
    text = text_part(message)
    # The rest of the tax: 2.47 - 1.22.
    assert "in full: $20.42 (of which $1.25 WA sales tax) is on its way back to you." in text
    assert "You paid $40.42; $40.42 has been refunded." in text
    assert "Your order is refunded" in html_part(message)


def test_a_refund_the_provider_reports_twice_is_e_mailed_once(app, serum, mailbox):
    number = _order(app, serum)
    mailbox.clear()
    with app.app_context():
        order = db.session.query(Order).filter_by(number=number).one()
        assert services.refund_recorded(order, amount=Decimal("10.00"), reference="re_1")
        assert not services.refund_recorded(order, amount=Decimal("10.00"), reference="re_1")
        db.session.commit()
    assert [message["Subject"] for message in mailbox] == [
        f"Your order {number}: $10.00 refunded"]


def test_paid_and_sent_orders_are_e_mailed_too(app, client, admin, serum, mailbox):
    number = _order(app, serum)
    _only(mailbox, f"Your order {number} is confirmed")
    _act(client, number, "fulfil", {"carrier": "USPS", "tracking_number": "9400 1000"})
    assert "9400 1000" in text_part(_only(mailbox, f"Your order {number} is on its way"))
