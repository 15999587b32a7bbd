"""Journeys through the back office: an editor answers a reader, an admin runs the stock
and sends an order."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")

from playwright.sync_api import Page, expect
from sqlalchemy import select

from storefront.catalog.models import Product, Variant
from storefront.extensions import db
from tests.helpers import text_part
from tests.helpers.browser import shopper

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")

EDITOR = ("editor@example.com", "demo-editor-pass")
ADMIN = ("admin@example.com", "demo-admin-pass")


def back_office(page: Page, section: str):
    """A link in the back office's own navigation."""
    return page.get_by_role("navigation", name="Back office").get_by_role("link", name=section)


def stock_on_hand(live_shop, slug: str, size: str) -> int:
    with live_shop.app.app_context():
        return db.session.scalar(select(Variant.stock_on_hand).join(Product).where(
            Product.slug == slug, Variant.size_label == size))


def test_a_reader_asks_and_an_editor_answers_with_an_article(page: Page, new_context, inbox,
                                                             unique_email):
    email = unique_email("asker")
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link",
                                                            name="Ask a question").click()
    shopper.step_heading(page, "Ask a dermatologist")
    page.get_by_label("Your first name").fill("Noor")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Your question").fill(
        "I have tiny hard white bumps under my eyes that don't go away. What are they, and "
        "can I squeeze them?")
    page.get_by_label("Your skin type (optional)").select_option(label="Dry")
    page.get_by_role("button", name="Send my question").click()
    shopper.step_heading(page, "Thank you, we have your question")
    assert len(inbox(email, "We have your question")) == 1

    editor = new_context(viewport={"width": 1280, "height": 800}).new_page()
    editor.goto("/")
    shopper.log_in(editor, *EDITOR)
    shopper.header_link(editor, "Admin").click()
    back_office(editor, "Questions").click()
    shopper.step_heading(editor, "Reader questions")
    question = editor.get_by_role("listitem").filter(has_text=email)
    expect(question).to_contain_text("tiny hard white bumps")
    expect(question).to_contain_text("Skin type: dry")
    question.get_by_role("link", name="Answer the question from Noor").click()

    shopper.step_heading(editor, "Question from Noor")
    editor.get_by_label("Article that answers it").select_option(
        label="What causes milia? (Q&A)")
    editor.get_by_role("button", name="Mark answered and e-mail the link").click()
    expect(editor.get_by_text("The question from Noor is answered; they have an e-mail with "
                              "the link to “What causes milia?”.")).to_be_visible()
    editor.get_by_role("link", name=re.compile("^Answered")).click()
    answered = editor.get_by_role("listitem").filter(has_text=email)
    expect(answered).to_contain_text("Answered by What causes milia?")

    [answer] = inbox(email, "Your question has been answered")
    assert "/articles/what-causes-milia" in text_part(answer)


def test_an_admin_adjusts_stock_and_sends_the_readers_order(page: Page, new_context, inbox,
                                                           unique_email, live_shop):
    email = unique_email("reader")
    shopper.buy_recommended_retinoid(page, email)
    number = shopper.order_number(page)

    admin = new_context(viewport={"width": 1280, "height": 800}).new_page()
    admin.goto("/account/login")
    shopper.log_in(admin, *ADMIN, via_header=False)
    shopper.header_link(admin, "Admin").click()
    shopper.step_heading(admin, "Dashboard")

    # Stock: a delivery of 24 jars arrives.
    back_office(admin, "Products").click()
    admin.get_by_role("searchbox", name=re.compile("SKU")).fill("Retinol")
    admin.get_by_role("button", name="Filter").click()
    admin.get_by_role("link", name="Retinol 0.3% Night Serum").click()
    sizes = admin.get_by_role("table", name=re.compile("^Sizes of"))
    sizes.get_by_role("row", name=re.compile("30 ml")).get_by_role(
        "link", name=re.compile("^Stock")).click()
    shopper.step_heading(admin, "Stock of Retinol 0.3% Night Serum, 30 ml")
    on_hand = stock_on_hand(live_shop, "retinol-night-serum", "30 ml")
    admin.get_by_label("Reason").select_option(label="Received")
    admin.get_by_label("Change").fill("24")
    admin.get_by_label("Note (optional)").fill("Delivery 4471 from the lab")
    admin.get_by_role("button", name="Record adjustment").click()
    expect(admin.get_by_text(re.compile(rf": \+24, now {on_hand + 24} on hand\."))).to_be_visible()
    latest = admin.get_by_role("table", name=re.compile("^Stock movements")).get_by_role(
        "row").nth(1)
    for text in ("admin@example.com", "Received", "+24", str(on_hand), str(on_hand + 24),
                 "Delivery 4471 from the lab"):
        expect(latest).to_contain_text(text)
    assert stock_on_hand(live_shop, "retinol-night-serum", "30 ml") == on_hand + 24
    expect(admin.get_by_role("row", name=re.compile(number))).to_contain_text("Sale")

    # The reader's order goes out.
    back_office(admin, "Orders").click()
    admin.get_by_role("link", name=number).click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Paid")
    admin.get_by_label("Carrier").fill("PostNL")
    admin.get_by_label("Tracking number").fill("3SHALD0012345")
    admin.get_by_role("button", name="Mark as sent and e-mail the customer").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Sent")
    expect(admin.get_by_text("Tracking number: 3SHALD0012345")).to_be_visible()

    [shipped] = inbox(email, f"Your order {number} is on its way")
    assert "3SHALD0012345" in text_part(shipped)
