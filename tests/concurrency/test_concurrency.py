"""Many shoppers at once, on PostgreSQL with real commits (SQLite runs one writer at a time).

Each test gets a throwaway database on the test server, so the rows committed here never
meet the other tests' per-test transactions; it is dropped at the end of the module.
Every thread has its own app context, hence its own Session and connection.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from storefront.accounts import services as account_services
from storefront.accounts.models import Role, User
from storefront.alerts import services as alerts
from storefront.alerts.models import StockAlert
from storefront.cart import services as cart_services
from storefront.cart.models import Cart
from storefront.catalog.models import Variant
from storefront.checkout import services as checkout
from storefront.db import utcnow
from storefront.discounts.models import DiscountCode
from storefront.discounts.services import DiscountRefused
from storefront.extensions import db
from storefront.inventory import services as inventory
from storefront.inventory.models import StockMovement, StockReason
from storefront.inventory.services import OutOfStock
from storefront.mail.models import OutboxMessage
from storefront.orders import services as orders
from storefront.orders.models import Order, OrderStatus
from tests.factories import (
    AdminFactory,
    DiscountCodeFactory,
    ProductFactory,
    VariantFactory,
    checkout_address,
    method_id,
)
from tests.helpers.apps import build_schema, create_postgres_database, make_test_app

pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory):
    """PostgreSQL only: SQLite lets one writer in at a time, so there is no race to test."""
    url, drop = create_postgres_database("sf_concurrency")
    app = make_test_app(url, tmp_path_factory.mktemp("concurrency"),
                        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 35, "max_overflow": 0})
    build_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()
    drop()


def _details(email: str, code: str = "") -> checkout.CheckoutDetails:
    return checkout.CheckoutDetails(
        email=email,
        address=checkout_address(),
        shipping_method=method_id("standard"),
        discount_code=code,
    )


def _prepare(app, shoppers: int, stock: int, code_limit: int | None = None):
    """A variant with ``stock`` units and one committed one-item cart per shopper."""
    with app.app_context():
        variant = VariantFactory(product=ProductFactory(variant=False), stock_on_hand=stock,
                                 price=Decimal("20.00"))
        if code_limit is not None:
            DiscountCodeFactory(code="RACE", max_uses=code_limit)
        carts = []
        for _ in range(shoppers):
            cart = Cart()
            db.session.add(cart)
            db.session.flush()
            cart_services.add_item(cart, variant.id, 1)
            carts.append(cart.id)
        db.session.commit()
        return variant.id, carts


def _buy(app, cart_id: int, email: str, code: str) -> str:
    """Place and pay one cart, as the pay button and the provider's report would."""
    with app.app_context():
        cart = db.session.get(Cart, cart_id)
        try:
            order = checkout.place_order(cart, _details(email, code), user_id=None)
        except (OutOfStock, checkout.CartNotReady, DiscountRefused) as error:
            db.session.rollback()
            return type(error).__name__
        db.session.commit()
        paid = orders.payment_succeeded(order, provider="demo", reference=f"ref-{order.id}",
                                        amount=order.total, currency=order.currency)
        db.session.commit()
        return "paid" if paid else "not paid"


def _all_at_once(work, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as error:  # reported by the assertion below, with its type
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [r for r in results if isinstance(r, BaseException)], results
    return results


def test_thirty_shoppers_racing_for_the_last_five_units(shared_app):
    variant_id, carts = _prepare(shared_app, shoppers=30, stock=5)
    results = _all_at_once(
        lambda i: _buy(shared_app, carts[i], f"shopper{i}@example.com", ""), 30)
    outcome = Counter(results)
    assert outcome["paid"] == 5, outcome
    assert set(outcome) <= {"paid", "OutOfStock", "CartNotReady"}, outcome
    with shared_app.app_context():
        variant = db.session.get(Variant, variant_id)
        assert (variant.stock_on_hand, variant.stock_reserved) == (0, 0)
        sales = db.session.scalars(select(StockMovement).where(
            StockMovement.variant_id == variant_id)).all()
        assert sorted(m.on_hand_after for m in sales) == [0, 1, 2, 3, 4]
        paid = db.session.scalar(select(func.count()).select_from(Order).where(
            Order.status == OrderStatus.PAID))
        assert paid == 5


def test_a_code_limited_to_three_uses_is_used_three_times_by_twenty_shoppers(shared_app):
    _, carts = _prepare(shared_app, shoppers=20, stock=100, code_limit=3)
    results = _all_at_once(
        lambda i: _buy(shared_app, carts[i], f"coder{i}@example.com", "RACE"), 20)
    outcome = Counter(results)
    assert outcome == {"paid": 3, "DiscountRefused": 17}, outcome
    with shared_app.app_context():
        code = db.session.scalar(select(DiscountCode).where(DiscountCode.code == "RACE"))
        assert code.times_used == 3
        with_code = db.session.scalar(select(func.count()).select_from(Order).where(
            Order.discount_code_id == code.id, Order.status == OrderStatus.PAID))
        assert with_code == 3


def test_one_shopper_racing_with_plus_tags_gets_a_once_per_customer_code_once(shared_app):
    _, carts = _prepare(shared_app, shoppers=8, stock=100)
    with shared_app.app_context():
        DiscountCodeFactory(code="ONCEEACH", value=Decimal("50"), max_uses_per_customer=1)
        db.session.commit()
    results = _all_at_once(
        lambda i: _buy(shared_app, carts[i], f"Racer+{i}@Example.com", "ONCEEACH"), 8)
    assert Counter(results) == {"paid": 1, "DiscountRefused": 7}, Counter(results)


def test_the_same_payment_reported_ten_times_at_once_is_recorded_once(shared_app):
    variant_id, carts = _prepare(shared_app, shoppers=1, stock=4)
    with shared_app.app_context():
        order = checkout.place_order(db.session.get(Cart, carts[0]),
                                     _details("twice@example.com"), user_id=None)
        db.session.commit()
        order_id, total = order.id, order.total

    def report(_index: int) -> bool:
        with shared_app.app_context():
            result = orders.payment_succeeded(db.session.get(Order, order_id), provider="demo",
                                              reference="same-ref", amount=total,
                                              currency="EUR")
            db.session.commit()
            return result

    assert sorted(_all_at_once(report, 10)) == [False] * 9 + [True]
    with shared_app.app_context():
        variant = db.session.get(Variant, variant_id)
        assert (variant.stock_on_hand, variant.stock_reserved) == (3, 0)


def test_two_admins_demoting_each_other_at_once_leave_one_admin(shared_app):
    with shared_app.app_context():
        admins = [AdminFactory(), AdminFactory()]
        db.session.commit()
        ids = [admin.id for admin in admins]
    # Each demotion, once written, waits (up to 2 s) for the other's: without a lock both
    # would have counted two admins before either commits.
    both_written = threading.Barrier(2)

    def written(session, _context) -> None:
        if any(isinstance(row, User) for row in session.dirty):
            # Broken when the other is waiting for this one's lock, as it should be.
            with contextlib.suppress(threading.BrokenBarrierError):
                both_written.wait(timeout=2)

    def demote(index: int) -> str:
        with shared_app.app_context():
            actor, target = (db.session.get(User, ids[i]) for i in (index, 1 - index))
            try:
                account_services.set_role(target, Role.CUSTOMER, actor=actor)
            except account_services.LastAdminError as error:
                db.session.rollback()
                return error.message
            db.session.commit()
            return "demoted"

    event.listen(Session, "after_flush", written)
    try:
        results = _all_at_once(demote, 2)
    finally:
        event.remove(Session, "after_flush", written)
    assert sorted(results) == [
        "This is the only admin; make someone else an admin first.", "demoted"], results
    with shared_app.app_context():
        roles = db.session.scalars(select(User.role).where(User.id.in_(ids))).all()
        assert sorted(roles) == [Role.ADMIN, Role.CUSTOMER]


def _waiting_for_a_sold_out_size(app, people: int) -> int:
    with app.app_context():
        variant = VariantFactory(product=ProductFactory(name="Sold Out Serum", variant=False),
                                 stock_on_hand=0)
        db.session.flush()
        db.session.add_all([StockAlert(variant_id=variant.id, email=f"waits{n}@example.com",
                                       confirmed_at=utcnow()) for n in range(people)])
        db.session.commit()
        return variant.id


def _back_in_stock_mail(app) -> Counter:
    with app.app_context():
        return Counter(db.session.scalars(select(OutboxMessage.recipient).where(
            OutboxMessage.subject == "Sold Out Serum is back in stock")))


def test_restocks_racing_e_mail_each_waiting_customer_exactly_once(shared_app):
    """Two restocks of the same size at once (each starts the job when it commits), then
    six sweeps at once, each held at its UPDATE until all six have read who waits: every
    customer is picked by one of them, and e-mailed once."""
    variant_id = _waiting_for_a_sold_out_size(shared_app, people=12)

    def restock(_index: int) -> None:
        with shared_app.app_context():  # leaving it runs the job (inline, no Redis here)
            inventory.adjust_stock(db.session.get(Variant, variant_id), 3,
                                   StockReason.RECEIVED)
            db.session.commit()

    _all_at_once(restock, 2)
    with shared_app.app_context():
        db.session.execute(update(StockAlert).where(StockAlert.variant_id == variant_id)
                           .values(notified_at=None))  # as if nobody had been told yet
        db.session.commit()
    first = _back_in_stock_mail(shared_app)
    assert sum(first.values()) == 12, first
    assert set(first.values()) == {1}, first

    all_read = threading.Barrier(6)

    def held_at_update(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE STOCK_ALERT"):
            with contextlib.suppress(threading.BrokenBarrierError):
                all_read.wait(timeout=2)

    def sweep(_index: int) -> int:
        with shared_app.app_context():
            sent = alerts.notify_back_in_stock([variant_id])
            db.session.commit()
            return sent

    with shared_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", held_at_update)
    try:
        assert sorted(_all_at_once(sweep, 6)) == [0] * 5 + [12]
    finally:
        event.remove(engine, "before_cursor_execute", held_at_update)
    mail = _back_in_stock_mail(shared_app)
    assert sum(mail.values()) == 24, mail
    assert set(mail.values()) == {2}, mail  # 12 + 12 once more
    with shared_app.app_context():
        left = db.session.scalar(select(func.count()).select_from(StockAlert).where(
            StockAlert.variant_id == variant_id, StockAlert.notified_at.is_(None)))
    assert left == 0
