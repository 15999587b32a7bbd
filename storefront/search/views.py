"""The search page (products, articles and conditions for what the shopper typed) and the
suggestions offered as they type."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for
from sqlalchemy import select

from storefront.caching import cached_page, depends_on
from storefront.catalog.models import Category
from storefront.catalog.page_tags import SEARCH
from storefront.extensions import db, limiter
from storefront.search import counting
from storefront.search.query import MAX_QUERY_LENGTH, MAX_TERMS, parse_query
from storefront.search.services import search as run_search
from storefront.search.services import suggest as find_suggestions

bp = Blueprint("search", __name__)

SUGGESTED_CATEGORIES = 6
SUGGEST_MAX_AGE = 60
_RENDERED = "search_page_rendered"
_ENDPOINTS = {"product": "catalog.product_detail", "article": "content.article_detail",
              "condition": "content.condition_detail"}
_KIND_LABELS = {"product": "Product", "article": "Article", "condition": "Skin condition"}


@bp.get("/search")
def search():
    """Count the search (in memory), answer it (from the page cache when stored), and
    write the waiting counts if this request rendered a page and they are due."""
    query = parse_query(request.args.get("q", type=str))
    searches = counting.counter()
    searches.count(counting.normalised(query))
    response = _results_page(query)
    if g.pop(_RENDERED, False):
        searches.write_if_due()
    return response


@cached_page(args=("q",), edge=False)  # every search is counted, so each must reach us
def _results_page(query):
    depends_on(SEARCH)  # any page's new words may make it a result
    results = run_search(query) if query.is_searchable else None
    g.setdefault(_RENDERED, True)
    if results is not None:
        counting.counter().count(counting.normalised(query), results.total, searches=0)
    categories = []
    if results is None or results.total == 0:
        categories = db.session.scalars(
            select(Category).order_by(Category.position, Category.name).limit(SUGGESTED_CATEGORIES)
        ).all()
    return render_template(
        "search/results.html",
        query=query,
        results=results,
        categories=categories,
        max_length=MAX_QUERY_LENGTH,
        max_terms=MAX_TERMS,
    )


@bp.get("/search/suggest")
@limiter.limit(lambda: current_app.config["SUGGEST_RATE_LIMIT"])
def suggest():
    """A few pages matching what has been typed so far, as JSON for search-suggest.js."""
    query = parse_query(request.args.get("q", type=str))
    items = [{"label": found.label, "kind": _KIND_LABELS[found.kind],
              "url": url_for(_ENDPOINTS[found.kind], slug=found.slug)}
             for found in find_suggestions(query)]
    response = jsonify(query=query.text, suggestions=items)
    response.headers["Cache-Control"] = f"public, max-age={SUGGEST_MAX_AGE}"
    return response
