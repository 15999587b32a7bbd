"""Slugs: the last part of a page's address (``/articles/what-causes-milia``).

Every slug the shop makes or accepts (products, categories, brands, ingredients, articles,
conditions, authors, routine steps, shortcodes in an article) has one shape: words of
lower-case ASCII letters and digits joined by single hyphens. Anything else never reaches
SQL, so a request for ``/products/<5,000 characters>`` costs no query.
"""

from __future__ import annotations

import re
import unicodedata

# The one pattern (without anchors, so shortcodes can embed it); match it whole.
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG = re.compile(SLUG_PATTERN)
MAX_LENGTH = 120
_WORD = re.compile(r"[a-z0-9]+")


def is_slug(value: str | None, max_length: int = MAX_LENGTH) -> bool:
    """Whether ``value`` is a slug of at most ``max_length`` characters."""
    return value is not None and 0 < len(value) <= max_length and SLUG.fullmatch(value) is not None


def slugify(text: str | None, max_length: int = MAX_LENGTH) -> str:
    """A slug made from a title or a name: “Milia: what helps?” -> ``milia-what-helps``.

    Accents are dropped (“Avène” -> ``avene``); other characters that have no ASCII letter
    or digit in them separate words and are left out. A long text is cut between words,
    never after a hyphen; a first word longer than ``max_length`` is cut to it. An empty
    string when the text has no letters or digits at all.
    """
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = ""
    for word in _WORD.findall(ascii_text.lower()):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            return slug or word[:max_length]
        slug = candidate
    return slug
