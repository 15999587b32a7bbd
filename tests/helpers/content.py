"""The reader's side of content for tests: a small known set of articles, fetching a page,
the attack strings every editable text must survive, and asking a question."""

from __future__ import annotations

from html.parser import HTMLParser

from storefront.content.models import ArticleKind
from storefront.demo.catalog import seed_catalog
from storefront.demo.content import seed_content
from storefront.extensions import db
from storefront.media import LocalMediaStorage
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ConditionFactory,
    IngredientFactory,
    ProductFactory,
    RecommendationFactory,
)
from tests.helpers import submit


def build(app, create):
    """Run ``create()`` in an app context, commit, and return what it returned."""
    with app.app_context():
        result = create()
        db.session.commit()
        return result


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def assert_harmless(html: str) -> None:
    """No script but JSON-LD and the shop's own files, no event handlers, no javascript:
    URLs, no inline SVG besides the site's own logo."""
    for name, attributes in tags_of(html):
        assert not [a for a in attributes if a.startswith("on")], (name, attributes)
        for url in (attributes.get("href"), attributes.get("src")):
            assert url is None or not url.strip().lower().startswith("javascript"), url
        if name == "script":
            own_file = (attributes.get("src") or "").startswith("/assets/js/")
            assert attributes.get("type") == "application/ld+json" or own_file, attributes
        if name == "svg":
            assert attributes.get("class") == "brand-mark", attributes


def milia_setup():
    retinol = IngredientFactory(slug="retinol", name="Retinol")
    serum = ProductFactory(slug="retinol-night-serum", name="Retinol Night Serum",
                           ingredients=[retinol])
    milia = ConditionFactory(slug="milia", name="Milia", summary="Tiny white bumps.",
                             causes="Keratin gets **trapped** under the skin.",
                             what_helps="A nightly retinoid.")
    RecommendationFactory(condition=milia, product=serum,
                          why="Retinoids keep keratin from getting trapped.",
                          how_to_use="A pea-sized amount at night.")
    author = AuthorFactory(name="Dr. Maren Halden",
                           credentials="MD, board-certified dermatologist",
                           bio="Dermatologist for fifteen years.")
    reviewer = AuthorFactory(name="Dr. Amara Okafor", credentials="MD, consultant")
    ArticleFactory(slug="moles-lumps-and-bumps", title="Moles, lumps and bumps",
                   kind=ArticleKind.IN_DEPTH, question=None, author=author,
                   conditions=[milia])
    article = ArticleFactory(
        slug="what-causes-milia", title="What causes milia?",
        question="Why do I get hard white bumps under my eyes?",
        body="They are keratin. See [[article:moles-lumps-and-bumps]].",
        author=author, reviewer=reviewer, conditions=[milia])
    return article.id


PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(1)">click</a>',
    "<svg onload=alert(1)>",
]


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = TagCollector()
    parser.feed(html)
    return parser.tags


def queries_for(client, count_queries, url):
    client.get(url)  # warm caches that are not part of a page's own work
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def seed_demo(app, media_root, monkeypatch) -> None:
    """The demo shop, its pictures kept in ``media_root`` (drawn once per module)."""
    monkeypatch.setitem(app.extensions, "storefront.media", LocalMediaStorage(media_root))
    with app.app_context():
        seed_catalog()
        seed_content()
        db.session.commit()


def ask(client, **changes):
    data = {"name": "Ines", "email": "ines@example.com", "question": QUESTION,
            "skin_type": "dry", "website": ""}
    data.update(changes)
    return submit(client, "/ask", data)


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


QUESTION = ("I have tiny white bumps under my eyes that won't squeeze out. "
            "What are they and what can I do?")
