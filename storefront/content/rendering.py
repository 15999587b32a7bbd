"""Markdown to safe HTML, with editor shortcodes filled in when the page is shown.

An article body is Markdown. ``[[product:SLUG]]`` on a line of its own becomes a live
product card (inside a sentence, a link with the product's name), and
``[[article:SLUG]]`` becomes a link with that article's title. Shortcodes are only
recognised in running text: inside code spans and code blocks they stay as written,
and a backslash before the first bracket (``\\[[...]]``) keeps one literally.

The expensive part (Markdown parsing and sanitising) is cached per article version as
HTML with placeholders; cards and links go in at view time, so prices, stock and
titles are always current.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from hashlib import blake2b
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markupsafe import Markup, escape

from storefront.slugs import SLUG_PATTERN

SHORTCODE_KINDS = ("product", "article")
_SHORTCODE = re.compile(rf"\[\[(product|article):({SLUG_PATTERN})\]\]")

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s",
    "del", "ins", "mark", "small", "sub", "sup", "abbr", "cite", "q", "kbd", "code", "pre",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with everything inside them (other unknown tags keep their text).
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript",
                        "template", "textarea", "select", "title", "svg", "math"}
_ANCHOR = re.compile(r"<a\b([^>]*)>")
_HREF = re.compile(r'\bhref="([^"]*)"')


@dataclass(frozen=True)
class Shortcode:
    kind: str
    slug: str
    block: bool = False

    @property
    def fallback_text(self) -> str:
        """Words to show when the target is gone and nothing better is known."""
        return self.slug.replace("-", " ")


@dataclass(frozen=True)
class RenderedMarkdown:
    """Sanitised HTML in which ``marker(i)`` stands for ``shortcodes[i]``."""

    html: str
    nonce: str
    shortcodes: tuple[Shortcode, ...]

    def split(self) -> list[str | Shortcode]:
        """The HTML as a list of safe HTML strings and the shortcodes between them."""
        parts = re.split(rf"sc{self.nonce}x(\d+)x", self.html)
        return [self.shortcodes[int(part)] if index % 2 else part
                for index, part in enumerate(parts)]


# --- Markdown-it plug-in -------------------------------------------------------------

def _shortcode_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = _SHORTCODE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        token = state.push("shortcode", "", 0)
        token.meta = {"kind": match.group(1), "slug": match.group(2), "block": False}
        token.content = match.group(0)
    state.pos = match.end()
    return True


def _mark_block_cards(state: StateCore) -> None:
    """A product shortcode alone in its paragraph is a card: drop the <p> around it."""
    tokens = state.tokens
    for index in range(1, len(tokens) - 1):
        inline = tokens[index]
        children = inline.children or []
        if (inline.type == "inline" and len(children) == 1
                and children[0].type == "shortcode" and children[0].meta["kind"] == "product"
                and tokens[index - 1].type == "paragraph_open"
                and tokens[index + 1].type == "paragraph_close"):
            children[0].meta["block"] = True
            tokens[index - 1].hidden = True
            tokens[index + 1].hidden = True


def _demote_h1(state: StateCore) -> None:
    """The page title is the only <h1>; a "# heading" in a body becomes an <h2>."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"


def _render_shortcode(renderer, tokens, index, options, env) -> str:
    meta = tokens[index].meta
    found = env.setdefault("shortcodes", [])
    found.append(Shortcode(meta["kind"], meta["slug"], meta["block"]))
    marker = f"sc{env['nonce']}x{len(found) - 1}x"
    return f"\n{marker}\n" if meta["block"] else marker


def _build_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "shortcode", _shortcode_rule)
    md.core.ruler.after("inline", "shortcode_blocks", _mark_block_cards)
    md.core.ruler.after("shortcode_blocks", "demote_h1", _demote_h1)
    md.add_render_rule("shortcode", _render_shortcode)
    return md


_markdown = _build_markdown()


# --- Sanitising ----------------------------------------------------------------------

def _is_external(href: str) -> bool:
    href = html.unescape(href).strip().lower()
    return href.startswith(("http://", "https://", "//"))


def _add_rel(match: re.Match) -> str:
    attributes = match.group(1)
    href = _HREF.search(attributes)
    if href and _is_external(href.group(1)):
        return f'<a{attributes} rel="noopener">'
    return match.group(0)


def sanitise(raw_html: str) -> str:
    """Keep only harmless tags, attributes and link schemes; mark external links."""
    cleaned = nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    # nh3's output is well-formed with every attribute quoted and '>' escaped, so a
    # start tag can be matched reliably here.
    return _ANCHOR.sub(_add_rel, cleaned)


def render_markdown(text: str) -> RenderedMarkdown:
    """Parse and sanitise ``text`` (no cache). Shortcodes become placeholders."""
    env: dict[str, Any] = {"nonce": secrets.token_hex(6), "shortcodes": []}
    raw = _markdown.render(text or "", env)
    return RenderedMarkdown(sanitise(raw), env["nonce"], tuple(env["shortcodes"]))


def find_shortcodes(text: str) -> list[Shortcode]:
    """The shortcodes an author used in ``text``, in order (code spans excluded)."""
    return list(render_markdown(text).shortcodes)


# --- Cache ---------------------------------------------------------------------------

class _LRUCache:
    """A small thread-safe least-recently-used cache for this process."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_cache = _LRUCache(maxsize=512)


def cache_get(key: str) -> RenderedMarkdown | None:
    """The cached rendering for ``key``. A shared store (Redis) can replace this pair."""
    return _cache.get(key)


def cache_set(key: str, value: RenderedMarkdown) -> None:
    _cache.set(key, value)


def clear_cache() -> None:
    _cache.clear()


def cached_markdown(key: str, text: str) -> RenderedMarkdown:
    """``render_markdown(text)``, remembered under ``key`` plus a digest of the text.

    The digest keeps a recycled id (SQLite reuses the highest id after a delete) from
    ever serving another text's HTML.
    """
    digest = blake2b((text or "").encode(), digest_size=8).hexdigest()
    full_key = f"{key}:{digest}"
    rendered = cache_get(full_key)
    if rendered is None:
        rendered = render_markdown(text)
        cache_set(full_key, rendered)
    return rendered


def rendered_article(article) -> RenderedMarkdown:
    """The article's body, rendered once per (id, version)."""
    return cached_markdown(f"article:{article.id}:{article.version}", article.body)


# --- Filling shortcodes in -----------------------------------------------------------

ShortcodeRenderer = Callable[[Shortcode], str | None]


def fill_shortcodes(rendered: RenderedMarkdown, render: ShortcodeRenderer) -> Markup:
    """Safe HTML with each shortcode replaced by ``render(shortcode)``.

    ``render`` returns safe HTML, or None when the target no longer resolves; then the
    shortcode's fallback text is shown, escaped.
    """
    out = []
    for part in _parts(rendered):
        if isinstance(part, Shortcode):
            filled = render(part)
            out.append(str(escape(part.fallback_text)) if filled is None else filled)
        else:
            out.append(part)
    return Markup("".join(out))  # noqa: S704 (sanitised above; shortcodes render escaped)


def plain_text(rendered: RenderedMarkdown, labels: Mapping[Shortcode, str]) -> str:
    """The text a reader sees, without markup (for structured data and feeds)."""
    pieces = [labels.get(part, part.fallback_text) if isinstance(part, Shortcode) else part
              for part in _plain_parts(rendered)]
    # Runs of whitespace as one space, none at the ends: what re.sub(r"\s+", " ", ...)
    # and strip() give (both split on str.isspace()), at a quarter of the cost.
    return " ".join("".join(pieces).split())


# What a rendering splits into, and its text without markup, depend on nothing else: each
# is worked out once for the renderings in use (the page shows the same article again).

@lru_cache(maxsize=512)
def _parts(rendered: RenderedMarkdown) -> tuple[str | Shortcode, ...]:
    return tuple(rendered.split())


@lru_cache(maxsize=512)
def _plain_parts(rendered: RenderedMarkdown) -> tuple[str | Shortcode, ...]:
    return tuple(part if isinstance(part, Shortcode)
                 else html.unescape(nh3.clean(part, tags=set()))
                 for part in _parts(rendered))
