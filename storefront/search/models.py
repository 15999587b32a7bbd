"""What search keeps besides its index: synonyms, the vocabulary, and what people searched for.

``SearchSynonym`` rows are edited by the shop's owner in the admin; ``SearchWord`` is the
list of words the shop's pages use (for typo tolerance), rebuilt from the indexed text, and
``SearchWordVersion`` says when it last changed; ``SearchCount`` holds how often each
search was made per day, without anything about who made it.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storefront.db import TimestampMixin, enum_column
from storefront.extensions import Model


class SynonymKind(enum.StrEnum):
    ONE_WAY = "one_way"  # the words typed also find the targets, not the other way round
    MULTI_WAY = "multi_way"  # every phrase finds every other


class SearchSynonym(TimestampMixin, Model):
    """Phrases that mean the same to shoppers: ``terms`` (and ``targets``), comma-separated.

    One-way: a search for any of ``terms`` also finds pages with any of ``targets``
    ("Renova" finds tretinoin; "tretinoin" does not find pages that say "Renova").
    Multi-way: ``terms`` lists phrases that each find all the others; ``targets`` is empty.
    """

    __tablename__ = "search_synonym"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SynonymKind] = mapped_column(enum_column(SynonymKind))
    terms: Mapped[str] = mapped_column(String(300))
    targets: Mapped[str] = mapped_column(String(300), default="")

    def __repr__(self) -> str:
        return f"<SearchSynonym {self.terms!r} {self.kind.value} {self.targets!r}>"


class SearchWord(Model):
    """A word of the indexed text (lower case, accents removed) and how many pages use it.

    On PostgreSQL ``word`` also has a trigram index (``schema.VOCABULARY_TRIGRAM_INDEX``,
    outside the models) that finds the words closest to a misspelling.
    """

    __tablename__ = "search_word"

    word: Mapped[str] = mapped_column(String(60), primary_key=True)
    documents: Mapped[int] = mapped_column(default=1)


class SearchWordVersion(Model):
    """Which state of ``search_word`` this is: one row, whose ``token`` database triggers
    (``schema``) replace with a new random one whenever the words change. A process keeps
    the words in memory for as long as the token is the one it read them with."""

    __tablename__ = "search_word_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


class SearchCount(Model):
    """How many times a search was made on a day, and how many results it found last.

    ``query`` is the normalised text (lower case, single spaces); nothing about the
    person searching is kept: no address, account, session or time of day.
    """

    __tablename__ = "search_count"
    __table_args__ = (
        CheckConstraint("searches > 0", name="searches_positive"),
        Index("ix_search_count_day", "day"),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    query: Mapped[str] = mapped_column(String(100), primary_key=True)
    searches: Mapped[int] = mapped_column(default=1)
    results: Mapped[int | None]  # unknown until a worker renders the page that day
