"""E-mails about an order, queued in the same transaction as the change they describe.

Every event a shopper should hear about has one: paid (the confirmation), sent, cancelled
(with any refund that came with it), refunded in part or in full, and refunded because it
could no longer be fulfilled. Links are made from ``SHOP_URL`` (``order_url``), never from
a request.
"""

from __future__ import annotations

from decimal import Decimal

from storefront.mail import queue_mail
from storefront.money import format_money
from storefront.orders.links import order_url
from storefront.orders.models import Order, Refund


def send_confirmation(order: Order) -> None:
    queue_mail(order.email, f"Your order {order.number} is confirmed", "order_confirmation",
               order=order, url=order_url(order))


def send_unfulfillable(order: Order, why: str) -> None:
    queue_mail(order.email, f"Your order {order.number}: payment refunded",
               "order_unfulfillable", order=order, why=why, url=order_url(order))


def send_cancelled(order: Order, refunded: Decimal, *, was_paid: bool) -> None:
    """The order is cancelled; ``refunded`` is what the cancellation sent back (0 when
    nothing was left to refund, or nothing had been paid)."""
    queue_mail(order.email, f"Your order {order.number} is cancelled", "order_cancelled",
               order=order, refunded=refunded, was_paid=was_paid, url=order_url(order))


def send_refunded(order: Order, refund: Refund) -> None:
    """Part or all of the payment went back: how much, what is left, when it arrives."""
    payment = refund.payment
    full = payment.amount_refunded >= payment.amount
    subject = (f"Your order {order.number}: refunded in full" if full
               else f"Your order {order.number}: "
                    f"{format_money(refund.amount, order.currency)} refunded")
    queue_mail(order.email, subject, "order_refund", order=order, refund=refund, full=full,
               refunded_total=payment.amount_refunded, paid=payment.amount,
               url=order_url(order))
