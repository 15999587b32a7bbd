"""What search engines and feed readers get: JSON-LD, the Atom feed, the sitemap."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any, NamedTuple

from flask import current_app, url_for
from sqlalchemy import bindparam, select

from storefront.catalog.models import Product, ProductStatus
from storefront.content import pages
from storefront.content.models import Article, ArticleKind, Author, Condition, ShopText
from storefront.content.reading import ShownArticle, ShownAuthor
from storefront.db import utcnow
from storefront.extensions import db, read_rows
from storefront.links import route_link
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


def article_updated(article: Article | ShownArticle | FeedEntry) -> datetime:
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

class FeedEntry(NamedTuple):
    """What the feed shows of an article."""

    slug: str
    title: str
    summary: str | None
    published_at: datetime
    updated_at: datetime
    author: str  # the author's name


def feed_context() -> dict:
    """The newest visible articles and the feed's own updated time."""
    entries = [FeedEntry(*row) for row in read_rows(_feed_statement(), {
        "now": utcnow(), "limit": FEED_SIZE})]
    updated = max((article_updated(entry) for entry in entries), default=utcnow())
    return {"articles": entries, "updated": updated, "article_updated": article_updated,
            "article_link": route_link("content.article_detail", "slug", external=True)}


@cache
def _feed_statement():
    """The newest visible articles, chosen from the index of state and date alone (an
    article's date comes after its body in the row: see ``reading.visible_teasers``)."""
    newest_first = (Article.published_at.desc(), Article.id.desc())
    chosen = (select(Article.id)
              .where(Article.visible_clause(bindparam("now", type_=Article.published_at.type)))
              .order_by(*newest_first).limit(bindparam("limit")))
    return (select(Article.slug, Article.title, Article.summary, Article.published_at,
                   Article.updated_at, Author.name)
            .join(Author, Author.id == Article.author_id)
            .where(Article.id.in_(chosen)).order_by(*newest_first))


# --- Sitemap -------------------------------------------------------------------------------

class SitemapEntry(NamedTuple):
    url: str
    lastmod: str | None = None  # when it last changed, as ``w3c_time`` writes it


def w3c_time(moment: datetime | None) -> str | None:
    """A W3C datetime in UTC, as sitemaps expect ("2026-12-07T21:05:00Z")."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _product_entries() -> list[SitemapEntry]:
    if "catalog.product_detail" not in current_app.view_functions:
        return []
    rows = db.session.execute(
        select(Product.slug, Product.updated_at)
        .where(Product.status == ProductStatus.ACTIVE).order_by(Product.id))
    link = route_link("catalog.product_detail", "slug", external=True)
    return [SitemapEntry(link(slug), w3c_time(updated)) for slug, updated in rows]


def _shop_page_entries() -> list[SitemapEntry]:
    """The shop's pages readers can open (about, contact, terms, ...)."""
    written = {key: updated for key, updated in db.session.execute(
        select(ShopText.key, ShopText.updated_at).where(ShopText.key.in_(pages.PAGE_KEYS)))}
    preset = current_app.config["SHOP_PRESET"]
    return [SitemapEntry(url_for(page.endpoint, _external=True),
                         w3c_time(written.get(page.key)))
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
    link = route_link("content.condition_detail", "slug", external=True)
    entries += [SitemapEntry(link(slug), w3c_time(updated)) for slug, updated in conditions]
    articles = db.session.execute(
        select(Article.slug, Article.updated_at, Article.published_at)
        .where(Article.visible_clause()).order_by(Article.published_at.desc(), Article.id))
    link = route_link("content.article_detail", "slug", external=True)
    entries += [SitemapEntry(link(slug), w3c_time(max(updated, published or updated)))
                 for slug, updated, published in articles]
    return entries + _product_entries()
