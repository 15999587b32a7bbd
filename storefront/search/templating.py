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
        f'\n      <li class="card">\n        <p class="eyebrow">{escaped(hit.item.kind.label)}'
        f'</p>\n        <h3><a href="{escaped(link(hit.item.slug))}">{escaped(hit.item.title)}'
        f"</a></h3>\n        <p class=\"search-snippet\">"
        f"{escaped(hit.snippet or hit.item.summary)}</p>\n      </li>\n"
        for hit in hits))


def condition_hits(hits: Sequence) -> Markup:
    """The skin conditions found: linked name, and the snippet (or else the summary)."""
    link = route_link("content.condition_detail", "slug")
    return Markup("".join(  # noqa: S704 (escaped)
        f'\n      <li class="card">\n        <h3><a href="{escaped(link(hit.item.slug))}">'
        f"{escaped(hit.item.name)}</a></h3>\n        <p class=\"search-snippet\">"
        f"{escaped(hit.snippet or hit.item.summary)}</p>\n      </li>\n"
        for hit in hits))


def register_search_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(product_hits=product_hits, article_hits=article_hits,
                                 condition_hits=condition_hits)
