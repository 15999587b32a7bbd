"""Editorial rules: saving articles, what readers may see, recommendations that stay true.

Page loaders here keep to a fixed number of SQL statements however many conditions,
recommendations and shortcodes a page has. Services flush; the caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, exists, false, func, or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from storefront.catalog.models import (
    Product,
    ProductStatus,
    SkinType,
    StockState,
    Variant,
    product_ingredient,
)
from storefront.catalog.services import card_loader_options
from storefront.content.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    Author,
    Condition,
    QuestionStatus,
    ReaderQuestion,
    Recommendation,
    article_condition,
)
from storefront.content.rendering import RenderedMarkdown, find_shortcodes, rendered_article
from storefront.db import utcnow
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.mail import queue_mail

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RELATED_LIMIT = 4
OTC_LIMIT = 3
QUESTION_MIN, QUESTION_MAX = 20, 2000


class ContentError(DomainError):
    """An editorial change that cannot be saved; ``field`` names the form field to blame."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def valid_slug(slug: str | None, max_length: int = 120) -> bool:
    return bool(slug) and len(slug) <= max_length and SLUG.fullmatch(slug) is not None


# --- Saving articles -------------------------------------------------------------------

@dataclass
class ArticleFields:
    """Everything an editor sets on an article."""

    slug: str
    title: str
    body: str
    author: Author
    kind: ArticleKind = ArticleKind.QA
    status: ArticleStatus = ArticleStatus.DRAFT
    question: str | None = None
    summary: str = ""
    published_at: datetime | None = None
    reviewed_on: date | None = None
    reviewer: Author | None = None
    conditions: list[Condition] = field(default_factory=list)
    hero_image_key: str | None = None
    hero_image_alt: str = ""


def _check_article_fields(fields: ArticleFields, article: Article | None) -> None:
    if not valid_slug(fields.slug):
        raise ContentError("Use lower-case letters, digits and single hyphens for the "
                           "address (at most 120 characters).", field="slug")
    clash = db.session.scalar(select(Article.id).where(Article.slug == fields.slug))
    if clash is not None and (article is None or clash != article.id):
        raise ContentError(f"Another article already uses the address “{fields.slug}”.",
                           field="slug")
    if not fields.title.strip() or len(fields.title) > 200:
        raise ContentError("Give the article a title of at most 200 characters.",
                           field="title")
    if fields.kind == ArticleKind.QA and not (fields.question or "").strip():
        raise ContentError("A Q&A article needs the reader's question.", field="question")
    if fields.status == ArticleStatus.SCHEDULED and fields.published_at is None:
        raise ContentError("Choose when the scheduled article should appear.",
                           field="published_at")


def _shortcode_problems(body: str) -> list[str]:
    """What is wrong with the shortcodes in ``body``, one sentence per bad slug."""
    codes = find_shortcodes(body)
    product_slugs = {code.slug for code in codes if code.kind == "product"}
    article_slugs = {code.slug for code in codes if code.kind == "article"}
    products = dict(db.session.execute(
        select(Product.slug, Product.status).where(Product.slug.in_(sorted(product_slugs)))).all())
    articles = dict(db.session.execute(
        select(Article.slug, Article.status).where(Article.slug.in_(sorted(article_slugs)))).all())
    problems = []
    for slug in sorted(product_slugs):
        if slug not in products:
            problems.append(f"There is no product “{slug}” ([[product:{slug}]]).")
        elif products[slug] != ProductStatus.ACTIVE:
            problems.append(f"The product “{slug}” is not on sale ({products[slug].value}), "
                            f"so [[product:{slug}]] cannot be shown.")
    for slug in sorted(article_slugs):
        if slug not in articles:
            problems.append(f"There is no article “{slug}” ([[article:{slug}]]).")
        elif articles[slug] == ArticleStatus.DRAFT:
            problems.append(f"The article “{slug}” is still a draft, so [[article:{slug}]] "
                            "would lead nowhere.")
    return problems


def save_article(fields: ArticleFields, article: Article | None = None) -> Article:
    """Create ``article`` (or update it) from ``fields``. Flushes only.

    Raises ContentError when the address is taken, a Q&A has no question, or a shortcode
    names a product or article that does not exist or is not available.
    """
    _check_article_fields(fields, article)
    problems = _shortcode_problems(fields.body)
    if problems:
        raise ContentError(" ".join(problems), field="body")
    if fields.status == ArticleStatus.PUBLISHED and fields.published_at is None:
        fields.published_at = utcnow()
    if article is None:
        article = Article()
        db.session.add(article)
    for name in ("slug", "kind", "status", "published_at", "reviewed_on", "author",
                 "reviewer", "hero_image_key", "hero_image_alt"):
        setattr(article, name, getattr(fields, name))
    article.title = fields.title.strip()
    article.summary = fields.summary.strip()
    article.body = fields.body
    article.question = (fields.question or "").strip() or None
    article.conditions = list(fields.conditions)
    db.session.flush()
    return article


# --- Recommendations that stay true -----------------------------------------------------

class PickState:
    AVAILABLE = "available"
    OUT_OF_STOCK = "out_of_stock"
    NOT_SOLD = "not_sold"
    PRESCRIPTION = "prescription"


def in_stock(product: Product) -> bool:
    return product.stock_state is not StockState.OUT


def buyable(product: Product) -> bool:
    """On sale without a prescription and in stock right now."""
    return product.is_sold and in_stock(product)


def pick_state(product: Product) -> str:
    if not product.is_active:
        return PickState.NOT_SOLD
    if product.prescription_only:
        return PickState.PRESCRIPTION
    return PickState.AVAILABLE if in_stock(product) else PickState.OUT_OF_STOCK


@dataclass
class ProductPick:
    """A recommended product as it stands today, with what to buy instead if needed."""

    recommendation: Recommendation
    product: Product
    state: str
    instead: Product | None = None
    alternatives: list[Product] = field(default_factory=list)


@dataclass
class ConditionPicks:
    condition: Condition
    products: list[ProductPick] = field(default_factory=list)
    ingredients: list[Recommendation] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.products or self.ingredients)


def _has_stock(product_id_column):
    return exists().where(
        Variant.product_id == product_id_column, Variant.active.is_(True),
        Variant.stock_on_hand - Variant.stock_reserved > 0,
    )


def _unavailable_among(product_ids: set[int]):
    """SQL: those of ``product_ids`` that a shopper cannot buy now (not Rx-only ones)."""
    return select(Product.id).where(
        Product.id.in_(sorted(product_ids)),
        or_(Product.status != ProductStatus.ACTIVE,
            and_(Product.prescription_only.is_(False), ~_has_stock(Product.id))),
    )


def _ingredient_substitutes(product_ids: set[int]):
    """SQL: buyable products sharing a key ingredient with an unavailable one of these."""
    unavailable_links = product_ingredient.alias("unavailable_links")
    substitute_links = product_ingredient.alias("substitute_links")
    shared = select(substitute_links.c.product_id).where(
        substitute_links.c.ingredient_id.in_(
            select(unavailable_links.c.ingredient_id).where(
                unavailable_links.c.product_id.in_(_unavailable_among(product_ids)))))
    return and_(Product.status == ProductStatus.ACTIVE, Product.prescription_only.is_(False),
                Product.id.in_(shared), _has_stock(Product.id))


def load_products(product_ids: set[int], slugs: set[str] = frozenset()) -> list[Product]:
    """Recommended products, products named by shortcodes, and in-stock substitutes for
    the recommended ones that cannot be bought: one statement plus the card loaders.
    """
    if not product_ids and not slugs:
        return []
    wanted = [Product.id.in_(sorted(product_ids)), Product.slug.in_(sorted(slugs))]
    if product_ids:
        wanted.append(_ingredient_substitutes(product_ids))
    statement = (
        select(Product).where(or_(*wanted))
        .options(*card_loader_options(), selectinload(Product.ingredients))
        .order_by(Product.featured_rank.is_(None), Product.featured_rank,
                  func.lower(Product.name), Product.id)
    )
    return list(db.session.scalars(statement))


def load_recommendations(condition_ids: list[int]) -> list[Recommendation]:
    if not condition_ids:
        return []
    statement = (
        select(Recommendation)
        .where(Recommendation.condition_id.in_(condition_ids))
        .options(joinedload(Recommendation.ingredient))
        .order_by(Recommendation.condition_id, Recommendation.position, Recommendation.id)
    )
    return list(db.session.scalars(statement))


def _shares_ingredient(first: Product, second: Product) -> bool:
    return bool({i.id for i in first.ingredients} & {i.id for i in second.ingredients})


def _replacement(product: Product, condition_products: list[Product],
                 catalogue: list[Product]) -> Product | None:
    """The best thing to buy instead of ``product``.

    First a product with the same key ingredient (one recommended for this condition
    before others), then the next recommended product for the condition in list order.
    """
    others = [p for p in catalogue if p.id != product.id and buyable(p)]
    recommended = [p for p in condition_products if p.id != product.id and buyable(p)]
    same_ingredient = [p for p in recommended + others if _shares_ingredient(p, product)]
    if same_ingredient:
        return same_ingredient[0]
    position = next((i for i, p in enumerate(condition_products) if p.id == product.id), 0)
    after = [p for p in condition_products[position + 1:] if p in recommended]
    before = [p for p in condition_products[:position] if p in recommended]
    return (after + before or [None])[0]


def _picks_for(condition: Condition, recommendations: list[Recommendation],
               products: dict[int, Product], catalogue: list[Product]) -> ConditionPicks:
    picks = ConditionPicks(condition)
    for rec in recommendations:
        if rec.ingredient_id is not None:
            picks.ingredients.append(rec)
        elif rec.product_id in products:
            product = products[rec.product_id]
            picks.products.append(ProductPick(rec, product, pick_state(product)))
    listed = [pick.product for pick in picks.products]
    for pick in picks.products:
        if pick.state in (PickState.OUT_OF_STOCK, PickState.NOT_SOLD):
            pick.instead = _replacement(pick.product, listed, catalogue)
        elif pick.state == PickState.PRESCRIPTION:
            pick.alternatives = [p for p in listed
                                 if p.id != pick.product.id and buyable(p)][:OTC_LIMIT]
    return picks


def build_picks(conditions: list[Condition], recommendations: list[Recommendation],
                catalogue: list[Product]) -> list[ConditionPicks]:
    """Each condition's recommendations, sorted into products and ingredients (no SQL)."""
    products = {product.id: product for product in catalogue}
    by_condition: dict[int, list[Recommendation]] = {}
    for rec in recommendations:
        by_condition.setdefault(rec.condition_id, []).append(rec)
    return [_picks_for(condition, by_condition.get(condition.id, []), products, catalogue)
            for condition in conditions]


# --- Pages -------------------------------------------------------------------------------

def teaser_only():
    """Load just what an article teaser shows (not the body)."""
    return load_only(Article.id, Article.slug, Article.title, Article.summary, Article.kind,
                     Article.status, Article.published_at, Article.version)


@dataclass
class ArticlePage:
    article: Article
    body: RenderedMarkdown
    picks: list[ConditionPicks]
    related: list[Article]
    products_by_slug: dict[str, Product]
    articles_by_slug: dict[str, Article]


def visible_article(slug: str) -> Article | None:
    """The article readers can see at ``slug``, with authors and conditions, or None."""
    if not valid_slug(slug):
        return None
    statement = (
        select(Article)
        .where(Article.slug == slug, Article.visible_clause())
        .options(joinedload(Article.reviewer), joinedload(Article.conditions))
    )
    return db.session.execute(statement).unique().scalar_one_or_none()


def _linked_articles(article: Article, slugs: set[str]) -> tuple[list[Article], list[Article]]:
    """(related visible articles sharing a condition, articles named by shortcodes)."""
    condition_ids = [condition.id for condition in article.conditions]
    if not condition_ids and not slugs:
        return [], []
    shares = select(article_condition.c.article_id).where(
        article_condition.c.condition_id.in_(condition_ids))
    related = and_(Article.visible_clause(), Article.id.in_(shares), Article.id != article.id)
    named = Article.slug.in_(sorted(slugs)) if slugs else false()
    statement = (
        select(Article, case((related, 1), else_=0))
        .where(or_(related, named))
        .options(teaser_only())
        .order_by(case((named, 0), else_=1), Article.published_at.desc(), Article.id.desc())
        .limit(RELATED_LIMIT + len(slugs))
    )
    rows = db.session.execute(statement).all()
    related_articles = [row[0] for row in rows if row[1]][:RELATED_LIMIT]
    return related_articles, [row[0] for row in rows if row[0].slug in slugs]


def article_page(slug: str) -> ArticlePage | None:
    article = visible_article(slug)
    if article is None:
        return None
    body = rendered_article(article)
    product_slugs = {c.slug for c in body.shortcodes if c.kind == "product"}
    article_slugs = {c.slug for c in body.shortcodes if c.kind == "article"}
    recommendations = load_recommendations([c.id for c in article.conditions])
    catalogue = load_products({r.product_id for r in recommendations if r.product_id},
                              product_slugs)
    related, named = _linked_articles(article, article_slugs)
    return ArticlePage(
        article=article,
        body=body,
        picks=build_picks(list(article.conditions), recommendations, catalogue),
        related=related,
        products_by_slug={p.slug: p for p in catalogue if p.slug in product_slugs},
        articles_by_slug={a.slug: a for a in named},
    )


@dataclass
class ConditionPage:
    condition: Condition
    picks: ConditionPicks
    articles: list[Article]


def condition_page(slug: str, article_limit: int = 12) -> ConditionPage | None:
    if not valid_slug(slug, 80):
        return None
    condition = db.session.scalar(select(Condition).where(Condition.slug == slug))
    if condition is None:
        return None
    recommendations = load_recommendations([condition.id])
    catalogue = load_products({r.product_id for r in recommendations if r.product_id})
    [picks] = build_picks([condition], recommendations, catalogue)
    return ConditionPage(condition, picks, articles_on(condition, article_limit))


def articles_on(condition: Condition, limit: int) -> list[Article]:
    """Visible articles covering ``condition``, newest first."""
    statement = (
        select(Article)
        .join(article_condition, article_condition.c.article_id == Article.id)
        .where(article_condition.c.condition_id == condition.id, Article.visible_clause())
        .options(teaser_only())
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def all_conditions() -> list[Condition]:
    return list(db.session.scalars(select(Condition).order_by(Condition.position,
                                                              Condition.name)))


def condition_by_slug(slug: str) -> Condition | None:
    if not valid_slug(slug, 80):
        return None
    return db.session.scalar(select(Condition).where(Condition.slug == slug))


def visible_articles_query(condition: Condition | None = None):
    """Visible articles, newest first, optionally only those covering ``condition``."""
    statement = (
        select(Article)
        .where(Article.visible_clause())
        .options(teaser_only(), selectinload(Article.conditions))
        .order_by(Article.published_at.desc(), Article.id.desc())
    )
    if condition is not None:
        statement = statement.where(Article.id.in_(
            select(article_condition.c.article_id)
            .where(article_condition.c.condition_id == condition.id)))
    return statement


def latest_answers(limit: int = 3) -> list[Article]:
    """The newest visible Q&A articles."""
    statement = (
        select(Article)
        .where(Article.visible_clause(), Article.kind == ArticleKind.QA)
        .options(teaser_only())
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def featured_products(limit: int = 4) -> list[Product]:
    """Active products the shop features, by rank."""
    statement = (
        select(Product)
        .where(Product.status == ProductStatus.ACTIVE, Product.featured_rank.is_not(None))
        .order_by(Product.featured_rank, Product.id)
        .limit(limit)
        .options(*card_loader_options())
    )
    return list(db.session.scalars(statement))


# --- Reader questions -------------------------------------------------------------------

def receive_question(name: str, email: str, question: str, skin_type: SkinType | None,
                     *, looks_automated: bool = False) -> ReaderQuestion:
    """Store a reader's question and acknowledge it by e-mail. Flushes only.

    A submission that filled the hidden trap field is kept as spam for the record and
    gets no e-mail: it most likely came from a bot, and the address may not be the
    sender's.
    """
    question = question.strip()
    if not QUESTION_MIN <= len(question) <= QUESTION_MAX:
        raise ContentError(f"Please write between {QUESTION_MIN} and {QUESTION_MAX:,} "
                           "characters.", field="question")
    entry = ReaderQuestion(
        name=name.strip()[:120], email=email.strip().lower()[:254], question=question,
        skin_type=skin_type,
        status=QuestionStatus.SPAM if looks_automated else QuestionStatus.NEW,
    )
    db.session.add(entry)
    db.session.flush()
    if not looks_automated:
        queue_mail(entry.email, "We have your question", "ask_received", entry=entry)
    return entry
