"""Reading what the shopper typed, and making database snippets safe to show."""

from storefront.search.models import SynonymKind
from storefront.search.plan import Synonyms, plan
from storefront.search.query import MAX_QUERY_LENGTH, MAX_TERMS, parse_query
from storefront.search.snippets import START, STOP, highlight
from storefront.search.synonyms import rules_of


def test_words_become_prefix_terms_anded_together():
    query = parse_query("  Retinol   SERUM ")
    assert query.text == "Retinol SERUM"
    assert query.terms == ("retinol", "serum")
    assert query.fts5_match() == '"retinol"* "serum"*'
    assert query.tsquery() == "retinol:* & serum:*"


def test_short_words_match_whole_words_only():
    query = parse_query("vitamin C")
    assert query.fts5_match() == '"vitamin"* "c"'
    assert query.tsquery() == "vitamin:* & c"


def test_operators_and_punctuation_never_reach_the_database():
    query = parse_query('title:retin* OR "NEAR(a b)" & !acne | (x) \'; DROP TABLE product; --')
    for built in (query.fts5_match(), query.tsquery()):
        for character in ":()|!'-;":
            assert character not in built.replace(":*", "")
    assert query.terms == ("title", "retin", "near", "b", "acne", "x", "drop", "table")
    assert query.dropped_terms == ("product",)


def test_punctuation_only_leaves_nothing_to_search():
    query = parse_query('"*():^-')
    assert not query.is_blank
    assert not query.is_searchable
    assert query.common_words == ()


def test_common_words_are_left_out():
    query = parse_query("what is the cause of milia")
    assert query.terms == ("cause", "milia")
    assert "the" in query.common_words
    assert not parse_query("the and of").is_searchable


def test_long_input_is_trimmed_and_words_are_capped():
    query = parse_query("x" * 5000)
    assert query.was_trimmed
    assert len(query.text) == MAX_QUERY_LENGTH

    words = [f"word{n}" for n in range(12)]
    query = parse_query(" ".join(words))
    assert query.terms == tuple(words[:MAX_TERMS])
    assert query.dropped_terms == tuple(words[MAX_TERMS:])


def test_repeated_words_count_once_and_accents_survive():
    query = parse_query("Crème crème CRÈME")
    assert query.terms == ("crème",)


def test_blank_input():
    assert parse_query(None).is_blank
    assert parse_query("   \t ").is_blank


def test_highlight_escapes_everything_but_its_own_marks():
    snippet = f"<script>alert(1)</script> & {START}retinol{STOP} <b>night</b>"
    html = str(highlight(snippet))
    assert html == ("&lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>retinol</mark> "
                    "&lt;b&gt;night&lt;/b&gt;")


def test_highlight_drops_unpaired_markers_and_markdown():
    snippet = f"**Bold** [see {START}this{STOP}](https://x.test) [[product:a-b]] {START}x"
    html = str(highlight(snippet))
    assert html == "Bold see <mark>this</mark> x"


def test_highlight_without_a_match_is_none():
    assert highlight("plain text") is None
    assert highlight(None) is None


# --- Reading a query with synonyms (storefront.search.plan) ------------------------------

def _rules(*rows):
    return rules_of(rows)


def test_a_phrase_a_synonym_names_becomes_one_group_with_its_alternatives():
    rules = _rules((SynonymKind.ONE_WAY, "sun cream, SPF", "sunscreen"),
                   (SynonymKind.MULTI_WAY, "moisturiser, moisturizer", ""))
    searched = plan(parse_query("Sun Cream for moisturizer"), rules)
    assert searched.fts5_match() == ('("sun cream" OR "sunscreen"*) AND '
                                     '("moisturizer"* OR "moisturiser"*)')
    assert searched.tsquery() == "((sun <-> cream) | sunscreen:*) & (moisturizer:* | moisturiser:*)"
    exact = searched.exact()
    assert exact.fts5_match() == '"sun cream" AND "moisturizer"*'


def test_a_phrase_with_a_common_word_is_searched_only_as_its_targets():
    rules = _rules((SynonymKind.ONE_WAY, "Retin-A, vitamin A", "tretinoin, fine lines"))
    assert plan(parse_query("RETIN-A"), rules).fts5_match() == '("tretinoin"* OR "fine lines")'
    assert plan(parse_query("vitamin a serum"), rules).tsquery() == (
        "(tretinoin:* | (fine <-> lines)) & serum:*")
    assert plan(parse_query("retin a"), rules).exact() is None


def test_without_synonyms_the_plan_is_the_query():
    query = parse_query("retinol serum, 0.3%")
    searched = plan(query, Synonyms())
    assert searched.fts5_match() == '"retinol"* AND "serum"* AND "0.3"*'
    assert searched.tsquery() == "retinol:* & serum:* & 0.3:*"
    assert searched.exact() is None


def test_synonym_text_never_becomes_query_syntax():
    rules = _rules((SynonymKind.ONE_WAY, 'x" AND "y', 'z*) NEAR(q "w'))
    built = plan(parse_query('x" AND "y'), rules)
    for text in (built.fts5_match(), built.tsquery()):
        assert "NEAR" not in text
        assert "*)" not in text
    # "and" is a common word: the phrase typed is searched only as its target.
    assert built.fts5_match() == '"z near q w"'
    assert built.tsquery() == "(z <-> near <-> q <-> w)"


def test_noise_words_are_left_out_like_common_ones():
    query = parse_query("best moisturiser for dry skin vs cream")
    assert query.terms == ("moisturiser", "dry", "skin", "cream")
    assert "best" in query.common_words
    assert "vs" in query.common_words
