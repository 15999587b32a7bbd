"""Every order summary adds up as shown: at each checkout step, the amounts on the page make
the total on the page, in the US shop (sales tax added at checkout) and in the EU shop (VAT
inside the prices, said under the total, adding nothing).

Before a delivery is chosen, delivery is said in words and left out of the total; so is the
US sales tax before the address is known. The arithmetic itself is in tests/helpers/summaries.py;
the browser test (tests/browser/test_layout.py) checks the same on what a phone shows.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from bs4 import Tag

from tests.factories import (
    ADDRESS,
    US_ADDRESS,
    DiscountCodeFactory,
    ProductFactory,
    VariantFactory,
    add_to_cart,
    delivery_choice,
    pay_with_demo,
)
from tests.helpers import submit
from tests.helpers.pages import Page, classes, one, text
from tests.helpers.summaries import Summary, amount

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")
D = Decimal


def _product(make, name: str, price: str):
    product = make(ProductFactory, name=name, variant=False)
    return make(VariantFactory, product=product, price=D(price), size_label="50 ml",
                stock_on_hand=20)


def _fill_cart(client, make) -> None:
    cream = _product(make, "Barrier Cream", "24.50")
    serum = _product(make, "Calm Serum", "18.00")
    assert add_to_cart(client, cream.id, "2").status_code == 302
    assert add_to_cart(client, serum.id, "1").status_code == 302
    make(DiscountCodeFactory, code="TENOFF")


def _rows(totals: Tag) -> tuple[list[tuple[str, str]], tuple[str, str]]:
    """(label, value) of each row up to the total, and the total's."""
    rows = [(text(one(row, "dt")), text(one(row, "dd"))) for row in totals.select("div")]
    index = next(i for i, row in enumerate(totals.select("div"))
                 if "totals-total" in classes(row))
    return rows[:index], rows[index]


def checkout_summary(html: str, name: str) -> Summary:
    aside = Page(html).one("aside.checkout-summary")
    rows, total = _rows(one(aside, "dl.totals"))
    lines = [text(one(line, "span.num")) for line in one(aside, "ul.checkout-lines").select("li")]
    return Summary(name, lines, rows, total)


def _line_totals(html: str) -> list[str]:
    """The Total cell of each line of the page's first table."""
    return [text(cell) for cell in Page(html).one("table").select('td[data-label="Total"]')]


def order_summary(html: str, name: str) -> Summary:
    """An order's page: its items table and the totals under it."""
    rows, total = _rows(Page(html).one("dl.totals"))
    return Summary(name, _line_totals(html), rows, total)


def _lines_and_subtotal(name: str, lines: list[str], subtotal: str) -> Summary:
    """A summary that is only lines and their subtotal."""
    return Summary(name, lines, [("Subtotal", subtotal)], ("Subtotal", subtotal))


def cart_summary(html: str) -> Summary:
    table = Page(html).one("table.cart-table")
    lines = [text(cell) for cell in table.select('td[data-label="Total"]')]
    return _lines_and_subtotal("cart", lines, text(one(table, "tfoot td")))


def review_items(html: str) -> Summary:
    """The review page's table of items, against the subtotal beside it."""
    subtotal = checkout_summary(html, "").rows[0][1]
    return _lines_and_subtotal("the review page's items", _line_totals(html), subtotal)


def _walk(client, address: dict) -> list[tuple[Summary, str]]:
    """Through the cart and every step to the confirmation: each summary and its page."""
    pages = []

    def look(url: str, read_summary=checkout_summary) -> str:
        html = client.get(url).get_data(as_text=True)
        pages.append((read_summary(html, url), html))
        return html

    html = client.get("/cart/").get_data(as_text=True)
    pages.append((cart_summary(html), html))
    look("/checkout/email")
    assert submit(client, "/checkout/email", {"email": "reader@example.com"}).status_code == 302
    look("/checkout/address")
    assert submit(client, "/checkout/address", address).status_code == 302
    delivery = look("/checkout/delivery")
    choice = delivery_choice(delivery, "standard")
    assert submit(client, "/checkout/delivery", {"method": choice}).status_code == 302
    look("/checkout/discount")
    assert submit(client, "/checkout/discount",
                  {"code": "tenoff", "action": "apply"}).status_code == 302
    review = look("/checkout/review")
    pages.append((review_items(review), review))
    confirmation = pay_with_demo(client)
    assert confirmation.status_code == 302
    look(confirmation.headers["Location"], order_summary)
    return pages


def _shown(summary: Summary) -> dict[str, Decimal | str | None]:
    return {label: amount(value) if amount(value) is not None else value
            for label, value in [*summary.rows, summary.total]}


def test_every_us_summary_adds_up_with_the_sales_tax_added(app, client, us_shop, make):
    _fill_cart(client, make)
    pages = _walk(client, US_ADDRESS)
    problems = [problem for summary, _ in pages for problem in summary.problems()]
    assert not problems, "\n".join(problems)

    shown = {summary.name: _shown(summary) for summary, _ in pages}
    # 49.00 + 18.00 = 67.00: before the address, neither delivery nor tax is in the total.
    assert shown["/checkout/email"] == {
        "Subtotal": D("67.00"), "Delivery": "chosen after the address",
        "Sales tax": "added once we know the address", "Total so far": D("67.00")}
    assert shown["/checkout/address"]["Delivery"] == "chosen in the next step"
    # Seattle: 6.5 % on the goods; delivery is chosen on this page, so not counted yet.
    assert shown["/checkout/delivery"] == {
        "Subtotal": D("67.00"), "Delivery": "chosen in this step",
        "WA sales tax (6.5%)": D("4.36"), "Total so far": D("71.36")}
    # 67.00 - 6.70 = 60.30, delivery free from 50.00; 6.5 % of 60.30 = 3.92
    assert shown["/checkout/review"] == {
        "Subtotal": D("67.00"), "Discount TENOFF": D("-6.70"), "Delivery": D(0),
        "WA sales tax (6.5%)": D("3.92"), "Total": D("64.22")}
    confirmation = pages[-1][0]
    assert _shown(confirmation) == shown["/checkout/review"]


def test_every_eu_summary_adds_up_with_the_vat_inside_the_prices(app, client, make):
    _fill_cart(client, make)
    pages = _walk(client, ADDRESS)
    problems = [problem for summary, _ in pages for problem in summary.problems()]
    assert not problems, "\n".join(problems)

    shown = {summary.name: _shown(summary) for summary, _ in pages}
    assert shown["/checkout/email"] == {
        "Subtotal": D("67.00"), "Delivery": "chosen after the address",
        "Total so far": D("67.00")}
    html = {summary.name: page for summary, page in pages}
    assert "Prices include VAT." in html["/checkout/email"]
    # Amsterdam: 21 % VAT is inside the prices; it is said under the total, not added.
    assert shown["/checkout/delivery"] == {
        "Subtotal": D("67.00"), "Delivery": "chosen in this step", "Total so far": D("67.00")}
    assert "incl. VAT (21%): €11.63, already in the prices" in html["/checkout/delivery"]
    assert shown["/checkout/review"] == {
        "Subtotal": D("67.00"), "Discount TENOFF": D("-6.70"), "Delivery": D(0),
        "Total": D("60.30")}
    assert "incl. VAT (21%): €10.47, already in the prices" in html["/checkout/review"]
    confirmation, confirmation_html = pages[-1]
    assert _shown(confirmation) == shown["/checkout/review"]
    assert "incl. VAT (21%): €10.47, already in the prices" in confirmation_html
