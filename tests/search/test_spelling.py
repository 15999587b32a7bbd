"""Spelling: typos forgiven only when nothing matches, words no page has left out, "Did
you mean", and a vocabulary that follows the pages (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.catalog.models import Product, ProductStatus
from storefront.extensions import db
from storefront.search import schema, vocabulary
from storefront.search.models import SearchWord, SearchWordVersion
from storefront.search.upkeep import upkeep
from storefront.search.vocabulary import Lookup, typos_allowed
from tests.factories import ArticleFactory, ConditionFactory, ProductFactory
from tests.helpers.search import edit, found, statements_for


def page(client, query: str) -> str:
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def words(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(SearchWord.word)))


# --- The allowance ---------------------------------------------------------------------------

@pytest.mark.parametrize(("word", "allowed"), [
    ("acn", 0), ("acen", 1), ("milea", 1), ("tretinon", 2), ("niacinimide", 2),
    ("spf50", 0), ("b3", 0),
])
def test_typos_allowed_grow_with_the_word(word, allowed):
    assert typos_allowed(word) == allowed


@pytest.mark.parametrize(("word", "vocabulary_words", "close"), [
    ("acen", {"acne": 5}, ("acne",)),  # four letters: a swap is forgiven...
    ("kids", {"lids": 5, "aids": 2}, ()),  # ...another letter is not
    ("milea", {"milia": 3, "mild": 9}, ("milia",)),  # five letters: one typo
    ("tretinon", {"tretinoin": 2, "retinol": 20}, ("tretinoin",)),  # the nearest first
    ("niacinmaide", {"niacinamide": 4}, ("niacinamide",)),  # a swap is one typo
    ("serun", {"serum": 9, "serums": 3}, ("serum",)),
    ("zzyzx", {"zinc": 4}, ()),
])
def test_the_closest_known_words_within_the_allowance(word, vocabulary_words, close):
    assert vocabulary._judge(word, vocabulary_words).close == close


@pytest.mark.parametrize("word", ["tretinon", "niacinimide", "acen", "milea", "serun",
                                  "zzyzx", "sunscren", "plumper", "moisture"])
def test_words_kept_by_length_judge_as_every_word_does(word):
    """SQLite compares a word only with the known words near its length: the same words,
    just as near, as comparing with every one (a word three letters longer is three typos
    away: "near" for eight letters and more, where two are forgiven)."""
    documents = {"tretinoin": 2, "retinol": 20, "tretinoinxyz": 1, "tret": 3, "acne": 5,
                 "milia": 3, "mild": 9, "serum": 9, "serums": 3, "sunscreen": 8,
                 "sunscreens": 2, "niacinamide": 4, "zinc": 4, "ab": 1, "x": 1,
                 # As near as "near" goes, and only that far: two and three letters longer.
                 "applumper": 2, "rmoistureit": 1}
    words = vocabulary.Words.read(documents, "token")
    every = vocabulary._judge(word, documents, words.in_order)
    assert vocabulary._judge(word, documents, words.in_order, words.of_length) == every


def test_a_known_word_or_word_start_needs_no_fixing():
    assert vocabulary._judge("retin", {"retinol": 4, "retinoid": 7}) == Lookup(
        known=True, documents=7)
    assert not vocabulary._judge("re", {"retinol": 4}).known  # too short to be a start


# --- On the page -----------------------------------------------------------------------------

def test_a_misspelt_word_finds_what_the_right_one_would(client, make):
    make(ProductFactory, name="Niacinamide Serum")
    make(ProductFactory, name="Tretinoin Cream")
    make(ConditionFactory, name="Rosacea")

    assert found(client, "niacinimide")["products"] == ["Niacinamide Serum"]
    assert found(client, "tretinon cream")["products"] == ["Tretinoin Cream"]
    assert found(client, "rosacia")["conditions"] == ["Rosacea"]
    text = page(client, "niacinimide")
    assert "No page has “niacinimide”, so we searched for “niacinamide” instead." in text


def test_a_word_some_page_has_is_never_corrected(client, make):
    make(ProductFactory, name="Serum Mist")
    make(ProductFactory, name="Serun Balm")

    assert found(client, "serun")["products"] == ["Serun Balm"]
    assert "searched for" not in page(client, "serun")


def test_a_word_no_page_has_is_left_out_with_a_notice(client, make):
    make(ProductFactory, name="Retinol Starter Serum")

    assert found(client, "retinol beginnerz")["products"] == ["Retinol Starter Serum"]
    assert "No page has “beginnerz”, so we left it out." in page(client, "retinol beginnerz")


def test_words_never_found_together_lose_the_most_common_one(client, make):
    make(ProductFactory, name="Calm Cleanser")
    for name in ("Barrier Cream", "Day Fluid", "Eye Gel"):
        make(ProductFactory, name=name, description="Fragrance free.")

    assert found(client, "calm free")["products"] == ["Calm Cleanser"]
    assert "so we left out “free”" in page(client, "calm free")


def test_nothing_found_offers_the_nearest_words(client, make):
    make(ProductFactory, name="Niacinamide Serum")
    make(ArticleFactory, title="Milia explained")
    make(ProductFactory, name="Mild Wash")

    text = page(client, "nicnamde")  # three typos: beyond the allowance
    assert "Nothing matched" in text
    assert 'Did you mean <a href="/search?q=niacinamide">niacinamide</a>?' in text
    text = page(client, "mila")
    assert '<a href="/search?q=mild">mild</a> or <a href="/search?q=milia">milia</a>' in text


def test_a_search_that_finds_nothing_costs_a_bounded_number_of_statements(
        client, make, count_queries):
    make(ProductFactory, name="Niacinamide Serum", description="Calm and clear.")
    client.get("/search?q=warmup")
    # Three searches, the vocabulary (two statements on PostgreSQL), three searches with
    # the spelling fixed, two loaders for the product cards.
    assert statements_for(client, count_queries, "niacinimide") <= 10
    # The same, then a try without the most common word and the search without it.
    assert statements_for(client, count_queries, "niacinamide zzzz gentle") <= 14
    # Nothing at all: three searches, the vocabulary, the "browse" categories.
    assert statements_for(client, count_queries, "zzyzx") <= 6


# --- The vocabulary ---------------------------------------------------------------------------

def test_a_saved_page_adds_its_words_at_once(client, app, make):
    product = make(ProductFactory, name="Bakuchiol Serum", description="Gentle.")
    make(ArticleFactory, title="Squalane questions")
    assert {"bakuchiol", "squalane"} <= words(app)
    assert found(client, "bakuchil")["products"] == ["Bakuchiol Serum"]

    edit(app, Product, product.id, name="Azelaic Booster")
    assert "azelaic" in words(app)


def test_spelling_knows_new_words_at_once_after_keeping_the_vocabulary(client, make):
    make(ProductFactory, name="Bakuchiol Serum", description="Gentle.")
    assert found(client, "bakuchil")["products"] == ["Bakuchiol Serum"]

    make(ProductFactory, name="Azelaic Booster", description="Gentle.")
    assert found(client, "azelaik")["products"] == ["Azelaic Booster"]


def version(app) -> str | None:
    with app.app_context():
        return db.session.scalar(select(SearchWordVersion.token))


def test_the_vocabulary_has_a_new_version_whenever_its_words_change(app, make):
    first = version(app)
    product = make(ProductFactory, name="Bakuchiol Serum")
    added = version(app)
    edit(app, Product, product.id, featured_rank=3)  # no words
    unchanged = version(app)
    with app.app_context():
        upkeep()
        db.session.commit()

    assert first is not None
    assert added not in (None, first)
    assert unchanged == added
    assert version(app) not in (first, added)


def test_hidden_pages_lend_no_words(app, make):
    make(ProductFactory, name="Secretlaunch Serum", status=ProductStatus.DRAFT)
    make(ArticleFactory, title="Embargoed topic", status="draft", published_at=None)
    assert not {"secretlaunch", "embargoed"} & words(app)


def test_upkeep_forgets_the_words_of_pages_that_went(app, make):
    product = make(ProductFactory, name="Bakuchiol Serum")
    edit(app, Product, product.id, status=ProductStatus.ARCHIVED)
    assert "bakuchiol" in words(app)  # added at once, dropped only by a rebuild
    with app.app_context():
        upkeep()
        db.session.commit()
    assert "bakuchiol" not in words(app)


def test_the_vocabulary_counts_pages_without_accents(app, make):
    make(ProductFactory, name="Crème Avène", description="Crème for crème lovers.")
    make(ProductFactory, name="Creme Light")
    with app.app_context():
        schema.rebuild_vocabulary(db.session.connection())
        counts = dict(db.session.execute(select(SearchWord.word, SearchWord.documents)).all())
    assert counts["creme"] == 2
    assert counts["avene"] == 1
    assert "crème" not in counts


def test_the_upkeep_command_rebuilds_the_vocabulary(app, make):
    make(ProductFactory, name="Bakuchiol Serum")
    result = app.test_cli_runner().invoke(args=["search-upkeep"])
    assert result.exit_code == 0, result.output
    assert "The search vocabulary has" in result.output
    assert "bakuchiol" in words(app)
