"""Markdown rendering: sanitising, shortcodes, the cache. Pure functions, no database."""

from __future__ import annotations

import pytest

from storefront.content import rendering
from storefront.content.rendering import (
    Shortcode,
    cached_markdown,
    fill_shortcodes,
    find_shortcodes,
    plain_text,
    render_markdown,
    sanitise,
)
from tests.helpers.content import tags_of

XSS_BODY = """\
Before.

<script>alert('script')</script>

<img src=x onerror=alert(1)>

[click me](javascript:alert(2))

<a href="javascript:alert(3)">raw link</a> <a href="JaVaScRiPt&colon;alert(4)">mixed</a>

<svg onload=alert(5)><circle r="4"/></svg>

<iframe src="https://evil.example/"></iframe><style>body{display:none}</style>

<p onclick="alert(6)" style="color:red">styled</p> <a href="data:text/html,hi">data</a>

After.
"""


def test_dangerous_markup_is_removed_and_text_kept():
    html = render_markdown(XSS_BODY).html
    tags = tags_of(html)
    names = {name for name, _ in tags}
    assert not names & {"script", "svg", "iframe", "style"}
    for name, attributes in tags:
        assert not [a for a in attributes if a.startswith("on")], (name, attributes)
        assert "style" not in attributes
        for url in (attributes.get("href"), attributes.get("src")):
            assert url is None or not url.lower().startswith(("javascript", "data")), url
    assert "alert('script')" not in html
    assert "Before." in html
    assert "After." in html
    assert "styled" in html
    assert '<img src="x">' in html


def test_only_http_https_mailto_and_relative_links_survive():
    html = sanitise('<a href="https://a.example/">a</a><a href="mailto:x@example.com">m</a>'
                    '<a href="/articles">r</a><a href="ftp://f.example/">f</a>'
                    '<a href="vbscript:x">v</a>')
    hrefs = [attrs.get("href") for name, attrs in tags_of(html) if name == "a"]
    assert hrefs == ["https://a.example/", "mailto:x@example.com", "/articles", None, None]


def test_external_links_get_noopener_and_internal_ones_do_not():
    html = render_markdown("[out](https://example.org/x \"a > b\") [in](/conditions) "
                           '<a href="HTTP://EXAMPLE.ORG" rel="opener">raw</a>').html
    links = [attrs for name, attrs in tags_of(html) if name == "a"]
    assert links[0] == {"href": "https://example.org/x", "title": "a > b", "rel": "noopener"}
    assert links[1] == {"href": "/conditions"}
    assert links[2] == {"href": "HTTP://EXAMPLE.ORG", "rel": "noopener"}


def test_markdown_features_render_and_h1_becomes_h2():
    html = render_markdown("# Big\n\n**bold** *it*\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                           "- one\n- two\n\n> quoted").html
    assert "<h2>Big</h2>" in html
    assert "<h1>" not in html
    assert "<strong>bold</strong>" in html
    assert "<em>it</em>" in html
    assert "<table>" in html
    assert "<td>1</td>" in html
    assert "<li>one</li>" in html
    assert "<blockquote>" in html


def test_shortcodes_found_in_text_only_not_in_code():
    body = ("See [[article:moles-lumps-and-bumps]] and `[[product:in-code]]`.\n\n"
            "[[product:retinol-night-serum]]\n\n"
            "```\n[[product:in-fence]]\n```\n\n"
            "    [[product:indented-code]]\n\n"
            "Escaped \\[[product:escaped]] and inline [[product:adapalene-gel]] here.")
    codes = find_shortcodes(body)
    assert codes == [
        Shortcode("article", "moles-lumps-and-bumps"),
        Shortcode("product", "retinol-night-serum", block=True),
        Shortcode("product", "adapalene-gel"),
    ]
    html = render_markdown(body).html
    assert "<code>[[product:in-code]]</code>" in html
    assert "[[product:in-fence]]" in html
    assert "[[product:escaped]]" in html


@pytest.mark.parametrize("text", ["[[product:Upper]]", "[[product:]]", "[[thing:x]]",
                                  "[[product:a b]]", "[[product:-x]]", "[[product:x]"])
def test_malformed_shortcodes_stay_text(text):
    assert find_shortcodes(text) == []
    assert text.replace("[[", "") in plain_text(render_markdown(text), {}).replace("[[", "")


def test_fill_shortcodes_puts_blocks_outside_paragraphs_and_escapes_fallbacks():
    rendered = render_markdown("Intro [[article:gone-article]].\n\n[[product:card-one]]\n")

    def render(code):
        return "<div class=card>CARD</div>" if code.kind == "product" else None

    html = str(fill_shortcodes(rendered, render))
    assert "<p>Intro gone article.</p>" in html
    assert "<div class=card>CARD</div>" in html
    assert "<p><div" not in html


def test_fallback_text_cannot_inject_markup():
    rendered = render_markdown("[[article:x]]")
    html = str(fill_shortcodes(rendered, lambda code: None))
    assert html == "<p>x</p>\n"


def test_placeholders_typed_by_an_author_are_not_substituted():
    first = render_markdown("[[product:one]]")
    marker = f"sc{first.nonce}x0x"
    second = render_markdown(f"{marker} [[product:two]]")
    parts = second.split()
    assert Shortcode("product", "two") in parts
    assert Shortcode("product", "one") not in parts


def test_plain_text_uses_labels_for_shortcodes():
    rendered = render_markdown("Try **this**: [[product:serum]] &amp; rest.")
    text = plain_text(rendered, {Shortcode("product", "serum"): "Night Serum"})
    assert text == "Try this: Night Serum & rest."


def test_cache_is_keyed_by_key_and_text(monkeypatch):
    rendering.clear_cache()
    calls = []
    original = rendering.render_markdown
    monkeypatch.setattr(rendering, "render_markdown",
                        lambda text: calls.append(text) or original(text))
    first = cached_markdown("article:1:1", "Hello")
    assert cached_markdown("article:1:1", "Hello") is first
    assert calls == ["Hello"]
    cached_markdown("article:1:2", "Hello")
    cached_markdown("article:1:1", "Other text, same id and version")
    assert len(calls) == 3


def test_lru_cache_drops_the_least_recently_used():
    cache = rendering._LRUCache(maxsize=2)
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1
    cache.set("c", 3)
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (1, 3)
