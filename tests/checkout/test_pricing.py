"""Order arithmetic: pure functions on Decimal, rounded to cents half-up at defined points."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from storefront import pricing
from storefront.shipping.models import ShippingMethod


def test_line_totals_round_half_up():
    assert pricing.line_total(D("19.99"), 3) == D("59.97")
    assert pricing.line_total(D("0.125"), 1) == D("0.13")
    assert pricing.line_total(D("0.335"), 3) == D("1.01")  # 1.005 rounds up, not to even


def test_percent_discount_rounds_once_and_never_exceeds_the_amount():
    assert pricing.percent_discount(D("33.33"), D("15")) == D("5.00")  # 4.9995
    assert pricing.percent_discount(D("10.05"), D("50")) == D("5.03")  # 5.025
    assert pricing.percent_discount(D("0.01"), D("50")) == D("0.01")  # 0.005 rounds up
    assert pricing.percent_discount(D("12.00"), D("100")) == D("12.00")
    assert pricing.percent_discount(D("12.00"), D("0")) == D("0.00")


def test_fixed_discount_never_takes_the_amount_below_zero():
    assert pricing.fixed_discount(D("30.00"), D("5")) == D("5.00")
    assert pricing.fixed_discount(D("3.50"), D("5")) == D("3.50")
    assert pricing.fixed_discount(D("3.50"), D("-2")) == D("0.00")


def test_a_delivery_method_is_free_from_its_threshold_and_never_without_one():
    standard = ShippingMethod(name="Standard", price=D("4.90"), free_from=D("50.00"),
                              min_days=3, max_days=5)
    express = ShippingMethod(name="Express", price=D("9.90"), free_from=None, min_days=1,
                             max_days=2)
    assert standard.price_for(D("49.99")) == D("4.90")
    assert standard.price_for(D("50.00")) == D("0.00")
    assert express.price_for(D("500")) == D("9.90")
    assert (standard.label, express.label) == ("Standard (3 to 5 working days)",
                                               "Express (1 or 2 working days)")


def test_allocate_shares_out_to_the_unit_and_adds_up():
    assert pricing.allocate(D("1.00"), [D("1"), D("1"), D("1")]) == [D("0.34"), D("0.33"),
                                                                     D("0.33")]
    assert pricing.allocate(D("11.10"), [D("49.00"), D("24.99")]) == [D("7.35"), D("3.75")]
    assert pricing.allocate(D("0"), [D("5"), D("5")]) == [D("0.00"), D("0.00")]
    assert pricing.allocate(D("5"), [D("0"), D("0")]) == [D("0.00"), D("0.00")]
    assert pricing.allocate(D("7"), [D("1"), D("2")], "JPY") == [D("2.00"), D("5.00")]


def test_the_tax_is_shared_over_the_lines_after_their_discount_and_the_delivery():
    totals = pricing.totals([D("30.00"), D("10.00")], discount=D("4.00"), shipping=D("5.00"),
                            tax_rate=D("0.10"), prices_include_tax=False)
    assert totals.tax == D("4.10")  # (36.00 + 5.00) * 10 %
    assert totals.line_taxes == (D("2.70"), D("0.90"))
    assert totals.shipping_tax == D("0.50")
    untaxed_delivery = pricing.totals([D("30.00"), D("10.00")], discount=D("4.00"),
                                      shipping=D("5.00"), tax_rate=D("0.10"),
                                      prices_include_tax=False, shipping_taxable=False)
    assert untaxed_delivery.tax == D("3.60")
    assert untaxed_delivery.shipping_tax == D("0.00")
    assert untaxed_delivery.total == D("44.60")


def test_yen_amounts_are_whole_yen():
    totals = pricing.totals([pricing.line_total(D("1555"), 1, "JPY")],
                            discount=pricing.percent_discount(D("1555"), D("10"), "JPY"),
                            shipping=D("500"), tax_rate=D("0.10"), prices_include_tax=True,
                            currency="JPY")
    assert totals.discount == D("156.00")  # 155.5 rounds up to whole yen
    assert totals.total == D("1899.00")
    assert totals.tax == D("173.00")  # 1899 * 10 / 110 = 172.6
    assert sum(totals.line_taxes) + totals.shipping_tax == totals.tax
    assert all(part == part.to_integral() for part in (*totals.line_taxes, totals.shipping_tax))


def test_tax_included_is_the_part_of_the_price_that_is_tax():
    assert pricing.tax_amount(D("53.90"), D("0.20"), included=True) == D("8.98")  # 8.9833
    assert pricing.tax_amount(D("10.00"), D("0.20"), included=True) == D("1.67")  # 1.6666
    assert pricing.tax_amount(D("0.07"), D("0.20"), included=True) == D("0.01")  # 0.01166
    assert pricing.tax_amount(D("10.00"), D("0"), included=True) == D("0.00")


def test_tax_excluded_is_added_on_top():
    assert pricing.tax_amount(D("10.05"), D("0.21"), included=False) == D("2.11")  # 2.1105
    assert pricing.tax_amount(D("0.10"), D("0.25"), included=False) == D("0.03")  # 0.025 up
    assert pricing.tax_amount(D("19.99"), D("0.07"), included=False) == D("1.40")  # 1.3993


def test_totals_with_prices_including_tax():
    totals = pricing.totals([D("19.99"), D("14.98")], discount=D("3.50"), shipping=D("4.90"),
                            tax_rate=D("0.20"), prices_include_tax=True)
    assert totals.subtotal == D("34.97")
    assert totals.goods == D("31.47")
    assert totals.total == D("36.37")  # 31.47 + 4.90, tax already inside
    assert totals.tax == D("6.06")  # 36.37 / 6 = 6.0616...
    assert totals.prices_include_tax is True


def test_totals_with_tax_added():
    totals = pricing.totals([D("33.33")], discount=D("5.00"), shipping=D("4.90"),
                            tax_rate=D("0.19"), prices_include_tax=False)
    assert totals.tax == D("6.31")  # (28.33 + 4.90) * 0.19 = 6.3137
    assert totals.total == D("39.54")


def test_totals_cap_the_discount_at_the_subtotal_and_never_go_negative():
    totals = pricing.totals([D("4.00")], discount=D("10.00"), shipping=D("0"),
                            tax_rate=D("0.20"), prices_include_tax=False)
    assert (totals.discount, totals.tax, totals.total) == (D("4.00"), D("0.00"), D("0.00"))
    totals = pricing.totals([D("4.00")], discount=D("-1"), shipping=D("0"),
                            tax_rate=D("0.20"), prices_include_tax=True)
    assert totals.discount == D("0.00")
    assert totals.total == D("4.00")


@pytest.mark.parametrize("prices_include_tax", [True, False])
def test_totals_add_up_to_the_cent(prices_include_tax):
    lines = [pricing.line_total(D("7.77"), 3), pricing.line_total(D("0.99"), 7)]
    totals = pricing.totals(lines, discount=pricing.percent_discount(D("30.24"), D("12.5")),
                            shipping=D("4.90"), tax_rate=D("0.21"),
                            prices_include_tax=prices_include_tax)
    assert totals.subtotal == D("30.24")
    assert totals.discount == D("3.78")
    expected = totals.goods + totals.shipping + (0 if prices_include_tax else totals.tax)
    assert totals.total == expected
    assert all(amount == amount.quantize(D("0.01")) for amount in
               (totals.subtotal, totals.discount, totals.shipping, totals.tax, totals.total))
