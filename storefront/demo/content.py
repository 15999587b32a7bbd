"""The content part of ``flask seed-demo``: the author, the shop's introduction and pages,
conditions, recommendations and articles (``data/authors.toml``, ``data/introduction.md``,
``data/pages/``, ``data/conditions.toml``, ``data/recommendations.toml``,
``data/articles/``).

Everything is looked up by slug before it is made, so running it again changes nothing.
Products and ingredients come from the catalog's demo; any that are missing are skipped
with a note rather than failing the whole seed. Flushes only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from storefront.accounts.models import User
from storefront.catalog.images import file_name
from storefront.catalog.models import Ingredient, Product, ProductStatus
from storefront.content import shop
from storefront.content.editing import ArticleFields, save_article
from storefront.content.errors import ContentError
from storefront.content.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    Author,
    Condition,
    Recommendation,
    RecommendationRole,
)
from storefront.content.pictures import PHOTO_MIN_WIDTH, store_picture
from storefront.content.rendering import find_shortcodes
from storefront.db import utcnow
from storefront.demo import files
from storefront.demo.pictures import draw_portrait
from storefront.extensions import db
from storefront.media import media_storage


@dataclass(frozen=True)
class DemoContent:
    lead_author: str  # the slug of the author who signs the introduction, about and articles
    authors: list[dict[str, Any]]
    introduction: files.Document
    pages: list[files.Document]  # the shop's pages; each document's name is its key
    conditions: list[dict[str, str]]
    recommendations: dict[str, list[dict[str, str]]]  # by condition slug
    articles: list[dict[str, Any]]  # in the order they are created


def _article(document: files.Document) -> dict[str, Any]:
    return {"slug": document.name, "question": None, **document.fields, "body": document.body}


def load() -> DemoContent:
    """The demo's words as its data files have them."""
    authors = files.table("authors")
    return DemoContent(
        lead_author=authors["lead_author"], authors=authors["authors"],
        introduction=files.markdown("introduction"),
        pages=files.documents("pages"),
        conditions=files.table("conditions")["conditions"],
        recommendations=files.table("recommendations"),
        articles=[_article(document) for document in files.documents("articles")])


def _ensure_photo(author: Author, data: dict) -> bool:
    """Draw the author's portrait when there is none, or when its files have gone."""
    key = author.photo_key
    if key and media_storage().exists(file_name(key, PHOTO_MIN_WIDTH, "jpg")):
        return False
    drawn = store_picture(draw_portrait(), "authors", PHOTO_MIN_WIDTH)  # missing files only
    if key:  # the drawn portrait's files are back; an editor's own photo is not replaced
        return key == drawn
    author.photo_key, author.photo_alt = drawn, author.photo_alt or data["photo_alt"]
    return True


def _seed_authors(demo: DemoContent, lines: list[str]) -> dict[str, Author]:
    authors = {}
    for data in demo.authors:
        author = db.session.scalar(select(Author).where(Author.slug == data["slug"]))
        if author is None:
            user = (db.session.scalar(select(User).where(User.email == data["user_email"]))
                    if data["user_email"] else None)
            author = Author(slug=data["slug"], name=data["name"],
                            credentials=data["credentials"], bio=data["bio"],
                            statements=data["statements"], user_id=user.id if user else None)
            db.session.add(author)
            lines.append(f"Created author {data['name']}")
        elif not author.statements:
            author.statements = data["statements"]  # seeded before statements existed
        if _ensure_photo(author, data):
            lines.append(f"Drew the portrait of {data['name']}")
        authors[data["slug"]] = author
    db.session.flush()
    return authors


def _seed_shop_introduction(demo: DemoContent, authors: dict[str, Author],
                            lines: list[str]) -> None:
    if shop.shop_text(shop.SHOP_INTRODUCTION) is not None:
        return
    data = demo.introduction
    shop.add_shop_text(shop.SHOP_INTRODUCTION, data.fields["heading"], data.body,
                       authors[demo.lead_author])
    lines.append("Created the shop's introduction")


def _seed_shop_pages(demo: DemoContent, authors: dict[str, Author], lines: list[str]) -> None:
    """The shop's own pages (about, contact, shipping, returns, privacy, terms, legal)."""
    created = []
    for page in demo.pages:
        key = page.name
        if shop.shop_text(key) is None:
            author = authors[demo.lead_author] if key == "about" else None
            shop.add_shop_text(key, page.fields["heading"], page.body, author)
            created.append(key)
    if created:
        lines.append(f"Created {len(created)} shop pages: {', '.join(created)}")


def _seed_conditions(demo: DemoContent, lines: list[str]) -> dict[str, Condition]:
    existing = {c.slug: c for c in db.session.scalars(select(Condition))}
    created = []
    for position, data in enumerate(demo.conditions):
        if data["slug"] not in existing:
            condition = Condition(position=position, **data)
            db.session.add(condition)
            existing[data["slug"]] = condition
            created.append(data["name"])
    db.session.flush()
    if created:
        lines.append(f"Created {len(created)} skin conditions: {', '.join(created)}")
    return existing


def _catalog_lookup() -> tuple[dict[str, Product], dict[str, Ingredient]]:
    products = {p.slug: p for p in db.session.scalars(select(Product))}
    ingredients = {i.slug: i for i in db.session.scalars(select(Ingredient))}
    return products, ingredients


def _seed_recommendations(demo: DemoContent, conditions: dict[str, Condition],
                          lines: list[str]) -> None:
    products, ingredients = _catalog_lookup()
    missing, created = set(), 0
    for condition_slug, entries in demo.recommendations.items():
        condition = conditions[condition_slug]
        have = {(r.product_id, r.ingredient_id) for r in condition.recommendations}
        for position, entry in enumerate(entries):
            kind, slug = entry["kind"], entry["slug"]
            target = (products if kind == "product" else ingredients).get(slug)
            if target is None:
                missing.add(f"{kind} {slug}")
                continue
            key = (target.id, None) if kind == "product" else (None, target.id)
            if key in have:
                continue
            condition.recommendations.append(Recommendation(
                product_id=key[0], ingredient_id=key[1], why=entry["why"],
                how_to_use=entry["how_to_use"], role=RecommendationRole(entry["role"]),
                position=position))
            created += 1
    db.session.flush()
    if created:
        lines.append(f"Created {created} recommendations")
    if missing:
        lines.append("Skipped recommendations for what the catalog does not have (seed the "
                     "catalog first): " + ", ".join(sorted(missing)))


def _without_missing_products(body: str, lines: list[str], slug: str) -> str:
    """The body minus product shortcodes whose product is not on sale, with a note."""
    wanted = {code.slug for code in find_shortcodes(body) if code.kind == "product"}
    if not wanted:
        return body
    on_sale = set(db.session.scalars(select(Product.slug).where(
        Product.slug.in_(sorted(wanted)), Product.status == ProductStatus.ACTIVE)))
    for missing in sorted(wanted - on_sale):
        body = re.sub(rf"[ \t]*\[\[product:{re.escape(missing)}\]\]", "", body)
        lines.append(f"Article {slug}: left out the card for product {missing} "
                     "(not in the catalog)")
    return body


def _article_fields(data: dict, author: Author, conditions: dict[str, Condition],
                    body: str) -> ArticleFields:
    now = utcnow()
    published_at = now - timedelta(days=data["days_ago"], hours=3)
    scheduled = data["days_ago"] < 0
    return ArticleFields(
        slug=data["slug"], title=data["title"], body=body,
        author=author, reviewer=None,
        kind=ArticleKind(data["kind"]),
        status=ArticleStatus.SCHEDULED if scheduled else ArticleStatus.PUBLISHED,
        question=data["question"], summary=data["summary"], published_at=published_at,
        reviewed_on=(published_at - timedelta(days=2)).date(),
        conditions=[conditions[slug] for slug in data["conditions"]],
    )


def _seed_articles(demo: DemoContent, authors: dict[str, Author],
                   conditions: dict[str, Condition], lines: list[str]) -> None:
    existing = set(db.session.scalars(select(Article.slug)))
    created, scheduled = [], 0
    for data in demo.articles:
        if data["slug"] in existing:
            continue
        body = _without_missing_products(data["body"], lines, data["slug"])
        try:
            save_article(_article_fields(data, authors[demo.lead_author], conditions, body),
                         actor=None)  # the shop itself
        except ContentError as error:
            lines.append(f"Skipped article {data['slug']}: {error.message}")
            continue
        created.append(data["slug"])
        scheduled += data["days_ago"] < 0
    if created:
        lines.append(f"Created {len(created)} articles ({scheduled} scheduled for later): "
                     + ", ".join(created))
    else:
        lines.append("Articles exist")


def seed_content() -> list[str]:
    """Create the demo authors, conditions, recommendations and articles that are missing."""
    lines: list[str] = []
    demo = load()
    authors = _seed_authors(demo, lines)
    _seed_shop_introduction(demo, authors, lines)
    _seed_shop_pages(demo, authors, lines)
    conditions = _seed_conditions(demo, lines)
    _seed_recommendations(demo, conditions, lines)
    _seed_articles(demo, authors, conditions, lines)
    return lines
