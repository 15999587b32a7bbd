"""What a search looks for: the shopper's words, widened by synonyms and spelling fixes.

A search is a list of *groups*, all of which must match. A group is the shopper's word
(or a phrase that a synonym names, such as "chicken skin"), with its *alternatives*, any
one of which may match: "sunblock" or "sunscreen"; "niacinimide" or "niacinamide".

The MATCH and ``to_tsquery`` strings are written here from words that hold only letters,
digits and decimal points (see ``query``): nothing the shopper typed becomes syntax.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from storefront.search.query import (
    IGNORED_WORDS,
    MAX_TERMS,
    MIN_PREFIX_LENGTH,
    STOP_WORDS,
    SearchQuery,
    fold,
)

Phrase = tuple[str, ...]
MAX_PHRASE_WORDS = 4


@dataclass(frozen=True)
class Alternative:
    """Words that must all match: anywhere in the text, or next to each other (a phrase).

    The shopper's own words match as word starts ("retin" finds retinol) from three
    letters; a synonym's phrase ("fine lines") matches as it is written (stemmed, so
    "fine line" too).
    """

    words: Phrase
    phrase: bool = False

    def fts5(self) -> str:
        if self.phrase and len(self.words) > 1:
            return '"' + " ".join(self.words) + '"'
        parts = [_fts5_word(word) for word in self.words]
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def tsquery(self) -> str:
        if self.phrase and len(self.words) > 1:
            return "(" + " <-> ".join(self.words) + ")"
        parts = [_ts_word(word) for word in self.words]
        return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"


def _fts5_word(word: str) -> str:
    return f'"{word}"*' if len(word) >= MIN_PREFIX_LENGTH else f'"{word}"'


def _ts_word(word: str) -> str:
    return f"{word}:*" if len(word) >= MIN_PREFIX_LENGTH else word


@dataclass(frozen=True)
class Group:
    """One thing the shopper asked for: ``typed`` as they wrote it, and what may match it."""

    typed: Phrase
    alternatives: tuple[Alternative, ...]
    from_synonym: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.typed)

    def fts5(self) -> str:
        parts = [alternative.fts5() for alternative in self.alternatives]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def tsquery(self) -> str:
        parts = [alternative.tsquery() for alternative in self.alternatives]
        return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"

    def with_spellings(self, words: Iterable[str]) -> Group:
        extra = tuple(Alternative((word,)) for word in words)
        return replace(self, alternatives=self.alternatives + extra)


@dataclass(frozen=True)
class SearchPlan:
    """Every group must match; how the shopper's words were read is kept for the page."""

    groups: tuple[Group, ...]
    corrected: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    left_out: tuple[str, ...] = ()  # words no page has
    relaxed: tuple[str, ...] = ()  # words pages have, but never with the others

    @property
    def is_searchable(self) -> bool:
        return bool(self.groups)

    def fts5_match(self) -> str:
        return " AND ".join(group.fts5() for group in self.groups)

    def tsquery(self) -> str:
        return " & ".join(group.tsquery() for group in self.groups)

    def exact(self) -> SearchPlan | None:
        """Only the shopper's own words, as typed (no synonym, no other spelling): the
        rows they find rank above the rest, in their own order. None when that is the
        plan itself, or when a phrase typed means too little on its own ("retin a")."""
        groups = []
        for group in self.groups:
            own = group.alternatives[0]
            if own.words != group.typed:
                return None
            groups.append(replace(group, alternatives=(own,)))
        exact = SearchPlan(tuple(groups))
        return None if exact.fts5_match() == self.fts5_match() else exact

    def plain_words(self) -> list[str]:
        """The shopper's words that no synonym covers: the ones spelling can fix."""
        return [group.typed[0] for group in self.groups if not group.from_synonym]

    def with_spellings(self, spellings: Mapping[str, tuple[str, ...]]) -> SearchPlan:
        """Each word in ``spellings`` may also match the words given for it."""
        groups = tuple(
            group.with_spellings(spellings[group.typed[0]])
            if not group.from_synonym and spellings.get(group.typed[0]) else group
            for group in self.groups)
        return replace(self, groups=groups, corrected={
            word: found for word, found in spellings.items() if found})

    def without(self, words: set[str]) -> SearchPlan:
        """The plan with the shopper's ``words`` (that no page has) left out, unless that
        would leave nothing to search for."""
        kept = tuple(group for group in self.groups
                     if group.from_synonym or group.typed[0] not in words)
        if not kept or len(kept) == len(self.groups):
            return self
        dropped = tuple(group.text for group in self.groups if group not in kept)
        return replace(self, groups=kept, left_out=self.left_out + dropped)

    def relaxing(self, word: str) -> SearchPlan:
        """The plan without the shopper's ``word``, which pages have but not with the rest."""
        kept = tuple(group for group in self.groups
                     if group.from_synonym or group.typed[0] != word)
        return replace(self, groups=kept, relaxed=(*self.relaxed, word))


class Synonyms:
    """Phrases and what else each one finds, ready to read a query with."""

    def __init__(self, rules: Mapping[Phrase, Iterable[Phrase]] | None = None):
        self._rules: dict[Phrase, tuple[Phrase, ...]] = {}
        for source, targets in (rules or {}).items():
            self._rules[source] = tuple(dict.fromkeys(
                self._rules.get(source, ()) + tuple(targets)))
        self.longest = max((len(source) for source in self._rules), default=0)

    def __len__(self) -> int:
        return len(self._rules)

    def match(self, folded: Phrase, start: int) -> tuple[int, tuple[Phrase, ...]]:
        """The longest phrase starting at ``start``: (its length, what it also finds)."""
        for length in range(min(self.longest, len(folded) - start), 0, -1):
            targets = self._rules.get(folded[start:start + length])
            if targets:
                return length, targets
        return 0, ()


def plan(query: SearchQuery, synonyms: Synonyms) -> SearchPlan:
    """Read ``query``: phrases a synonym names become one group, other words their own."""
    words = query.words
    folded = tuple(fold(word) for word in words)
    groups: list[Group] = []
    position = 0
    while position < len(words) and len(groups) < MAX_TERMS:
        length, targets = synonyms.match(folded, position)
        if length:
            groups.append(_synonym_group(words[position:position + length], targets))
            position += length
            continue
        word = words[position]
        position += 1
        if word not in IGNORED_WORDS:
            groups.append(Group((word,), (Alternative((word,)),)))
    return SearchPlan(_unique(groups))


def _synonym_group(typed: Phrase, targets: tuple[Phrase, ...]) -> Group:
    """The phrase typed (unless a common word in it would make it mean little: the
    database drops "a" from "vitamin a", which would leave "vitamin") or any target."""
    alternatives = []
    if not any(word in STOP_WORDS for word in typed):
        alternatives.append(Alternative(typed, phrase=True))
    alternatives += [Alternative(target, phrase=True) for target in targets
                     if target != typed and not any(word in STOP_WORDS for word in target)]
    return Group(typed, tuple(dict.fromkeys(alternatives)), from_synonym=True)


def _unique(groups: list[Group]) -> tuple[Group, ...]:
    return tuple(dict.fromkeys(group for group in groups if group.alternatives))
