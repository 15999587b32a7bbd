"""Values put into the HTML that Python writes: the pieces a page repeats dozens of times
(docs/architecture.md)."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# What markupsafe's escape replaces.
_SPECIAL = re.compile("[&<>\"']")


def escaped(value: object) -> str | Markup:
    """``escape(value)``: text with nothing to replace (most names, slugs and links) comes
    back as it is, which costs half of escaping it; anything else as markupsafe escapes it
    (Markup kept, other values made text and escaped)."""
    if type(value) is str and _SPECIAL.search(value) is None:
        return value
    return escape(value)


def lower_first(text: str) -> str:
    """``text`` with its first letter in lower case, unless it starts an abbreviation
    ("Acne" → "acne", "UV damage" stays)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text
