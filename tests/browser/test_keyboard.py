"""The whole purchase with the keyboard alone: Tab, Shift+Tab, Enter, Space and typing.

Every element that takes the focus on the way must show it (an outline or a box shadow).
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")

from playwright.sync_api import Locator, Page, expect

from tests.helpers.browser import shopper

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")

MAX_TABS = 80
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    element: el.outerHTML.slice(0, 120),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== 'none',
  };
}"""


class Keyboard:
    def __init__(self, page: Page):
        self.page = page
        self.unmarked: list[str] = []  # focused elements that did not show it

    def _note_focus(self) -> None:
        focused = self.page.evaluate(FOCUSED)
        if focused and not (focused["outline"] or focused["shadow"]):
            self.unmarked.append(f"{self.page.url}: {focused['element']}")

    def tab_to(self, target: Locator, backwards: bool = False) -> None:
        """Press Tab (or Shift+Tab) until ``target`` has the focus."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(MAX_TABS):
            self.page.keyboard.press(key)
            self._note_focus()
            if target.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"{MAX_TABS} presses of {key} never reached {target}")

    def type_into(self, target: Locator, text: str) -> None:
        self.tab_to(target)
        self.page.keyboard.type(text)

    def press(self, target: Locator, key: str = "Enter") -> None:
        self.tab_to(target)
        self.page.keyboard.press(key)


def test_checkout_with_the_keyboard_alone(page: Page, unique_email):
    keys = Keyboard(page)
    page.goto("/products/retinol-night-serum")

    keys.press(page.get_by_role("link", name="Skip to content"))
    expect(page.get_by_role("main")).to_be_focused()
    keys.press(page.get_by_role("button", name="Add to cart"))
    expect(page.get_by_text("Added Retinol 0.3% Night Serum (30 ml) to your cart.")).to_be_visible()

    keys.press(shopper.header_link(page, "Cart"))
    shopper.step_heading(page, "Your cart")
    keys.press(page.get_by_role("link", name="Check out"))

    shopper.step_heading(page, "Your e-mail address")
    keys.type_into(page.get_by_label("E-mail", exact=True), unique_email("keys"))
    page.keyboard.press("Enter")

    shopper.step_heading(page, "Delivery address")
    expect(page.get_by_label("Country")).to_have_value("US")  # the shop's own country
    for label, value in shopper.ADDRESS.items():
        keys.type_into(page.get_by_label(label), value)
        if label == "Town or city":  # the State comes between the town and the ZIP code
            keys.type_into(page.get_by_label("State"), shopper.STATE)
            expect(page.get_by_label("State")).to_have_value("WA")
    keys.tab_to(page.get_by_role("button", name="Continue"))
    # Back up to the phone number left out, then on to the button again.
    keys.tab_to(page.get_by_label("Phone (optional)"), backwards=True)
    page.keyboard.type("(206) 555-0143")
    keys.press(page.get_by_role("button", name="Continue"))

    shopper.step_heading(page, "Delivery")
    keys.press(page.get_by_label("Standard shipping"), "Space")
    keys.press(page.get_by_role("button", name="Continue"))

    shopper.step_heading(page, "Discount code")
    keys.press(page.get_by_role("button", name="Continue without a code"), "Space")

    shopper.step_heading(page, "Review and pay")
    expect(page.get_by_text("+1 206-555-0143")).to_be_visible()  # kept as +12065550143
    terms = page.get_by_role("checkbox", name="I accept the terms and conditions")
    keys.press(terms, "Space")
    expect(terms).to_be_checked()
    keys.press(page.get_by_role("button", name="Pay $40.42"))  # 32.00 + 5.95 + 2.47 tax

    shopper.step_heading(page, "Demo payment — no money moves")
    keys.press(page.get_by_role("button", name="Approve payment"))
    shopper.step_heading(page, "Thank you for your order")

    assert not keys.unmarked, "focus was not visible on:\n" + "\n".join(keys.unmarked)
