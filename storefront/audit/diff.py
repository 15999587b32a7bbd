"""How the audit log shows a change: short values before and after; a long text (an
article's body, a condition's "what helps") by the words removed and added, with a few words
around each change, rather than the whole text twice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

LONG = 120  # characters: a longer text is shown by what changed in it
CONTEXT_WORDS = 6  # words kept on each side of a change
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    kind: str  # "same", "removed" or "added"
    text: str


@dataclass(frozen=True)
class Hunk:
    """One stretch of changes with the words around it; ``starts``/``ends``: it reaches the
    beginning/end of the text (else the page shows an ellipsis there)."""

    pieces: list[Piece]
    starts: bool
    ends: bool


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any
    hunks: list[Hunk] | None = None  # for a long text changed: only what changed


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def _pieces(group, old: list[str], new: list[str]) -> list[Piece]:
    pieces = []
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            pieces.append(Piece("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("removed", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("added", "".join(new[j1:j2])))
    return pieces


def word_hunks(before: str, after: str, context: int = CONTEXT_WORDS) -> list[Hunk]:
    """The changes from ``before`` to ``after``, word by word, each with ``context`` words
    (and the spaces between them) on either side."""
    old, new = _tokens(before), _tokens(after)
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(context * 2):
        first, last = group[0], group[-1]
        hunks.append(Hunk(_pieces(group, old, new), starts=first[1] == 0 and first[3] == 0,
                          ends=last[2] == len(old) and last[4] == len(new)))
    return hunks


def shortened(value: Any) -> Any:
    """A value as the log shows it whole: long text is cut at ``LONG`` characters."""
    if isinstance(value, list | dict):
        value = str(value)
    if isinstance(value, str) and len(value) > LONG:
        return f"{value[:LONG].rstrip()}… ({len(value):,} characters)"
    return value


def describe(field: str, before: Any, after: Any) -> FieldChange:
    if isinstance(before, str) and isinstance(after, str) and max(len(before),
                                                                    len(after)) > LONG:
        return FieldChange(field, before, after, word_hunks(before, after))
    return FieldChange(field, shortened(before), shortened(after))
