"""Snippets from the database made safe to show: escaped, with only our own ``<mark>`` tags.

The database wraps matched words in two control characters that no editor types. The whole
snippet is escaped first; only then do those characters become ``<mark>`` and ``</mark>``.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

START = "\x02"
STOP = "\x03"
ELLIPSIS = "…"

_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")
# Markdown and editor shortcodes read badly in a one-line excerpt.
_SHORTCODE = re.compile(r"\[\[[^\]]*\]\]")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"[*_`|]+")
_LINE_MARKERS = re.compile(r"^\s*(?:#+|>+|[-+])\s+", re.MULTILINE)


def _plain(text: str) -> str:
    text = _SHORTCODE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _LINE_MARKERS.sub(" ", text)
    text = _EMPHASIS.sub(" ", text)
    return " ".join(text.split())


def highlight(snippet: str | None) -> Markup | None:
    """HTML for a snippet with its matches in ``<mark>``, or None when nothing matched."""
    if not snippet or START not in snippet:
        return None
    html = str(escape(_plain(snippet)))
    html = _MARKED.sub(r"<mark>\1</mark>", html)
    html = html.replace(START, "").replace(STOP, "")
    return Markup(html)  # noqa: S704  (escaped above; only our own tags were added)
