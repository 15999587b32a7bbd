"""What the shopper typed, reduced to plain words we can safely hand to the database.

No character of the input reaches MATCH or ``to_tsquery`` as syntax: the text is split into
runs of letters and digits (a decimal such as "0.3" stays one word), and the query strings
are written by us from those words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
# Shorter words ("c" in "vitamin c", "uv") must match whole; longer ones also match as
# the start of a longer word ("retin" finds retinol and retinoid).
MIN_PREFIX_LENGTH = 3

# A decimal number ("0.3", "2,5") or a run of letters and digits.
_WORD = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+")

# Words too common to narrow a search. PostgreSQL's English configuration drops them
# anyway; dropping them here too makes SQLite behave the same.
_STOP_WORDS = """
a about after all also am an and any are as at be been before being between both but by
can could d did do does doing don during each for from had has have having he her here
hers him his how i if in into is it its just ll m me more most my no nor not now of off on
once only or other our ours out over own re s same she should so some such t than that the
their theirs them then there these they this those through to too under until up ve very
was we were what when where which while who whom why will with would you your yours
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
# Words that say nothing about what a shopper wants ("best moisturiser for dry skin",
# "retinol vs tretinoin"): left out of searches like the common words.
NOISE_WORDS = frozenset({
    "best", "better", "good", "great", "top", "buy", "cheap", "cheapest", "price",
    "recommend", "recommended", "vs", "versus", "please",
})
IGNORED_WORDS = STOP_WORDS | NOISE_WORDS


@dataclass(frozen=True)
class SearchQuery:
    """The cleaned-up search: the words searched for and what had to be left out."""

    text: str
    terms: tuple[str, ...]
    was_trimmed: bool = False
    dropped_terms: tuple[str, ...] = ()
    common_words: tuple[str, ...] = ()
    # Every word in the order typed, common ones included, up to the last one searched
    # for: synonyms are phrases ("Retin-A", "vitamin A") that may hold common words.
    words: tuple[str, ...] = ()

    @property
    def is_blank(self) -> bool:
        """Nothing was typed at all."""
        return not self.text

    @property
    def is_searchable(self) -> bool:
        return bool(self.terms)

    def fts5_match(self) -> str:
        """An FTS5 MATCH expression: every word, quoted, implicitly ANDed."""
        return " ".join(f'"{term}"*' if _is_prefix(term) else f'"{term}"'
                        for term in self.terms)

    def tsquery(self) -> str:
        """A ``to_tsquery`` expression: every word ANDed."""
        return " & ".join(f"{term}:*" if _is_prefix(term) else term for term in self.terms)


def _is_prefix(term: str) -> bool:
    return len(term) >= MIN_PREFIX_LENGTH


def parse_query(raw: str | None) -> SearchQuery:
    """Read the ``q`` parameter forgivingly: any input gives a query, perhaps an empty one."""
    raw = (raw or "")[: MAX_QUERY_LENGTH * 4]  # plenty to fill the limit after normalising
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    was_trimmed = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH].strip()
    sequence = words_of(text)
    words = _unique(sequence)
    common = tuple(word for word in words if word in IGNORED_WORDS)
    terms = [word for word in words if word not in IGNORED_WORDS]
    return SearchQuery(
        text=text,
        terms=tuple(terms[:MAX_TERMS]),
        was_trimmed=was_trimmed,
        dropped_terms=tuple(terms[MAX_TERMS:]),
        common_words=common,
        words=_before(sequence, set(terms[MAX_TERMS:])),
    )


def words_of(text: str) -> list[str]:
    """The words of ``text``, lower case, in order (decimal commas become points)."""
    return [word.casefold().replace(",", ".") for word in _WORD.findall(text)]


def fold(word: str) -> str:
    """``word`` without accents ("crème" is "creme"), as the vocabulary keeps it."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _unique(words) -> list[str]:
    return list(dict.fromkeys(words))


def _before(sequence: list[str], dropped: set[str]) -> tuple[str, ...]:
    """``sequence`` up to the first word left out of the search."""
    end = next((index for index, word in enumerate(sequence) if word in dropped),
               len(sequence))
    return tuple(sequence[:end])
