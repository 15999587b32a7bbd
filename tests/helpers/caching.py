"""The page cache as the tests see it: whether a response came from the cache, the page's
text without its per-visitor tokens, and a change that must show at once."""

from __future__ import annotations

import re

from sqlalchemy import select

from storefront import caching
from storefront.catalog.models import Product, Variant
from storefront.extensions import db as _db


def page_cache(app) -> caching.PageCache:
    return app.extensions[caching.EXTENSION]


def html(client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def from_cache(client, count_queries, url: str) -> str:
    """The page, asserting that it was served without a single SQL statement."""
    with count_queries() as counter:
        text = html(client, url)
    assert counter.count == 0, counter.statements
    return text


def cached_twice(client, count_queries, url: str) -> str:
    """Render ``url`` (filling the cache), then read it back from the cache."""
    first = html(client, url)
    assert _without_tokens(from_cache(client, count_queries, url)) == _without_tokens(first)
    return first


def change(app, work) -> None:
    """Run ``work()`` in an app context and commit, as a view or a command would."""
    with app.app_context():
        work()
        _db.session.commit()


def variant_of(slug: str) -> Variant:
    return _db.session.scalar(select(Variant).join(Product).where(Product.slug == slug))


def _without_tokens(text: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', text)
