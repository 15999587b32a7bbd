"""Template helpers for the search page: its lists of results.

A search shows up to 24 products, 10 articles and 10 skin conditions. Each list is written
here in one call rather than as a template loop (Jinja's attribute look-ups, tests and
escaping for each result cost, for "retinol", about as much as 5 of its 24 cards), every
value escaped, with the whitespace the loops wrote, so the page stays byte for byte the
same.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask
from markupsafe import Markup

from storefront.catalog.templating import card_links, product_card
from storefront.html import escaped
from storefront.links import route_link


def product_hits(hits: Sequence) -> Markup:
    """The products found (``Hit``s of cards): each card, then its snippet if it has one."""
    html, links = [], card_links()
    for hit in hits:
        snippet = (f'<p class="search-snippet">{escaped(hit.snippet)}</p>'
                   if hit.snippet else "")
        card = product_card(hit.item, heading_level=3, links=links)
        html.append(f"\n      <li>\n        {card}\n{snippet}\n      </li>\n")
    return Markup("".join(html))  # noqa: S704 (escaped)


def article_hits(hits: Sequence) -> Markup:
    """The articles found: kind, linked title, and the snippet (or else the summary)."""
    link = route_link("content.article_detail", "slug")
    return Markup("".join(  # noqa: S704 (escaped)
        _found(link(hit.item.slug), hit.item.title, hit.snippet or hit.item.summary,
               f'\n        <p class="eyebrow">{escaped(hit.item.kind.label)}</p>')
        for hit in hits))


def condition_hits(hits: Sequence) -> Markup:
    """The skin conditions found: linked name, and the snippet (or else the summary)."""
    link = route_link("content.condition_detail", "slug")
    return Markup("".join(  # noqa: S704 (escaped)
        _found(link(hit.item.slug), hit.item.name, hit.snippet or hit.item.summary)
        for hit in hits))


def _found(href: str, title: str, text, eyebrow: str = "") -> str:
    """An article or condition found: ``eyebrow`` (written already), the linked title and
    the text, escaped here."""
    return (f'\n      <li class="card">{eyebrow}\n        <h3><a href="{escaped(href)}">'
            f'{escaped(title)}</a></h3>\n        <p class="search-snippet">{escaped(text)}'
            "</p>\n      </li>\n")


def register_search_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(product_hits=product_hits, article_hits=article_hits,
                                 condition_hits=condition_hits)
