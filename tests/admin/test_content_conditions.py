"""Editors keep skin conditions and their recommended products and ingredients."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.catalog.models import Ingredient, Product, ProductStatus
from storefront.content.models import Condition, Recommendation, RecommendationRole
from storefront.extensions import db
from tests.factories import (
    ConditionFactory,
    IngredientFactory,
    ProductFactory,
    RecommendationFactory,
)
from tests.helpers.admin import as_editor, audit_log, field_error, form_values, post_form, textarea
from tests.helpers.content import PAYLOADS, assert_harmless, page
from tests.helpers.pages import Page, text


def stored_condition(app, slug: str) -> Condition | None:
    with app.app_context():
        condition = db.session.scalar(select(Condition).where(Condition.slug == slug))
        if condition is not None:
            db.session.expunge(condition)
        return condition


def recommendations(app, condition_id: int) -> list[tuple]:
    """(product slug or None, ingredient slug or None, why, position), in order."""
    with app.app_context():
        query = (select(Recommendation).where(Recommendation.condition_id == condition_id)
                 .order_by(Recommendation.position, Recommendation.id))
        return [(rec.product.slug if rec.product else None,
                 rec.ingredient.slug if rec.ingredient else None, rec.why, rec.position)
                for rec in db.session.scalars(query)]


CONDITION = {"name": "Milia", "slug": "milia", "summary": "Tiny white cysts.",
             "causes": "Trapped **keratin**.", "what_helps": "Gentle exfoliation.",
             "position": "3"}


def test_editor_creates_and_edits_a_condition(app, client, make):
    editor = as_editor(client, make)
    response = post_form(client, "/admin/conditions/new", CONDITION)
    assert response.status_code == 303
    condition = stored_condition(app, "milia")
    assert (condition.name, condition.position, condition.causes) == (
        "Milia", 3, "Trapped **keratin**.")
    assert "Milia" in page(client, "/admin/conditions")
    assert "<strong>keratin</strong>" in page(client, "/conditions/milia")

    url = f"/admin/conditions/{condition.id}/edit"
    values = form_values(page(client, url))
    assert values["causes"] == "Trapped **keratin**."
    assert client.post(url, data={**values, "summary": "Small keratin cysts."}
                       ).status_code == 303
    assert stored_condition(app, "milia").summary == "Small keratin cysts."

    created, updated = audit_log(app, "condition.")
    assert (created.action, created.actor_id, created.after["slug"]) == (
        "condition.created", editor.id, "milia")
    assert updated.before == {"summary": "Tiny white cysts."}
    assert updated.after == {"summary": "Small keratin cysts."}


def test_an_empty_condition_address_is_made_from_the_name(app, client, make):
    as_editor(client, make)
    post_form(client, "/admin/conditions/new", {**CONDITION, "slug": "",
                                                "name": "Perioral Dermatitis"})
    assert stored_condition(app, "perioral-dermatitis") is not None
    assert [entry.action for entry in audit_log(app)] == ["condition.created"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Give the condition a name."),
    ({"slug": "Bad Slug"}, "slug", "lower-case letters"),
    ({"slug": "taken"}, "slug", "Another condition already uses"),
    ({"summary": "x" * 501}, "summary", "at most 500 characters"),
    ({"position": "first"}, "position", "Not a valid integer"),
    ({"position": "99999999999"}, "position", "from 0 to 10,000"),
])
def test_bad_condition_input_is_refused_and_kept(app, client, make, changes, field, message):
    as_editor(client, make)
    make(ConditionFactory, slug="taken")
    response = post_form(client, "/admin/conditions/new", {**CONDITION, **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in field_error(html, field)
    assert textarea(html, "causes") == "Trapped **keratin**."
    assert stored_condition(app, "milia") is None
    assert audit_log(app, "condition.") == []


def test_unknown_condition_is_404(client, make):
    as_editor(client, make)
    assert client.get("/admin/conditions/999999/edit").status_code == 404
    assert client.get("/admin/conditions/999999/recommendations").status_code == 404
    assert client.get("/admin/recommendations/999999/edit").status_code == 404


# --- Recommendations ------------------------------------------------------------------------

@pytest.fixture
def milia(app, make):
    condition = make(ConditionFactory, name="Milia", slug="milia")
    make(ProductFactory, slug="retinal-serum", name="Retinal Serum")
    make(ProductFactory, slug="gone-cream", name="Gone Cream", status=ProductStatus.ARCHIVED)
    make(ProductFactory, slug="empty-gel", name="Empty Gel", variant__stock_on_hand=0)
    make(IngredientFactory, slug="retinol", name="Retinol")
    return condition


def ids(app) -> dict[str, int]:
    """Product and ingredient ids by slug."""
    with app.app_context():
        found = dict(db.session.execute(select(Product.slug, Product.id)).all())
        found.update(db.session.execute(select(Ingredient.slug, Ingredient.id)).all())
        return found


def add(client, condition, **data):
    url = f"/admin/conditions/{condition.id}/recommendations"
    payload = {"product": "", "ingredient": "", "why": "It helps.", "how_to_use": "",
               "place": ""}
    return post_form(client, url, {**payload, **data})


def test_recommendations_are_added_edited_reordered_and_removed(app, client, make, milia):
    editor = as_editor(client, make)
    known = ids(app)
    assert add(client, milia, product=known["retinal-serum"], why="Speeds turnover.",
               how_to_use="At night.").status_code == 303
    assert add(client, milia, ingredient=known["retinol"], why="The key active."
               ).status_code == 303
    assert add(client, milia, product=known["empty-gel"], why="Soothes.", place="1"
               ).status_code == 303
    assert recommendations(app, milia.id) == [
        ("empty-gel", None, "Soothes.", 0), ("retinal-serum", None, "Speeds turnover.", 1),
        (None, "retinol", "The key active.", 2)]

    with app.app_context():
        serum, gel, retinol = (db.session.scalar(select(Recommendation.id).where(where))
                               for where in (Recommendation.product_id == known["retinal-serum"],
                                             Recommendation.product_id == known["empty-gel"],
                                             Recommendation.ingredient_id == known["retinol"]))
    list_url = f"/admin/conditions/{milia.id}/recommendations"
    assert post_form(client, f"/admin/recommendations/{serum}/move", {"direction": "up"},
                     form_url=list_url).status_code == 303
    assert [row[0] or row[1] for row in recommendations(app, milia.id)] == [
        "retinal-serum", "empty-gel", "retinol"]
    post_form(client, f"/admin/recommendations/{serum}/move", {"direction": "up"},
              form_url=list_url)
    assert recommendations(app, milia.id)[0][0] == "retinal-serum"

    edit_url = f"/admin/recommendations/{retinol}/edit"
    values = form_values(page(client, edit_url))
    assert values["why"] == "The key active."
    assert values["place"] == "3"
    response = client.post(edit_url, data={**values, "why": "Unclogs pores.", "place": "1"})
    assert response.status_code == 303
    assert recommendations(app, milia.id)[0] == (None, "retinol", "Unclogs pores.", 0)

    assert post_form(client, f"/admin/recommendations/{gel}/delete", {},
                     form_url=list_url).status_code == 303
    assert [row[0] or row[1] for row in recommendations(app, milia.id)] == [
        "retinol", "retinal-serum"]
    assert [row[3] for row in recommendations(app, milia.id)] == [0, 1]

    actions = [entry.action for entry in audit_log(app, "recommendation.")]
    assert actions == ["recommendation.added"] * 3 + ["recommendation.moved",
                                                     "recommendation.updated",
                                                     "recommendation.removed"], \
        "the second move up (already first) changed nothing, so it is not logged"
    entries = audit_log(app, "recommendation.")
    assert all(entry.actor_id == editor.id for entry in entries)
    assert entries[3].before == {"place": 2}
    assert entries[3].after == {"place": 1}
    assert entries[4].after == {"why": "Unclogs pores.", "place": 1}
    assert entries[5].before["product"] == "empty-gel"
    assert entries[5].after is None


def test_a_recommendation_says_what_job_it_does(app, client, make, milia):
    as_editor(client, make)
    known = ids(app)
    assert add(client, milia, product=known["retinal-serum"], why="Prevents new ones.",
               role="prevent").status_code == 303
    with app.app_context():
        rec = db.session.scalar(select(Recommendation))
        assert rec.role is RecommendationRole.PREVENT
    edit_url = f"/admin/recommendations/{rec.id}/edit"
    values = form_values(page(client, edit_url))
    assert values["role"] == "prevent"
    assert client.post(edit_url, data={**values, "role": "treat"}).status_code == 303
    assert audit_log(app, "recommendation.updated")[0].after == {"role": "treat"}
    assert "Treatment" in page(client, f"/admin/conditions/{milia.id}/recommendations")
    response = client.post(edit_url, data={**values, "role": "advertise"})
    assert response.status_code == 422
    assert "Not a valid choice" in field_error(
        response.get_data(as_text=True), "role")


def test_a_recommendation_is_a_product_or_an_ingredient_exactly(app, client, make, milia):
    as_editor(client, make)
    known = ids(app)
    for data in ({}, {"product": known["retinal-serum"], "ingredient": known["retinol"]}):
        response = add(client, milia, why="Kept reason.", **data)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "exactly one of the two" in field_error(html, "product")
        assert textarea(html, "why") == "Kept reason."
    response = add(client, milia, product="999999")
    assert "Not a valid choice" in field_error(response.get_data(as_text=True), "product")
    response = add(client, milia, product=known["retinal-serum"], why="")
    assert "Say why it helps." in field_error(response.get_data(as_text=True), "why")
    assert recommendations(app, milia.id) == []
    assert audit_log(app, "recommendation.") == []


def test_the_same_product_is_not_recommended_twice(app, client, make, milia):
    as_editor(client, make)
    known = ids(app)
    add(client, milia, product=known["retinal-serum"])
    response = add(client, milia, product=known["retinal-serum"])
    assert response.status_code == 422
    assert "already has that recommendation" in response.get_data(as_text=True)
    assert [entry.action for entry in audit_log(app)] == ["recommendation.added"]


def test_unavailable_products_are_flagged(app, client, make, milia):
    as_editor(client, make)
    known = ids(app)
    for slug in ("retinal-serum", "gone-cream", "empty-gel"):
        add(client, milia, product=known[slug])
    html = page(client, f"/admin/conditions/{milia.id}/recommendations")
    rows = {name: text(Page(html).row(name))
            for name in ("Retinal Serum", "Gone Cream", "Empty Gel")}
    assert "On sale" in rows["Retinal Serum"]
    assert "Not on sale" in rows["Gone Cream"]
    assert "Out of stock" in rows["Empty Gel"]
    assert "Gone Cream (archived, not on sale)" in html, "the chooser says so too"
    assert [entry.action for entry in audit_log(app)] == ["recommendation.added"] * 3


def test_xss_in_a_condition_and_a_recommendation_is_harmless(app, client, make):
    as_editor(client, make)
    payload = "\n\n".join(PAYLOADS)
    condition = make(ConditionFactory, name="<script>alert(1)</script>", slug="xss",
                     causes=payload)
    product = make(ProductFactory, name="<img src=x onerror=alert(1)>")
    with app.app_context():
        RecommendationFactory(condition=db.session.get(Condition, condition.id),
                              product=db.session.get(Product, product.id), why=payload,
                              how_to_use=payload)
        db.session.commit()
    for url in ("/admin/conditions", f"/admin/conditions/{condition.id}/edit",
                f"/admin/conditions/{condition.id}/recommendations"):
        assert_harmless(page(client, url))
