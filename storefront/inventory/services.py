"""Stock changes. Each is one guarded SQL UPDATE per variant, never read-modify-write.

Rows are always touched in variant-id order, so two checkouts wanting the same variants
queue behind each other instead of deadlocking. A batch is all-or-nothing: it runs in a
SAVEPOINT that is rolled back when any variant falls short. Every change of
``stock_on_hand`` writes a ``StockMovement``; reservations only move ``stock_reserved``.

Each update names the page cache's tags it changes (``storefront.caching.touched``) from
what a shopper can see of the size's stock before and after: most sales change nothing on
any public page, and re-render none of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from blinker import signal
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.util import identity_key

from storefront.caching import DECLARED, touched
from storefront.catalog.models import Variant, VariantRules
from storefront.catalog.page_tags import STOCK, available_tag, product_tag
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.inventory.models import ADJUSTMENT_REASONS, StockMovement, StockReason

_AVAILABLE = Variant.stock_on_hand - Variant.stock_reserved
# Sent with the ids of variants whose available stock just went up (a hold given back, a
# cancelled order restocked, stock received): back-in-stock alerts listen.
stock_returned = signal("storefront.stock-returned")


class InventoryError(DomainError):
    """A stock change that cannot be made; nothing was changed."""

    status_code = 409


@dataclass(frozen=True)
class Shortage:
    variant_id: int
    name: str
    wanted: int
    available: int

    def describe(self) -> str:
        if self.available <= 0:
            return f"{self.name} is out of stock"
        return f"{self.name}: only {self.available} left (you wanted {self.wanted})"


class OutOfStock(InventoryError):
    """Some variants do not have enough stock; ``shortages`` says which and how many."""

    def __init__(self, shortages: list[Shortage]):
        self.shortages = shortages
        details = "; ".join(shortage.describe() for shortage in shortages)
        super().__init__(f"Not enough stock: {details}.")


def quantities(lines: Iterable[Any]) -> list[tuple[int, int]]:
    """``(variant_id, quantity)`` pairs, duplicates summed, in variant-id (lock) order.

    ``lines`` holds objects with ``variant_id`` and ``quantity`` (cart or order lines)
    or ``(variant_id, quantity)`` tuples.
    """
    totals: dict[int, int] = defaultdict(int)
    for line in lines:
        variant_id, quantity = line if isinstance(line, tuple) else (line.variant_id,
                                                                     line.quantity)
        if not isinstance(quantity, int) or quantity <= 0:
            raise ValueError(f"quantity must be a positive whole number, not {quantity!r}")
        totals[int(variant_id)] += quantity
    return sorted(totals.items())


@dataclass(frozen=True, slots=True)
class _Stock(VariantRules):
    """A size's stock as the models' rules read it (``VariantRules``: in stock, low, out)."""

    stock_on_hand: int
    stock_reserved: int
    low_stock_threshold: int


def _touched_tags(product_id: int, before: _Stock, after: _Stock) -> list[str]:
    """The page cache's tags a change of one size's stock from ``before`` to ``after``
    touches. Cards and the rest of the shop show a size's stock only as in stock, running
    low or out of stock (``catalog.templating``: a card's words, a size that cannot be
    chosen, a card's quick add): the pages showing the product change only when that does.
    Lists "in stock only" and picks of the first product in stock (``stock``) change only
    when the size runs out or comes back. The product's own page and a cart show how many
    are left ("Only 4 left"): they follow every change of the count (``available_tag``)."""
    tags = []
    if before.available != after.available:
        tags.append(available_tag(product_id))
    if before.stock_state is not after.stock_state:
        tags.append(product_tag(product_id))
    if (before.available > 0) != (after.available > 0):
        tags.append(STOCK)
    return tags


def _update(variant_id: int, guard, change: int, returning: bool = False, **values):
    """Run one guarded UPDATE that changes the size's available stock (on hand less
    reserved) by ``change``; the new on-hand count (or True), or None if the guard failed.

    Pages that show what changed are made again once this commits (``_touched_tags``):
    the statement returns the size's stock after it, and was the only change to the row
    in between, so the stock before is known too."""
    statement = (
        update(Variant)
        .where(Variant.id == variant_id, guard)
        .values(**values)
        .returning(Variant.product_id, Variant.stock_on_hand, Variant.stock_reserved,
                   Variant.low_stock_threshold)
        .execution_options(synchronize_session=False, page_tags=DECLARED)
    )
    row = db.session.execute(statement).one_or_none()
    if row is None:
        return None
    after = _Stock(row.stock_on_hand, row.stock_reserved, row.low_stock_threshold)
    before = replace(after, stock_on_hand=row.stock_on_hand - change)
    tags = _touched_tags(row.product_id, before, after)
    if tags:
        touched(db.session, *tags)
    return row.stock_on_hand if returning else True


def _expire(variant_ids: Iterable[int]) -> None:
    """Make loaded Variant objects re-read their stock columns after a SQL update."""
    for variant_id in variant_ids:
        variant = db.session.identity_map.get(identity_key(Variant, variant_id))
        if variant is not None:
            db.session.expire(variant, ["stock_on_hand", "stock_reserved", "updated_at"])


def _shortages(short: list[tuple[int, int]]) -> list[Shortage]:
    ids = [variant_id for variant_id, _ in short]
    query = (
        select(Variant)
        .where(Variant.id.in_(ids))
        .options(joinedload(Variant.product))
        .execution_options(populate_existing=True)
    )
    variants = {variant.id: variant for variant in db.session.scalars(query)}
    result = []
    for variant_id, wanted in short:
        variant = variants.get(variant_id)
        name = (f"{variant.product.name} ({variant.size_label})" if variant
                else f"Item {variant_id}")
        result.append(Shortage(variant_id, name, wanted, variant.available if variant else 0))
    return result


def _all_or_nothing(wanted: list[tuple[int, int]], step, on_failure) -> dict[int, Any]:
    """Apply ``step(variant_id, quantity)`` to every line inside a savepoint.

    ``step`` returns None when its guard fails; then the savepoint is rolled back and
    ``on_failure(failed_lines)`` raises. Returns each variant's result.
    """
    savepoint = db.session.begin_nested()
    results = {variant_id: step(variant_id, quantity) for variant_id, quantity in wanted}
    failed = [(variant_id, quantity) for variant_id, quantity in wanted
              if results[variant_id] is None]
    if failed:
        savepoint.rollback()
        _expire(results)
        on_failure(failed)
    savepoint.commit()
    _expire(results)
    return results


def _raise_out_of_stock(failed: list[tuple[int, int]]) -> None:
    raise OutOfStock(_shortages(failed))


def _raise_mismatch(failed: list[tuple[int, int]]) -> None:
    names = ", ".join(shortage.name for shortage in _shortages(failed))
    raise InventoryError(f"The stock records for {names} do not match this order; "
                         "nothing was changed. Please contact the shop.")


def _record(variant_id: int, change: int, on_hand_after: int, reason: StockReason, *,
            order_id: int | None = None, actor_id: int | None = None, note: str = "") -> None:
    db.session.add(StockMovement(
        variant_id=variant_id,
        quantity_change=change,
        on_hand_before=on_hand_after - change,
        on_hand_after=on_hand_after,
        reason=reason,
        order_id=order_id,
        actor_id=actor_id,
        note=note,
    ))


def reserve(lines: Iterable[Any]) -> None:
    """Hold stock for a checkout; raises OutOfStock naming every short variant."""

    def step(variant_id: int, quantity: int):
        return _update(variant_id, quantity <= _AVAILABLE, -quantity,
                       stock_reserved=Variant.stock_reserved + quantity)

    _all_or_nothing(quantities(lines), step, _raise_out_of_stock)


def release(lines: Iterable[Any]) -> None:
    """Give back stock held by ``reserve`` (payment failed, expired or cancelled)."""

    def step(variant_id: int, quantity: int):
        return _update(variant_id, Variant.stock_reserved >= quantity, quantity,
                       stock_reserved=Variant.stock_reserved - quantity)

    wanted = quantities(lines)
    _all_or_nothing(wanted, step, _raise_mismatch)
    stock_returned.send(None, variant_ids=[variant_id for variant_id, _ in wanted])


def _change_on_hand(lines: Iterable[Any], sign: int, step, on_failure, reason: StockReason,
                    **ledger) -> None:
    wanted = quantities(lines)
    results = _all_or_nothing(wanted, step, on_failure)
    for variant_id, quantity in wanted:
        _record(variant_id, sign * quantity, results[variant_id], reason, **ledger)
    db.session.flush()


def commit_sale(lines: Iterable[Any], *, order_id: int | None = None) -> None:
    """Turn reserved units into sold ones: on hand and reserved both go down."""

    def step(variant_id: int, quantity: int):
        return _update(variant_id, Variant.stock_reserved >= quantity, 0, returning=True,
                       stock_on_hand=Variant.stock_on_hand - quantity,
                       stock_reserved=Variant.stock_reserved - quantity)

    _change_on_hand(lines, -1, step, _raise_mismatch, StockReason.SALE, order_id=order_id)


def sell_unreserved(lines: Iterable[Any], *, order_id: int | None = None) -> None:
    """Sell from free stock with no reservation (a payment that arrived after it expired)."""

    def step(variant_id: int, quantity: int):
        return _update(variant_id, quantity <= _AVAILABLE, -quantity, returning=True,
                       stock_on_hand=Variant.stock_on_hand - quantity)

    _change_on_hand(lines, -1, step, _raise_out_of_stock, StockReason.SALE,
                    order_id=order_id, note="paid after the reservation had expired")


def restock(lines: Iterable[Any], *, reason: StockReason = StockReason.CANCELLATION,
            order_id: int | None = None, actor_id: int | None = None, note: str = "") -> None:
    """Put sold units back on the shelf (a cancelled or returned order)."""

    def step(variant_id: int, quantity: int):
        return _update(variant_id, Variant.id == variant_id, quantity, returning=True,
                       stock_on_hand=Variant.stock_on_hand + quantity)

    wanted = quantities(lines)
    _change_on_hand(wanted, 1, step, _raise_mismatch, reason, order_id=order_id,
                    actor_id=actor_id, note=note)
    stock_returned.send(None, variant_ids=[variant_id for variant_id, _ in wanted])


def adjust_stock(variant: Variant, delta: int, reason: StockReason, actor=None,
                 note: str = "") -> int:
    """Change on-hand stock by ``delta`` by hand; returns the new count.

    Stock held for checkouts in progress cannot be removed, so on-hand never drops
    below what is reserved (nor below zero).
    """
    if reason not in ADJUSTMENT_REASONS:
        raise InventoryError("Choose why the stock is changing: received, damaged, count "
                             "correction, return or import.")
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise InventoryError("Enter a change in stock other than zero, such as 12 or -3.")
    after = _update(variant.id, -delta <= _AVAILABLE, delta, returning=True,
                    stock_on_hand=Variant.stock_on_hand + delta)
    _expire([variant.id])
    if after is None:
        db.session.refresh(variant)
        raise InventoryError(
            f"You can remove at most {variant.available} of {variant.sku}: "
            f"{variant.stock_on_hand} on hand, {variant.stock_reserved} held for checkouts "
            "in progress."
        )
    _record(variant.id, delta, after, reason, actor_id=getattr(actor, "id", actor), note=note)
    db.session.flush()
    if delta > 0:
        stock_returned.send(None, variant_ids=[variant.id])
    return after
