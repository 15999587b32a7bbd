"""Spelling: the words closest to one that no page uses, from the shop's own vocabulary.

The vocabulary (``search_word``) holds every word of the pages readers can see, lower case
and without accents. It is made whole by ``schema.rebuild_vocabulary`` (when the index is
installed, by ``flask search-vocabulary`` and by the periodic ``search-upkeep`` job), and a
saved product, article, condition, brand or ingredient adds its new words at once (an
``after_flush`` listener below, which ``create_app`` installs); words that went away are
dropped at the next rebuild.

Finding the candidates: PostgreSQL's pg_trgm (the "did you mean" recipe of its manual: the
words table, its GIN trigram index, ``%``); SQLite has nothing like it, so each process
keeps every word in memory (a few thousand), read again only when ``search_word_version``
says they changed (one small statement a lookup). Deciding is the same on both, with
rapidfuzz: the optimal string alignment distance (a swapped pair of letters is one typo)
within the typo allowance.

The allowance is more forgiving than Meilisearch's (one typo from five letters, two from
nine): one typo from five letters, two from eight (as Algolia), and from four letters two
letters swapped ("acen" is "acne"; a swap keeps the letters, so "kids" never becomes
"lids"). None in words with digits.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain

from flask import current_app
from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import CompoundSelect, bindparam, inspect, select, text, union
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storefront.catalog.models import Brand, Ingredient, Product, ProductStatus
from storefront.content.models import Article, Condition
from storefront.db import listen_once
from storefront.extensions import db
from storefront.search.models import SearchWord, SearchWordVersion
from storefront.search.query import MIN_PREFIX_LENGTH, fold
from storefront.search.schema import vocabulary_words

SWAP_FROM = 4
ONE_TYPO_FROM = 5
TWO_TYPOS_FROM = 8
MAX_SPELLINGS = 3  # close words tried for one misspelt word
# pg_trgm's similarity below which a word is not even a candidate: low, so that short
# words with one typo ("acen", 0.25 from "acne") are found; rapidfuzz decides.
TRIGRAM_THRESHOLD = 0.1
_LAST = "\U0010ffff"  # sorts after any letter: the end of the words starting with a prefix
_KEPT = "storefront.search_vocabulary"


def typos_allowed(word: str) -> int:
    if any(char.isdigit() for char in word) or len(word) < SWAP_FROM:
        return 0
    return 1 if len(word) < TWO_TYPOS_FROM else 2


def _within_allowance(word: str, candidate: str, distance: int) -> bool:
    if distance > typos_allowed(word):
        return False
    return len(word) >= ONE_TYPO_FROM or sorted(word) == sorted(candidate)


@dataclass(frozen=True)
class Lookup:
    """What the vocabulary says about one word.

    ``known``: some page has it (or, from three letters, a word starting with it), on
    ``documents`` pages (the most of any word it starts). ``close``: the most used words
    within the typo allowance, nearest first. ``near``: the nearest words, a little
    beyond it too, most used first, for "Did you mean".
    """

    known: bool
    close: tuple[str, ...] = ()
    near: tuple[str, ...] = ()
    documents: int = 0


def lookup(words: list[str]) -> dict[str, Lookup]:
    """What the vocabulary knows of each of ``words`` (one or two statements)."""
    folded = {word: fold(word) for word in words}
    wanted = sorted(set(folded.values()))
    if not wanted:
        return {}
    if db.session.get_bind().dialect.name == "postgresql":
        counts = dict(_postgres_candidates(wanted))
        return {word: _judge(plain, counts) for word, plain in folded.items()}
    known = _kept_words()
    return {word: _judge(plain, known.documents, known.in_order, known.of_length)
            for word, plain in folded.items()}


@dataclass(frozen=True)
class Words:
    """Every known word, in order, and the pages using each, as read at ``token``;
    ``of_length``: the words of each length."""

    in_order: list[str]
    documents: dict[str, int]
    token: str | None
    of_length: dict[int, list[str]]

    @classmethod
    def read(cls, documents: dict[str, int], token: str | None) -> Words:
        in_order = sorted(documents)
        of_length: dict[int, list[str]] = {}
        for word in in_order:
            of_length.setdefault(len(word), []).append(word)
        return cls(in_order, documents, token, of_length)


_VERSION = select(SearchWordVersion.token).where(SearchWordVersion.id == 1)
_EVERY_WORD = select(SearchWord.word, SearchWord.documents)


def _kept_words() -> Words:
    """Every word, kept by this process while ``search_word_version`` is unchanged: one
    statement, or two when the words changed (or three when the token is missing)."""
    connection = db.session.connection()  # plain rows: no ORM work to pay for
    token = connection.execute(_VERSION).scalar()
    kept: Words | None = current_app.extensions.get(_KEPT)
    if token is not None and kept is not None and kept.token == token:
        return kept
    words = Words.read(dict(connection.execute(_EVERY_WORD).all()), token)
    if token is not None:
        current_app.extensions[_KEPT] = words
    return words


_TRIGRAM_THRESHOLD = text("SELECT set_config('pg_trgm.similarity_threshold', :limit, true)")


def _postgres_candidates(wanted: list[str]):
    connection = db.session.connection()  # plain rows: no ORM work to pay for
    connection.execute(_TRIGRAM_THRESHOLD, {"limit": str(TRIGRAM_THRESHOLD)})
    starts = [word for word in wanted if len(word) >= MIN_PREFIX_LENGTH]
    values = {f"similar_{number}": word for number, word in enumerate(wanted)}
    values |= {f"start_{number}": word for number, word in enumerate(starts)}
    return connection.execute(_candidates(len(wanted), len(starts)), values).all()


@cache
def _candidates(similar: int, starts: int) -> CompoundSelect:
    """The known words similar to each of ``similar`` words, and for each of ``starts``
    words one known word it starts (is it a word's start? one is enough): built once for
    each number of words, run with the words as parameters ``similar_0``... and
    ``start_0``..."""
    words = select(SearchWord.word, SearchWord.documents)
    close = [words.where(SearchWord.word.op("%")(bindparam(f"similar_{number}")))
             for number in range(similar)]
    beginning = [select(start) for start in (
        words.where(SearchWord.word.startswith(bindparam(f"start_{number}"))).limit(1)
        .subquery() for number in range(starts))]
    return union(*close, *beginning)


def _documents_starting(word: str, counts: Mapping[str, int],
                        in_order: Sequence[str]) -> int | None:
    """The most pages of a known word that is ``word`` or, from three letters, starts with
    it (None: there is none)."""
    if len(word) < MIN_PREFIX_LENGTH:
        return counts.get(word)
    start = bisect_left(in_order, word)
    end = bisect_left(in_order, word + _LAST, start)
    return max((counts[known] for known in in_order[start:end]), default=None)


def _judge(word: str, counts: Mapping[str, int], in_order: Sequence[str] | None = None,
           of_length: Mapping[int, Sequence[str]] | None = None) -> Lookup:
    """What ``counts`` (known words, or the candidates for ``word``, with the pages using
    each; ``in_order``: the same words, sorted; ``of_length``: the same words by length)
    says of ``word``."""
    in_order = sorted(counts) if in_order is None else in_order
    documents = _documents_starting(word, counts, in_order)
    if documents is not None:
        return Lookup(known=True, documents=documents)
    if not word.isalpha():
        return Lookup(known=False)
    most = typos_allowed(word) + 1  # the distance "near" words may have
    # A word more letters longer or shorter is further away than that: not compared.
    candidates = in_order if of_length is None else list(chain.from_iterable(
        of_length.get(length, ()) for length in range(len(word) - most, len(word) + most + 1)))
    matches = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=most,
                              limit=None)
    found = [(candidate, distance) for candidate, distance, _ in matches
             if not candidate.isdigit()]
    if not found:
        return Lookup(known=False)
    # Nearest first, then the most used.
    found.sort(key=lambda pair: (pair[1], -counts[pair[0]], pair[0]))
    allowed = [(candidate, distance) for candidate, distance in found
               if _within_allowance(word, candidate, distance)]
    close = tuple(candidate for candidate, distance in allowed if distance == allowed[0][1])
    near = tuple(candidate for candidate, distance in found if distance == found[0][1])
    return Lookup(known=False, close=close[:MAX_SPELLINGS], near=near[:MAX_SPELLINGS])


# --- New words as pages are saved -----------------------------------------------------------

_TEXT_FIELDS = {
    Product: ("name", "short_description", "description", "ingredients_list"),
    Article: ("title", "question", "summary", "body"),
    Condition: ("name", "summary", "causes", "what_helps"),
    Brand: ("name",),
    Ingredient: ("name",),
}


_VISIBILITY = ("status", "published_at")


def _shown(obj) -> bool:
    if isinstance(obj, Product):
        return obj.status == ProductStatus.ACTIVE
    if isinstance(obj, Article):
        return obj.is_visible()
    return True


def _new_text(session: Session, obj) -> list[str]:
    """The text of ``obj`` if it is new, or its text or visibility changed in this flush."""
    fields = _TEXT_FIELDS.get(type(obj))
    if not fields or not _shown(obj):
        return []
    if obj not in session.new:
        attrs = inspect(obj).attrs
        watched = [name for name in (*fields, *_VISIBILITY) if name in attrs]
        if not any(attrs[name].history.has_changes() for name in watched):
            return []
    return [str(getattr(obj, name) or "") for name in fields]


def install_listeners() -> None:
    """Add the new words of each flush (called by create_app)."""
    listen_once(Session, "after_flush", _add_new_words)


def _add_new_words(session: Session, _context) -> None:
    """Words of a page saved just now are found, misspelt, before the next rebuild."""
    texts = list(chain.from_iterable(_new_text(session, obj)
                                     for obj in chain(session.new, session.dirty)))
    words = vocabulary_words(" ".join(texts))
    if not words:
        return
    connection = session.connection()
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(insert(SearchWord).on_conflict_do_nothing(),
                       [{"word": word, "documents": 1} for word in sorted(words)])
