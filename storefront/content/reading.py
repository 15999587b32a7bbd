"""What the reader pages load: an article with its picks and related articles, a condition
with its picks and articles, the lists of articles and conditions, the home page's latest
answers and featured products.

Page loaders keep to a fixed number of SQL statements however many conditions,
recommendations and shortcodes a page has; their statements are built once per process
(with parameters for what changes): building one took longer than running it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import and_, bindparam, case, func, literal, select, union_all
from sqlalchemy.orm import aliased, load_only

from storefront.caching import depends_on
from storefront.catalog.cards import CardProduct
from storefront.content.models import (
    Article,
    ArticleKind,
    Author,
    AuthorRules,
    Condition,
    article_condition,
)
from storefront.content.page_tags import article_tag, condition_tag
from storefront.content.picks import (
    ConditionLink,
    ConditionPicks,
    ConditionRow,
    RecommendationRow,
    build_picks,
    load_first_recommendation_rows,
    load_product_cards,
    load_recommendation_rows,
)
from storefront.content.rendering import RenderedMarkdown, rendered_article
from storefront.db import utcnow
from storefront.extensions import db, read_rows
from storefront.slugs import is_slug

RELATED_LIMIT = 4
# An article shows the first few products recommended for each of its conditions: eight
# in all at most, four of a condition at most, two at least (its "What helps" box names
# four in all, two a condition at least). The condition's own page shows them all.
ARTICLE_PICKS = 8
ARTICLE_PICKS_PER_CONDITION = 4


def article_picks_per_condition(conditions: int) -> int:
    """How many of each condition's recommended products an article on ``conditions``
    conditions shows."""
    return min(ARTICLE_PICKS_PER_CONDITION, max(2, ARTICLE_PICKS // max(conditions, 1)))


def _now():
    """The moment an article must have been published by, as a statement's parameter."""
    return bindparam("now", type_=Article.published_at.type)



def teaser_only():
    """Load just what an article teaser shows (not the body)."""
    return load_only(Article.id, Article.slug, Article.title, Article.summary, Article.kind,
                     Article.status, Article.published_at, Article.version)


@dataclass(frozen=True, slots=True)
class ShownAuthor(AuthorRules):
    """What an article page shows of its author or reviewer."""

    name: str
    credentials: str
    bio: str
    photo_key: str | None
    photo_alt: str
    statements: str


@dataclass(frozen=True, slots=True)
class ShownArticle:
    """What the article page shows of its article: a plain row with its authors and the
    conditions it covers (in their order), no objects to build."""

    id: int
    slug: str
    title: str
    question: str | None
    summary: str
    body: str
    kind: ArticleKind
    published_at: datetime | None
    reviewed_on: date | None
    version: int
    updated_at: datetime
    author: ShownAuthor
    reviewer: ShownAuthor | None
    conditions: list[ConditionLink]


@dataclass
class ArticlePage:
    article: ShownArticle
    body: RenderedMarkdown
    picks: list[ConditionPicks[CardProduct, RecommendationRow, ConditionLink]]
    related: list[LinkedArticle]
    products_by_slug: dict[str, CardProduct]
    articles_by_slug: dict[str, LinkedArticle]


def visible_article(slug: str) -> ShownArticle | None:
    """The article readers can see at ``slug``, with authors and conditions, or None; the
    article and each condition a tag of the page, as loaded models would be."""
    if not is_slug(slug):
        return None
    rows = read_rows(_visible_article_statement(), {"slug": slug, "now": utcnow()}).all()
    if not rows:
        return None
    conditions = [ConditionLink(*row[_CONDITION_AT:]) for row in rows
                  if row[_CONDITION_AT] is not None]
    article = _shown_article(*rows[0][:_CONDITION_AT], conditions=conditions)
    depends_on(article_tag(article.id), *(condition_tag(c.id) for c in conditions))
    return article


def _shown_article(id_, slug, title, question, summary, body, kind, published_at, reviewed_on,
                   version, updated_at, *authors, conditions) -> ShownArticle:
    reviewer = authors[_AUTHOR_SIZE:]
    return ShownArticle(id_, slug, title, question, summary, body, kind, published_at,
                        reviewed_on, version, updated_at, ShownAuthor(*authors[:_AUTHOR_SIZE]),
                        ShownAuthor(*reviewer) if reviewer[0] is not None else None,
                        conditions)


_ARTICLE_COLUMNS = (Article.id, Article.slug, Article.title, Article.question, Article.summary,
                    Article.body, Article.kind, Article.published_at, Article.reviewed_on,
                    Article.version, Article.updated_at)
_AUTHOR_SIZE = 6  # ShownAuthor's fields, the author's then the reviewer's
_CONDITION_AT = len(_ARTICLE_COLUMNS) + 2 * _AUTHOR_SIZE


def _author_columns(author) -> tuple:
    """What ``ShownAuthor`` holds, in its order (``author``: an alias of the table)."""
    return (author.name, author.credentials, author.bio, author.photo_key,
            author.photo_alt, author.statements)


@cache
def _visible_article_statement():
    # Conditions through two flat outer joins: the nested join that joinedload writes for
    # a many-to-many, ``LEFT JOIN (article_condition JOIN condition)``, makes SQLite
    # materialise every article's links and scan them (7 ms at 1,000 articles).
    author, reviewer = aliased(Author, name="author_1"), aliased(Author, name="author_2")
    return (
        select(*_ARTICLE_COLUMNS, *_author_columns(author), *_author_columns(reviewer),
               Condition.id, Condition.slug, Condition.name, Condition.position)
        .select_from(Article)
        .outerjoin(article_condition, article_condition.c.article_id == Article.id)
        .outerjoin(Condition, Condition.id == article_condition.c.condition_id)
        .join(author, author.id == Article.author_id)
        .outerjoin(reviewer, reviewer.id == Article.reviewer_id)
        .where(Article.slug == bindparam("slug"), Article.visible_clause(_now()))
        .order_by(Condition.position)
    )


class LinkedArticle(NamedTuple):
    """An article the page links to: a related one (a teaser) or one a shortcode names,
    which may not be visible (its title is shown then, not a link)."""

    id: int
    slug: str
    title: str
    summary: str
    kind: ArticleKind
    published_at: datetime | None
    visible: bool


def _linked_articles(article: ShownArticle, slugs: set[str],
                     ) -> tuple[list[LinkedArticle], list[LinkedArticle]]:
    """(related visible articles sharing a condition, articles named by shortcodes), as
    plain rows, each a tag of the page.

    Related ones named by a shortcode come first, then the newest others."""
    condition_ids = [condition.id for condition in article.conditions]
    if not condition_ids and not slugs:
        return [], []
    rows = read_rows(_linked_articles_statement(), {
        "condition_ids": condition_ids, "article_id": article.id, "slugs": sorted(slugs),
        "limit": RELATED_LIMIT + len(slugs), "now": utcnow()}).all()
    related: dict[int, LinkedArticle] = {}  # a named article that is related too comes
    named: dict[int, LinkedArticle] = {}  # twice: its first place counts
    for *columns, is_related in rows:
        found = LinkedArticle(*columns)
        if is_related:
            related.setdefault(found.id, found)
        if found.slug in slugs:
            named.setdefault(found.id, found)
    depends_on(*(article_tag(row[0]) for row in rows))
    return list(related.values())[:RELATED_LIMIT], list(named.values())


@cache
def _linked_articles_statement():
    """The articles named by ``slugs`` (saying whether each is related), then the newest
    related ones, as a union: one statement whose ``related OR named`` SQLite answered by
    merging two indexes and sorting every visible article (0.6 ms at 1,000 articles;
    the union: 0.1 ms)."""
    shares = select(article_condition.c.article_id).where(
        article_condition.c.condition_id.in_(bindparam("condition_ids", expanding=True)))
    related = and_(Article.visible_clause(_now()), Article.id.in_(shares),
                   Article.id != bindparam("article_id"))
    named = (select(Article.id.label("id"), literal(0).label("named_first"),
                    case((related, 1), else_=0).label("related"))
             .where(Article.slug.in_(bindparam("slugs", expanding=True))))
    newest = (select(Article.id.label("id")).where(related)
              .order_by(Article.published_at.desc(), Article.id.desc())
              .limit(bindparam("limit")).subquery())
    found = union_all(named, select(newest.c.id, literal(1), literal(1))).subquery()
    visible = case((Article.visible_clause(_now()), True), else_=False)
    return (
        select(*TEASER_COLUMNS, visible, found.c.related)
        .join(found, found.c.id == Article.id)
        .order_by(found.c.named_first, Article.published_at.desc(), Article.id.desc())
    )


def article_page(slug: str) -> ArticlePage | None:
    article = visible_article(slug)
    if article is None:
        return None
    body = rendered_article(article)
    product_slugs = {c.slug for c in body.shortcodes if c.kind == "product"}
    article_slugs = {c.slug for c in body.shortcodes if c.kind == "article"}
    condition_ids = [condition.id for condition in article.conditions]
    recommendations, unshown = load_first_recommendation_rows(
        condition_ids, article_picks_per_condition(len(condition_ids)))
    catalogue = load_product_cards({r.product_id for r in recommendations if r.product_id},
                                   product_slugs)
    related, named = _linked_articles(article, article_slugs)
    return ArticlePage(
        article=article,
        body=body,
        picks=build_picks(list(article.conditions), recommendations, catalogue, unshown),
        related=related,
        products_by_slug={p.slug: p for p in catalogue.products if p.slug in product_slugs},
        articles_by_slug={a.slug: a for a in named},
    )


@dataclass
class ConditionPage:
    condition: ConditionRow
    picks: ConditionPicks[CardProduct, RecommendationRow, ConditionRow]
    articles: list[ArticleTeaser]


def condition_page(slug: str, article_limit: int = 12) -> ConditionPage | None:
    if not is_slug(slug, 80):
        return None
    row = read_rows(_condition_statement(), {"slug": slug}).first()
    if row is None:
        return None
    condition = ConditionRow(*row)
    depends_on(condition_tag(condition.id))
    recommendations = load_recommendation_rows([condition.id])
    catalogue = load_product_cards({r.product_id for r in recommendations if r.product_id})
    [picks] = build_picks([condition], recommendations, catalogue)
    return ConditionPage(condition, picks, articles_on(condition, article_limit))


@cache
def _condition_statement():
    return select(Condition.id, Condition.slug, Condition.name, Condition.summary,
                  Condition.causes, Condition.what_helps).where(Condition.slug == bindparam("slug"))


class ArticleTeaser(NamedTuple):
    """What a teaser shows of an article (``storefront.templating.article_teaser``)."""

    id: int
    slug: str
    title: str
    summary: str
    kind: ArticleKind
    published_at: datetime


TEASER_COLUMNS = (Article.id, Article.slug, Article.title, Article.summary, Article.kind,
                  Article.published_at)


def teasers(statement, values: dict) -> list[ArticleTeaser]:
    """The teasers ``statement`` reads, as plain rows (no article objects to build), each a
    tag of the page being rendered."""
    rows = [ArticleTeaser(*row) for row in read_rows(statement, values)]
    depends_on(*(article_tag(teaser.id) for teaser in rows))
    return rows


def articles_on(condition: ConditionRow, limit: int) -> list[ArticleTeaser]:
    """Visible articles covering ``condition``, newest first."""
    return teasers(_articles_on_statement(), {
        "condition_id": condition.id, "limit": limit, "now": utcnow()})


@cache
def _articles_on_statement():
    return (
        # The condition's articles as a list SQLite reads once (a join looked each visible
        # article's link up: 0.22 → 0.05 ms at 1,000 articles).
        select(*TEASER_COLUMNS)
        .where(Article.id.in_(select(article_condition.c.article_id).where(
            article_condition.c.condition_id == bindparam("condition_id"))),
               Article.visible_clause(_now()))
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(bindparam("limit"))
    )


class TeaserPage(NamedTuple):
    """One page of the article list: its teasers, which page of how many, and how many
    articles there are in all."""

    items: list[ArticleTeaser]
    page: int
    pages: int
    total: int


def visible_teasers(condition: Condition | None, page: int, per_page: int) -> TeaserPage:
    """Page ``page`` of the visible articles (those covering ``condition``), newest first.

    The articles of the page are chosen from the index of their state and date alone, then
    only those are read: an article's row holds its body, and its date comes after it, so
    sorting every article by date read every body (3 ms at 1,000 articles)."""
    values = {"now": utcnow(), "condition_id": condition.id if condition else None}
    filtered = condition is not None
    total = read_rows(_visible_count_statement(filtered), values).scalar_one()
    pages = -(-total // per_page)
    items = teasers(_visible_page_statement(filtered), {
        **values, "limit": per_page, "offset": (page - 1) * per_page}) if page <= pages else []
    return TeaserPage(items, page, pages, total)


def _visible(filtered: bool):
    """SQL: visible articles (covering the ``condition_id`` parameter when ``filtered``)."""
    visible = Article.visible_clause(_now())
    if not filtered:
        return visible
    return and_(visible, Article.id.in_(select(article_condition.c.article_id).where(
        article_condition.c.condition_id == bindparam("condition_id"))))


@cache
def _visible_count_statement(filtered: bool):
    return select(func.count()).select_from(Article).where(_visible(filtered))


@cache
def _visible_page_statement(filtered: bool):
    newest_first = (Article.published_at.desc(), Article.id.desc())
    chosen = (select(Article.id).where(_visible(filtered)).order_by(*newest_first)
              .limit(bindparam("limit")).offset(bindparam("offset")))
    return select(*TEASER_COLUMNS).where(Article.id.in_(chosen)).order_by(*newest_first)


def all_conditions() -> list[Condition]:
    return list(db.session.scalars(select(Condition).order_by(Condition.position,
                                                              Condition.name)))


class ConditionTeaser(NamedTuple):
    """What a link to a condition shows: its name and summary (not its texts)."""

    id: int
    slug: str
    name: str
    summary: str


def condition_teasers() -> list[ConditionTeaser]:
    """Every condition as a link to it shows it, in the editors' order: plain rows (no
    condition objects to build), each a tag of the page being rendered."""
    teasers = [ConditionTeaser(*row)
               for row in read_rows(_condition_teasers_statement())]
    depends_on(*(condition_tag(teaser.id) for teaser in teasers))
    return teasers


@cache
def _condition_teasers_statement():
    return (select(Condition.id, Condition.slug, Condition.name, Condition.summary)
            .order_by(Condition.position, Condition.name))


def condition_by_slug(slug: str) -> Condition | None:
    if not is_slug(slug, 80):
        return None
    return db.session.scalar(select(Condition).where(Condition.slug == slug))


def latest_answers(limit: int = 3) -> list[ArticleTeaser]:
    """The newest visible Q&A articles, read in date order from an index of their kind."""
    return teasers(_latest_answers_statement(), {"limit": limit, "now": utcnow()})


@cache
def _latest_answers_statement():
    return (
        select(*TEASER_COLUMNS)
        .where(Article.visible_clause(_now()), Article.kind == ArticleKind.QA)
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(bindparam("limit"))
    )
