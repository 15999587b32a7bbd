"""Signed links that let a guest see their order without an account."""

from __future__ import annotations

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from storefront.extensions import db
from storefront.orders.models import Order
from storefront.urls import public_url

GUEST_ORDER_SALT = "guest-order"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=GUEST_ORDER_SALT)


def guest_order_token(order: Order) -> str:
    return _serializer().dumps({"n": order.number})


def _url(endpoint: str, external: bool, **values) -> str:
    """On the shop's public address (``SHOP_URL``) when ``external``, for e-mails."""
    return public_url(endpoint, **values) if external else url_for(endpoint, **values)


def guest_order_url(order: Order, *, external: bool = True) -> str:
    return _url("orders.guest_order", external, token=guest_order_token(order))


def order_url(order: Order, *, external: bool = True) -> str:
    """Where the shopper sees this order: their account, or the signed link for a guest."""
    if order.user_id is None:
        return guest_order_url(order, external=external)
    return _url("orders.order_detail", external, number=order.number)


def order_for_token(token: str) -> Order | None:
    """The order a guest link names, or None if the link is forged, altered or too old."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["GUEST_ORDER_LINK_MAX_AGE"])
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    number = data.get("n") if isinstance(data, dict) else None
    if not isinstance(number, str):
        return None
    return db.session.scalar(select(Order).where(Order.number == number))
