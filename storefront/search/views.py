"""The search page: products, articles and conditions for what the shopper typed."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from storefront.caching import cached_page
from storefront.catalog.models import Category
from storefront.extensions import db
from storefront.search import schema  # noqa: F401  (installs the search DDL on create_all)
from storefront.search.query import MAX_QUERY_LENGTH, MAX_TERMS, parse_query
from storefront.search.services import search as run_search

bp = Blueprint("search", __name__)

SUGGESTED_CATEGORIES = 6


@bp.get("/search")
@cached_page(args=("q",))
def search():
    query = parse_query(request.args.get("q", type=str))
    results = run_search(query) if query.is_searchable else None
    categories = []
    if results is None or results.total == 0:
        categories = db.session.scalars(
            select(Category).order_by(Category.position, Category.name).limit(SUGGESTED_CATEGORIES)
        ).all()
    return render_template(
        "catalog/search.html",
        query=query,
        results=results,
        categories=categories,
        max_length=MAX_QUERY_LENGTH,
        max_terms=MAX_TERMS,
    )
