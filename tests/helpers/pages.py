"""Read a page as a visitor does, by CSS selector: ``page(response).text_of(".total")``.

Built on Beautiful Soup with the standard library's parser, so a test asks for an element by
what it is (a selector) instead of cutting the HTML at a string. Every question about one
element fails with the selector when nothing matches. The elements are Beautiful Soup's
``Tag``: ``one(element, css)``, ``text(element)`` and ``links(element)`` ask the same of a
part of the page (``element.parent``, ``element.get("href")``, ``element.css.closest(css)``).
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from werkzeug.test import TestResponse

PRODUCT_HREF = re.compile(r"^/products/([a-z0-9-]+)(?:\?|$)")


def words(text: str) -> str:
    """Whitespace collapsed, as a reader sees it."""
    return " ".join(text.split())


def text(element: Tag) -> str:
    """The words of one element (tags read as spaces)."""
    return words(element.get_text(" "))


def one(scope: Tag, css: str) -> Tag:
    """The first element inside ``scope`` matching ``css``; fails, naming it, when none."""
    found = scope.select_one(css)
    assert found is not None, f"nothing matches {css!r}"
    return found


def named(scope: Tag, css: str, name: str) -> Tag:
    """The first element inside ``scope`` matching ``css`` whose words are ``name``."""
    found = [element for element in scope.select(css) if text(element) == name]
    assert found, f"no {css!r} says {name!r}"
    return found[0]


def links(scope: Tag) -> list[tuple[str, str]]:
    """(href, words) of every link inside ``scope``, in page order."""
    return [(str(a.get("href", "")), text(a)) for a in scope.select("a[href]")]


def classes(element: Tag) -> list[str]:
    """The classes of ``element``."""
    return list(element.get("class") or ())


def product_slug(href: str) -> str | None:
    """The product a link goes to (``/products/<slug>``, with or without a query), if any."""
    match = PRODUCT_HREF.match(href)
    return match.group(1) if match else None


class Page:
    def __init__(self, html: str):
        self.html = html
        self.soup = BeautifulSoup(html, "html.parser")

    def all(self, css: str) -> list[Tag]:
        return self.soup.select(css)

    def one(self, css: str) -> Tag:
        """The first element matching ``css``; fails, naming it, when there is none."""
        return one(self.soup, css)

    def has(self, css: str) -> bool:
        return self.soup.select_one(css) is not None

    def text_of(self, css: str) -> str:
        """The words of the first element matching ``css``."""
        return text(self.one(css))

    def texts(self, css: str) -> list[str]:
        """The words of every element matching ``css``, in page order."""
        return [text(element) for element in self.all(css)]

    def row(self, containing: str) -> Tag:
        """The first table row whose words include ``containing``."""
        found = [row for row in self.all("tr") if containing in text(row)]
        assert found, f"no table row says {containing!r}"
        return found[0]

    def cells(self, containing: str) -> list[str]:
        """The words of each cell of the first table row that says ``containing``."""
        return [text(cell) for cell in self.row(containing).select("th, td")]

    def table(self, css: str = "table") -> list[list[str]]:
        """The words of each cell, row by row, of every table matching ``css``."""
        return [[text(cell) for cell in row.select("th, td")]
                for table in self.all(css) for row in table.select("tr")]

    def html_of(self, css: str) -> str:
        """The markup of the first element matching ``css`` (for checks on raw HTML)."""
        return str(self.one(css))

    @property
    def text(self) -> str:
        return words(self.soup.get_text(" "))

    def links(self, css: str = "") -> list[tuple[str, str]]:
        """(href, words) of every link, inside the first element matching ``css`` if given."""
        return links(self.one(css) if css else self.soup)

    def form_items(self, css: str = "form") -> list[tuple[str, str]]:
        """What the first form matching ``css`` would send as it stands, (name, value) in
        order: the checked boxes and radios only, the selected option of each select."""
        return [(str(element["name"]), value)
                for element in self.one(css).select("input[name], select[name], textarea[name]")
                for value in _values(element)]

    def form_fields(self, css: str = "form") -> dict[str, str | list[str]]:
        """``form_items`` as name -> value (a list where a name repeats, as checkboxes do)."""
        fields: dict[str, list[str]] = {}
        for name, value in self.form_items(css):
            fields.setdefault(name, []).append(value)
        return {name: values[0] if len(values) == 1 else values
                for name, values in fields.items()}


def _values(element: Tag) -> list[str]:
    """What a browser sends for one field: nothing, one value, or (a multiple select) several."""
    if element.name == "textarea":
        text = element.get_text()  # a browser drops the newline right after <textarea>
        return [text.removeprefix("\r\n") if text.startswith("\r\n") else text.removeprefix("\n")]
    if element.name == "select":
        options = element.select("option")
        chosen = [option for option in options if option.has_attr("selected")]
        if not chosen and options and not element.has_attr("multiple"):
            chosen = options[:1]
        return [str(option.get("value", option.get_text())) for option in chosen]
    kind = str(element.get("type", "text")).lower()
    if kind in ("checkbox", "radio") and not element.has_attr("checked"):
        return []
    if kind in ("submit", "button", "image", "reset", "file"):
        return []
    return [str(element.get("value", "on" if kind in ("checkbox", "radio") else ""))]


def page(response: TestResponse | str) -> Page:
    """The page of a test client's response (or an HTML string)."""
    if isinstance(response, str):
        return Page(response)
    return Page(response.get_data(as_text=True))
