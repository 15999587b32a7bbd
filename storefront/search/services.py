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
    Label,
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

from storefront.caching import depends_on
from storefront.catalog.cards import cards_by_id
from storefront.catalog.models import Product, ProductStatus
from storefront.content.models import Article, ArticleKind, ArticleStatus, Condition
from storefront.content.page_tags import article_tag, condition_tag
from storefront.db import utcnow
from storefront.extensions import db, read_rows
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
    """The articles readers cannot see now (drafts, those not yet published): the rows
    ``Article.visible_clause`` leaves out, asked for as the index on (status,
    published_at) can answer each part (one status, or one visible status with no date or
    a later one). Written as ``NOT visible_clause``, SQLite read every article for it
    ("retinol", 5,000 products: 1.29 M instructions for the 36 of 1,000; now 0.09 M)."""
    now = _visible_now()
    shown = (ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED)
    return select(Article.id).where(or_(
        *(Article.status == status for status in ArticleStatus if status not in shown),
        *(and_(Article.status == status, Article.published_at.is_(None)) for status in shown),
        *(and_(Article.status == status, Article.published_at > now) for status in shown)))


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
    label: str = "name"  # the attribute suggestions show


PRODUCTS = Kind(Product, schema.PRODUCTS, 24, ("description", "ingredients_list"),
                _active_products, _hidden_products)
ARTICLES = Kind(Article, schema.ARTICLES, 10, ("summary", "question", "body"), _visible_articles,
                _hidden_articles, label="title")
CONDITIONS = Kind(Condition, schema.CONDITIONS, 10, ("summary", "causes", "what_helps"))
KINDS = (PRODUCTS, ARTICLES, CONDITIONS)  # numbered in this order in a search's statement


@dataclass(frozen=True, slots=True)
class FoundArticle:
    """An article as the results list shows it (its texts are read for snippets by the
    index, not loaded)."""

    id: int
    slug: str
    title: str
    summary: str
    kind: ArticleKind


@dataclass(frozen=True, slots=True)
class FoundCondition:
    id: int
    slug: str
    name: str
    summary: str


# A search's statement's columns: each hit's kind, id, its kind's count and its snippet,
# then an article's or a condition's slug, title (name) and summary, and an article's
# kind. Plain rows: no ORM object is built, so each result names the page cache's tag its
# rows would have (``depends_on``). The products' cards are read after, by id: as columns
# of the search's rows (a product's once a size), they made every row 40 columns wide.
_SHOWN_COLUMNS = (func.coalesce(Article.slug, Condition.slug),
                  func.coalesce(Article.title, Condition.name),
                  func.coalesce(Article.summary, Condition.summary), Article.kind)


@dataclass(slots=True)
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


def run(searched: SearchPlan, own_words_first: bool = True) -> SearchResults:
    """Exactly what ``searched`` says (one statement). ``own_words_first=False``: the
    shopper's own words are known to find nothing, so ranking what they find first would
    change no order, and is not worked out."""
    if not searched.is_searchable:
        empty = Section([], 0)
        return SearchResults(empty, empty, empty, searched)
    parameters = _parameters(searched, own_words_first)
    statement = _ranked(_dialect(), EXACT in parameters)
    # Plain rows (``read_rows``): the session's ORM handling of a statement (a tenth of a
    # search's time) would build nothing here.
    rows = read_rows(statement, parameters).all()
    products, articles, conditions = _sections(rows)
    return SearchResults(products, articles, conditions, searched)


def _sections(rows) -> tuple[Section, Section, Section]:
    """The products, articles and conditions of a search's statement's ``rows`` (one a
    hit, best first within a kind), the products' cards read by id."""
    snippets: dict[int, str | None] = {}
    articles: list[Hit] = []
    conditions: list[Hit] = []
    totals = [0, 0, 0]
    for number, found_id, total, snippet, slug, title, summary, article_kind in rows:
        if number == 0:
            snippets[found_id] = snippet
        elif number == 1:
            depends_on(article_tag(found_id))
            articles.append(Hit(FoundArticle(found_id, slug, title, summary, article_kind),
                                highlight(snippet)))
        else:
            depends_on(condition_tag(found_id))
            conditions.append(Hit(FoundCondition(found_id, slug, title, summary),
                                  highlight(snippet)))
        totals[number] = total
    cards = cards_by_id(snippets.keys())
    products = [Hit(cards[found_id], highlight(snippet))
                for found_id, snippet in snippets.items() if found_id in cards]
    return (Section(products, totals[0]), Section(articles, totals[1]),
            Section(conditions, totals[2]))


def _second_chance(searched: SearchPlan) -> SearchResults:
    """Nothing matched: fix spelling and leave out words no page has; failing that, leave
    out the most common words that are never found with the others; failing that,
    suggest other searches."""
    found = vocabulary.lookup(searched.plain_words())
    spellings = {word: info.close for word, info in found.items() if not info.known}
    unknown = {word for word, info in found.items() if not info.known and not info.close}
    better = searched.with_spellings(spellings).without(unknown)
    if better != searched:
        # With every word still there, the shopper's own words are those that just found
        # nothing.
        results = run(better, own_words_first=len(better.groups) < len(searched.groups))
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


def _parameters(searched: SearchPlan, own_words_first: bool = True) -> dict[str, Any]:
    """The values of the parameters of any search statement for ``searched`` (with the
    shopper's own words ranked first, if they differ from the plan's and
    ``own_words_first``)."""
    exact = searched.exact() if own_words_first else None
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


def _first_marked_once(fields: list[tuple[ColumnElement[Any], ColumnElement[bool]]],
                       ) -> ColumnElement[Any]:
    """``_first_marked`` for SQLite, each snippet cut at most once and only where it may
    mark a match: ``fields`` are (snippet, may it mark a match), in order.

    ``snippet()`` tokenises its whole field, twice, whether or not the field holds a
    match ("retinol": a condition's "what helps" 0.12 M instructions); whether it does is
    known from the index for far less, so a field is cut only when it may mark one (see
    ``_may_mark``). Each field tried is a one-row subquery (its ``LIMIT`` keeps SQLite from
    copying the expression into the test: a ``CASE`` would cut the snippet it returns
    twice), kept only if it marks a match; ``coalesce`` stops at the first kept. The last
    field is cut only where it may mark a match too: where it cannot, its snippet would
    mark nothing, which the page shows as no snippet, as it shows the NULL given instead.
    """
    *tried, (last, last_may_mark) = fields
    cuts = [select(case((may_mark, snippet)).label("cut")).limit(1).subquery("cut")
            for snippet, may_mark in tried]
    return func.coalesce(*(select(cut.c.cut).where(cut.c.cut.contains(START)).scalar_subquery()
                           for cut in cuts), case((last_may_mark, last)))


def _may_mark(index: schema.SearchIndex, name: str) -> ColumnElement[bool]:
    """SQLite: may the snippet of field ``name`` of the row being read mark a match? Yes
    when the field holds one of the search's matches, which ``bm25()`` weighing that field
    alone tells (below zero: it scores a phrase's matches in the field, never below a
    millionth; exactly zero without one: FTS5 keeps each row's matches, so this cuts and
    tokenises nothing), or when its text holds the mark itself (which no editor types,
    but a snippet cut from it would look marked)."""
    names = index.field_names()
    alone = [_number(1.0 if field == name else 0.0) for field in names]
    text: ColumnElement[Any] = literal_column(f"{index.fts_table}.{name}")
    return or_(func.bm25(literal_column(index.fts_table), *alone) < 0,
               func.instr(text, START) > 0)


@dataclass(frozen=True)
class Matcher:
    """How one backend finds and ranks a plan's rows of one kind.

    ``best(columns, limit)`` is the ``limit`` best rows readers can see, ``columns`` of
    each, best first (what suggestions read). ``order`` sorts best first: the rows the
    shopper's own words find (``SearchPlan.exact``), in their own order, then those found
    through a synonym or another spelling. ``count`` is how many rows readers can see.
    ``hits`` is this kind's part of a search's statement (numbered ``number``, its best
    ``limit`` rows): rows of ``kind``, ``id``, ``total`` (as ``count``), ``snippet`` (of
    the first field with a match) and the sort keys ``key_0``, ``key_1``...
    """

    best: Callable[[tuple[ColumnElement, ...], int], Select]
    order: tuple[ColumnElement, ...]  # sort keys, ascending
    count: Select
    hits: Callable[[int, int], Select]


def _matcher(kind: Kind, dialect: str, exact: bool) -> Matcher:
    """How to find ``kind`` on ``dialect`` (with the shopper's own words ranked first
    when ``exact``), with the parameters ``_parameters`` gives values."""
    if dialect == "sqlite":
        return _sqlite_matcher(kind, exact)
    return _postgres_matcher(kind, exact)


def _ranked(dialect: str, exact: bool) -> Select:
    """The best rows of each kind, with each kind's total count and the rows' snippets, in
    one statement: rows of ``kind`` (which of ``KINDS``), ``id``, ``total`` and
    ``snippet``, then an article's or a condition's columns (``_SHOWN_COLUMNS``: NULL on a
    product's row), best first within a kind. The products' cards are read afterwards by
    id (``cards_by_id``): joined here, each product came once a size with the card's 27
    columns, and every row carried an article's and a condition's columns too ("retinol",
    5,000 products: 63 rows of 39 columns, 2,457 values at about 1,000 instructions each
    for SQLite and Python's ``sqlite3`` to hand over).

    Each kind's best ids are chosen first, so snippets are cut, and rows read, only for
    the rows shown, not for every match: a common word matches a good part of a large
    shop. Its count is a scalar subquery rather than ``count(*) OVER ()``: FTS5 refuses
    its ranking functions next to a window (SQLite counts the matches its ranking has
    kept, ``_sqlite_matcher``). The hits of the three kinds are one materialised union,
    to which articles and conditions are joined: one round trip and one round of
    SQLAlchemy's statement handling for the three kinds.
    """
    key = ("ranked", dialect, exact)
    if key in _STATEMENTS:
        return _STATEMENTS[key]
    branches = [_matcher(kind, dialect, exact).hits(number, kind.limit)
                for number, kind in enumerate(KINDS)]
    hits = union_all(*branches).cte("hits").prefix_with("MATERIALIZED")
    statement = select(hits.c.kind, hits.c.id, hits.c.total, hits.c.snippet,
                       *_SHOWN_COLUMNS).select_from(hits)
    for number, kind in enumerate(KINDS[1:], start=1):
        statement = statement.outerjoin(
            kind.model, and_(hits.c.kind == number, kind.model.id == hits.c.id))
    keys = [column for column in hits.c if column.key.startswith("key_")]
    statement = statement.order_by(hits.c.kind, *keys, hits.c.id)
    _STATEMENTS[key] = statement
    return statement


def _hit_columns(number: int, kind: Kind, count: Select, snippet: ColumnElement[Any]) -> list:
    """A ``Matcher.hits`` row's columns but its sort keys."""
    return [literal_column(str(number), Integer).label("kind"), kind.model.id.label("id"),
            count.scalar_subquery().correlate(None).label("total"), snippet.label("snippet")]


def _keys(order: tuple[ColumnElement, ...]) -> list[Label]:
    return [key.label(f"key_{place}") for place, key in enumerate(order)]


def _number(value: float) -> ColumnElement[Any]:
    """A constant number, written into a statement (``repr``: a float stays a float)."""
    return literal_column(repr(value))


def _sqlite_matcher(kind: Kind, exact: bool) -> Matcher:
    """FTS5: the index holds every row, so the few that readers cannot see (``hidden``)
    are left out of its matches; counting and ranking then read no row of the table."""
    index = kind.index
    fts = sql_table(index.fts_table, sql_column("rowid"))
    fts_ref: ColumnElement[Any] = literal_column(index.fts_table)
    match = fts_ref.op("MATCH")(bindparam(MATCH))
    # Constants are written into the statement, not bound: a search binds over a hundred
    # values otherwise, each handled by SQLAlchemy and SQLite on every run.
    weights = [_number(BM25_WEIGHTS[field.weight]) for field in index.fields]
    rank = func.bm25(fts_ref, *weights)  # lower is better
    tier = None
    if exact:  # FTS5 ranks one MATCH per query: the exact one is its own
        tier = (select(fts.c.rowid.label("id"), func.bm25(fts_ref, *weights).label("score"))
                .where(fts_ref.op("MATCH")(bindparam(EXACT)))
                .subquery("exact"))
    positions = index.field_names()
    snippet = _first_marked_once([
        (func.snippet(fts_ref, _number(positions.index(name)), START, STOP, ELLIPSIS,
                      _number(SNIPPET_TOKENS)),
         _may_mark(index, name))
        for name in kind.snippet_fields
    ])
    order = (rank,) if tier is None else (tier.c.score.is_(None), tier.c.score, rank)
    shown = [] if kind.hidden is None else [fts.c.rowid.not_in(kind.hidden())]
    count = select(func.count()).select_from(fts).where(match, *shown)

    def best(columns: tuple[ColumnElement, ...], limit: int) -> Select:
        # Chosen among the matches alone, then only those rows read: a row's status and
        # date come after its long texts, which SQLite reads on the way to them ("ret" as
        # a suggestion, 5,000 products: products 2.8 ms, articles 2.1 ms).
        keys = _keys(order)
        ranked = select(fts.c.rowid.label("id"), *keys).where(match, *shown)
        if tier is not None:
            ranked = ranked.outerjoin(tier, tier.c.id == fts.c.rowid)
        chosen = ranked.order_by(*keys, fts.c.rowid).limit(limit).cte(f"best_{index.table}")
        return (select(*columns).join(chosen, chosen.c.id == kind.model.id)
                .order_by(*list(chosen.c)[1:], chosen.c.id))

    def hits(number: int, limit: int) -> Select:
        # The matches readers can see are read once, with their scores, for both the count
        # and the choice: a second pass over them for the count cost more than keeping
        # them ("retinol", 5,000 products: 635 products, 306 articles; the products'
        # part 10.7 → 10.1 M instructions, the articles' 7.4 → 6.0). The rows shown are
        # found again among the matches by their ids (the constraint on the table's id,
        # not FTS5's rowid: FTS5 would look each up with its MATCH again, which costs
        # more than reading the matches once).
        found = (select(fts.c.rowid.label("id"), rank.label("score")).where(match, *shown)
                 .cte(f"found_{index.table}").prefix_with("MATERIALIZED"))
        total = select(func.count()).select_from(found)
        columns = _hit_columns(number, kind, total, snippet)
        if tier is None:  # one key: worked out again for the rows shown
            chosen = (select(found.c.id).order_by(found.c.score, found.c.id)
                      .limit(limit).correlate(None))
            keys = _keys(order)
        else:  # the exact words' ranking is worked out once, and its keys carried over
            ranked_keys = _keys((tier.c.score.is_(None), tier.c.score, found.c.score))
            ranked = (select(found.c.id, *ranked_keys).outerjoin(tier, tier.c.id == found.c.id)
                      .order_by(*ranked_keys, found.c.id).limit(limit)
                      .cte(f"best_{index.table}"))
            chosen = select(ranked.c.id)
            keys = [select(column).where(ranked.c.id == kind.model.id).scalar_subquery()
                    .label(column.key) for column in list(ranked.c)[1:]]
        return (select(*columns, *keys).join(fts, fts.c.rowid == kind.model.id)
                .where(match, kind.model.id.in_(chosen)))

    return Matcher(best, order, count, hits)


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
    count = restrict(select(func.count()).select_from(kind.model).where(*kind.filters()))

    def best(columns: tuple[ColumnElement, ...], limit: int) -> Select:
        return (restrict(select(*columns)).where(*kind.filters())
                .order_by(*order, kind.model.id).limit(limit))

    def hits(number: int, limit: int) -> Select:
        chosen = best((kind.model.id,), limit).correlate(None)
        return (restrict(select(*_hit_columns(number, kind, count, snippet), *_keys(order)))
                .where(kind.model.id.in_(chosen)))

    return Matcher(best, order, count, hits)


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
        _STATEMENTS[key] = matcher.best((label, kind.model.slug), limit)
    return _STATEMENTS[key]
