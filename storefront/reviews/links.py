"""The signed link in the invitation e-mail: it lets a buyer review an order's products.

Made the way the guest order links are (``storefront.orders.links``): the order's number,
signed with the secret key under a salt of its own, so no other signed link of the shop
opens it, and only good for ``REVIEW_LINK_MAX_AGE`` seconds (180 days).
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from storefront.extensions import db
from storefront.orders.models import Order
from storefront.urls import public_url

REVIEW_INVITE_SALT = "review-invite"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=REVIEW_INVITE_SALT)


def review_token(order: Order) -> str:
    return _serializer().dumps({"r": order.number})


# The links in review e-mails, built as the order e-mails build theirs: both functions
# below are the only places they are made.

def review_url(order: Order) -> str:
    """The invitation's link, for e-mails."""
    return public_url("reviews.invited", token=review_token(order))


def product_url(product) -> str:
    """A product's page, for e-mails."""
    return public_url("catalog.product_detail", slug=product.slug)


def order_for_token(token: str) -> Order | None:
    """The order a review link names, or None if it is forged, altered or too old."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["REVIEW_LINK_MAX_AGE"])
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    number = data.get("r") if isinstance(data, dict) else None
    if not isinstance(number, str):
        return None
    return db.session.scalar(select(Order).where(Order.number == number))
