"""E-mails about an order, queued in the same transaction as the change they describe."""

from __future__ import annotations

from storefront.mail import queue_mail
from storefront.orders.links import order_url
from storefront.orders.models import Order


def send_confirmation(order: Order) -> None:
    queue_mail(order.email, f"Your order {order.number} is confirmed", "order_confirmation",
               order=order, url=order_url(order))


def send_unfulfillable(order: Order, why: str) -> None:
    queue_mail(order.email, f"Your order {order.number}: payment refunded", "order_refunded",
               order=order, why=why, url=order_url(order))
