"""Backups: ``prod/backup.sh`` (pg_dump) and ``prod/restore.sh`` (pg_restore) into a FRESH
database bring back every order with its lines and payments. PostgreSQL only."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.orders import services
from storefront.orders.models import Order
from tests.factories import ProductFactory, VariantFactory, placed_order
from tests.helpers.apps import build_schema, create_postgres_database, make_test_app

ROOT = Path(__file__).resolve().parents[2]
BACKUP, RESTORE = ROOT / "prod" / "backup.sh", ROOT / "prod" / "restore.sh"
TOOLS = ("pg_dump", "pg_restore", "psql")

pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module", autouse=True)
def _postgres_client_tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"backups need the PostgreSQL client tools; missing: {', '.join(missing)}")


@pytest.fixture
def new_database(tmp_path):
    """Makes throwaway PostgreSQL databases (skipped when there is no server); drops them."""
    drops = []

    def make():
        url, drop = create_postgres_database("sf_backup")
        drops.append(drop)
        return url

    yield make
    for drop in drops:
        drop()


def _shop_with_orders(app) -> None:
    build_schema(app)
    with app.app_context():
        cream = VariantFactory(product=ProductFactory(name="Barrier Cream", variant=False),
                               price=Decimal("24.50"), stock_on_hand=20)
        serum = VariantFactory(product=ProductFactory(name="Azelaic Serum", variant=False),
                               price=Decimal("31.00"), stock_on_hand=20)
        paid = placed_order((cream, 2), (serum, 1), email="maya@example.com")
        services.payment_succeeded(paid, provider="demo", reference="demo_paid_1",
                                   amount=paid.total, currency=paid.currency)
        placed_order((serum, 3), email="jo@example.com")  # waiting for its payment
        retried = placed_order(cream, email="sam@example.com")
        services.payment_failed(retried, reason="The demo card was declined")
        db.session.commit()


def _orders(app) -> list[tuple]:
    """Every order with its lines and payments, as plain values."""
    with app.app_context():
        orders = db.session.scalars(select(Order).order_by(Order.number)).all()
        return [
            (order.number, order.email, order.status.value, order.total, order.currency,
             sorted((line.sku, line.product_name, line.quantity, line.unit_price,
                     line.line_total) for line in order.lines),
             sorted((payment.provider, payment.provider_reference, payment.amount,
                     payment.status.value) for payment in order.payments))
            for order in orders
        ]


def _run(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([str(arg) for arg in argv], capture_output=True, text=True,
                          timeout=120, check=False)


def test_a_backup_restored_into_a_fresh_database_has_every_order(new_database, tmp_path):
    source_url = new_database()
    source = make_test_app(source_url, tmp_path / "source")
    _shop_with_orders(source)
    before = _orders(source)
    assert len(before) == 3
    assert sum(len(lines) for *_, lines, _payments in before) == 4
    assert sum(len(payments) for *_, payments in before) == 1

    dump = tmp_path / "backups" / "shop.dump"
    made = _run(BACKUP, source_url, dump)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == str(dump)
    assert dump.stat().st_size > 0
    assert not dump.with_name("shop.dump.partial").exists()

    target_url = new_database()
    restored = _run(RESTORE, dump, target_url)
    assert restored.returncode == 0, restored.stderr
    target = make_test_app(target_url, tmp_path / "target")
    assert _orders(target) == before

    # Sequences came back too: the restored shop takes new orders without id clashes.
    with target.app_context():
        variant = VariantFactory(product=ProductFactory(variant=False), stock_on_hand=5)
        placed_order(variant, email="new@example.com")
        db.session.commit()
    assert len(_orders(target)) == 4
    for app in (source, target):
        with app.app_context():
            db.engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty(new_database, tmp_path):
    url = new_database()
    app = make_test_app(url, tmp_path)
    _shop_with_orders(app)
    dump = tmp_path / "shop.dump"
    assert _run(BACKUP, url, dump).returncode == 0
    refused = _run(RESTORE, dump, url)
    assert refused.returncode == 1
    assert "already has" in refused.stderr
    assert len(_orders(app)) == 3
    with app.app_context():
        db.engine.dispose()
