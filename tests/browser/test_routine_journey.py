"""Build my routine in a real browser: home -> the questions -> the routine -> the whole
routine in the cart in one press -> checkout; and axe on the routine's pages."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")

from playwright.sync_api import Page, expect
from sqlalchemy import select

from storefront.extensions import db
from storefront.orders.models import Order, OrderLine, OrderStatus
from tests.helpers.browser import shopper

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def answer_the_questions(page: Page) -> None:
    """From the home page: oily skin, milia and acne, an essential routine."""
    page.goto("/")
    page.get_by_role("link", name="Build my routine").click()
    shopper.step_heading(page, "Build my routine")
    questions = page.get_by_role("form", name="Build my routine")
    questions.get_by_label("Oily", exact=True).check()
    questions.get_by_label("Milia", exact=True).check()
    questions.get_by_label("Acne", exact=True).check()
    expect(questions.get_by_label("Essential")).to_be_checked()
    questions.get_by_role("button", name="Show my routine").click()
    shopper.step_heading(page, "Your morning and evening routine")


def routine_lines(live_shop, number: str) -> list[tuple[str, str | None]]:
    with live_shop.app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(OrderLine.product_name, OrderLine.source_routine)
            .join(Order).where(Order.number == number).order_by(OrderLine.id))]


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_reader_builds_a_routine_and_buys_it_all_in_one_press(page: Page, live_shop,
                                                                unique_email):
    answer_the_questions(page)
    assert "concern=acne" in page.url
    assert "concern=milia" in page.url
    assert "skin=oily" in page.url
    morning = page.get_by_role("region", name="Morning")
    evening = page.get_by_role("region", name="Evening")
    expect(morning.get_by_role("heading", name="Sunscreen", level=3)).to_be_visible()
    expect(evening.get_by_role("heading", name="Sunscreen", level=3)).to_have_count(0)
    expect(evening.get_by_role("heading", name="Treat", level=3).first).to_be_visible()
    expect(evening.get_by_text("For your milia:").first).to_be_visible()
    expect(evening.get_by_text("For your acne:").first).to_be_visible()
    expect(page.get_by_role("region", name="Ask your dermatologist")).to_contain_text(
        "Prescription only")

    buy = page.get_by_role("region", name="Everything in one press")
    items = [re.sub(r"\s+", " ", text).strip() for text in
             buy.get_by_role("listitem").all_inner_texts()]
    names = [re.sub(r" \(.*$", "", item) for item in items]
    assert len(names) >= 4, items  # cleanse, treat, moisturise, sunscreen
    together = Decimal(re.search(r"Together: \D*([\d,.]+)", buy.inner_text())
                       .group(1).replace(",", ""))
    buy.get_by_role("button", name="Add the whole routine to the cart").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    expect(page.get_by_text(f"Added {len(names)} products from your routine to your "
                            "cart")).to_be_visible()
    for name in names:
        expect(page.get_by_role("row", name=re.compile(re.escape(name)))).to_be_visible()
    expect(shopper.header_link(page, "Cart")).to_contain_text(str(len(names)))

    shopper.checkout_to_review(page, unique_email("routine"))
    number = shopper.pay_on_demo_page(page)
    expect(page.get_by_text("Your payment was received")).to_be_visible()
    assert routine_lines(live_shop, number) == [(name, "milia+acne") for name in names]
    with live_shop.app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert order.status is OrderStatus.PAID
        assert order.subtotal == together


def test_the_routine_pages_pass_axe(new_context, live_shop, problems):
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed ({AXE} missing): run `npm ci`")
    # The shop's CSP forbids inline scripts: only this context bypasses it, to add axe.
    context = new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    problems.expect(400, r"^/routine\?steps=essential$")
    found = []
    pages = (("the questions", "/routine"), ("a wrong answer", "/routine?steps=essential"),
             ("a routine", "/routine?concern=acne&concern=milia&skin=oily&steps=complete"
                           "&sensitivity=rx-retinoid"))
    for name, path in pages:
        page.goto(path)
        page.add_script_tag(content=AXE.read_text())
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        found += [f"{name}: [{v['impact']}] {v['id']}: {v['help']} "
                  f"{[node['target'] for node in v['nodes']]}"
                  for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not found, "\n".join(found)
    assert not problems.found, problems.found
