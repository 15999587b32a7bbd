"""Steps a shopper takes in the browser, found the way a person finds them: by role and label."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

# The demo shop is the Seattle practice's (SHOP_PRESET=us): it delivers to the United States
# and Canada, in dollars, with Washington's sales tax (6.5 %) added at checkout.
ADDRESS = {
    "Full name": "Dana Whitfield",
    "Street address": "1301 2nd Ave",
    "Town or city": "Seattle",
    "ZIP code": "98101",
}
STATE = "Washington"


def open_menu(page: Page) -> None:
    """On a phone the header's search and links are behind "Menu": open it. On wider
    screens they are in the header already, and there is nothing to open."""
    closed = page.locator("details[data-menu]:not([open]) > summary")
    if closed.is_visible():
        closed.click()


def open_filters(page: Page) -> None:
    """On a phone the shop's filters are behind "Filter and sort": open them."""
    closed = page.locator(".catalog-filters details:not([open]) > summary")
    if closed.is_visible():
        closed.click()


def header_link(page: Page, name: str):
    """The header's Cart, or one of its account links (Log in, Account, Admin), opening
    the menu for the latter on a phone."""
    if name == "Cart":
        return page.get_by_role("banner").get_by_role("link", name=re.compile("^Cart"))
    open_menu(page)
    return page.get_by_role("navigation", name="Your account").get_by_role("link", name=name)


def open_cart(page: Page) -> None:
    header_link(page, "Cart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")


def step_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def give_email(page: Page, email: str | None) -> None:
    step_heading(page, "Your e-mail address")
    if email is not None:
        page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_role("button", name="Continue").click()


def give_address(page: Page) -> None:
    """A Seattle address: the United States is the form's country from the start, so its
    fields (State, ZIP code) are there without choosing it."""
    step_heading(page, "Delivery address")
    expect(page.get_by_label("Country")).to_have_value("US")
    for label, value in ADDRESS.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("State").select_option(label=STATE)
    page.get_by_role("button", name="Continue").click()


def choose_delivery(page: Page, method: str = "Standard shipping") -> None:
    step_heading(page, "Delivery")
    page.get_by_label(method).check()
    page.get_by_role("button", name="Continue").click()


def skip_discount(page: Page) -> None:
    step_heading(page, "Discount code")
    page.get_by_role("button", name="Continue without a code").click()


def apply_discount(page: Page, code: str) -> None:
    step_heading(page, "Discount code")
    page.get_by_role("textbox", name="Discount code").fill(code)
    page.get_by_role("button", name="Apply the code").click()


def checkout_to_review(page: Page, email: str | None, code: str | None = None) -> None:
    """From the cart, answer every checkout step up to the review page."""
    page.get_by_role("link", name="Check out").click()
    give_email(page, email)
    give_address(page)
    choose_delivery(page)
    if code:
        apply_discount(page, code)
    else:
        skip_discount(page)
    step_heading(page, "Review and pay")


def accept_terms(page: Page) -> None:
    """Tick the box the review page asks for: the demo shop has terms and conditions."""
    box = page.get_by_role("checkbox", name="I accept the terms and conditions")
    box.check()
    expect(box).to_be_checked()


def pay_on_demo_page(page: Page) -> str:
    """Accept the terms, press Pay, approve on the demo payment page; returns the order
    number."""
    accept_terms(page)
    page.get_by_role("button", name=re.compile(r"^Pay \$")).click()
    step_heading(page, "Demo payment — no money moves")
    number = order_number(page)
    page.get_by_role("button", name="Approve payment").click()
    step_heading(page, "Thank you for your order")
    assert order_number(page) == number
    return number


def order_number(page: Page) -> str:
    """The order number shown above the heading of an order's page."""
    return page.get_by_text(re.compile(r"^Order HS-")).first.text_content().removeprefix("Order ")


def log_in(page: Page, email: str, password: str, via_header: bool = True) -> None:
    if via_header:
        header_link(page, "Log in").click()
    step_heading(page, "Log in")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(re.compile(r"^Welcome back, "))).to_be_visible()


def buy_recommended_retinoid(page: Page, email: str) -> str:
    """A reader's purchase: home -> "What causes milia?" -> the retinoid it recommends ->
    cart -> guest checkout paid on the demo page. Returns the order number."""
    page.goto("/")
    page.get_by_role("link", name="Read the answers").click()
    page.get_by_role("link", name="What causes milia?").click()
    step_heading(page, "What causes milia?")

    picks = page.get_by_role("region", name="Recommended for milia")
    # Named twice: as an over-the-counter alternative to tretinoin, and on its own card.
    picks.get_by_role("link", name="Retinol 0.3% Night Serum", exact=True).last.click()
    step_heading(page, "Retinol 0.3% Night Serum")
    expect(page.get_by_text("Recommended in What causes milia?")).to_be_visible()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added Retinol 0.3% Night Serum (30 ml) to your cart.")).to_be_visible()

    open_cart(page)
    expect(page.get_by_role("row", name=re.compile("Retinol 0.3% Night Serum"))).to_contain_text(
        "$32.00")
    checkout_to_review(page, email)
    # 32.00 + 5.95 shipping + 6.5 % Washington sales tax on both (2.47)
    expect(page.get_by_text("WA sales tax (6.5%)")).to_be_visible()
    expect(page.get_by_role("button", name="Pay $40.42")).to_be_visible()
    return pay_on_demo_page(page)
