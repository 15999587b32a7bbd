"""Read a page as a reader does: a small element tree from the standard library's parser,
with the few questions tests ask of it (what does this part say, where do its links go)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        """The words a reader sees in this element, whitespace collapsed."""
        return " ".join("".join(self._texts()).split())

    def _texts(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            elif child.tag not in ("script", "style"):
                yield " "
                yield from child._texts()
                yield " "

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None,
                 where: Callable[[Element], bool] | None = None, **attrs) -> list[Element]:
        return [element for element in self.iter()
                if (tag is None or element.tag == tag)
                and (cls is None or cls in element.classes)
                and all(element.attrs.get(name) == value for name, value in attrs.items())
                and (where is None or where(element))]

    def find(self, tag: str | None = None, cls: str | None = None, **kwargs) -> Element:
        found = self.find_all(tag, cls, **kwargs)
        assert found, f"no <{tag or '*'}> with class {cls!r} and {kwargs}"
        return found[0]

    def by_id(self, element_id: str) -> Element:
        return self.find(id=element_id)

    def links(self) -> list[tuple[str, str]]:
        """(href, text) of every link inside, in order."""
        return [(a.attrs.get("href", ""), a.text) for a in self.find_all("a")]

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def closest(self, where: Callable[[Element], bool]) -> Element | None:
        return next((node for node in self.ancestors() if where(node)), None)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(
            Element(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def read(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


PRODUCT_HREF = re.compile(r"^/products/([a-z0-9-]+)(?:\?|$)")


def product_slug(href: str) -> str | None:
    match = PRODUCT_HREF.match(href)
    return match.group(1) if match else None
