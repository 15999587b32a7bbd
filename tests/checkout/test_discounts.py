"""Discount codes: each rule with its message, and uses held at placement, given back on failure."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from storefront.db import utcnow
from storefront.discounts import services as discounts
from storefront.discounts.models import DiscountCode, DiscountKind
from storefront.extensions import db
from storefront.orders import services as orders
from storefront.orders.discount_uses import uses_by_customer
from tests.factories import (
    DiscountCodeFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    add_to_cart,
    fill_checkout,
    pay_with_demo,
    placed_order,
)
from tests.helpers import login, submit

SUBTOTAL = Decimal("40.00")


def _check(raw, subtotal=SUBTOTAL, email="maya@example.com"):
    return discounts.check_code(raw, subtotal=subtotal, currency="EUR",
                                uses_by_customer=uses_by_customer(email))


def _uses(email, order_id):
    """The count of ``email``'s uses for the order ``order_id``, as placing it asks."""
    return uses_by_customer(email, exclude_order_id=order_id)


def _refusal(raw, **kw) -> str:
    with pytest.raises(discounts.DiscountRefused) as raised:
        _check(raw, **kw)
    return raised.value.message


def _variant(**kw):
    return VariantFactory(product=ProductFactory(variant=False), **kw)


def test_percent_and_fixed_codes(app_ctx):
    percent = DiscountCodeFactory(code="glow15", kind=DiscountKind.PERCENT, value=Decimal("15"))
    fixed = DiscountCodeFactory(code="FIVE", kind=DiscountKind.FIXED, value=Decimal("5"))
    assert percent.code == "GLOW15", "codes are stored upper-case"
    assert _check(" Glow15 ") is percent
    assert discounts.discount_for(percent, Decimal("33.33")) == Decimal("5.00")
    assert discounts.discount_for(fixed, SUBTOTAL) == Decimal("5.00")
    assert discounts.discount_for(fixed, Decimal("3.20")) == Decimal("3.20"), "never below zero"
    assert percent.describe("EUR") == "15% off"
    assert fixed.describe("EUR") == "€5.00 off"


def test_every_refusal_says_why(app_ctx):
    now = utcnow()
    DiscountCodeFactory(code="OFF", active=False)
    DiscountCodeFactory(code="SOON", starts_at=now + timedelta(days=2))
    DiscountCodeFactory(code="GONE", ends_at=now - timedelta(days=1))
    DiscountCodeFactory(code="BIG", minimum_subtotal=Decimal("50.00"))
    DiscountCodeFactory(code="FULL", max_uses=2, times_used=2)
    assert _refusal("nope") == "We don't recognise the code “NOPE”. Please check the spelling."
    assert _refusal("off") == "The code OFF is no longer active."
    assert _refusal("soon").startswith("The code SOON can be used from ")
    assert _refusal("gone").startswith("The code GONE expired on ")
    assert _refusal("big") == ("The code BIG needs a subtotal of at least €50.00. "
                               "Add €10.00 more to use it.")
    assert _refusal("full") == "The code FULL has been used up."
    assert _refusal("x" * 300).startswith("We don't recognise the code")


def test_per_customer_limit_counts_that_customers_orders(app_ctx):
    code = DiscountCodeFactory(code="ONCE", max_uses_per_customer=1)
    variant = _variant(stock_on_hand=10)
    placed_order(variant, email="maya@example.com", code="ONCE")
    assert _refusal("once", email="MAYA@example.com") == (
        "The code ONCE can be used once per customer, and you have already used it.")
    assert _check("once", email="ines@example.com") is code


def test_a_guest_cannot_reuse_a_once_per_customer_code_with_case_or_a_plus_tag(app_ctx):
    code = DiscountCodeFactory(code="HALF", value=Decimal("50"), max_uses_per_customer=1)
    variant = _variant(stock_on_hand=10)
    placed_order(variant, email="maya+shop@example.com", code="HALF")
    for variation in ["maya@example.com", "Maya+2@Example.COM", " MAYA+deals@example.com ",
                      "maya+@example.com"]:
        assert "already used it" in _refusal("half", email=variation), variation
        with pytest.raises(discounts.DiscountRefused, match="already used"):
            placed_order(variant, email=variation, code="HALF")
    for someone_else in ["maya2@example.com", "maya@example.org", "amaya@example.com",
                         "ma_a@example.com", "maya%@example.com"]:
        assert _check("half", email=someone_else) is code, someone_else


def test_the_limit_follows_the_account_whatever_address_is_typed(app_ctx):
    code = DiscountCodeFactory(code="HALF", value=Decimal("50"), max_uses_per_customer=1)
    variant = _variant(stock_on_hand=10)
    ines, other = UserFactory(email="ines@example.com"), UserFactory()
    order = placed_order(variant, email="ines@example.com", code="HALF", user_id=ines.id)
    for typed in ["ines+2@example.com", "someone.else@example.net"]:
        with pytest.raises(discounts.DiscountRefused, match="already used it"):
            discounts.check_code("HALF", subtotal=SUBTOTAL, currency="EUR",
                                 uses_by_customer=uses_by_customer(typed, user_id=ines.id))
        with pytest.raises(discounts.DiscountRefused, match="already used"):
            discounts.hold_use(code, uses_by_customer=uses_by_customer(
                typed, user_id=ines.id, exclude_order_id=order.id + 1000))
    assert code.times_used == 1
    assert discounts.check_code(
        "HALF", subtotal=SUBTOTAL, currency="EUR",
        uses_by_customer=uses_by_customer("fresh@example.net", user_id=other.id)) is code


def test_a_guest_order_with_the_accounts_address_counts_for_the_account(app_ctx):
    DiscountCodeFactory(code="HALF", value=Decimal("50"), max_uses_per_customer=1)
    variant = _variant(stock_on_hand=10)
    ines = UserFactory(email="ines@example.com")
    placed_order(variant, email="Ines+guest@example.com", code="HALF")
    with pytest.raises(discounts.DiscountRefused, match="already used"):
        placed_order(variant, email="not-ines@example.net", code="HALF", user_id=ines.id)


def test_a_logged_in_shopper_cannot_use_a_once_per_customer_code_twice(client, make):
    make(DiscountCodeFactory, code="HALF", value=Decimal("50"), max_uses_per_customer=1)
    variant = make(VariantFactory, product=make(ProductFactory, variant=False),
                   price=Decimal("20.00"), stock_on_hand=10)
    user = make(UserFactory)
    login(client, user.email)
    add_to_cart(client, variant.id, "2")
    assert "Pay €24.90" in fill_checkout(client, email=user.email, code="half").get_data(
        as_text=True)
    assert pay_with_demo(client).status_code in (302, 303)
    local, domain = user.email.split("@")
    for typed in [f"{local}+2@{domain}", "a.different.address@example.net"]:
        add_to_cart(client, variant.id, "2")
        fill_checkout(client, email=typed)
        response = submit(client, "/checkout/discount", {"code": "HALF", "action": "apply"})
        assert response.status_code == 422, typed
        assert "you have already used it" in response.get_data(as_text=True)


def test_a_use_is_held_at_placement_and_given_back_when_payment_fails(app_ctx):
    code = DiscountCodeFactory(code="THREE", max_uses=3)
    variant = _variant(stock_on_hand=10)
    order = placed_order(variant, code="three")
    assert (order.discount_code, order.discount_code_id) == ("THREE", code.id)
    assert order.discount_total == Decimal("2.00")
    assert code.times_used == 1
    orders.payment_failed(order, reason="declined")
    assert code.times_used == 0
    paid = placed_order(variant, code="THREE")
    orders.payment_succeeded(paid, provider="demo", reference="r1", amount=paid.total,
                             currency="EUR")
    assert code.times_used == 1, "a paid order keeps its use"
    expired = placed_order(variant, code="THREE")
    orders.payment_expired(expired)
    assert code.times_used == 1


def test_a_used_up_code_is_refused_at_placement(app_ctx):
    DiscountCodeFactory(code="LAST", max_uses=1)
    variant = _variant(stock_on_hand=10)
    placed_order(variant, code="LAST")
    with pytest.raises(discounts.DiscountRefused, match="used up"):
        placed_order(variant, code="LAST")


def test_hold_use_refuses_past_the_limit_and_changes_nothing(app_ctx):
    code = DiscountCodeFactory(code="TWO", max_uses=2, max_uses_per_customer=1)
    variant = _variant(stock_on_hand=10)
    order = placed_order(variant, code="TWO", email="a@example.com")
    with pytest.raises(discounts.DiscountRefused, match="already used"):
        discounts.hold_use(code, uses_by_customer=_uses("a@example.com", order.id + 1000))
    assert code.times_used == 1
    discounts.hold_use(code, uses_by_customer=_uses("b@example.com", order.id + 1000))
    with pytest.raises(discounts.DiscountRefused, match="just been used up"):
        discounts.hold_use(code, uses_by_customer=_uses("c@example.com", order.id + 1001))
    assert db.session.get(DiscountCode, code.id).times_used == 2


def test_discount_step_shows_the_refusal_and_keeps_the_shopper_on_the_step(client, make):
    make(DiscountCodeFactory, code="BIG", minimum_subtotal=Decimal("100.00"))
    make(DiscountCodeFactory, code="WELCOME", kind=DiscountKind.FIXED, value=Decimal("5.00"))
    product = make(ProductFactory, variant=False)
    variant = make(VariantFactory, product=product, price=Decimal("20.00"))
    add_to_cart(client, variant.id, "2")
    fill_checkout(client)
    for code, message in [("big", "needs a subtotal of at least €100.00"),
                          ("zzz", "We don&#39;t recognise the code “ZZZ”")]:
        response = submit(client, "/checkout/discount", {"code": code, "action": "apply"})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    response = submit(client, "/checkout/discount", {"code": "welcome", "action": "apply"})
    assert response.headers["Location"] == "/checkout/review"
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "The code WELCOME is applied: €5.00 off." in review
    assert "\u2212€5.00" in review
    assert "Pay €39.90" in review
