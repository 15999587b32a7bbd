"""The admin's search pages: the synonyms editor (audited) and what people search for, with
a synonym added in one step from a search that found nothing (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.audit.models import AuditEntry
from storefront.db import utcnow
from storefront.extensions import db
from storefront.search import counting
from storefront.search.models import SearchCount, SearchSynonym, SynonymKind
from tests.factories import AdminFactory, ProductFactory, SearchSynonymFactory
from tests.helpers import csrf_from, login, submit
from tests.helpers.pages import Page
from tests.helpers.search import found


@pytest.fixture
def admin(client, app, make):
    counting.counter(app).take()  # counts other tests left waiting in memory
    user = make(AdminFactory)
    login(client, user.email)
    return user


def saved(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(row.kind.value, row.terms, row.targets)
                for row in db.session.scalars(select(SearchSynonym).order_by(SearchSynonym.id))]


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_an_admin_adds_edits_and_removes_a_synonym(client, app, admin, make):
    make(ProductFactory, name="Mineral Sunscreen")
    response = submit(client, "/admin/search/synonyms/new", {
        "kind": "one_way", "terms": " sunblock ,  Sun Cream,, ", "targets": "sunscreen"})
    assert response.status_code == 303
    assert saved(app) == [("one_way", "sunblock, Sun Cream", "sunscreen")]
    assert "sunblock, Sun Cream" in client.get("/admin/search/synonyms").get_data(as_text=True)
    logged_out = app.test_client()
    assert found(logged_out, "sun cream")["products"] == ["Mineral Sunscreen"]

    with app.app_context():
        synonym_id = db.session.scalar(select(SearchSynonym.id))
    edit_url = f"/admin/search/synonyms/{synonym_id}/edit"
    response = submit(client, edit_url, {"kind": "multi_way", "terms": "sunblock, sunscreen"})
    assert response.status_code == 303
    assert saved(app) == [("multi_way", "sunblock, sunscreen", "")]

    token = csrf_from(client.get("/admin/search/synonyms").get_data(as_text=True))
    response = client.post(f"/admin/search/synonyms/{synonym_id}/delete",
                           data={"csrf_token": token})
    assert response.status_code == 303
    assert saved(app) == []
    assert actions(app) == ["search_synonym.created", "search_synonym.changed",
                            "search_synonym.deleted"]
    assert found(logged_out, "sunblock")["products"] == []


@pytest.mark.parametrize(("form", "message"), [
    ({"kind": "one_way", "terms": "sunblock", "targets": ""}, "Enter what these words"),
    ({"kind": "one_way", "terms": "sunblock", "targets": "Sunblock"}, "Enter what these words"),
    ({"kind": "multi_way", "terms": "moisturiser"}, "at least two words or phrases"),
    ({"kind": "one_way", "terms": "the, of", "targets": "x"}, "only very common words"),
    ({"kind": "one_way", "terms": "one two three four five", "targets": "x"},
     "at most 4 words per phrase"),
    ({"kind": "one_way", "terms": ", ".join(f"w{n}" for n in range(13)), "targets": "x"},
     "at most 12 phrases"),
    ({"kind": "one_way", "terms": "", "targets": "x"}, "Enter the words shoppers type."),
    ({"kind": "sideways", "terms": "a b", "targets": "x"}, "Not a valid choice"),
])
def test_a_rule_searches_could_not_use_is_refused_with_the_reason(client, app, admin, form,
                                                                  message):
    response = submit(client, "/admin/search/synonyms/new", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert saved(app) == []


def test_the_report_shows_counts_for_the_chosen_period(client, app, admin, make):
    today = utcnow().date()
    with app.app_context():
        db.session.add_all([SearchCount(day=today, query="sunscreen", searches=12, results=4),
                            SearchCount(day=today, query="chicken skin", searches=5,
                                        results=0)])
        db.session.commit()
    page = client.get("/admin/search?days=7").get_data(as_text=True)
    assert "17 searches, 5 of which found nothing (29 %)" in page
    report = Page(page)
    top = [cells[0] for cells in report.table('section[aria-labelledby="top-heading"] table')
           if cells and cells[0] != "Search"]
    assert top == ["sunscreen", "chicken skin"]
    empty = report.text_of('section[aria-labelledby="empty-heading"]')
    assert "chicken skin" in empty
    assert "sunscreen" not in empty
    assert client.get("/admin/search?days=9999").status_code == 200  # the default period


def test_a_search_that_found_nothing_gets_a_synonym_in_one_step(client, app, admin, make):
    make(ProductFactory, name="Lactic Body Lotion", description="For keratosis pilaris.")
    visitor = app.test_client()
    assert found(visitor, "chicken skin")["products"] == []
    with app.app_context():
        db.session.add(SearchCount(day=utcnow().date(), query="chicken skin", searches=5,
                                   results=0))
        db.session.commit()

    report = client.get("/admin/search?days=7").get_data(as_text=True)
    assert 'name="terms" value="chicken skin"' in report
    response = client.post("/admin/search/synonyms/new", data={
        "csrf_token": csrf_from(report), "kind": "one_way", "terms": "chicken skin",
        "targets": "keratosis pilaris", "next": "/admin/search?days=7"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/search?days=7")
    assert saved(app) == [("one_way", "chicken skin", "keratosis pilaris")]
    assert found(visitor, "chicken skin")["products"] == ["Lactic Body Lotion"]


def test_the_way_back_stays_on_this_site(client, app, admin):
    page = client.get("/admin/search/synonyms/new?terms=zits&next=https://evil.test/")
    html = page.get_data(as_text=True)
    assert 'value="zits"' in html
    assert "evil.test" not in html
    response = client.post("/admin/search/synonyms/new", data={
        "csrf_token": csrf_from(html), "kind": "one_way", "terms": "zits", "targets": "acne",
        "next": "https://evil.test/"})
    assert response.headers["Location"].endswith("/admin/search/synonyms")


def test_the_synonyms_list_pages_through_many_rules(client, app, admin, make):
    for n in range(3):
        make(SearchSynonymFactory, terms=f"word{n}", targets="acne")
    make(SearchSynonymFactory, kind=SynonymKind.MULTI_WAY, terms="colour, color", targets="")
    page = client.get("/admin/search/synonyms").get_data(as_text=True)
    assert page.count('class="link-button">Remove') == 4
    assert "each other" in page
