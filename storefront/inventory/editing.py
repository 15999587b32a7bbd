"""Staff's stock changes: through the ledger (``inventory.services``) and the audit log.

Functions flush; the request commits.
"""

from __future__ import annotations

from storefront.audit import services as audit
from storefront.catalog.models import Variant
from storefront.extensions import db
from storefront.inventory import services as inventory
from storefront.inventory.models import StockReason


def adjust(variant: Variant, delta: int, reason: StockReason, actor, note: str = "") -> int:
    """Change on-hand stock through the ledger and the audit log; returns the new count.

    The caller gives back the holds of unpaid orders whose time ran out first
    (``orders.services.release_overdue_holds``): they never stop stock being removed."""
    after = inventory.adjust_stock(variant, delta, reason, actor=actor, note=note)
    audit.record(actor, "stock.adjusted", variant,
                 f"{variant.sku}: {delta:+d} ({reason.label.lower()})",
                 before={"stock_on_hand": after - delta},
                 after={"stock_on_hand": after, "reason": reason.value, "note": note})
    return after


def set_stock(variant: Variant, target: int, reason: StockReason, actor, note: str = "") -> int:
    """Bring on-hand stock to ``target`` with one ledger entry (none when it is already)."""
    db.session.refresh(variant, ["stock_on_hand", "stock_reserved"])
    delta = target - variant.stock_on_hand
    return adjust(variant, delta, reason, actor, note) if delta else variant.stock_on_hand
