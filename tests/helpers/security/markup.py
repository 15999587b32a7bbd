"""Read a page's HTML the way a browser would and list what could run script in it."""

from __future__ import annotations

import json
from html.parser import HTMLParser

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster",
                  "background", "srcset", "content"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
# {{1234*5678}} and ${1234*5678} evaluate to this: seen in a page's text, a template ran
# what someone typed.
TEMPLATE_RESULT = "7006652"


class _Audit(HTMLParser):
    def __init__(self, allow_style: bool):
        super().__init__(convert_charrefs=True)
        self.allow_style = allow_style
        self.problems: list[str] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler <{tag} {name}={value[:60]!r}>")
            elif name == "style" and not self.allow_style:
                self.problems.append(f"style attribute on <{tag}>")
            elif name == "autofocus" and tag not in ("input", "textarea", "select"):
                self.problems.append(f"autofocus on <{tag}>")
            elif name in URL_ATTRIBUTES:
                bare = "".join(value.split()).lower()
                if bare.startswith(DANGEROUS_SCHEMES) or (
                        tag == "meta" and "url=javascript:" in bare):
                    self.problems.append(f"script URL <{tag} {name}={value[:60]!r}>")
        if tag in ("iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            found = dict(attrs)
            self._script = {"type": (found.get("type") or "").lower(),
                            "src": found.get("src"), "text": ""}

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self._script is not None:
            self._script["text"] += data
        if TEMPLATE_RESULT in data:
            self.problems.append(f"a template expression was evaluated: {data[:80]!r}")

    def handle_endtag(self, tag):
        if tag != "script" or self._script is None:
            return
        script, self._script = self._script, None
        if script["type"] == "application/ld+json":
            try:
                json.loads(script["text"])
            except ValueError:
                self.problems.append(f"JSON-LD that is not JSON: {script['text'][:80]!r}")
        elif script["src"] is None:
            self.problems.append(f"inline <script>: {script['text'][:80]!r}")
        elif not script["src"].startswith("/") or script["src"].startswith("//"):
            self.problems.append(f"script from another site: {script['src'][:80]!r}")


def script_problems(html: str, *, allow_style: bool = False) -> list[str]:
    """Everything in ``html`` that would run script or break the CSP; empty when clean.

    Inline ``<script>`` (JSON-LD excepted, which must parse as JSON), ``on*`` handlers,
    ``javascript:`` URLs, frames and objects, and (unless ``allow_style``, for e-mails)
    ``style`` attributes; and the result of ``{{1234*5678}}`` in the text.
    """
    audit = _Audit(allow_style)
    audit.feed(html)
    audit.close()
    return audit.problems
