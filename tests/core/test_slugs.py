"""One slug shape and one way to make a slug from a title or name (storefront/slugs.py)."""

from __future__ import annotations

import pytest

from storefront.content.rendering import find_shortcodes
from storefront.slugs import MAX_LENGTH, is_slug, slugify


@pytest.mark.parametrize(("text", "slug"), [
    ("Milia: what helps?", "milia-what-helps"),
    ("Gentle Cream Cleanser", "gentle-cream-cleanser"),
    ("Avène Thermal Water", "avene-thermal-water"),
    ("Crème brûlée \u2013 SPF 50+", "creme-brulee-spf-50"),
    ("  --Vitamin C 15 %--  ", "vitamin-c-15"),
    ("ÉTÉ", "ete"),
    ("A&B / C_d", "a-b-c-d"),
    ("", ""),
    (None, ""),
    ("!!! ??? ---", ""),
    ("日本語", ""),  # no ASCII letter in it: the caller falls back (routines use "item")
])
def test_slugify(text, slug):
    assert slugify(text) == slug
    assert slug == "" or is_slug(slug)


@pytest.mark.parametrize(("text", "max_length", "slug"), [
    ("Milia what helps", 16, "milia-what-helps"),  # fits exactly
    ("Milia what helps", 15, "milia-what"),  # cut between words, no trailing hyphen
    ("Milia what helps", 10, "milia-what"),
    ("Milia what helps", 9, "milia"),
    ("Milia what helps", 5, "milia"),
    ("Supercalifragilistic cream", 10, "supercalif"),  # a first word too long is cut
    ("Retinol night serum", 36, "retinol-night-serum"),
])
def test_slugify_cuts_between_words(text, max_length, slug):
    assert slugify(text, max_length) == slug


def test_a_long_title_makes_a_valid_slug_of_at_most_the_limit():
    title = " ".join(["hyaluronic"] * 40)
    slug = slugify(title)
    assert len(slug) <= MAX_LENGTH
    assert is_slug(slug)
    assert not slug.endswith("-")
    assert set(slug.split("-")) == {"hyaluronic"}


@pytest.mark.parametrize(("value", "expected"), [
    ("milia-what-helps", True),
    ("spf50", True),
    ("a", True),
    ("Milia", False),
    ("milia--what", False),
    ("-milia", False),
    ("milia-", False),
    ("milia what", False),
    ("milia_what", False),
    ("mi.lia", False),
    ("avène", False),
    ("milia\x00", False),
    ("", False),
    (None, False),
    ("a" * MAX_LENGTH, True),
    ("a" * (MAX_LENGTH + 1), False),
])
def test_is_slug(value, expected):
    assert is_slug(value) is expected


def test_is_slug_takes_a_shorter_limit():
    assert is_slug("a" * 80, 80)
    assert not is_slug("a" * 81, 80)


def test_shortcodes_use_the_same_shape():
    codes = find_shortcodes("[[product:night-serum]]\n\n[[article:what-helps]]\n\n"
                            "[[product:Night_Serum]] [[product:night--serum]]")
    assert [(code.kind, code.slug) for code in codes] == [("product", "night-serum"),
                                                         ("article", "what-helps")]
