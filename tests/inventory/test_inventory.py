"""Stock services: guarded updates, all-or-nothing batches and the ledger."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.catalog.models import Variant
from storefront.extensions import db
from storefront.inventory import services as inventory
from storefront.inventory.models import LedgerIsAppendOnly, StockMovement, StockReason
from tests.factories import ProductFactory, UserFactory, VariantFactory


def _variant(name="Clear Gel", **kw):
    return VariantFactory(product=ProductFactory(name=name, variant=False), **kw)


def _stock(variant):
    db.session.refresh(variant)
    return variant.stock_on_hand, variant.stock_reserved


def _ledger(variant):
    return [(m.quantity_change, m.on_hand_before, m.on_hand_after, m.reason)
            for m in db.session.scalars(select(StockMovement)
                                        .where(StockMovement.variant_id == variant.id)
                                        .order_by(StockMovement.id))]


def test_reserve_holds_stock_without_touching_on_hand(app_ctx):
    variant = _variant(stock_on_hand=5)
    inventory.reserve([(variant.id, 2), (variant.id, 1)])
    assert _stock(variant) == (5, 3)
    assert variant.available == 2
    assert _ledger(variant) == []


def test_reserve_is_all_or_nothing_and_names_every_short_product(app_ctx):
    plenty = _variant("Plenty Cream", stock_on_hand=10)
    short = _variant("Short Serum", stock_on_hand=1, size_label="15 ml")
    gone = _variant("Gone Toner", stock_on_hand=0)
    with pytest.raises(inventory.OutOfStock) as raised:
        inventory.reserve([(plenty.id, 4), (short.id, 2), (gone.id, 1)])
    assert raised.value.message == (
        "Not enough stock: Short Serum (15 ml): only 1 left (you wanted 2); "
        "Gone Toner (30 ml) is out of stock."
    )
    assert [s.variant_id for s in raised.value.shortages] == [short.id, gone.id]
    assert _stock(plenty) == (10, 0), "the variant that had enough was not held either"


def test_release_and_commit_sale(app_ctx):
    variant = _variant(stock_on_hand=6)
    inventory.reserve([(variant.id, 4)])
    inventory.release([(variant.id, 1)])
    assert _stock(variant) == (6, 3)
    inventory.commit_sale([(variant.id, 3)], order_id=None)
    assert _stock(variant) == (3, 0)
    assert _ledger(variant) == [(-3, 6, 3, StockReason.SALE)]


def test_releasing_or_selling_more_than_is_held_changes_nothing(app_ctx):
    variant = _variant(stock_on_hand=6, stock_reserved=1)
    for change in (inventory.release, inventory.commit_sale):
        with pytest.raises(inventory.InventoryError, match="do not match this order"):
            change([(variant.id, 2)])
    assert _stock(variant) == (6, 1)
    assert _ledger(variant) == []


def test_sell_unreserved_takes_only_free_stock(app_ctx):
    variant = _variant(stock_on_hand=5, stock_reserved=3)
    with pytest.raises(inventory.OutOfStock):
        inventory.sell_unreserved([(variant.id, 3)])
    inventory.sell_unreserved([(variant.id, 2)])
    assert _stock(variant) == (3, 3)
    assert _ledger(variant)[0][:3] == (-2, 5, 3)


def test_restock_writes_the_ledger(app_ctx):
    variant = _variant(stock_on_hand=2)
    inventory.restock([(variant.id, 3)], reason=StockReason.RETURN, note="parcel came back")
    assert _stock(variant) == (5, 0)
    assert _ledger(variant) == [(3, 2, 5, StockReason.RETURN)]


def test_adjust_stock_records_who_and_why(app_ctx):
    admin = UserFactory()
    variant = _variant(stock_on_hand=10, stock_reserved=4)
    assert inventory.adjust_stock(variant, 12, StockReason.RECEIVED, admin, "delivery 42") == 22
    assert inventory.adjust_stock(variant, -18, StockReason.DAMAGED, admin) == 4
    movement = db.session.scalars(select(StockMovement).order_by(StockMovement.id)).first()
    assert (movement.actor_id, movement.note) == (admin.id, "delivery 42")
    assert _ledger(variant) == [(12, 10, 22, StockReason.RECEIVED),
                                (-18, 22, 4, StockReason.DAMAGED)]


def test_adjust_stock_never_removes_held_or_missing_stock(app_ctx):
    variant = _variant(stock_on_hand=5, stock_reserved=3)
    with pytest.raises(inventory.InventoryError) as raised:
        inventory.adjust_stock(variant, -3, StockReason.COUNT_CORRECTION)
    assert "at most 2" in raised.value.message
    assert "3 held for checkouts" in raised.value.message
    assert _stock(variant) == (5, 3)
    for delta, reason in [(0, StockReason.RECEIVED), (2, StockReason.SALE),
                          (True, StockReason.RECEIVED)]:
        with pytest.raises(inventory.InventoryError):
            inventory.adjust_stock(variant, delta, reason)
    assert _ledger(variant) == []


def test_the_ledger_is_append_only(app_ctx):
    variant = _variant(stock_on_hand=1)
    inventory.restock([(variant.id, 1)])
    movement = db.session.scalars(select(StockMovement)).one()
    movement.note = "rewritten"
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_quantities_must_be_positive_whole_numbers():
    assert inventory.quantities([(3, 1), (1, 2), (3, 4)]) == [(1, 2), (3, 5)]
    for bad in (0, -1, 1.5, "2"):
        with pytest.raises(ValueError, match="positive whole number"):
            inventory.quantities([(1, bad)])


def test_loaded_variants_see_the_new_stock(app_ctx):
    variant = _variant(stock_on_hand=4)
    loaded = db.session.get(Variant, variant.id)
    inventory.reserve([(variant.id, 1)])
    assert loaded.stock_reserved == 1
