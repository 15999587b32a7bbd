"""Static files under content-hashed names, with long caching, gzip and 304s."""

import gzip
import hashlib
import re
from pathlib import Path

from tests.helpers.pages import Page

STATIC = Path(__file__).resolve().parents[2] / "static"


def _stylesheet_url(client):
    html = client.get("/").get_data(as_text=True)
    return Page(html).one('link[rel="stylesheet"]')["href"]


def test_pages_link_assets_by_content_hash(client):
    url = _stylesheet_url(client)
    digest = hashlib.sha256(client.get(url).data).hexdigest()[:10]
    assert url == f"/assets/css/site.{digest}.css"


def test_the_stylesheet_is_served_minified_with_every_rule(client):
    source = (STATIC / "css/site.css").read_text()
    served = client.get(_stylesheet_url(client)).get_data(as_text=True)
    assert len(served) < len(source) * 0.85
    assert "/*" not in served
    assert "\n" not in served
    selectors = re.findall(r"^([.#:a-z][^{}\n/]*?)\s*\{", source, flags=re.MULTILINE)
    assert selectors
    squeezed = re.sub(r"\s+", "", served)
    for selector in selectors:
        assert re.sub(r"\s+", "", selector) + "{" in squeezed, selector


def test_assets_are_cached_for_a_year_and_gzipped(client):
    url = _stylesheet_url(client)
    plain = client.get(url)
    assert plain.status_code == 200
    assert plain.mimetype == "text/css"
    assert "max-age=31536000" in plain.headers["Cache-Control"]
    assert "immutable" in plain.headers["Cache-Control"]
    assert "Content-Encoding" not in plain.headers

    zipped = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 2
    assert "Accept-Encoding" in zipped.headers["Vary"]


def test_assets_answer_conditional_requests(client):
    url = _stylesheet_url(client)
    etag = client.get(url).headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_unknown_or_stale_hash_is_404(client):
    assert client.get("/assets/css/site.0000000000.css").status_code == 404
    assert client.get("/assets/../pyproject.toml").status_code == 404


def test_favicon_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.data == (STATIC / "favicon.ico").read_bytes()
