"""``make screenshots``: pictures of the main pages, on a desktop and on a phone.

Serves the demo shop on a throwaway seeded database, walks through it with Debian's
Chromium (a cart with a serum in it, the checkout up to its review, the admin dashboard
after that order is paid) and saves what fits on the screen, not the whole page, as
docs/screenshots/<page>-<desktop|phone>.png.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.helpers.browser import shopper  # noqa: E402
from tests.helpers.browser.live import CHROMIUM, CHROMIUM_ARGS, SCREENS, demo_shop  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
ADMIN = ("admin@example.com", "demo-admin-pass")


def shoot(page: Page, name: str, screen: str, out: Path) -> None:
    path = out / f"{name}-{screen}.png"
    page.screenshot(path=path, animations="disabled", caret="hide")
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"{shown}  {path.stat().st_size // 1024} KB", flush=True)


def walk(page: Page, screen: str, out: Path, with_admin: bool) -> None:
    for name, path in [("home", "/"), ("product-list", "/products"),
                       ("product", "/products/retinol-night-serum"),
                       ("article", "/articles/what-causes-milia")]:
        page.goto(path)
        shoot(page, name, screen, out)

    page.goto("/products/retinol-night-serum")
    page.get_by_role("button", name="Add to cart").click()
    shopper.open_cart(page)
    shoot(page, "cart", screen, out)
    shopper.checkout_to_review(page, f"screenshots.{screen}@example.com")
    shoot(page, "checkout-review", screen, out)
    shopper.pay_on_demo_page(page)

    if with_admin:
        page.goto("/account/login?next=/admin/")
        shopper.log_in(page, *ADMIN, via_header=False)
        shopper.step_heading(page, "Dashboard")
        page.goto("/admin/")  # without the welcome message
        shoot(page, "admin-dashboard", screen, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNG files")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"No Chromium at {CHROMIUM} (apt-get install chromium).", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with demo_shop() as shop, sync_playwright() as playwright:
        with_admin = "admin.dashboard" in shop.app.view_functions
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for screen, options in SCREENS.items():
            context = browser.new_context(base_url=shop.url, locale="en-GB", **options)
            context.set_default_timeout(15_000)
            walk(context.new_page(), screen, args.out, with_admin)
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
