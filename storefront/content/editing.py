"""The back office's editing: articles, conditions, authors and recommendations, created and
changed by editors. Every change is audited with the fields before and after; services
flush, the caller commits.

``save_article`` is the one way an article is created or changed (the admin, answering a
reader's question, the demo's seed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from storefront.audit import services as audit
from storefront.catalog.models import Ingredient, Product, ProductStatus
from storefront.content.errors import ArticleConflict, ContentError
from storefront.content.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    Author,
    Condition,
    QuestionStatus,
    ReaderQuestion,
    Recommendation,
    RecommendationRole,
)
from storefront.content.questions import answer_linked_questions, link_question
from storefront.content.rendering import find_shortcodes
from storefront.db import utcnow
from storefront.extensions import db
from storefront.slugs import MAX_LENGTH, is_slug

ARTICLE_CONFLICT_MESSAGE = (
    "Someone else saved this article while you were editing it, so your changes were not "
    "saved. Your text is still in the form below. Compare it with the saved version, then "
    "save yours over it or copy across what you need.")
ARTICLE_AUDIT_FIELDS = ["slug", "title", "kind", "status", "published_at", "reviewed_on",
                        "author_id", "reviewer_id", "summary", "question", "body",
                        "hero_image_key", "hero_image_alt"]
CONDITION_AUDIT_FIELDS = ["name", "slug", "summary", "causes", "what_helps", "position"]
AUTHOR_AUDIT_FIELDS = ["name", "slug", "credentials", "bio", "photo_key", "photo_alt",
                       "statements"]


# --- Articles --------------------------------------------------------------------------

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
    if not is_slug(fields.slug):
        raise ContentError("Use lower-case letters, digits and single hyphens for the "
                           f"address (at most {MAX_LENGTH} characters).", field="slug")
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


def shortcode_problems(body: str) -> list[str]:
    """What an editor must fix in the shortcodes of ``body`` before it can be saved."""
    return _shortcode_problems(body)


def article_state(article: Article) -> dict:
    """What the audit log remembers of an article."""
    state = audit.snapshot(article, ARTICLE_AUDIT_FIELDS)
    state["conditions"] = sorted(condition.slug for condition in article.conditions)
    return state


def _check_schedule(fields: ArticleFields, now: datetime) -> None:
    when = fields.published_at
    if fields.status == ArticleStatus.SCHEDULED and (when is None or when <= now):
        raise ContentError("A scheduled article needs a publish time in the future. To show "
                           "it now, choose Published.", field="published_at")
    if fields.status == ArticleStatus.PUBLISHED and when is not None and when > now:
        raise ContentError("A published article is shown straight away, so its publish time "
                           "cannot be in the future. To publish later, choose Scheduled.",
                           field="published_at")


def _write_article(fields: ArticleFields, article: Article | None) -> Article:
    """Check ``fields`` and put them on ``article`` (a new one when None). Flushes."""
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


def save_article(fields: ArticleFields, article: Article | None = None, *, actor,
                 expected_version: int | None = None,
                 question: ReaderQuestion | None = None) -> Article:
    """Create an article, or update ``article`` as the editor opened it at
    ``expected_version``: the one way an article is saved. ``actor`` None is the shop
    itself (the demo's seed).

    Audited; flushes only. Raises ArticleConflict when someone else saved in between
    (the caller must then roll back), ContentError for anything the editor can fix: the
    address is taken, a Q&A has no question, a shortcode names a product or article that
    does not exist or is not available, a publish time that does not fit the status.
    A ``question`` is linked to the article; linked questions are answered once the
    article is visible.
    """
    if article is not None and expected_version != article.version:
        raise ArticleConflict(ARTICLE_CONFLICT_MESSAGE)
    _check_schedule(fields, utcnow())
    before = article_state(article) if article is not None else None
    if (article is not None and before is not None
            and before["conditions"] != sorted(c.slug for c in fields.conditions)):
        # A row UPDATE, so the version also counts a change of conditions only.
        article.updated_at = utcnow()
    try:
        article = _write_article(fields, article)
    except StaleDataError as error:
        raise ArticleConflict(ARTICLE_CONFLICT_MESSAGE) from error
    action = "article.created" if before is None else "article.updated"
    audit.record_change(actor, action, article, f"Article “{article.title}” ({article.slug})",
                        before, article_state(article))
    if question is not None and question.status != QuestionStatus.ANSWERED:
        link_question(question, article, actor=actor)
    answer_linked_questions(article, actor=actor)
    return article


def unpublish_article(article: Article, *, actor) -> None:
    """Take an article off the site (back to draft); it is kept, with its address."""
    if article.status == ArticleStatus.DRAFT:
        return
    before = article_state(article)
    article.status = ArticleStatus.DRAFT
    db.session.flush()
    audit.record_change(actor, "article.unpublished", article,
                        f"Article “{article.title}” ({article.slug}) taken off the site",
                        before, article_state(article))


# --- Checks shared by conditions and authors ------------------------------------------

def _check_unique_slug(model, slug: str, max_length: int, current, noun: str) -> None:
    if not is_slug(slug, max_length):
        raise ContentError("Use lower-case letters, digits and single hyphens for the "
                           f"address (at most {max_length} characters).", field="slug")
    clash = db.session.scalar(select(model.id).where(model.slug == slug))
    if clash is not None and (current is None or clash != current.id):
        raise ContentError(f"Another {noun} already uses the address “{slug}”.", field="slug")


def _check_text(value: str, max_length: int, message: str, field_name: str,
                required: bool = True) -> str:
    value = (value or "").strip()
    if (required and not value) or len(value) > max_length:
        raise ContentError(message, field=field_name)
    return value


# --- Conditions, authors, recommendations ---------------------------------------------

@dataclass
class ConditionFields:
    name: str
    slug: str
    summary: str
    causes: str = ""
    what_helps: str = ""
    position: int = 0


def save_condition(fields: ConditionFields, condition: Condition | None = None, *,
                   actor) -> Condition:
    """Create or update a skin condition. Audited; flushes only."""
    _check_unique_slug(Condition, fields.slug, 80, condition, "condition")
    name = _check_text(fields.name, 80, "Give the condition a name of at most 80 "
                       "characters.", "name")
    summary = _check_text(fields.summary, 500, "Summarise the condition in at most 500 "
                          "characters.", "summary")
    before = audit.snapshot(condition, CONDITION_AUDIT_FIELDS) if condition else None
    if condition is None:
        condition = Condition()
        db.session.add(condition)
    condition.name, condition.slug, condition.summary = name, fields.slug, summary
    condition.causes, condition.what_helps = fields.causes.strip(), fields.what_helps.strip()
    condition.position = fields.position
    db.session.flush()
    action = "condition.created" if before is None else "condition.updated"
    audit.record_change(actor, action, condition, f"Condition “{condition.name}”", before,
                        audit.snapshot(condition, CONDITION_AUDIT_FIELDS))
    return condition


@dataclass
class AuthorFields:
    name: str
    slug: str
    credentials: str
    bio: str = ""
    photo_key: str | None = None
    photo_alt: str = ""
    statements: str = ""


def save_author(fields: AuthorFields, author: Author | None = None, *, actor) -> Author:
    """Create or update an author. Audited; flushes only."""
    _check_unique_slug(Author, fields.slug, 80, author, "author")
    name = _check_text(fields.name, 120, "Give the author's name (at most 120 "
                       "characters).", "name")
    credentials = _check_text(fields.credentials, 200, "Give the author's credentials, "
                              "such as “MD, dermatologist” (at most 200 characters).",
                              "credentials")
    photo_alt = _check_text(fields.photo_alt, 200, "Describe the photo in a few words for "
                            "people who cannot see it (at most 200 characters).", "photo_alt",
                            required=bool(fields.photo_key))
    statements = _check_text(fields.statements, 2000, "Keep the statements to at most 2,000 "
                             "characters.", "statements", required=False)
    before = audit.snapshot(author, AUTHOR_AUDIT_FIELDS) if author else None
    if author is None:
        author = Author()
        db.session.add(author)
    author.name, author.slug, author.credentials = name, fields.slug, credentials
    author.bio, author.photo_key = fields.bio.strip(), fields.photo_key
    author.photo_alt = photo_alt if fields.photo_key else ""
    author.statements = "\n".join(line.strip() for line in statements.splitlines()
                                   if line.strip())
    db.session.flush()
    action = "author.created" if before is None else "author.updated"
    audit.record_change(actor, action, author, f"Author “{author.name}”", before,
                        audit.snapshot(author, AUTHOR_AUDIT_FIELDS))
    return author


@dataclass
class RecommendationFields:
    why: str
    how_to_use: str = ""
    product: Product | None = None
    ingredient: Ingredient | None = None
    # The 1-based place in the condition's list; None keeps it (or adds at the end).
    place: int | None = None
    role: RecommendationRole = RecommendationRole.TREAT


def recommendation_state(rec: Recommendation) -> dict:
    return {
        "product": rec.product.slug if rec.product else None,
        "ingredient": rec.ingredient.slug if rec.ingredient else None,
        "why": rec.why, "how_to_use": rec.how_to_use, "place": rec.position + 1,
        "role": rec.role.value,
    }


def _recommendation_label(rec: Recommendation) -> str:
    target = (rec.product.name if rec.product else
              rec.ingredient.name if rec.ingredient else "")
    return f"{rec.condition.name}: {target}"


def _check_recommendation(fields: RecommendationFields, condition: Condition,
                          current: Recommendation | None) -> None:
    if (fields.product is None) == (fields.ingredient is None):
        raise ContentError("Choose a product or a key ingredient: exactly one of the two.",
                           field="product")
    _check_text(fields.why, 2000, "Say why it helps (at most 2,000 characters).", "why")
    _check_text(fields.how_to_use, 300, "Keep “how to use” to at most 300 characters.",
                "how_to_use", required=False)
    for other in condition.recommendations:
        if other is not current and (
                (fields.product is not None and other.product_id == fields.product.id)
                or (fields.ingredient is not None
                    and other.ingredient_id == fields.ingredient.id)):
            raise ContentError("This condition already has that recommendation; edit it "
                               "instead.", field="product")


def _place(condition: Condition, rec: Recommendation, place: int | None) -> None:
    """Put ``rec`` at the 1-based ``place`` (None: where it is, or last) and renumber."""
    items = list(condition.recommendations)
    current = items.index(rec) if rec in items else len(items)
    if rec in items:
        items.remove(rec)
    index = current if place is None else place - 1
    items.insert(min(max(index, 0), len(items)), rec)
    for position, item in enumerate(items):
        item.position = position


def add_recommendation(condition: Condition, fields: RecommendationFields, *,
                       actor) -> Recommendation:
    """Recommend a product or a key ingredient for ``condition``. Audited; flushes."""
    _check_recommendation(fields, condition, None)
    rec = Recommendation(product=fields.product, ingredient=fields.ingredient,
                         why=fields.why.strip(), how_to_use=fields.how_to_use.strip(),
                         role=fields.role)
    _place(condition, rec, fields.place)
    condition.recommendations.append(rec)
    db.session.flush()
    audit.record_change(actor, "recommendation.added", rec, _recommendation_label(rec), None,
                        recommendation_state(rec))
    return rec


def update_recommendation(rec: Recommendation, fields: RecommendationFields, *,
                          actor) -> None:
    """Change a recommendation, and its place in the list. Audited; flushes."""
    _check_recommendation(fields, rec.condition, rec)
    before = recommendation_state(rec)
    rec.product, rec.ingredient = fields.product, fields.ingredient
    rec.why, rec.how_to_use = fields.why.strip(), fields.how_to_use.strip()
    rec.role = fields.role
    _place(rec.condition, rec, fields.place)
    db.session.flush()
    audit.record_change(actor, "recommendation.updated", rec, _recommendation_label(rec),
                        before, recommendation_state(rec))


def move_recommendation(rec: Recommendation, offset: int, *, actor) -> None:
    """Move a recommendation up (-1) or down (+1) the list. Audited; flushes."""
    before = recommendation_state(rec)
    items = list(rec.condition.recommendations)
    _place(rec.condition, rec, items.index(rec) + 1 + offset)
    db.session.flush()
    audit.record_change(actor, "recommendation.moved", rec, _recommendation_label(rec),
                        before, recommendation_state(rec))


def remove_recommendation(rec: Recommendation, *, actor) -> None:
    """Delete a recommendation and close the gap in the list. Audited; flushes."""
    condition = rec.condition
    before = recommendation_state(rec)
    label = _recommendation_label(rec)
    condition.recommendations.remove(rec)
    for position, item in enumerate(condition.recommendations):
        item.position = position
    db.session.flush()
    audit.record_change(actor, "recommendation.removed", rec, label, before, None)
