"""Helpers that act like a person with a browser: read a form, fill it, send it."""

from __future__ import annotations

import re
from email.message import Message

# The password every factory-made user has (tests/factories/accounts.py hashes it once).
DEFAULT_PASSWORD = "correct horse battery"

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# What a browser says when it sends a form of the page it shows (storefront/origin.py).
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def token_of(html: str) -> dict[str, str]:
    """The page's CSRF token as form data; nothing for a page without one (an anonymous
    visitor's page of guest forms: add to cart, "helpful", ...)."""
    match = _CSRF.search(html)
    return {"csrf_token": match.group(1)} if match else {}


def submit(client, url: str, data: dict | None = None, follow_redirects: bool = False,
           form_url: str | None = None):
    """GET the page with the form (``form_url`` or ``url``), then POST ``data`` with its
    token, if it has one, from the same origin, as a browser does."""
    page = client.get(form_url or url)
    payload = {**token_of(page.get_data(as_text=True)), **(data or {})}
    return client.post(url, data=payload, follow_redirects=follow_redirects,
                       headers=SAME_ORIGIN)


def login(client, email: str, password: str = DEFAULT_PASSWORD, **extra):
    return submit(client, "/account/login", {"email": email, "password": password, **extra})


def logout(client):
    page = client.get("/account/")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/account/logout", data={"csrf_token": token})


def text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text/plain part")


def html_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text/html part")


def first_link(text: str, path_fragment: str) -> str:
    match = re.search(r"https?://\S*" + re.escape(path_fragment) + r"\S*", text)
    assert match, f"no link containing {path_fragment!r}"
    return match.group(0)


def register(client, email="maya@example.com", password="gentle cleanser daily", **extra):
    data = {"name": "Maya Rossi", "email": email, "password": password, "confirm": password}
    data.update(extra)
    return submit(client, "/account/register", data)
