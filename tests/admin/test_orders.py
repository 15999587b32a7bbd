"""Admins find orders, read one, and send, cancel, refund and annotate it (demo payments).

Refunds through Stripe are in tests/admin/test_orders_stripe.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from storefront.admin.orders import views as admin_orders
from storefront.audit.models import AuditEntry
from storefront.catalog.models import Variant
from storefront.extensions import db
from storefront.inventory.models import StockMovement, StockReason
from storefront.mail.models import OutboxMessage
from storefront.orders import links, services
from storefront.orders.models import Order, OrderStatus, PaymentStatus
from tests.factories import (
    AdminFactory,
    ArticleFactory,
    EditorFactory,
    ProductFactory,
    VariantFactory,
)
from tests.helpers import html_part, login, submit, text_part
from tests.helpers.admin import act, order_url, seed_order
from tests.helpers.pages import Page, text
from tests.helpers.stripe_support import load_order

S = OrderStatus


@pytest.fixture
def admin(client, make):
    user = make(AdminFactory, email="dr.halden@example.com")
    login(client, user.email)
    return user


@pytest.fixture
def cream(make):
    product = make(ProductFactory, name="Barrier Cream", variant=False)
    return make(VariantFactory, product=product, price=Decimal("24.50"), size_label="50 ml",
                stock_on_hand=10)


def page_text(response) -> str:
    return unescape(response.get_data(as_text=True))


def audit_entries(app, number: str) -> list[tuple[str, int | None]]:
    with app.app_context():
        order_id = db.session.scalar(select(Order.id).where(Order.number == number))
        rows = db.session.execute(
            select(AuditEntry.action, AuditEntry.actor_id)
            .where(AuditEntry.target_type == "order", AuditEntry.target_id == str(order_id))
            .order_by(AuditEntry.id))
        return [tuple(row) for row in rows]


def stock(app, variant) -> tuple[int, int]:
    with app.app_context():
        fresh = db.session.get(Variant, variant.id, populate_existing=True)
        return fresh.stock_on_hand, fresh.stock_reserved


def mail_subjects(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)))


# The list -----------------------------------------------------------------------------------

def test_the_list_searches_filters_and_marks_flagged_orders(app, client, admin, cream):
    ada = seed_order(app, cream, email="ada@example.com",
                     created_at=datetime(2025, 3, 2, 10, tzinfo=UTC))
    bob = seed_order(app, cream, email="bob@example.com", paid=False,
                     created_at=datetime(2025, 3, 5, 10, tzinfo=UTC))
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == bob))
        services.flag(order, "Looks odd.")
        db.session.commit()

    def listed(query: str) -> set[str]:
        html = client.get(f"/admin/orders{query}").get_data(as_text=True)
        return {number for number in (ada, bob) if number in html}

    assert listed("") == {ada, bob}
    assert listed(f"?q={ada.lower()}") == {ada}
    assert listed("?q=BOB@example") == {bob}
    assert listed("?q=maya+ross") == {ada, bob}, "the name on the address is searched"
    assert listed("?q=%25") == set(), "a % is searched for literally"
    assert listed("?status=paid") == {ada}
    assert listed("?status=pending_payment") == {bob}
    assert listed("?from=2025-03-03") == {bob}
    assert listed("?to=2025-03-02") == {ada}
    assert listed("?flagged=1") == {bob}
    page = client.get("/admin/orders").get_data(as_text=True)
    assert "Flagged" in text(Page(page).row(bob))


@pytest.mark.parametrize(("query", "message"), [
    ("?status=shipped", "There is no order status “shipped”"),
    ("?from=yesterday", "“From” date “yesterday” is not a date"),
    ("?from=2025-03-05&to=2025-03-01", "“To” date is before the “From” date"),
])
def test_bad_filters_are_explained_not_a_server_error(client, admin, query, message):
    response = client.get(f"/admin/orders{query}")
    assert response.status_code == 400
    assert message in page_text(response)


def test_the_list_is_paginated_and_keeps_the_filters(app, client, admin, cream, monkeypatch):
    monkeypatch.setattr(admin_orders, "ORDERS_PER_PAGE", 2)
    numbers = [seed_order(app, cream) for _ in range(3)]
    first = client.get("/admin/orders?status=paid").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "status=paid" in first
    assert "page=2" in first
    second = client.get("/admin/orders?status=paid&page=2").get_data(as_text=True)
    assert numbers[0] in second
    assert numbers[2] not in second
    assert client.get("/admin/orders?page=abc").status_code == 200


# One order ----------------------------------------------------------------------------------

def test_the_order_page_shows_lines_articles_payments_and_history(app, client, admin, cream,
                                                                 make):
    article = make(ArticleFactory, title="Why milia appear")
    number = seed_order(app, (cream, 2), article_id=article.id)
    html = client.get(order_url(number)).get_data(as_text=True)
    assert "Barrier Cream" in html
    assert "Why milia appear" in html
    assert f"demo_{number}" in html, "the provider's reference"
    assert "Waiting for payment → Paid" in html
    assert "Keizersgracht 1" in html
    assert "maya@example.com" in html
    assert "€53.90" in html  # 2 x 24.50 + 4.90 delivery
    assert "Mark as sent" in html
    assert "Cancel order" in html
    assert "Refund" in html


def test_an_unknown_order_is_404(client, admin):
    assert client.get("/admin/orders/HS-NOPE").status_code == 404
    response = submit(client, "/admin/orders/HS-NOPE/notes", {"text": "hello"},
                      form_url="/admin/orders")
    assert response.status_code == 404


def test_editors_cannot_open_orders(app, client, make, cream):
    number = seed_order(app, cream)
    login(client, make(EditorFactory).email)
    assert client.get(order_url(number)).status_code == 403


# Sending ------------------------------------------------------------------------------------

def test_sending_a_paid_order_emails_the_tracking_number(app, client, admin, cream, mailbox):
    number = seed_order(app, cream)
    mailbox.clear()
    response = act(client, number, "fulfil", {"carrier": "PostNL",
                                              "tracking_number": "3SHALD1234567"})
    assert response.status_code == 303
    order = load_order(app, number)
    assert (order.status, order.carrier, order.tracking_number) == (
        S.FULFILLED, "PostNL", "3SHALD1234567")
    assert order.fulfilled_at is not None
    [event] = [e for e in order.events if e.to_status == "fulfilled"]
    assert event.actor_id == admin.id
    assert "3SHALD1234567" in event.note

    [message] = mailbox
    assert message["Subject"] == f"Your order {number} is on its way"
    assert message["To"] == "maya@example.com"
    for body in (text_part(message), html_part(message)):
        assert "3SHALD1234567" in body
        assert "PostNL" in body
    assert audit_entries(app, number) == [("order.fulfilled", admin.id)]
    page = client.get(order_url(number)).get_data(as_text=True)
    assert "3SHALD1234567" in page
    assert "Paid → Sent" in page


def test_sending_needs_a_carrier_and_a_tracking_number(app, client, admin, cream):
    number = seed_order(app, cream)
    response = act(client, number, "fulfil", {"carrier": "PostNL", "tracking_number": " "})
    assert response.status_code == 422
    assert "Enter the tracking number" in page_text(response)
    response = act(client, number, "fulfil", {"carrier": "PostNL", "tracking_number": "<x>"})
    assert response.status_code == 422
    assert load_order(app, number).status == S.PAID
    assert audit_entries(app, number) == []


def test_sending_a_cancelled_order_is_refused_and_changes_nothing(app, client, admin, cream):
    number = seed_order(app, cream, paid=False)
    with app.app_context():
        services.cancel(db.session.scalar(select(Order).where(Order.number == number)),
                        actor=None)
        db.session.commit()
    before = mail_subjects(app)
    response = act(client, number, "fulfil", {"carrier": "DHL", "tracking_number": "JD0001"})
    assert response.status_code == 409
    assert "is “Cancelled” and can't become “Sent”" in page_text(response)
    order = load_order(app, number)
    assert (order.status, order.carrier, order.tracking_number) == (S.CANCELLED, None, None)
    assert mail_subjects(app) == before
    assert audit_entries(app, number) == []


def test_an_unpaid_or_already_sent_order_cannot_be_sent(app, client, admin, cream):
    unpaid = seed_order(app, cream, paid=False)
    assert act(client, unpaid, "fulfil", {"carrier": "DHL",
                                          "tracking_number": "A1"}).status_code == 409
    sent = seed_order(app, cream)
    assert act(client, sent, "fulfil", {"carrier": "DHL",
                                        "tracking_number": "A1"}).status_code == 303
    again = act(client, sent, "fulfil", {"carrier": "UPS", "tracking_number": "B2"})
    assert again.status_code == 409
    assert load_order(app, sent).carrier == "DHL"
    assert audit_entries(app, sent) == [("order.fulfilled", admin.id)]


# Cancelling ---------------------------------------------------------------------------------

def test_cancelling_a_paid_order_refunds_it_and_restocks_through_the_ledger(app, client,
                                                                            admin, cream):
    number = seed_order(app, (cream, 3))
    assert stock(app, cream) == (7, 0)
    response = act(client, number, "cancel", {"reason": "Customer changed their mind"})
    assert response.status_code == 303
    order = load_order(app, number)
    assert order.status == S.CANCELLED
    assert stock(app, cream) == (10, 0)
    assert [(r.amount, r.reference.startswith("demo_re_"), r.actor_id)
            for r in order.refunds] == [(Decimal("73.50"), True, admin.id)]
    assert (order.payments[0].status, order.payments[0].amount_refunded) == (
        PaymentStatus.REFUNDED, Decimal("73.50"))
    with app.app_context():
        ledger = db.session.execute(
            select(StockMovement.quantity_change, StockMovement.reason, StockMovement.actor_id)
            .where(StockMovement.variant_id == cream.id).order_by(StockMovement.id)).all()
    assert [tuple(row) for row in ledger] == [(-3, StockReason.SALE, None),
                                               (3, StockReason.CANCELLATION, admin.id)]
    assert audit_entries(app, number) == [("order.cancelled", admin.id)]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "order.cancelled"))
        assert ("status", "paid", "cancelled") in entry.changes()
        assert ("amount_refunded", "0.00", "73.50") in entry.changes()
    assert "Customer changed their mind" in client.get(order_url(number)).get_data(as_text=True)


def test_cancelling_an_unpaid_order_gives_its_reserved_stock_back(app, client, admin, cream):
    number = seed_order(app, (cream, 2), paid=False)
    assert stock(app, cream) == (10, 2)
    assert act(client, number, "cancel", {}).status_code == 303
    order = load_order(app, number)
    assert (order.status, order.refunds) == (S.CANCELLED, [])
    assert stock(app, cream) == (10, 0)
    assert audit_entries(app, number) == [("order.cancelled", admin.id)]


def test_a_sent_order_cannot_be_cancelled(app, client, admin, cream):
    number = seed_order(app, cream)
    act(client, number, "fulfil", {"carrier": "DHL", "tracking_number": "JD1"})
    response = act(client, number, "cancel", {})
    assert response.status_code == 409
    assert "can't become “Cancelled”" in page_text(response)
    order = load_order(app, number)
    assert (order.status, order.refunds) == (S.FULFILLED, [])
    assert stock(app, cream) == (9, 0)
    assert audit_entries(app, number) == [("order.fulfilled", admin.id)]


# Refunds (demo provider) ----------------------------------------------------------------------

def test_a_partial_then_a_full_refund(app, client, admin, cream):
    number = seed_order(app, (cream, 2))  # 49.00 + 4.90 delivery
    assert act(client, number, "refund", {"amount": "10,00"}).status_code == 303
    order = load_order(app, number)
    assert order.status == S.PARTIALLY_REFUNDED
    assert order.payments[0].amount_refunded == Decimal("10.00")
    page = client.get(order_url(number)).get_data(as_text=True)
    assert 'value="43.90"' in page, "the rest is offered for the next refund"

    assert act(client, number, "refund", {"amount": "43.90"}).status_code == 303
    order = load_order(app, number)
    assert order.status == S.REFUNDED
    assert (order.payments[0].status, order.payments[0].amount_refunded) == (
        PaymentStatus.REFUNDED, Decimal("53.90"))
    assert [r.amount for r in order.refunds] == [Decimal("10.00"), Decimal("43.90")]
    assert audit_entries(app, number) == [("order.refunded", admin.id)] * 2


@pytest.mark.parametrize(("amount", "message"), [
    ("0", "greater than zero"),
    ("-5", "greater than zero"),
    ("ten", "Enter an amount such as 12.50."),
    ("1.005", "at most two decimal places"),
    ("NaN", "Enter an amount such as 12.50."),
    ("53.91", "Enter an amount from €0.01 to €53.90."),
    ("", "Enter the amount to refund."),
])
def test_a_refund_amount_must_be_within_what_is_left(app, client, admin, cream, amount,
                                                     message):
    number = seed_order(app, (cream, 2))
    response = act(client, number, "refund", {"amount": amount})
    assert response.status_code == 422
    assert message in page_text(response)
    order = load_order(app, number)
    assert (order.status, order.refunds, order.payments[0].amount_refunded) == (
        S.PAID, [], Decimal("0.00"))
    assert audit_entries(app, number) == []


def test_an_unpaid_order_cannot_be_refunded(app, client, admin, cream):
    number = seed_order(app, cream, paid=False)
    response = act(client, number, "refund", {"amount": "5.00"})
    assert response.status_code == 409
    assert "can't become “Refunded”" in page_text(response)
    assert load_order(app, number).status == S.PENDING_PAYMENT
    assert audit_entries(app, number) == []


# Notes --------------------------------------------------------------------------------------

def test_notes_are_for_staff_only(app, client, admin, cream):
    number = seed_order(app, cream)
    response = act(client, number, "notes", {"text": "Called her: leave it with the neighbour."})
    assert response.status_code == 303
    page = client.get(order_url(number)).get_data(as_text=True)
    assert "Called her: leave it with the neighbour." in page
    assert "dr.halden@example.com" in page
    [note] = [e for e in load_order(app, number).events if e.kind == "note"]
    assert note.actor_id == admin.id
    assert audit_entries(app, number) == [("order.note_added", admin.id)]

    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        guest_link = urlsplit(links.guest_order_url(order))
    customer_page = app.test_client().get(f"{guest_link.path}?{guest_link.query}")
    assert customer_page.status_code == 200
    assert number in customer_page.get_data(as_text=True)
    assert "neighbour" not in customer_page.get_data(as_text=True)


def test_an_empty_or_huge_note_is_refused(app, client, admin, cream):
    number = seed_order(app, cream)
    assert act(client, number, "notes", {"text": "   "}).status_code == 422
    response = act(client, number, "notes", {"text": "x" * 2001})
    assert response.status_code == 422
    assert "Keep the note under 2,000 characters" in page_text(response)
    assert [e for e in load_order(app, number).events if e.kind == "note"] == []
    assert audit_entries(app, number) == []


@pytest.mark.parametrize("url", ["/admin/orders/HS-%00", "/admin/orders/" + "X" * 300,
                                 "/admin/orders?q=%00abc", "/admin/orders?from=%00"])
def test_junk_in_the_address_is_not_a_server_error(client, admin, url):
    assert client.get(url).status_code in (200, 400, 404)


def test_a_huge_refund_amount_is_refused_not_a_crash(app, client, admin, cream):
    number = seed_order(app, cream)
    response = act(client, number, "refund", {"amount": "1e999999999"})
    assert response.status_code == 422
    assert "That amount is too large." in page_text(response)
    assert load_order(app, number).refunds == []
