"""``escaped`` is markupsafe's escape, quicker for text with nothing to replace."""

from decimal import Decimal

from markupsafe import Markup, escape

from storefront.html import escaped

VALUES = ["", "plain name", "/products/a-b?article=c", "a & b", "<script>", 'say "hi"',
          "it's", ">", "&amp;", "ünïcode", "🧴", Markup("<b>kept</b>"), Markup("a & b"), 12,
          Decimal("9.50"), None, 0.5]


def test_escaped_gives_what_escape_gives():
    for value in VALUES + [chr(code) for code in range(256)]:
        assert str(escaped(value)) == str(escape(value)), value
        assert f"<p>{escaped(value)}</p>" == f"<p>{escape(value)}</p>", value


def test_what_it_returns_is_never_escaped_again_differently():
    for value in VALUES:
        assert Markup("") + escaped(value) == escape(value), value
