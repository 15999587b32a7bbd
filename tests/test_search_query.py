"""Reading what the shopper typed, and making database snippets safe to show."""

from storefront.search.query import MAX_QUERY_LENGTH, MAX_TERMS, parse_query
from storefront.search.snippets import START, STOP, highlight


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
