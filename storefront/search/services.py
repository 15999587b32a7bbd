"""Run a search: one statement for the three kinds of result, whatever the number of matches.

SQLite ranks with FTS5's ``bm25()`` and cuts snippets with ``snippet()``; PostgreSQL ranks
with ``ts_rank_cd`` and cuts snippets with ``ts_headline``. The column weights come from
the index definitions in ``schema``, so names and titles count most on both.

What is searched for is a ``plan``: the shopper's words, each with the phrases the owner's
synonyms give it. Only when that finds nothing at all does spelling come in: words that
no page uses are also searched for as the closest words that pages do use (and words
that nothing resembles are left out), so an exact search is never changed or outranked
by a guess. When even that finds nothing, the page offers "Did you mean" searches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.orm import lazyload, load_only

from storefront.catalog.models import Product, ProductStatus
from storefront.catalog.services import card_only_options
from storefront.content.models import Article, Condition
from storefront.db import utcnow
from storefront.extensions import db
from storefront.search import schema, synonyms, vocabulary
from storefront.search.plan import SearchPlan, Synonyms, plan
from storefront.search.query import SearchQuery
from storefront.search.snippets import ELLIPSIS, START, STOP, highlight

# The names of a search statement's parameters (the statements are built once for each
# kind of result and shape of plan, and run with these values: see ``_parameters``).
MATCH, EXACT, NOW = "match", "exact", "visible_now"
# bm25() weight of a column by its tier; PostgreSQL's ts_rank_cd weights in the same ratio.
BM25_WEIGHTS = {"A": 10.0, "B": 4.0, "C": 2.0, "D": 1.0}
TS_RANK_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'::float4[]"  # D, C, B, A
SNIPPET_TOKENS = 24
HEADLINE_OPTIONS = (f'StartSel="{START}", StopSel="{STOP}", MaxWords=30, MinWords=12, '
                    f'ShortWord=2, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "')


def _active_products() -> list[ColumnElement[bool]]:
    return [Product.status == ProductStatus.ACTIVE]


def _hidden_products() -> Select:
    """The products shoppers cannot see: few, found through the status index."""
    return select(Product.id).where(or_(*(Product.status == status for status in ProductStatus
                                          if status != ProductStatus.ACTIVE)))


def _visible_now() -> Any:
    return bindparam(NOW, type_=Article.published_at.type)  # a datetime, when run


def _visible_articles() -> list[ColumnElement[bool]]:
    return [Article.visible_clause(_visible_now())]


def _hidden_articles() -> Select:
    """The articles readers cannot see now (drafts, those not yet published): read from
    the index on (status, published_at)."""
    return select(Article.id).where(not_(Article.visible_clause(_visible_now())))


def _every_row() -> list[ColumnElement[bool]]:
    return []


@dataclass(frozen=True)
class Kind:
    """One kind of result: its model, index, which rows count, and where snippets come from."""

    model: Any
    index: schema.SearchIndex
    limit: int
    snippet_fields: tuple[str, ...]
    filters: Callable[[], list[ColumnElement[bool]]] = _every_row
    # The ids of the rows ``filters`` leaves out (None: none), for a backend whose index
    # holds every row: the few that readers cannot see are left out of its matches, so
    # counting and ranking read the index alone.
    hidden: Callable[[], Select] | None = None
    options: tuple = ()
    label: str = "name"  # the attribute suggestions show


# Products are shown as cards: only the columns a card reads, with its brand, sizes and
# pictures joined into the search's statement (whose rows are not all products).
PRODUCTS = Kind(Product, schema.PRODUCTS, 24, ("description", "ingredients_list"),
                _active_products, _hidden_products, card_only_options(outer=True))
# Articles and conditions are listed by title (name), kind and summary: their texts (read
# for snippets from the index) and an article's author are not loaded.
ARTICLES = Kind(Article, schema.ARTICLES, 10, ("summary", "question", "body"), _visible_articles,
                _hidden_articles,
                (load_only(Article.id, Article.slug, Article.title, Article.summary,
                           Article.kind, Article.status, Article.published_at,
                           Article.version),
                 lazyload(Article.author)),
                label="title")
CONDITIONS = Kind(Condition, schema.CONDITIONS, 10, ("summary", "causes", "what_helps"),
                  options=(load_only(Condition.id, Condition.slug, Condition.name,
                                     Condition.summary),))
KINDS = (PRODUCTS, ARTICLES, CONDITIONS)  # in the order of a search's statement's columns


@dataclass(frozen=True)
class Hit:
    item: Any
    snippet: Markup | None


@dataclass(frozen=True)
class Section:
    hits: list[Hit]
    total: int

    @property
    def is_cut_short(self) -> bool:
        return self.total > len(self.hits)


MAX_SUGGESTIONS = 4
MAX_RELAXED = 2  # words left out, at most, to find something


@dataclass(frozen=True)
class SearchResults:
    products: Section
    articles: Section
    conditions: Section
    plan: SearchPlan | None = None
    # Other searches to offer when nothing was found ("Did you mean").
    suggestions: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.products.total + self.articles.total + self.conditions.total

    @property
    def corrected(self) -> dict[str, tuple[str, ...]]:
        return dict(self.plan.corrected) if self.plan else {}

    @property
    def left_out(self) -> tuple[str, ...]:
        return self.plan.left_out if self.plan else ()

    @property
    def relaxed(self) -> tuple[str, ...]:
        return self.plan.relaxed if self.plan else ()


def search(query: SearchQuery, rules: Synonyms | None = None) -> SearchResults:
    """The best products, articles and conditions for ``query``, each ranked best first."""
    searched = plan(query, synonyms.current() if rules is None else rules)
    results = run(searched)
    if results.total or not searched.plain_words():
        return results
    return _second_chance(searched)


def run(searched: SearchPlan) -> SearchResults:
    """Exactly what ``searched`` says (one statement)."""
    if not searched.is_searchable:
        empty = Section([], 0)
        return SearchResults(empty, empty, empty, searched)
    parameters = _parameters(searched)
    statement = _ranked(_dialect(), EXACT in parameters)
    hits: list[list[Hit]] = [[] for _ in KINDS]
    totals = [0 for _ in KINDS]
    for row in db.session.execute(statement, parameters).unique():
        number = row.kind
        hits[number].append(Hit(row[number], highlight(row.snippet)))
        totals[number] = row.total
    products, articles, conditions = (Section(found, total)
                                      for found, total in zip(hits, totals, strict=True))
    return SearchResults(products, articles, conditions, searched)


def _second_chance(searched: SearchPlan) -> SearchResults:
    """Nothing matched: fix spelling and leave out words no page has; failing that, leave
    out the most common words that are never found with the others; failing that,
    suggest other searches."""
    found = vocabulary.lookup(searched.plain_words())
    spellings = {word: info.close for word, info in found.items() if not info.known}
    unknown = {word for word, info in found.items() if not info.known and not info.close}
    better = searched.with_spellings(spellings).without(unknown)
    if better != searched:
        results = run(better)
        if results.total:
            return results
    relaxed = _relaxed(better, found)
    if relaxed is not None:
        return run(relaxed)
    empty = Section([], 0)
    return SearchResults(empty, empty, empty, searched, _did_you_mean(searched, found))


def _relaxed(searched: SearchPlan, found: dict[str, vocabulary.Lookup]) -> SearchPlan | None:
    """``searched`` without its most used words (those saying least), one at a time and at
    most ``MAX_RELAXED``, as soon as it finds something (one statement per try)."""
    common = sorted((info.documents, word) for word, info in found.items()
                    if info.known and word in searched.plain_words())
    for _, word in reversed(common[-MAX_RELAXED:]):
        if len(searched.groups) < 2:
            return None
        searched = searched.relaxing(word)
        if _anything(searched):
            return searched
    return None


def _anything(searched: SearchPlan) -> bool:
    """Does ``searched`` find any product, article or condition?"""
    return any(db.session.execute(_anything_statement(_dialect()),
                                  _parameters(searched)).one())


def _anything_statement(dialect: str) -> Select:
    key = ("anything", dialect)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = select(*(_matcher(kind, dialect, exact=False).count.scalar_subquery()
                                    for kind in KINDS))
    return _STATEMENTS[key]


def _did_you_mean(searched: SearchPlan, found: dict[str, vocabulary.Lookup]) -> tuple[str, ...]:
    """The search with its unknown words replaced by the nearest known ones (for one word:
    each of its nearest), then, for several words never found together, each part."""
    def nearest(group) -> tuple[str, ...]:
        info = None if group.from_synonym else found.get(group.typed[0])
        return info.near if info is not None and not info.known and info.near else (group.text,)

    if len(searched.groups) == 1:
        offers = list(nearest(searched.groups[0]))
    else:
        offers = [" ".join(nearest(group)[0] for group in searched.groups)]
        offers += [nearest(group)[0] for group in searched.groups]
    typed = " ".join(group.text for group in searched.groups)
    offers = [offer for offer in dict.fromkeys(offers) if offer != typed]
    return tuple(offers[:MAX_SUGGESTIONS])


# Statements by (what, dialect, ...): building one costs more than running it on a small
# shop, and a built statement keeps its cache key, so each is built once per process.
_STATEMENTS: dict[tuple, Any] = {}


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _parameters(searched: SearchPlan) -> dict[str, Any]:
    """The values of the parameters of any search statement for ``searched``."""
    exact = searched.exact()
    if _dialect() == "sqlite":
        match, own = searched.fts5_match(), exact.fts5_match() if exact else None
    else:
        match, own = searched.tsquery(), exact.tsquery() if exact else None
    values = {MATCH: match, NOW: utcnow()}
    if own is not None:
        values[EXACT] = own
    return values


def _first_marked(snippets: list[ColumnElement[Any]]) -> ColumnElement[Any]:
    """The first of ``snippets`` (one per field, in order) that marks a match, or else the
    last: a snippet is cut again where it is the one, and not at all after it."""
    *tried, last = snippets
    if not tried:
        return last
    return case(*((snippet.contains(START), snippet) for snippet in tried), else_=last)


@dataclass(frozen=True)
class Matcher:
    """How one backend finds and ranks a plan's rows of one kind.

    ``restrict`` adds the full-text match to a statement over the kind's model; ``snippet``
    is the excerpt shown (of the first field with a match); ``order``
    sorts best first: the rows the shopper's own words find (``SearchPlan.exact``), in
    their own order, then those found through a synonym or another spelling. ``best``
    is the ids of the best rows readers can see (at most ``limit``), and ``count`` how
    many they can see.
    """

    restrict: Callable[[Select], Select]
    order: tuple[ColumnElement, ...]  # sort keys, ascending
    snippet: ColumnElement[Any]
    best: Callable[[int], Select]
    count: Select


def _matcher(kind: Kind, dialect: str, exact: bool) -> Matcher:
    """How to find ``kind`` on ``dialect`` (with the shopper's own words ranked first
    when ``exact``), with the parameters ``_parameters`` gives values."""
    if dialect == "sqlite":
        return _sqlite_matcher(kind, exact)
    return _postgres_matcher(kind, exact)


def _ranked(dialect: str, exact: bool) -> Select:
    """The best rows of each kind, with each kind's total count and the rows' snippets, in
    one statement: rows of (product, article, condition; one of them set, in the column
    that ``kind`` numbers), ``kind``, ``total`` and ``snippet``, best first within a kind.

    Each kind's best ids are chosen first (its ``best``), so snippets are cut, and rows
    loaded, only for the rows shown, not for every match: a common word matches a good
    part of a large shop. Its count is a scalar subquery rather than ``count(*) OVER ()``:
    FTS5 refuses its ranking functions next to a window. The hits of the three kinds are
    one materialised union (a snippet is cut once, however many sizes and pictures of a
    product are joined to it), to which the rows themselves are joined: one round trip
    and one round of SQLAlchemy's statement handling for the whole search.
    """
    key = ("ranked", dialect, exact)
    if key in _STATEMENTS:
        return _STATEMENTS[key]
    branches = []
    for number, kind in enumerate(KINDS):
        matcher = _matcher(kind, dialect, exact)
        branches.append(
            matcher.restrict(select(
                literal_column(str(number), Integer).label("kind"),
                kind.model.id.label("id"),
                matcher.count.scalar_subquery().correlate(None).label("total"),
                matcher.snippet.label("snippet"),
                *(key.label(f"key_{place}") for place, key in enumerate(matcher.order))))
            .where(kind.model.id.in_(matcher.best(kind.limit))))
    hits = union_all(*branches).cte("hits").prefix_with("MATERIALIZED")
    statement = select(*(kind.model for kind in KINDS), hits.c.kind, hits.c.total,
                       hits.c.snippet).select_from(hits)
    for number, kind in enumerate(KINDS):
        statement = statement.outerjoin(
            kind.model, and_(hits.c.kind == number, kind.model.id == hits.c.id))
    keys = [column for column in hits.c if column.key.startswith("key_")]
    statement = (statement.order_by(hits.c.kind, *keys, hits.c.id)
                 .options(*(option for kind in KINDS for option in kind.options)))
    _STATEMENTS[key] = statement
    return statement


def _sqlite_matcher(kind: Kind, exact: bool) -> Matcher:
    """FTS5: the index holds every row, so the few that readers cannot see (``hidden``)
    are left out of its matches; counting and ranking then read no row of the table."""
    index = kind.index
    fts = sql_table(index.fts_table, sql_column("rowid"))
    fts_ref: ColumnElement[Any] = literal_column(index.fts_table)
    match = fts_ref.op("MATCH")(bindparam(MATCH))
    weights = [BM25_WEIGHTS[field.weight] for field in index.fields]
    rank = func.bm25(fts_ref, *weights)  # lower is better
    tier = None
    if exact:  # FTS5 ranks one MATCH per query: the exact one is its own
        tier = (select(fts.c.rowid.label("id"), func.bm25(fts_ref, *weights).label("score"))
                .where(fts_ref.op("MATCH")(bindparam(EXACT)))
                .subquery("exact"))
    positions = index.field_names()
    snippet = _first_marked([
        func.snippet(fts_ref, positions.index(name), START, STOP, ELLIPSIS, SNIPPET_TOKENS)
        for name in kind.snippet_fields
    ])
    order = (rank,) if tier is None else (tier.c.score.is_(None), tier.c.score, rank)
    shown = [] if kind.hidden is None else [fts.c.rowid.not_in(kind.hidden())]

    def restrict(statement: Select) -> Select:
        statement = statement.join(fts, fts.c.rowid == kind.model.id).where(match)
        return statement if tier is None else statement.outerjoin(
            tier, tier.c.id == kind.model.id)

    def best(limit: int) -> Select:
        statement = select(fts.c.rowid).where(match, *shown)
        if tier is not None:
            statement = statement.outerjoin(tier, tier.c.id == fts.c.rowid)
        return statement.order_by(*order, fts.c.rowid).limit(limit).correlate(None)

    count = select(func.count()).select_from(fts).where(match, *shown)
    return Matcher(restrict, order, snippet, best, count)


def _postgres_matcher(kind: Kind, exact: bool) -> Matcher:
    config: ColumnElement[Any] = literal_column(f"'{schema.TS_CONFIG}'::regconfig")
    tsquery = func.to_tsquery(config, bindparam(MATCH))
    vector: ColumnElement[Any] = literal_column(f"{kind.index.table}.{schema.SEARCH_COLUMN}")
    # Sort keys, ascending like SQLite's (the best rank first: its negative).
    rank = -func.ts_rank_cd(literal_column(TS_RANK_WEIGHTS), vector, tsquery, 1)
    snippet = _first_marked([
        func.ts_headline(config, func.coalesce(getattr(kind.model, name), ""), tsquery,
                         HEADLINE_OPTIONS)
        for name in kind.snippet_fields
    ])

    def restrict(statement: Select) -> Select:
        return statement.where(vector.op("@@")(tsquery))

    order: tuple[ColumnElement[Any], ...] = (rank,)
    if exact:
        own = func.to_tsquery(config, bindparam(EXACT))
        order = (not_(vector.op("@@")(own)),
                 -func.ts_rank_cd(literal_column(TS_RANK_WEIGHTS), vector, own, 1), rank)

    def best(limit: int) -> Select:
        return (restrict(select(kind.model.id)).where(*kind.filters())
                .order_by(*order, kind.model.id).limit(limit).correlate(None))

    count = restrict(select(func.count()).select_from(kind.model).where(*kind.filters()))
    return Matcher(restrict, order, snippet, best, count)


# --- Suggestions as the shopper types --------------------------------------------------------

SUGGESTION_LIMITS = ((PRODUCTS, 5), (CONDITIONS, 2), (ARTICLES, 3))


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "product", "condition" or "article"
    label: str
    slug: str


def suggest(query: SearchQuery) -> list[Suggestion]:
    """A few pages for what has been typed so far: names and titles only, best first.

    Synonyms apply; spelling is fixed only when nothing matches (as for the search page).
    """
    if not query.is_searchable:
        return []
    searched = plan(query, synonyms.current())
    found = _suggestions(searched)
    if found or not searched.plain_words():
        return found
    looked_up = vocabulary.lookup(searched.plain_words())
    spellings = {word: info.close for word, info in looked_up.items() if not info.known}
    better = searched.with_spellings(spellings)
    return _suggestions(better) if better.corrected else []


def _suggestions(searched: SearchPlan) -> list[Suggestion]:
    found = []
    parameters = _parameters(searched)
    for kind, limit in SUGGESTION_LIMITS:
        statement = _suggestion_statement(kind, limit, _dialect(), EXACT in parameters)
        found += [Suggestion(kind.index.table, text, slug)
                  for text, slug in db.session.execute(statement, parameters)]
    return found


def _suggestion_statement(kind: Kind, limit: int, dialect: str, exact: bool) -> Select:
    key = ("suggest", kind.index.table, limit, dialect, exact)
    if key not in _STATEMENTS:
        matcher = _matcher(kind, dialect, exact)
        label = getattr(kind.model, kind.label)
        _STATEMENTS[key] = (
            matcher.restrict(select(label, kind.model.slug)).where(*kind.filters())
            .order_by(*matcher.order, kind.model.id).limit(limit))
    return _STATEMENTS[key]
