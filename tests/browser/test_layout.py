"""Nothing cut off, on a phone, a tablet and a desktop.

Lighthouse and axe pass a page whose table is clipped inside its box, or whose price is cut
off in a card: neither looks. This test does, on every kind of page a shopper, a reader, a
customer and an admin see, at 375 x 800, 768 x 1024 and 1280 x 800. A page fails when:
- the document is wider than the screen, or an element reaches past either side of it;
- an element's content is wider than its own box (scrollWidth > clientWidth), unless that
  element is a form field (its text scrolls in it) or a deliberate, labelled scroll region
  (role="region", a name, tabindex="0", overflow-x auto or scroll); the money pages (cart,
  checkout, orders) may not scroll sideways at all.
On a phone the first product of the shop must start within 1.5 screens, and at every
checkout step the summary's visible amounts must add up to its visible total.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")

from playwright.sync_api import Page
from sqlalchemy import select

from storefront.accounts.services import find_user_by_email
from storefront.audit import services as audit
from storefront.catalog.models import Product, Variant
from storefront.content.models import Article, Condition
from storefront.extensions import db
from tests.helpers.browser import shopper
from tests.helpers.summaries import Summary

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")

SCREENS = {
    "phone": {"viewport": {"width": 375, "height": 800}, "is_mobile": True, "has_touch": True},
    "tablet": {"viewport": {"width": 768, "height": 1024}, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
ADMIN = ("admin@example.com", "demo-admin-pass")

# Returns what does not fit; outermost elements only (what is inside one that is already
# too wide is not listed again).
LAYOUT = """() => {
  const screen = document.documentElement.clientWidth;
  const found = [], regions = [];
  const name = (el) => {
    let text = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + [...el.classList].map((c) => '.' + c).join('');
    const words = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    return words ? `${text} "${words}"` : text;
  };
  const clipped = (el) => {  // hidden for the eye, there for screen readers
    for (let node = el; node; node = node.parentElement) {
      if (getComputedStyle(node).clipPath === 'inset(50%)') return true;
    }
    return false;
  };
  const isRegion = (el) => el.getAttribute('role') === 'region' && el.tabIndex === 0
    && (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))
    && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const doc = document.documentElement;
  if (doc.scrollWidth > screen) found.push(`the page is ${doc.scrollWidth}px wide`);
  for (const el of document.body.querySelectorAll('*')) {
    if (el.parentElement.closest('[data-layout-seen]')) continue;
    if (el.closest('.visually-hidden') || !el.checkVisibility({visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if ((box.width === 0 && box.height === 0) || (box.width <= 1 && clipped(el))) continue;
    if (box.right > screen + 1 || box.left < -1) {
      found.push(`${name(el)} spans ${Math.round(box.left)} to ${Math.round(box.right)}px`);
      el.setAttribute('data-layout-seen', '');
    } else if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1
               // a field scrolls its own text; inside a picture, boxes mean nothing
               && !el.matches('input, textarea, select, svg *')) {
      if (isRegion(el)) regions.push(name(el));
      else found.push(`${name(el)}: ${el.scrollWidth}px of content in ${el.clientWidth}px`);
      el.setAttribute('data-layout-seen', '');
    }
  }
  for (const el of document.querySelectorAll('[data-layout-seen]')) {
    el.removeAttribute('data-layout-seen');
  }
  return {found, regions};
}"""

# The order summaries on the page as a shopper sees them (innerText: only what shows).
SUMMARIES = """() => [...document.querySelectorAll('dl.totals')].map((totals) => {
  const box = totals.closest('.checkout-summary, .card') || totals.parentElement;
  const rows = [...totals.children].map((row) => [
    row.querySelector('dt').innerText, row.querySelector('dd').innerText,
    row.classList.contains('totals-total')]);
  const lines = [...box.querySelectorAll('.checkout-lines .num')].map((cell) => cell.innerText);
  return {lines, rows};
})"""


class Looker:
    """Visits pages on one screen and notes what does not fit, and on which pages."""

    def __init__(self, page: Page):
        self.page = page
        self.found: dict[str, list[str]] = {}  # problem: the pages that have it
        self.pages = 0

    def note(self, where: str, problem: str) -> None:
        self.found.setdefault(problem, []).append(where)

    def look(self, name: str, may_scroll: bool = True) -> None:
        self.pages += 1
        self.page.wait_for_load_state()
        result = self.page.evaluate(LAYOUT)
        where = f"{name} ({self.page.url.split('/', 3)[-1][:60]})"
        for problem in result["found"]:
            self.note(where, problem)
        if not may_scroll:
            for region in result["regions"]:
                self.note(where, f"scrolls sideways inside {region}")

    def report(self) -> str:
        return "\n".join(f"{problem}\n    on: {', '.join(pages)}"
                         for problem, pages in self.found.items())

    def visit(self, name: str, path: str, may_scroll: bool = True) -> None:
        self.page.goto(path)
        self.look(name, may_scroll)

    def summaries_add_up(self, name: str) -> None:
        for number, shown in enumerate(self.page.evaluate(SUMMARIES)):
            index = next(i for i, (*_, total) in enumerate(shown["rows"]) if total)
            rows = [(label, value) for label, value, _ in shown["rows"]]
            summary = Summary(f"{name}, summary {number + 1}", shown["lines"], rows[:index],
                              rows[index])
            for problem in summary.problems():
                self.note(name, problem)


def _ids(live_shop) -> dict[str, object]:
    with live_shop.app.app_context():
        product = db.session.scalar(select(Product).where(
            Product.slug == "retinol-night-serum"))
        return {
            "product": product.id,
            "variant": db.session.scalar(select(Variant.id).where(
                Variant.product_id == product.id).order_by(Variant.id)),
            "article": db.session.scalar(select(Article.id).where(
                Article.slug == "what-causes-milia")),
            "condition": db.session.scalar(select(Condition.id).where(
                Condition.slug == "milia")),
        }


@pytest.fixture
def long_audit_entry(live_shop):
    """An article edit in the audit log: a long body changed in one sentence."""
    with live_shop.app.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == "what-causes-milia"))
        edited = article.body.replace("harmless", "harmless, if unwelcome,", 1)
        audit.record(find_user_by_email(ADMIN[0]), "article.updated", article,
                     f"Edited the article “{article.title}”",
                     before={"body": article.body}, after={"body": edited})
        db.session.commit()


def _public_pages(look: Looker) -> None:
    for name, path in [
        ("home", "/"), ("shop", "/products"),
        ("shop, filtered", "/products?condition=acne&skin_type=oily&in_stock=1&price_max=40"),
        ("shop, page 2", "/products?page=2"),
        ("product", "/products/retinol-night-serum"), ("article", "/articles/what-causes-milia"),
        ("articles", "/articles"), ("condition", "/conditions/milia"),
        ("conditions", "/conditions"), ("search", "/search?q=sunscreen"),
        ("search, nothing found", "/search?q=zzzz"), ("ask", "/ask"), ("about", "/about"),
        ("log in", "/account/login"), ("register", "/account/register"),
        ("password reset", "/account/reset"),
    ]:
        look.visit(name, path)


def _folded_parts(look: Looker) -> None:
    """On a phone: the header's menu and the shop's filters, open."""
    page = look.page
    page.goto("/")
    page.locator("summary", has_text="Menu").click()
    look.look("home, menu open")
    page.goto("/products?skin_type=dry")
    page.locator("summary", has_text="Filter and sort").click()
    look.look("shop, filters open")
    page.goto("/products")
    top = page.locator(".product-card").first.evaluate(
        "el => el.getBoundingClientRect().top + window.scrollY")
    height = SCREENS["phone"]["viewport"]["height"]
    if top > 1.5 * height:
        look.note("shop", f"the first product starts {top:.0f}px down, below 1.5 screens "
                          f"({1.5 * height:.0f}px)")


def _checkout(look: Looker) -> None:
    """Two products, the cart, every checkout step, the demo payment, the confirmation."""
    page = look.page
    page.goto("/products/retinol-night-serum")
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/products/family-body-sunscreen-spf30")
    page.get_by_label(re.compile("^250 ml")).check()
    page.get_by_role("button", name="Add to cart").click()
    look.visit("cart", "/cart/", may_scroll=False)
    page.get_by_role("link", name="Check out").click()
    steps = [("e-mail step", lambda: shopper.give_email(page, None)),
             ("address step", lambda: shopper.give_address(page)),
             ("delivery step", lambda: shopper.choose_delivery(page)),
             ("discount step", lambda: shopper.skip_discount(page))]
    for name, answer in steps:
        look.look(name, may_scroll=False)
        look.summaries_add_up(name)
        answer()
    look.look("review step", may_scroll=False)
    look.summaries_add_up("review step")
    shopper.accept_terms(page)
    page.get_by_role("button", name=re.compile(r"^Pay \$")).click()
    shopper.step_heading(page, "Demo payment — no money moves")
    look.look("demo payment page", may_scroll=False)
    page.get_by_role("button", name="Approve payment").click()
    shopper.step_heading(page, "Thank you for your order")
    look.look("confirmation", may_scroll=False)
    look.summaries_add_up("confirmation")


def _account(look: Looker) -> None:
    page = look.page
    look.visit("account", "/account/")
    look.visit("your orders", "/account/orders", may_scroll=False)
    page.get_by_role("link", name=re.compile("^HS-")).first.click()
    look.look("an order", may_scroll=False)
    look.summaries_add_up("an order")
    look.visit("change password", "/account/password")


def _back_office(look: Looker, ids: dict, order_number: str) -> None:
    for name, path in [
        ("dashboard", "/admin/"), ("orders", "/admin/orders"),
        ("an order (admin)", f"/admin/orders/{order_number}"),
        ("products", "/admin/products"), ("a product", f"/admin/products/{ids['product']}"),
        ("stock of a size", f"/admin/products/variants/{ids['variant']}/stock"),
        ("low stock", "/admin/stock/low"), ("brands", "/admin/brands"),
        ("import", "/admin/products/import"), ("discount codes", "/admin/discounts"),
        ("new discount code", "/admin/discounts/new"), ("shipping and tax", "/admin/shipping"),
        ("articles (admin)", "/admin/articles"),
        ("an article (admin)", f"/admin/articles/{ids['article']}/edit"),
        ("conditions (admin)", "/admin/conditions"),
        ("recommendations", f"/admin/conditions/{ids['condition']}/recommendations"),
        ("authors", "/admin/authors"), ("shop introduction", "/admin/shop-introduction"),
        ("questions", "/admin/questions"), ("reviews (admin)", "/admin/reviews"),
        ("users", "/admin/users"), ("audit log", "/admin/audit"),
        ("background jobs", "/admin/jobs"),
    ]:
        look.visit(name, path)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_page_fits_the_screen(new_context, live_shop, screen, customer, problems,
                                    long_audit_entry):
    problems.expect(404, r"^/no-such-page$")
    page = new_context(**SCREENS[screen]).new_page()
    look = Looker(page)

    _public_pages(look)
    look.visit("page not found", "/no-such-page")
    if screen == "phone":
        _folded_parts(look)

    email, password = customer
    page.goto("/account/login")
    shopper.log_in(page, email, password, via_header=False)
    _checkout(look)
    order_number = shopper.order_number(page)
    _account(look)

    page.context.clear_cookies()
    page.goto("/account/login")
    shopper.log_in(page, *ADMIN, via_header=False)
    _back_office(look, _ids(live_shop), order_number)

    assert look.pages > 50
    assert not look.found, f"on the {screen} ({look.pages} pages):\n{look.report()}"
