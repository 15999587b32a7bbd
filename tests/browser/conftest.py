"""Browser tests: the seeded demo shop on a real socket, driven by Debian's Chromium.

One live server (its own SQLite database, its own SMTP server) and one browser serve every
test in this folder; each test gets a fresh browser context, so cookies and carts start
empty. A page fails its test on a console error, an uncaught script error, a failed request
or a 4xx/5xx answer from the shop, unless the test said it expects that answer.

Playwright's sync API keeps an asyncio loop running in the main thread while it is
started, and no other code in that thread can run a loop meanwhile (the fake Stripe starts
one). So Playwright lives only as long as this folder's tests (package scope, not
pytest-playwright's session scope), and the fake Stripe is started before it. The tests
skip, with the reason, where /usr/bin/chromium or the playwright package is missing.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field

import pytest

from storefront.accounts.models import Role, User
from storefront.db import utcnow
from storefront.extensions import db
from tests.helpers.browser.live import CHROMIUM, CHROMIUM_ARGS, SCREENS, demo_shop

_unique = itertools.count(1)


@pytest.fixture(scope="package")
def live_shop(smtp_server):
    """The demo shop served on 127.0.0.1, sending its e-mail to the test SMTP server."""
    with demo_shop({"MAIL_SERVER": smtp_server.hostname,
                    "MAIL_PORT": smtp_server.port}) as shop:
        yield shop


@pytest.fixture(scope="package")
def browser(stripe_server):
    """Debian's Chromium, launched once for the folder (after the fake Stripe's loop)."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright is optional: the test modules importorskip it, and this conftest must load
    # (and let them skip with the reason) where it is not installed.
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def screen():
    """Which screen the test's browser has; parametrize it to run on a phone too."""
    return "desktop"


@pytest.fixture
def new_context(browser, live_shop, problems):
    """``new_context(**options)``: a fresh browser profile on the live shop, closed after.

    Every tab opened in it reports its problems to the test's ``problems``.
    """
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_shop.url, locale="en-GB",
                                      timezone_id="Europe/Amsterdam", **options)
        context.set_default_timeout(10_000)
        context.on("page", problems.attach)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context, screen):
    return new_context(**SCREENS[screen])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


@dataclass
class PageProblems:
    """What went wrong in the browser: console errors, failed requests, 4xx/5xx answers."""

    origin: str
    found: list[str] = field(default_factory=list)
    expected: list[tuple[int, re.Pattern]] = field(default_factory=list)

    def expect(self, status: int, path: str) -> None:
        """The test means to get ``status`` from a URL whose path matches ``path`` (regex)."""
        self.expected.append((status, re.compile(path)))

    def _is_expected(self, status: int, url: str) -> bool:
        path = url.removeprefix(self.origin)
        return any(code == status and pattern.search(path) for code, pattern in self.expected)

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium also logs every 4xx/5xx answer; those are judged by on_response.
        if message.text.startswith("Failed to load resource: the server responded"):
            return
        self.found.append(f"console error: {message.text} ({message.location.get('url')})")

    def on_response(self, response) -> None:
        ours = response.url.startswith(self.origin + "/")
        if ours and response.status >= 400 and not self._is_expected(response.status,
                                                                      response.url):
            self.found.append(f"{response.status} from {response.request.method} "
                              f"{response.url}")

    def on_request_failed(self, request) -> None:
        # ERR_ABORTED is the browser dropping a request because the page moved on
        # (a lazy picture still loading when the shopper clicked a link): not a fault.
        if request.failure != "net::ERR_ABORTED":
            self.found.append(f"request failed: {request.method} {request.url}: "
                              f"{request.failure}")

    def attach(self, page) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.found.append(f"script error: {error}"))
        page.on("response", self.on_response)
        page.on("requestfailed", self.on_request_failed)


@pytest.fixture
def problems(live_shop):
    return PageProblems(origin=live_shop.url)


@pytest.fixture
def page(context, problems, request, tmp_path):
    """A tab in a fresh context; the test fails if the shop misbehaved in any of its tabs.

    When the test fails, a screenshot of the tab is kept in the test's tmp_path.
    """
    page = context.new_page()
    yield page
    if getattr(request.node, "browser_call_failed", False):
        shot = tmp_path / "failure.png"
        page.screenshot(path=shot)
        print(f"screenshot of the failed page ({page.url}): {shot}")
    assert not problems.found, "the browser saw problems:\n" + "\n".join(problems.found)


# -- data the journeys need --------------------------------------------------------------

@pytest.fixture
def unique_email():
    """A fresh address per call, so that e-mails and accounts never mix between tests."""
    return lambda name="shopper": f"{name}.{next(_unique)}.{time.time_ns()}@example.com"


@pytest.fixture
def customer(live_shop, unique_email):
    """A confirmed customer account: (e-mail, password)."""
    email, password = unique_email("customer"), "a-long-customer-password"
    with live_shop.app.app_context():
        user = User(email=email, name="Ines Moreau", role=Role.CUSTOMER,
                    email_confirmed_at=utcnow())
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
    return email, password


@pytest.fixture
def inbox(smtp_server):
    """``inbox(address, subject)``: the e-mails with that subject that reached the SMTP
    server for ``address``, waiting a little for the first to arrive."""

    def received(address: str, subject: str, wait: float = 10.0) -> list:
        deadline = time.monotonic() + wait
        while True:
            found = [m for m in smtp_server.handler.messages
                     if m["To"] == address and m["Subject"] == subject]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    return received
