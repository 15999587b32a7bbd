"""axe-core in the browser on every kind of page: no serious or critical violations.

axe comes from npm (``npm ci`` installs ``axe-core`` into node_modules/). The shop's CSP
forbids inline scripts, so these contexts alone bypass CSP to let Playwright add it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")

from playwright.sync_api import Page

from tests.helpers.browser import shopper

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated")

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed ({AXE} missing): run `npm ci`")
    return AXE.read_text()


@pytest.fixture
def context(new_context):
    return new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)


@pytest.fixture
def audit(page: Page, axe_source):
    """``audit(name)``: run axe on the page as it is now; returns its blocking violations."""

    def run(name: str) -> list[str]:
        page.add_script_tag(content=axe_source)
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{name} ({page.url}): [{violation['impact']}] {violation['id']}: "
            f"{violation['help']}\n" + "\n".join(
                f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"])
            for violation in result["violations"] if violation["impact"] in BLOCKING
        ]

    return run


def no_violations(found: list[str]) -> None:
    assert not found, "axe found serious or critical problems:\n" + "\n".join(found)


@pytest.mark.parametrize("path", [
    "/",
    "/products",
    "/products/retinol-night-serum",
    "/articles/what-causes-milia",
    "/conditions/milia",
    "/search?q=sunscreen",
    "/account/login",
    "/ask",
])
def test_public_pages(page: Page, audit, path):
    page.goto(path)
    no_violations(audit(path))


def test_the_cart_and_every_checkout_step(page: Page, audit, problems, unique_email):
    problems.expect(422, r"^/checkout/address$")  # sent empty once, to check the errors
    found = []
    page.goto("/products/adapalene-gel")
    page.get_by_role("button", name="Add to cart").click()
    shopper.open_cart(page)
    found += audit("cart")
    page.get_by_role("link", name="Check out").click()
    found += audit("e-mail step")
    shopper.give_email(page, unique_email("axe"))
    found += audit("address step")
    page.get_by_role("button", name="Continue").click()  # empty: the form with its errors
    shopper.step_heading(page, "Delivery address")
    found += audit("address step with errors")
    shopper.give_address(page)
    found += audit("delivery step")
    shopper.choose_delivery(page)
    found += audit("discount step")
    shopper.skip_discount(page)
    found += audit("review step")
    shopper.accept_terms(page)
    page.get_by_role("button", name="Pay $23.91").click()  # 16.50 + 5.95 + 6.5 % tax
    found += audit("demo payment page")
    page.get_by_role("button", name="Approve payment").click()
    shopper.step_heading(page, "Thank you for your order")
    found += audit("confirmation")
    no_violations(found)


def test_the_admin_dashboard(page: Page, audit, live_shop):
    page.goto("/account/login?next=/admin/")
    shopper.log_in(page, "admin@example.com", "demo-admin-pass", via_header=False)
    shopper.step_heading(page, "Dashboard")
    no_violations(audit("admin dashboard"))
