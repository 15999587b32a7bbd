"""Guest carts nobody touched for GUEST_CART_DAYS are deleted (command and periodic job)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storefront.cart import services
from storefront.cart.models import Cart, CartLine
from storefront.db import utcnow
from storefront.extensions import db
from storefront.jobs import periodic, tasks
from storefront.orders import carts as order_carts
from storefront.orders.models import Order
from storefront.orders.models import OrderStatus as S
from tests.factories import ProductFactory, UserFactory, VariantFactory
from tests.factories.orders import placed_order


def _cart(days_ago: int, user=None, lines: int = 1) -> int:
    cart = Cart(user_id=user.id if user else None)
    db.session.add(cart)
    db.session.flush()
    for _ in range(lines):
        variant = VariantFactory(product=ProductFactory(variant=False))
        services.add_item(cart, variant.id, 1)
    cart.updated_at = utcnow() - timedelta(days=days_ago)
    db.session.flush()
    return cart.id


def _carts() -> set[int]:
    return set(db.session.scalars(select(Cart.id)))


def test_only_old_guest_carts_go_with_their_lines(app_ctx):
    old, recent = _cart(45, lines=2), _cart(3)
    member_cart = _cart(400, user=UserFactory())
    assert order_carts.prune_guest_carts(timedelta(days=30)) == 1
    assert old not in _carts()
    assert {recent, member_cart} <= _carts()
    assert db.session.scalars(select(CartLine).where(CartLine.cart_id == old)).all() == []


def test_a_cart_an_unpaid_order_came_from_is_kept_until_the_order_ends(app_ctx):
    order = placed_order(VariantFactory(product=ProductFactory(variant=False)))
    cart_id = order.cart_id
    db.session.get(Cart, cart_id).updated_at = utcnow() - timedelta(days=60)
    db.session.flush()
    assert order_carts.prune_guest_carts(timedelta(days=30)) == 0
    order.status = S.CANCELLED
    db.session.flush()
    assert order_carts.prune_guest_carts(timedelta(days=30)) == 1
    assert cart_id not in _carts()
    assert db.session.get(Order, order.id).cart_id is None, "the order itself stays"


def test_changing_a_cart_counts_as_touching_it(app_ctx):
    cart_id = _cart(45)
    cart = db.session.get(Cart, cart_id)
    services.update_item(cart, cart.lines[0].id, 2)
    assert order_carts.prune_guest_carts(timedelta(days=30)) == 0


def test_the_command_and_the_periodic_job(app, db):
    with app.app_context():
        old = _cart(31)
        _cart(1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["prune-carts"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 guest cart(s) untouched for 30 days or more." in result.output
    with app.app_context():
        assert old not in _carts()
        _cart(10)
        db.session.commit()
        assert tasks.prune_guest_carts() == 0
    refused = app.test_cli_runner().invoke(args=["prune-carts", "--days", "0"])
    assert refused.exit_code == 2
    assert "--days" in refused.output
    assert "prune-carts" in {job.name for job in periodic.PERIODIC}
