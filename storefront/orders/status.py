"""The order status machine: every legal move is in one table, and one function makes it."""

from __future__ import annotations

from storefront import metrics
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.orders.models import Order, OrderEvent, OrderStatus

S = OrderStatus

# From each status, where an order may go next. Anything else is a mistake.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED, S.PAYMENT_FAILED, S.EXPIRED}),
    # Money can still arrive after a failure or expiry (a slow bank, a retried card):
    # the order is then paid if its stock is still there, otherwise refunded.
    S.PAYMENT_FAILED: frozenset({S.PAID, S.REFUNDED}),
    S.EXPIRED: frozenset({S.PAID, S.REFUNDED}),
    S.CANCELLED: frozenset({S.REFUNDED}),
    S.PAID: frozenset({S.FULFILLED, S.CANCELLED, S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.REFUNDED, S.PARTIALLY_REFUNDED, S.FULFILLED,
                                     S.CANCELLED}),
    S.FULFILLED: frozenset({S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.REFUNDED: frozenset(),
}

# Orders in these statuses hold stock reserved for them (``stock_reserved``).
HOLDS_RESERVATION = frozenset({S.PENDING_PAYMENT})
# Orders in these statuses hold a use of their discount code (a fully refunded or
# cancelled order gives it back).
HOLDS_DISCOUNT = frozenset({S.PENDING_PAYMENT, S.PAID, S.FULFILLED, S.PARTIALLY_REFUNDED})
# Orders in these statuses were paid for and the goods are (or were) the shopper's.
SOLD = frozenset({S.PAID, S.FULFILLED, S.PARTIALLY_REFUNDED})


class IllegalTransition(DomainError):
    """The order can't move from its status to the one asked for."""

    status_code = 409

    def __init__(self, order: Order, new_status: OrderStatus):
        self.order = order
        self.new_status = new_status
        super().__init__(
            f"Order {order.number} is “{order.status.label}” and can't become "
            f"“{new_status.label}”."
        )


def can_transition(current: OrderStatus, new_status: OrderStatus) -> bool:
    return new_status in TRANSITIONS.get(current, frozenset())


def transition(order: Order, new_status: OrderStatus, *, actor=None, note: str = "") -> None:
    """Move ``order`` to ``new_status`` and record who did it; IllegalTransition if not allowed."""
    new_status = OrderStatus(new_status)
    if not can_transition(order.status, new_status):
        raise IllegalTransition(order, new_status)
    order.events.append(OrderEvent(
        kind="status",
        from_status=order.status.value,
        to_status=new_status.value,
        actor_id=getattr(actor, "id", actor),
        note=note,
    ))
    order.status = new_status
    db.session.flush()
    metrics.count_on_commit(db.session, metrics.ORDERS, outcome=new_status.value)


def record_event(order: Order, kind: str, note: str = "", *, actor=None) -> None:
    """Note something that happened to the order without changing its status."""
    order.events.append(OrderEvent(kind=kind, actor_id=getattr(actor, "id", actor), note=note))
