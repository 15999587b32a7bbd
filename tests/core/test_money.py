"""Amounts per currency: rounding, display in the shop's locale, Stripe's minor units."""

from decimal import Decimal

import pytest
from babel.numbers import format_currency

from storefront.money import (
    format_money,
    from_minor_units,
    quantize,
    smallest_unit,
    to_minor_units,
)

D = Decimal


@pytest.mark.parametrize(("amount", "currency", "units"), [
    ("12.50", "USD", 1250), ("12.50", "EUR", 1250), ("0.01", "GBP", 1),
    ("1500", "JPY", 1500), ("1500.00", "KRW", 1500), ("990", "CLP", 990),
    # Zero-decimal at Stripe, missing from the old list.
    ("2500", "XOF", 2500), ("3000", "UGX", 3000), ("120", "VUV", 120), ("70", "PYG", 70),
    # ISK has no decimals, but Stripe takes it with two (a multiple of 100).
    ("1500", "ISK", 150000),
])
def test_minor_units_follow_stripe(amount, currency, units):
    assert to_minor_units(D(amount), currency) == units
    assert from_minor_units(units, currency) == D(amount).quantize(D("0.01"))


def test_amounts_round_to_the_currency_smallest_unit():
    assert smallest_unit("JPY") == 1
    assert smallest_unit("USD") == D("0.01")
    assert quantize(D("155.5"), "JPY") == D("156.00")
    assert quantize(D("155.49"), "JPY") == D("155.00")
    assert quantize(D("2.345"), "EUR") == D("2.35")
    assert quantize(D("2.345")) == D("2.35")
    assert to_minor_units(D("1499.6"), "JPY") == 1500


def test_prices_are_written_the_way_the_shop_locale_writes_them(app, monkeypatch):
    with app.test_request_context():
        monkeypatch.setitem(app.config, "SHOP_LOCALE", "en_US")
        assert format_money(D("1234.5"), "USD") == "$1,234.50"
        assert format_money(D("1500"), "JPY") == "¥1,500"
        monkeypatch.setitem(app.config, "SHOP_LOCALE", "de_DE")
        assert format_money(D("1234.5"), "EUR") == "1.234,50\xa0€"
        monkeypatch.setitem(app.config, "SHOP_LOCALE", "en_IE")
        assert format_money(D("24"), "EUR") == "€24.00"
        assert format_money(None) == ""


WRITER_LOCALES = ["en_US", "de_DE", "fr_FR", "fr_CH", "de_CH", "nl_NL", "sv_SE", "ja_JP",
                  "en_IN", "hi_IN", "ar_EG", "fa_IR", "pt_BR", "es_ES", "it_IT", "pl_PL",
                  "he_IL", "bn_BD", "my_MM", "ne_NP", "en_ZA", "da_DK", "nb_NO"]
WRITER_AMOUNTS = ["0", "0.5", "9.99", "12.345", "12.355", "999.995", "1234.5", "1500.5",
                  "2.5", "1234567.891", "-12.5", "-1234.56"]


@pytest.mark.parametrize("locale", WRITER_LOCALES)
def test_prices_are_written_as_babel_writes_them(app, monkeypatch, locale):
    """format_money reads each locale's pattern once; what it writes is Babel's own."""
    with app.test_request_context():
        monkeypatch.setitem(app.config, "SHOP_LOCALE", locale)
        for currency in ("USD", "EUR", "JPY", "CHF", "INR", "KWD"):
            for amount in WRITER_AMOUNTS:
                assert format_money(D(amount), currency) == format_currency(
                    D(amount), currency, locale=locale), (locale, currency, amount)
