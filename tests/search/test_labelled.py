"""The labelled searches (tests/helpers/search_queries.py) on the demo shop, on both backends.

At least 95 % of them must find their pages in the first three of their kind, and the
exact searches recorded before synonyms and spelling came in must keep their first
product.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import select

from storefront.catalog.models import Product
from storefront.demo.seeder import seed
from storefront.media import LocalMediaStorage
from tests.helpers.pages import Page
from tests.helpers.search_queries import EXACT_FIRST_PRODUCT, LABELLED, Labelled

PASS_RATE = 0.95
TOP = 3
# Measured before the change. One recorded first moved on SQLite only: "retinol" finds
# two products named "Retinol 0.x% … Serum" with bm25 scores 0.4 % apart (-5.078 and
# -5.060). The night serum's document now also holds the four conditions that recommend
# it; FTS5's bm25 divides by the whole document's length, and that near-tie flipped.
NEAR_TIES = {("sqlite", "retinol"): {"retinol-starter-serum"}}


@pytest.fixture
def demo_shop(app, db, tmp_path, monkeypatch):
    """The demo shop as ``flask seed-demo`` makes it (synonyms included)."""
    monkeypatch.setitem(app.extensions, "storefront.media", LocalMediaStorage(tmp_path))
    with app.app_context():
        seed()
        db.session.commit()
        return set(db.session.scalars(select(Product.slug)))


RESULT = re.compile(r"/(?:products|articles|conditions)/([a-z0-9-]+)")


def found(client, query: str) -> dict[str, list[str]]:
    """The slugs each section of the results page links to, best first."""
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200, query
    results = Page(response.get_data(as_text=True))
    slugs = {}
    for section in ("products", "articles", "conditions"):
        css = f'section[aria-labelledby="{section}-heading"]'
        links = [RESULT.match(href) for href, _ in results.links(css)] if results.has(css) else []
        slugs[section] = list(dict.fromkeys(link.group(1) for link in links if link))
    return slugs


def passes(item: Labelled, slugs: dict[str, list[str]]) -> bool:
    return all(set(slugs[section][:TOP]) & set(wanted)
               for section, wanted in item.expected().items())


def _backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def test_the_labelled_searches_find_their_pages(client, demo_shop, database_url):
    assert len(LABELLED) >= 80
    failures, kinds, passed = [], Counter(), Counter()
    for item in LABELLED:
        slugs = found(client, item.query)
        kinds[item.kind] += 1
        if passes(item, slugs):
            passed[item.kind] += 1
        else:
            failures.append(f"{item.query!r} ({item.kind}): wanted {item.expected()}, "
                            f"found {({k: v[:TOP] for k, v in slugs.items()})}")
    rate = 1 - len(failures) / len(LABELLED)
    by_kind = ", ".join(f"{kind} {passed[kind]}/{kinds[kind]}" for kind in kinds)
    print(f"\n{_backend(database_url)}: {len(LABELLED) - len(failures)}/{len(LABELLED)} "
          f"labelled searches pass ({rate:.1%}); {by_kind}")
    assert rate >= PASS_RATE, "\n".join(failures)


def test_exact_searches_keep_their_first_product(client, demo_shop, database_url):
    backend = _backend(database_url)
    changed = []
    for query, first in EXACT_FIRST_PRODUCT.items():
        if first not in demo_shop:  # the demo catalog no longer has it
            continue
        now = found(client, query)["products"][:1]
        allowed = {first} | NEAR_TIES.get((backend, query), set())
        if not set(now) & allowed:
            changed.append(f"{query!r}: was {first}, now {now}")
    assert not changed, "\n".join(changed)
