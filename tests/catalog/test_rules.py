"""What a size's and a product's values mean (catalog.models' rules), on plain rows."""

from decimal import Decimal

import pytest

from storefront.catalog.cards import CardVariant
from storefront.catalog.models import StockState, best_stock_state


def size(on_hand: int, reserved: int = 0, low: int = 3) -> CardVariant:
    return CardVariant(1, "30 ml", Decimal("10.00"), None, "EUR", on_hand, reserved, low, 0,
                       True)


@pytest.mark.parametrize(("on_hand", "reserved", "state", "available"), [
    (0, 0, StockState.OUT, 0),
    (2, 5, StockState.OUT, 0),  # more held than there is: none left, never negative
    (5, 2, StockState.LOW, 3),  # at the threshold
    (6, 2, StockState.IN_STOCK, 4),
])
def test_a_size_stock_state_follows_what_is_left(on_hand, reserved, state, available):
    assert size(on_hand, reserved).stock_state is state
    assert size(on_hand, reserved).available == available


@pytest.mark.parametrize(("sizes", "state"), [
    ([], StockState.OUT),
    ([size(0), size(1)], StockState.LOW),
    ([size(1), size(0), size(9)], StockState.IN_STOCK),
    ([size(0), size(0)], StockState.OUT),
])
def test_the_best_state_among_sizes_is_the_product_state(sizes, state):
    assert best_stock_state(sizes) is state
