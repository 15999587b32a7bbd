"""What people search for: every search counted, cached ones too, without personal data and
without SQL on a cached page (both backends)."""

from __future__ import annotations

import runpy
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from storefront.db import utcnow
from storefront.extensions import db
from storefront.search import counting
from storefront.search.models import SearchCount
from storefront.search.query import parse_query
from tests.factories import ProductFactory
from tests.helpers.caching import from_cache, html


@pytest.fixture
def searches(app, monkeypatch):
    """This app's counter, empty, writing on every render."""
    searches = counting.counter(app)
    searches.take()  # what earlier tests left waiting
    monkeypatch.setattr(searches, "flush_seconds", 0)
    yield searches
    searches.take()


def rows(app) -> dict[str, tuple[int, int | None]]:
    with app.app_context():
        found = db.session.execute(
            select(SearchCount.query, SearchCount.searches, SearchCount.results))
        return {query: (count, results) for query, count, results in found}


def write(app, searches) -> None:
    with app.app_context():
        searches.write()


def test_every_search_is_counted_cached_or_not_and_a_cached_one_costs_no_sql(
        client, app, make, count_queries, searches):
    make(ProductFactory, name="Barrier Cream")
    html(client, "/search?q=Barrier%20CREAM")  # rendered: counted and written
    assert rows(app) == {"barrier cream": (1, 1)}

    for _ in range(3):  # the fast lane answers these without Flask, and without SQL
        from_cache(client, count_queries, "/search?q=Barrier%20CREAM")
    assert rows(app) == {"barrier cream": (1, 1)}  # counted in memory only
    html(client, "/search?q=nothing+at+all")  # the next render writes them
    assert rows(app) == {"barrier cream": (4, 1), "nothing at all": (1, 0)}


def test_counts_wait_in_memory_until_they_are_due(client, app, make, searches, count_queries):
    searches.flush_seconds = 3600
    make(ProductFactory, name="Barrier Cream")
    for query in ("barrier", "cream", "barrier"):
        html(client, f"/search?q={query}")
    assert rows(app) == {}
    write(app, searches)
    assert rows(app) == {"barrier": (2, 1), "cream": (1, 1)}


def test_nothing_personal_is_kept(client, app, searches):
    for query in ("someone@example.org", "order 1204567", "+44 7700 900123", "", "   ", "!!!"):
        html(client, "/search?" + (f"q={query}" if query else ""))
    write(app, searches)
    assert rows(app) == {}
    with app.app_context():
        columns = {column["name"] for column in
                   inspect(db.session.connection()).get_columns("search_count")}
    assert columns == {"day", "query", "searches", "results"}


def test_the_text_kept_is_the_words_in_order_at_most_100_characters():
    assert counting.normalised(parse_query("  Retin-A   CREAM ")) == "retin a cream"
    assert counting.normalised(parse_query("what is the cause of milia")) == (
        "what is the cause of milia")
    long = counting.normalised(parse_query(" ".join(["niacinamide"] * 30)))
    assert len(long) <= counting.MAX_QUERY_LENGTH
    assert long.split() == ["niacinamide"] * len(long.split())  # cut between words


def test_counts_that_cannot_be_written_are_dropped_and_the_page_is_served(
        client, app, searches, monkeypatch, caplog):
    monkeypatch.setattr(counting, "_upsert",
                        lambda dialect: text("INSERT INTO no_such_table VALUES (:query)"))
    response = client.get("/search?q=retinol")
    assert response.status_code == 200
    assert "Could not write 1 search counts" in caplog.text
    assert searches.take() == []


def test_the_report_lists_top_searches_and_those_that_found_nothing(app, db):
    today = utcnow().date()
    with app.app_context():
        db.session.add_all([
            SearchCount(day=today, query="sunscreen", searches=9, results=4),
            SearchCount(day=today - timedelta(days=3), query="sunscreen", searches=5,
                        results=2),
            SearchCount(day=today, query="sunblock", searches=3, results=0),
            SearchCount(day=today - timedelta(days=2), query="sunblock", searches=2,
                        results=0),
            SearchCount(day=today - timedelta(days=20), query="renova", searches=7,
                        results=0),
            SearchCount(day=today, query="milia", searches=1, results=None),
        ])
        db.session.commit()
        week, month = counting.PERIODS[1], counting.PERIODS[2]
        assert counting.top_searches(week) == [
            counting.SearchTotal("sunscreen", 14, 4), counting.SearchTotal("sunblock", 5, 0),
            counting.SearchTotal("milia", 1, None)]
        assert counting.searches_without_results(week) == [
            counting.SearchTotal("sunblock", 5, 0)]
        assert [row.query for row in counting.searches_without_results(month)] == [
            "renova", "sunblock"]
        assert counting.totals(week) == (20, 5)


def test_old_counts_are_forgotten(app, db):
    today = utcnow().date()
    with app.app_context():
        db.session.add_all([SearchCount(day=today - timedelta(days=401), query="old"),
                            SearchCount(day=today - timedelta(days=399), query="recent")])
        db.session.commit()
        assert counting.prune(400) == 1
        db.session.commit()
        assert db.session.scalars(select(SearchCount.query)).all() == ["recent"]


def test_a_stopping_worker_writes_what_it_holds(client, app, searches):
    searches.flush_seconds = 3600
    html(client, "/search?q=lastwords")
    assert rows(app) == {}
    settings = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    settings["worker_exit"](None, None)  # gunicorn calls it as a worker stops
    # (Every app of the process writes, into the database this test uses: earlier tests'
    # apps may add searches of their own, so this one is searched for by no other test.)
    assert rows(app)["lastwords"] == (1, 0)
