"""Searching the shop as a visitor does, and editing what search reads."""

from __future__ import annotations

from storefront.extensions import db
from tests.helpers.pages import Page


def found(client, query: str) -> dict[str, list[str]]:
    """The result titles the page lists for ``query``, per section, best first."""
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return {kind: _titles(page, kind) for kind in ("products", "articles", "conditions")}


def edit(app, model, row_id, **changes):
    with app.app_context():
        row = db.session.get(model, row_id)
        for name, value in changes.items():
            setattr(row, name, value)
        db.session.commit()


def statements_for(client, count_queries, query: str) -> int:
    with count_queries() as counter:
        assert client.get("/search", query_string={"q": query}).status_code == 200
    return counter.count


def _titles(page: str, kind: str) -> list[str]:
    return Page(page).texts(f'section[aria-labelledby="{kind}-heading"] h3')
