"""What the content's rows make of pages (``storefront.caching.track``): an article's or a
condition's words change the pages that show it (and search); a recommendation's reason
and directions change its condition's and its product's pages. Publishing, scheduling,
renaming, or linking articles, conditions and products differently may change any list,
and re-renders every page. When a scheduled article goes live is a scheduled change
(``next_publication``).

Called once by ``create_app``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ScalarSelect, func, select

from storefront.caching import loaded, track
from storefront.catalog.page_tags import SEARCH, product_tag
from storefront.content.models import Article, ArticleStatus, Condition, Recommendation


def article_tag(article_id: int) -> str:
    return f"article:{article_id}"


def condition_tag(condition_id: int) -> str:
    return f"condition:{condition_id}"


def _recommendation_tags(recommendation: Recommendation) -> tuple[str, ...] | None:
    condition_id = loaded(recommendation, "condition_id")
    if condition_id is None:
        return None
    tags: tuple[str, ...] = (condition_tag(condition_id),)
    if (product_id := loaded(recommendation, "product_id")) is not None:
        tags += (product_tag(product_id),)
    return tags


def track_content() -> None:
    track(Article, lambda article: (article_tag(loaded(article, "id")),), narrow={
        "title": (SEARCH,), "question": (SEARCH,), "summary": (SEARCH,), "body": (SEARCH,),
        "reviewed_on": (), "hero_image_key": (), "hero_image_alt": (), "version": (),
        "updated_at": (),
    })
    track(Condition, lambda condition: (condition_tag(loaded(condition, "id")),), narrow={
        "summary": (SEARCH,), "causes": (SEARCH,), "what_helps": (SEARCH,),
        "recommendations": (), "updated_at": (),
    })
    track(Recommendation, _recommendation_tags, narrow={
        "why": (), "how_to_use": (), "role": (), "position": (), "updated_at": (),
    })


def next_publication(now: datetime) -> ScalarSelect:
    """SQL: when the next scheduled article goes live after ``now`` (NULL if none)."""
    return select(func.min(Article.published_at)).where(
        Article.status.in_([ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED]),
        Article.published_at > now).scalar_subquery()
