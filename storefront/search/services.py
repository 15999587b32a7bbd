"""Run a search: one ranked statement per kind of result, whatever the number of matches.

SQLite ranks with FTS5's ``bm25()`` and cuts snippets with ``snippet()``; PostgreSQL ranks
with ``ts_rank_cd`` and cuts snippets with ``ts_headline``. The column weights come from
the index definitions in ``schema``, so names and titles count most on both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, bindparam, func, literal_column, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table

from storefront.catalog.models import Product, ProductStatus
from storefront.catalog.services import card_loader_options
from storefront.content.models import Article, Condition
from storefront.extensions import db
from storefront.search import schema
from storefront.search.query import SearchQuery
from storefront.search.snippets import ELLIPSIS, START, STOP, highlight

# bm25() weight of a column by its tier; PostgreSQL's ts_rank_cd weights in the same ratio.
BM25_WEIGHTS = {"A": 10.0, "B": 4.0, "C": 2.0, "D": 1.0}
TS_RANK_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'::float4[]"  # D, C, B, A
SNIPPET_TOKENS = 24
HEADLINE_OPTIONS = (f'StartSel="{START}", StopSel="{STOP}", MaxWords=30, MinWords=12, '
                    f'ShortWord=2, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "')


def _active_products() -> list[ColumnElement[bool]]:
    return [Product.status == ProductStatus.ACTIVE]


def _visible_articles() -> list[ColumnElement[bool]]:
    return [Article.visible_clause()]


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
    options: tuple = ()


PRODUCTS = Kind(Product, schema.PRODUCTS, 24, ("description", "ingredients_list"),
                _active_products, card_loader_options())
ARTICLES = Kind(Article, schema.ARTICLES, 10, ("summary", "question", "body"), _visible_articles)
CONDITIONS = Kind(Condition, schema.CONDITIONS, 10, ("summary", "causes", "what_helps"))


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


@dataclass(frozen=True)
class SearchResults:
    products: Section
    articles: Section
    conditions: Section

    @property
    def total(self) -> int:
        return self.products.total + self.articles.total + self.conditions.total


def search(query: SearchQuery) -> SearchResults:
    """The best products, articles and conditions for ``query``, each ranked best first."""
    return SearchResults(
        products=_search_kind(PRODUCTS, query),
        articles=_search_kind(ARTICLES, query),
        conditions=_search_kind(CONDITIONS, query),
    )


def _search_kind(kind: Kind, query: SearchQuery) -> Section:
    if not query.is_searchable:
        return Section([], 0)
    if db.session.get_bind().dialect.name == "sqlite":
        statement = _sqlite_statement(kind, query)
    else:
        statement = _postgres_statement(kind, query)
    rows = db.session.execute(statement).all()
    hits = [Hit(row[0], _first_highlight(row[2:])) for row in rows]
    return Section(hits, rows[0][1] if rows else 0)


def _first_highlight(snippets) -> Markup | None:
    for snippet in snippets:
        marked = highlight(snippet)
        if marked is not None:
            return marked
    return None


def _ranked(kind: Kind, restrict, rank, snippets: list, restrict_count=None) -> Select:
    """The best rows of ``kind`` with their total count and snippets.

    ``restrict`` adds the full-text match to a statement (``restrict_count`` to the count,
    if that needs another form). The count is a scalar subquery rather than
    ``count(*) OVER ()``: FTS5 refuses its ranking functions next to a window.
    The best ids are chosen first, so snippets are cut (and rows loaded) only for the rows
    shown, not for every match: a common word matches a good part of a large shop.
    """
    total = (restrict_count or restrict)(
        select(func.count()).select_from(kind.model).where(*kind.filters()))
    best = (restrict(select(kind.model.id)).where(*kind.filters())
            .order_by(rank, kind.model.id).limit(kind.limit))
    return (
        restrict(select(kind.model, total.scalar_subquery().correlate(None), *snippets))
        .where(kind.model.id.in_(best))
        .order_by(rank, kind.model.id)
        .options(*kind.options)
    )


def _sqlite_statement(kind: Kind, query: SearchQuery) -> Select:
    index = kind.index
    fts = sql_table(index.fts_table, sql_column("rowid"))
    fts_ref = literal_column(index.fts_table)
    match = fts_ref.op("MATCH")(bindparam("match", query.fts5_match()))
    weights = [BM25_WEIGHTS[field.weight] for field in index.fields]
    rank = func.bm25(fts_ref, *weights)  # lower is better
    positions = index.field_names()
    snippets = [
        func.snippet(fts_ref, positions.index(name), START, STOP, ELLIPSIS, SNIPPET_TOKENS)
        for name in kind.snippet_fields
    ]

    def restrict(statement: Select) -> Select:
        return statement.join(fts, fts.c.rowid == kind.model.id).where(match)

    def restrict_count(statement: Select) -> Select:
        # Joined, SQLite starts from the status index and asks FTS5 about every active
        # row one by one (half a second for 5,000 products); this form starts from FTS5.
        return statement.where(kind.model.id.in_(select(fts.c.rowid).where(match)))

    return _ranked(kind, restrict, rank, snippets, restrict_count)


def _postgres_statement(kind: Kind, query: SearchQuery) -> Select:
    config = literal_column(f"'{schema.TS_CONFIG}'::regconfig")
    tsquery = func.to_tsquery(config, bindparam("tsquery", query.tsquery()))
    vector = literal_column(f"{kind.index.table}.{schema.SEARCH_COLUMN}")
    rank = func.ts_rank_cd(literal_column(TS_RANK_WEIGHTS), vector, tsquery, 1).desc()
    snippets = [
        func.ts_headline(config, func.coalesce(getattr(kind.model, name), ""), tsquery,
                         HEADLINE_OPTIONS)
        for name in kind.snippet_fields
    ]

    def restrict(statement: Select) -> Select:
        return statement.where(vector.op("@@")(tsquery))

    return _ranked(kind, restrict, rank, snippets)
