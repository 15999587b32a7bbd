"""Orders that reached the buyer, and reviews of them written through the real services."""

from __future__ import annotations

from datetime import timedelta

from storefront.db import utcnow
from storefront.extensions import db
from storefront.orders import services as order_services
from storefront.orders.models import Order
from storefront.reviews import services as review_services
from storefront.reviews.models import Review, ReviewStatus
from tests.factories.orders import placed_order

__all__ = ["review_fields", "sent_order", "written_review"]


def sent_order(*items, email: str = "maya@example.com", user_id: int | None = None,
               sent_days_ago: float = 0) -> Order:
    """An order placed, paid (demo provider) and sent; call in an app context.

    ``items`` as for ``placed_order``; ``sent_days_ago`` moves the sending into the past.
    """
    order = placed_order(*items, email=email, user_id=user_id)
    assert order_services.payment_succeeded(order, provider="demo",
                                            reference=f"demo_{order.number}",
                                            amount=order.total, currency=order.currency)
    order = order_services.fulfil(order, "PostNL", "3S0001", actor=None)
    order.fulfilled_at = utcnow() - timedelta(days=sent_days_ago)
    db.session.flush()
    return order


def review_fields(**changes) -> review_services.ReviewFields:
    values = {"rating": 4, "title": "Calmed my cheeks", "display_name": "Maya R.",
              "body": "Used it every evening for a month; the redness is much less."}
    values.update(changes)
    return review_services.ReviewFields(**values)


def written_review(order: Order, line_index: int = 0,
                   status: ReviewStatus = ReviewStatus.PENDING, actor=None,
                   **fields) -> Review:
    """The buyer's review of the order's line ``line_index``, then moderated to ``status``."""
    line = order.lines[line_index]
    item = review_services.line_to_review(order, line.id)
    review = review_services.write_review(order, item, review_fields(**fields))
    if status != ReviewStatus.PENDING:
        review_services.moderate(review, status, actor=actor,
                                 reason="Not about the product." if status ==
                                 ReviewStatus.REJECTED else "")
    return review
