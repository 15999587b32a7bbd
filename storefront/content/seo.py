"""What search engines and feed readers get: JSON-LD, the Atom feed, the sitemap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from storefront.catalog.models import Product, ProductStatus
from storefront.content import pages
from storefront.content.models import Article, ArticleKind, Author, Condition, ShopText
from storefront.content.reading import ShownArticle, ShownAuthor
from storefront.db import utcnow
from storefront.extensions import db
from storefront.settings.services import shop_info

FEED_SIZE = 30
ROBOTS_DISALLOW = ["/admin", "/account", "/cart", "/checkout"]


# --- JSON-LD -----------------------------------------------------------------------------

def _person(author: Author | ShownAuthor) -> dict:
    return {
        "@type": "Person",
        "name": author.name,
        "jobTitle": author.credentials,
        "hasCredential": {"@type": "EducationalOccupationalCredential",
                          "name": author.credentials},
        "description": author.bio,
    }


def breadcrumbs_json_ld(trail: list[tuple[str, str]]) -> dict:
    """A BreadcrumbList from (name, absolute URL) pairs, starting after the home page."""
    items = [(shop_info().name, url_for("main.home", _external=True)), *trail]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(items, start=1)
        ],
    }


def article_updated(article: Article | ShownArticle) -> datetime:
    """When the article last changed for readers (a scheduled one changes when it appears)."""
    return max(article.updated_at, article.published_at or article.updated_at)


def article_json_ld(article: Article | ShownArticle, answer_text: str) -> list[dict]:
    """MedicalWebPage with its Article, FAQPage for a Q&A, and the BreadcrumbList."""
    assert article.published_at is not None  # only a visible article has a page
    url = url_for("content.article_detail", slug=article.slug, _external=True)
    publisher = {"@type": "Organization", "name": shop_info().name,
                 "url": url_for("main.home", _external=True)}
    story = {
        "@type": "Article",
        "@id": url + "#article",
        "headline": article.title,
        "description": article.summary,
        "author": _person(article.author),
        "datePublished": article.published_at.isoformat(),
        "dateModified": article_updated(article).isoformat(),
        "publisher": publisher,
        "mainEntityOfPage": url,
        "about": [{"@type": "MedicalCondition", "name": c.name} for c in article.conditions],
    }
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "url": url,
        "name": article.title,
        "mainEntity": story,
        "publisher": publisher,
    }
    if article.reviewer is not None:
        page["reviewedBy"] = _person(article.reviewer)
    if article.reviewed_on is not None:
        page["lastReviewed"] = article.reviewed_on.isoformat()
    data: list[dict[str, Any]] = [page]
    if article.kind == ArticleKind.QA and article.question:
        data.append({
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": [{
                "@type": "Question",
                "name": article.question,
                "acceptedAnswer": {"@type": "Answer", "text": answer_text},
            }],
        })
    data.append(breadcrumbs_json_ld([
        ("Articles", url_for("content.article_list", _external=True)),
        (article.title, url),
    ]))
    return data


# --- Atom feed -----------------------------------------------------------------------------

def feed_context() -> dict:
    """The newest visible articles and the feed's own updated time."""
    statement = (
        select(Article)
        .where(Article.visible_clause())
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(FEED_SIZE)
    )
    articles = list(db.session.scalars(statement))
    updated = max((article_updated(a) for a in articles), default=utcnow())
    return {"articles": articles, "updated": updated, "article_updated": article_updated}


# --- Sitemap -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: datetime | None = None

    @property
    def lastmod_text(self) -> str | None:
        """W3C datetime in UTC, as sitemaps expect."""
        if self.lastmod is None:
            return None
        return self.lastmod.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _product_entries() -> list[SitemapEntry]:
    if "catalog.product_detail" not in current_app.view_functions:
        return []
    rows = db.session.execute(
        select(Product.slug, Product.updated_at)
        .where(Product.status == ProductStatus.ACTIVE).order_by(Product.id))
    return [SitemapEntry(url_for("catalog.product_detail", slug=slug, _external=True), updated)
            for slug, updated in rows]


def _shop_page_entries() -> list[SitemapEntry]:
    """The shop's pages readers can open (about, contact, terms, ...)."""
    written = {key: updated for key, updated in db.session.execute(
        select(ShopText.key, ShopText.updated_at).where(ShopText.key.in_(pages.PAGE_KEYS)))}
    preset = current_app.config["SHOP_PRESET"]
    return [SitemapEntry(url_for(page.endpoint, _external=True),
                         written.get(page.key))
            for page in pages.SHOP_PAGES if pages.is_shown(page, page.key in written, preset)]


def sitemap_entries() -> list[SitemapEntry]:
    """The site's public pages: the main lists, conditions, visible articles, products."""
    entries = [SitemapEntry(url_for("main.home", _external=True)),
               SitemapEntry(url_for("content.article_list", _external=True)),
               SitemapEntry(url_for("content.condition_list", _external=True)),
               *_shop_page_entries()]
    for endpoint in ("catalog.product_list", "routines.build"):
        if endpoint in current_app.view_functions:
            entries.append(SitemapEntry(url_for(endpoint, _external=True)))
    conditions = db.session.execute(
        select(Condition.slug, Condition.updated_at).order_by(Condition.position, Condition.id))
    entries += [SitemapEntry(url_for("content.condition_detail", slug=slug, _external=True),
                             updated) for slug, updated in conditions]
    articles = db.session.execute(
        select(Article.slug, Article.updated_at, Article.published_at)
        .where(Article.visible_clause()).order_by(Article.published_at.desc(), Article.id))
    entries += [SitemapEntry(url_for("content.article_detail", slug=slug, _external=True),
                             max(updated, published or updated))  # visible: published
                 for slug, updated, published in articles]
    return entries + _product_entries()
