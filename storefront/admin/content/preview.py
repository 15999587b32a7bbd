"""An article body as readers would see it, for the editor's preview (nothing is saved)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import select

from storefront.catalog.models import Product
from storefront.catalog.templating import product_card
from storefront.content import editing, picks, reading
from storefront.content.models import Article
from storefront.content.rendering import Shortcode, fill_shortcodes, render_markdown
from storefront.extensions import db


@dataclass
class Preview:
    body: Markup
    problems: list[str] = field(default_factory=list)


def _link(href: str, text: str) -> str:
    return str(Markup('<a href="{}">{}</a>').format(href, text))


def _renderer(products: dict[str, Product], articles: dict[str, Article]):
    def render(code: Shortcode) -> str | None:
        if code.kind == "article":
            target = articles.get(code.slug)
            if target is None:
                return None
            if not target.is_visible():
                return str(escape(target.title))
            return _link(url_for("content.article_detail", slug=target.slug), target.title)
        product = products.get(code.slug)
        if product is None:
            return None
        if not product.is_active:
            return str(escape(product.name))
        if code.block:
            return str(product_card(product, heading_level=3))
        return _link(url_for("catalog.product_detail", slug=product.slug), product.name)

    return render


def article_preview(body: str) -> Preview:
    """``body`` rendered like the article page (live product cards and article links),
    with the shortcode problems that would stop it being saved.
    """
    rendered = render_markdown(body or "")
    product_slugs = {code.slug for code in rendered.shortcodes if code.kind == "product"}
    article_slugs = {code.slug for code in rendered.shortcodes if code.kind == "article"}
    products = {product.slug: product
                for product in picks.load_products(set(), product_slugs).products}
    articles = {}
    if article_slugs:
        query = (select(Article).where(Article.slug.in_(sorted(article_slugs)))
                 .options(reading.teaser_only()))
        articles = {article.slug: article for article in db.session.scalars(query)}
    html = fill_shortcodes(rendered, _renderer(products, articles))
    problems = editing.shortcode_problems(body or "") if rendered.shortcodes else []
    return Preview(html, problems)
