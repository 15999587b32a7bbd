"""Synonyms: one-way and multi-way, phrases, exact matches first, and a change applies at
once, cached search pages included, in every worker (both backends)."""

from __future__ import annotations

from pathlib import Path

from storefront.extensions import db
from storefront.search import synonyms
from storefront.search.models import SearchSynonym, SynonymKind
from tests.factories import ArticleFactory, ConditionFactory, ProductFactory, SearchSynonymFactory
from tests.helpers.apps import make_test_app
from tests.helpers.caching import cached_twice, html
from tests.helpers.search import found


def rule(make, terms: str, targets: str = "", kind=SynonymKind.ONE_WAY) -> SearchSynonym:
    return make(SearchSynonymFactory, kind=kind, terms=terms, targets=targets)


def test_a_one_way_synonym_finds_its_targets_but_not_the_reverse(client, make):
    make(ProductFactory, name="Tretinoin Cream")
    make(ProductFactory, name="Renova Lotion")
    rule(make, "Renova, Retin-A", "tretinoin")

    assert found(client, "renova")["products"] == ["Renova Lotion", "Tretinoin Cream"]
    assert found(client, "RENOVA cream")["products"] == ["Tretinoin Cream"]
    assert found(client, "tretinoin")["products"] == ["Tretinoin Cream"]


def test_a_multi_way_synonym_works_every_way(client, make):
    make(ProductFactory, name="Gel Moisturiser")
    make(ProductFactory, name="Night Moisturizer")
    make(ProductFactory, name="Day Cream")
    rule(make, "moisturiser, moisturizer", kind=SynonymKind.MULTI_WAY)

    both = ["Gel Moisturiser", "Night Moisturizer"]
    assert sorted(found(client, "moisturizer")["products"]) == both
    assert sorted(found(client, "Moisturiser")["products"]) == both


def test_retin_a_lists_tretinoin_not_the_retinols(client, make):
    for name in ("Retinol Serum", "Retinol Cream", "Retinol Eye Gel"):
        make(ProductFactory, name=name)
    make(ProductFactory, name="Tretinoin Cream")
    assert len(found(client, "Retin-A")["products"]) == 3  # "retin", as a word start

    rule(make, "Retin-A", "tretinoin")

    assert found(client, "Retin-A")["products"] == ["Tretinoin Cream"]
    assert found(client, "retin a")["products"] == ["Tretinoin Cream"]


def test_vitamin_a_finds_retinol_rather_than_vitamin_c(client, make):
    make(ProductFactory, name="Vitamin C Serum")
    make(ProductFactory, name="Retinol Serum")
    rule(make, "vitamin A", "retinol, retinoid")

    assert found(client, "vitamin A")["products"] == ["Retinol Serum"]
    assert found(client, "vitamin c")["products"] == ["Vitamin C Serum"]


def test_a_phrase_is_matched_whole_and_the_longest_rule_wins(client, make):
    make(ProductFactory, name="Mineral Sunscreen")
    make(ProductFactory, name="Night Cream", description="Keep it out of the sun.")
    make(ConditionFactory, name="Hyperpigmentation")
    make(ConditionFactory, name="Acne")
    rule(make, "sun cream", "sunscreen")
    rule(make, "spots", "acne")
    rule(make, "dark spots", "hyperpigmentation")

    assert found(client, "sun cream")["products"] == ["Mineral Sunscreen"]
    assert found(client, "cream")["products"] == ["Night Cream"]
    assert found(client, "dark spots")["conditions"] == ["Hyperpigmentation"]
    assert found(client, "spots")["conditions"] == ["Acne"]


def test_what_the_shopper_typed_ranks_above_what_a_synonym_adds(client, make):
    make(ProductFactory, name="Sunscreen Fluid")
    make(ProductFactory, name="Sunblock Stick")
    make(ArticleFactory, title="Why sunscreen matters")
    make(ArticleFactory, title="Sunblock or sunscreen?", body="Sunblock is an old word.")
    rule(make, "sunblock", "sunscreen")

    assert found(client, "sunblock")["products"] == ["Sunblock Stick", "Sunscreen Fluid"]
    assert found(client, "sunblock")["articles"] == ["Sunblock or sunscreen?",
                                                     "Why sunscreen matters"]


def test_a_new_synonym_changes_a_cached_search_page_at_once(client, app, make, count_queries):
    make(ProductFactory, name="Mineral Sunscreen")
    assert "Nothing matched" in cached_twice(client, count_queries, "/search?q=sunblock")

    with app.app_context():
        synonyms.save(synonyms.SynonymSettings(SynonymKind.ONE_WAY, "sunblock", "sunscreen"),
                      None, actor=None)
        db.session.commit()
    assert "Mineral Sunscreen" in html(client, "/search?q=sunblock")

    with app.app_context():
        synonyms.delete(db.session.query(SearchSynonym).one(), actor=None)
        db.session.commit()
    assert "Nothing matched" in html(client, "/search?q=sunblock")


def test_every_worker_uses_a_rule_saved_by_another(client, app, make, database_url):
    """Rules are kept per worker for one page cache generation; a save makes a new one."""
    make(ProductFactory, name="Mineral Sunscreen")
    other = make_test_app(database_url, Path(app.instance_path))  # same instance folder
    with app.app_context():
        assert not synonyms.current().match(("sunblock",), 0)[0]
    with other.app_context():
        synonyms.save(synonyms.SynonymSettings(SynonymKind.ONE_WAY, "sunblock", "sunscreen"),
                      None, actor=None)
        db.session.commit()
    with app.app_context():
        assert synonyms.current().match(("sunblock",), 0) == (1, (("sunscreen",),))
    assert found(client, "sunblock")["products"] == ["Mineral Sunscreen"]


def test_rules_are_read_once_per_generation(client, app, make, count_queries):
    make(ProductFactory, name="Mineral Sunscreen")
    rule(make, "sunblock", "sunscreen")
    with app.app_context():
        synonyms.current()
        with count_queries() as counter:
            synonyms.current()
    assert counter.count == 0


def test_a_prescription_medicine_found_by_its_brand_name_is_shown_as_information(client, make):
    make(ProductFactory, name="Tretinoin 0.025% Cream", prescription_only=True)
    rule(make, "Renova", "tretinoin")
    response = client.get("/search?q=Renova")
    text = response.get_data(as_text=True)
    assert found(client, "Renova")["products"] == ["Tretinoin 0.025% Cream"]
    assert "Prescription only: ask your dermatologist" in text
    assert "Add to cart" not in text
