"""What crawlers and feed readers get: Atom feed, sitemap, robots.txt, JSON-LD, meta tags."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from storefront.catalog.models import ProductStatus
from storefront.content.models import ArticleKind, ArticleStatus
from storefront.db import utcnow
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ConditionFactory,
    ProductFactory,
)
from tests.helpers.content import build, milia_setup, page
from tests.helpers.pages import Page

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def publishing_setup():
    condition = ConditionFactory(slug="acne", name="Acne")
    ArticleFactory(slug="published", title="Published piece", conditions=[condition],
                   published_at=utcnow() - timedelta(days=3))
    ArticleFactory(slug="older", title="Older piece", published_at=utcnow() - timedelta(days=9))
    ArticleFactory(slug="draft", title="Draft piece", status=ArticleStatus.DRAFT)
    ArticleFactory(slug="scheduled", title="Scheduled piece", status=ArticleStatus.SCHEDULED,
                   published_at=utcnow() + timedelta(days=2))
    ArticleFactory(slug="was-scheduled", title="Was scheduled", status=ArticleStatus.SCHEDULED,
                   published_at=utcnow() - timedelta(hours=1))
    ProductFactory(slug="active-cream")
    ProductFactory(slug="archived-cream", status=ProductStatus.ARCHIVED)
    ProductFactory(slug="draft-cream", status=ProductStatus.DRAFT)


def xml_of(response) -> ET.Element:
    assert response.status_code == 200
    return ET.fromstring(response.data)  # noqa: S314 (our own output, parsed to check it)


def parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert value.tzinfo is not None, text
    return value


def test_feed_is_atom_with_only_visible_articles(client, app):
    build(app, publishing_setup)
    response = client.get("/articles/feed.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = xml_of(response)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles == ["Was scheduled", "Published piece", "Older piece"]
    feed_updated = parse_time(root.findtext(f"{ATOM}updated"))
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert link.startswith("http://shop.test/articles/")
        assert entry.findtext(f"{ATOM}id") == link
        updated = parse_time(entry.findtext(f"{ATOM}updated"))
        assert updated >= parse_time(entry.findtext(f"{ATOM}published"))
        assert updated <= feed_updated
        assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name")
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == (
        "http://shop.test/articles/feed.xml")


def test_feed_reads_its_newest_thirty_in_one_statement_without_bodies(
        client, app, count_queries):
    def create():
        for number in range(35):
            ArticleFactory(slug=f"piece-{number}", title=f"Piece {number}",
                           published_at=utcnow() - timedelta(days=number + 1))

    build(app, create)
    client.get("/")  # the shop's settings and texts are read once a process: not counted
    with count_queries() as counter:
        root = xml_of(client.get("/articles/feed.xml"))
    titles = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]
    assert titles == [f"Piece {number}" for number in range(30)]
    selects = [statement for statement in counter.statements
               if statement.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, selects
    assert "body" not in selects[0]
    assert all(entry.find(f"{ATOM}author").findtext(f"{ATOM}name")
               for entry in root.findall(f"{ATOM}entry"))


def test_feed_escapes_titles(client, app):
    build(app, lambda: ArticleFactory(title="Retinol & <vitamin C>", summary="A < B"))
    root = xml_of(client.get("/articles/feed.xml"))
    assert root.find(f"{ATOM}entry").findtext(f"{ATOM}title") == "Retinol & <vitamin C>"


def test_empty_feed_is_still_valid(client):
    root = xml_of(client.get("/articles/feed.xml"))
    assert root.findall(f"{ATOM}entry") == []
    parse_time(root.findtext(f"{ATOM}updated"))


def test_sitemap_lists_public_pages_with_lastmod(client, app):
    build(app, publishing_setup)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = xml_of(response)
    urls = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
            for url in root.findall(f"{SITEMAP}url")}
    base = "http://shop.test"
    for path in ("/articles/published", "/articles/older", "/articles/was-scheduled",
                 "/conditions/acne", "/products/active-cream"):
        assert base + path in urls, path
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", urls[base + path])
    for path in ("/articles/draft", "/articles/scheduled", "/products/archived-cream",
                 "/products/draft-cream"):
        assert base + path not in urls, path
    assert base + "/about" in urls, "how the shop earns money is public"
    assert {base + "/", base + "/articles", base + "/conditions"} <= set(urls)


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    for path in ("/admin", "/account", "/cart", "/checkout"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://shop.test/sitemap.xml" in lines


def json_ld(html: str) -> list:
    blocks = [script.get_text() for script in Page(html).all('script[type="application/ld+json"]')]
    assert blocks, "no JSON-LD"
    data = []
    for block in blocks:
        value = json.loads(block)
        data.extend(value if isinstance(value, list) else [value])
    return data


def by_type(data: list, kind: str) -> dict:
    [found] = [item for item in data if item.get("@type") == kind]
    return found


def test_qa_article_structured_data(client, app):
    build(app, milia_setup)
    html = page(client, "/articles/what-causes-milia")
    data = json_ld(html)
    webpage = by_type(data, "MedicalWebPage")
    article = webpage["mainEntity"]
    assert article["@type"] == "Article"
    assert article["headline"] == "What causes milia?"
    assert article["author"]["name"] == "Dr. Maren Halden"
    assert article["author"]["hasCredential"]["name"] == "MD, board-certified dermatologist"
    assert parse_time(article["dateModified"]) >= parse_time(article["datePublished"])
    assert article["publisher"]["name"] == "Halden Skin"
    assert webpage["reviewedBy"]["name"] == "Dr. Amara Okafor"
    faq = by_type(data, "FAQPage")["mainEntity"][0]
    assert faq["name"] == "Why do I get hard white bumps under my eyes?"
    assert faq["acceptedAnswer"]["text"] == "They are keratin. See Moles, lumps and bumps."
    crumbs = by_type(data, "BreadcrumbList")["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Halden Skin", "Articles", "What causes milia?"]
    assert crumbs[-1]["item"] == "http://shop.test/articles/what-causes-milia"
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:url" content="http://shop.test/articles/what-causes-milia">' in (
        html)


def test_in_depth_article_has_no_faq(client, app):
    build(app, lambda: ArticleFactory(slug="deep", kind=ArticleKind.IN_DEPTH, question=None,
                                      author=AuthorFactory()))
    data = json_ld(page(client, "/articles/deep"))
    assert [item["@type"] for item in data] == ["MedicalWebPage", "BreadcrumbList"]


def test_json_ld_cannot_be_broken_out_of(client, app):
    build(app, lambda: ArticleFactory(slug="tricky", title="</script><script>alert(1)//",
                                      question="</script><b>q</b>", body="</script>x"))
    html = page(client, "/articles/tricky")
    assert "</script><script>" not in html
    assert by_type(json_ld(html), "MedicalWebPage")["name"] == "</script><script>alert(1)//"


def test_every_content_page_has_a_canonical_link(client, app):
    build(app, publishing_setup)
    for path in ("/articles", "/articles?condition=acne", "/articles/published",
                 "/conditions", "/conditions/acne", "/ask"):
        html = page(client, path)
        [canonical] = Page(html).all('link[rel="canonical"]')
        assert canonical["href"].startswith("http://shop.test/"), path
    condition_page = page(client, "/conditions/acne")
    crumbs = by_type(json_ld(condition_page), "BreadcrumbList")["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Halden Skin", "Conditions", "Acne"]
