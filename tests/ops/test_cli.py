"""``flask`` commands on a freshly migrated database, as the README runs them."""

import os
import shutil
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from storefront.accounts.models import Role, User
from storefront.cart.models import Cart
from storefront.catalog.models import Variant
from storefront.db import utcnow
from storefront.demo.shipping import seed_shipping
from storefront.extensions import db
from storefront.orders.models import Order, OrderStatus
from storefront.queue.redis_queue import CONNECTION_KEY
from storefront.routines.models import IngredientClass, RoutineStep
from tests.factories import (
    CategoryFactory,
    IngredientFactory,
    ProductFactory,
    VariantFactory,
    placed_order,
)
from tests.helpers import first_link, text_part
from tests.helpers.apps import create_postgres_database, free_port, make_test_app
from tests.helpers.jobs import use_queue

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


def _count_users(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_upgrade_then_seed_demo_twice_leaves_one_copy(fresh_app):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output

    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin@example.com" in first.output
    after_first = _count_users(fresh_app)

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert _count_users(fresh_app) == after_first == 2
    assert "exists" in second.output


def test_create_admin_prompts_for_the_password(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    password = "a long admin passphrase"
    result = runner.invoke(args=["create-admin", "Boss@Example.com"],
                           input=f"{password}\n{password}\n")
    assert result.exit_code == 0, result.output
    assert "boss@example.com is an admin." in result.output
    with fresh_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
        assert user.role is Role.ADMIN
        assert user.check_password(password)


def test_create_admin_refuses_a_weak_password(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    result = runner.invoke(args=["create-admin", "boss@example.com"], input="short\nshort\n")
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert _count_users(fresh_app) == 0


@pytest.fixture
def empty_postgres_url():
    """PostgreSQL only: SQLite is one host's database, where a deploy upgrades once."""
    url, drop = create_postgres_database("sf_upgrade")
    yield url
    drop()


def test_two_hosts_upgrading_at_once_both_succeed(empty_postgres_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": empty_postgres_url, "FLASK_DEBUG": "0",
           "SECRET_KEY": "upgrade-test-secret-" + uuid.uuid4().hex, "PYTHONPATH": str(ROOT)}
    command = [str(FLASK), "--app", "storefront", "db", "upgrade"]
    hosts = [subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [host.communicate(timeout=120)[0] for host in hosts]
    assert [host.returncode for host in hosts] == [0, 0], outputs
    engine = create_engine(empty_postgres_url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert len(versions) == 1


# Every command the README and docs/deploy.md show, as they are run there: on a new
# database, in an app without SERVER_NAME (the other fixtures set one, which once hid a
# crash of ``create-admin`` for a new address), the shop's address given by SHOP_URL.

SHOP_URL = "https://halden.example"
PASSWORD = "a long admin passphrase"


@pytest.fixture
def cli_app(empty_database_url, tmp_path, smtp_server):
    smtp_server.handler.messages.clear()
    app = make_test_app(empty_database_url, tmp_path, SERVER_NAME=None, SHOP_URL=SHOP_URL,
                        MAIL_SERVER=smtp_server.hostname, MAIL_PORT=smtp_server.port)
    assert app.config["SERVER_NAME"] is None
    upgraded = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def flask(app, *args: str, input: str | None = None) -> str:
    """``flask --app storefront ARGS``; its output, after checking that it succeeded."""
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def confirmation_link(message) -> str:
    return first_link(text_part(message), "/account/confirm/")


def test_create_admin_makes_a_new_account_as_the_readme_says(cli_app, smtp_server):
    output = flask(cli_app, "create-admin", "new@example.com", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert "new@example.com is an admin." in output
    with cli_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@example.com"))
        assert user.role is Role.ADMIN
        assert user.check_password(PASSWORD)
    [message] = smtp_server.handler.messages
    assert message["To"] == "new@example.com"
    assert confirmation_link(message).startswith(f"{SHOP_URL}/account/confirm/")


def test_create_admin_promotes_an_existing_account(cli_app):
    flask(cli_app, "seed-demo")
    output = flask(cli_app, "create-admin", "editor@example.com", "--password", PASSWORD)
    assert "editor@example.com is an admin." in output
    with cli_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "editor@example.com"))
        assert user.role is Role.ADMIN


# SQLAlchemy cannot read expression indexes back from SQLite (ix_product_featured_order);
# tests/core/test_migrations.py compares that index on PostgreSQL.
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_db_current_and_migrate_find_the_schema_up_to_date(cli_app, tmp_path):
    flask(cli_app, "db", "current")  # alembic prints the revision past the runner's capture
    migrations = tmp_path / "migrations"
    shutil.copytree(ROOT / "migrations", migrations,
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = set((migrations / "versions").iterdir())
    flask(cli_app, "db", "migrate", "-d", str(migrations), "-m", "nothing changed")
    assert set((migrations / "versions").iterdir()) == before  # no empty migration written


def test_send_outbox_sends_what_waited_for_the_mail_server(cli_app, smtp_server):
    smtp_port = cli_app.config["MAIL_PORT"]
    cli_app.config["MAIL_PORT"] = free_port()  # the mail server is down
    flask(cli_app, "create-admin", "new@example.com", "--password", PASSWORD)
    assert smtp_server.handler.messages == []
    cli_app.config["MAIL_PORT"] = smtp_port  # and back
    assert "Sent 1 message(s); 0 still waiting." in flask(cli_app, "send-outbox")
    [message] = smtp_server.handler.messages
    assert confirmation_link(message).startswith(f"{SHOP_URL}/account/confirm/")


def test_release_expired_reservations_and_prune_carts(cli_app):
    with cli_app.app_context():
        seed_shipping(cli_app.config["SHOP_PRESET"])  # the zone the order is delivered in
        variant = VariantFactory(product=ProductFactory(variant=False), stock_on_hand=5)
        order = placed_order((variant, 2))
        order.reservation_expires_at = utcnow() - timedelta(minutes=1)
        forgotten = Cart(updated_at=utcnow() - timedelta(days=40))
        db.session.add(forgotten)
        db.session.commit()
        order_id, variant_id, cart_id = order.id, variant.id, forgotten.id
    assert "Released the reservations of 1 unpaid order(s)." in flask(
        cli_app, "release-expired-reservations")
    assert "Deleted 1 guest cart(s)" in flask(cli_app, "prune-carts")
    with cli_app.app_context():
        assert db.session.get(Order, order_id).status is OrderStatus.EXPIRED
        assert db.session.get(Variant, variant_id).stock_reserved == 0
        assert db.session.get(Cart, cart_id) is None


def test_seed_routine_rules_links_the_categories_and_ingredients_there_are(cli_app):
    with cli_app.app_context():
        CategoryFactory(slug="sunscreen", name="Sunscreen")
        IngredientFactory(slug="retinol", name="Retinol")
        db.session.commit()
    output = flask(cli_app, "seed-routine-rules")
    assert "Routines: created 4 steps" in output
    assert "created 1 conflict rule" in output
    assert flask(cli_app, "seed-routine-rules").strip() == (
        "Routines: the default steps, classes and conflicts exist")
    with cli_app.app_context():
        sunscreen = db.session.scalar(select(RoutineStep).where(
            RoutineStep.slug == "sunscreen"))
        retinoid = db.session.scalar(select(IngredientClass).where(
            IngredientClass.slug == "retinoid"))
        assert [c.slug for c in sunscreen.categories] == ["sunscreen"]
        assert [i.slug for i in retinoid.ingredients] == ["retinol"]


def test_the_worker_sends_mail_a_command_queued(cli_app, smtp_server, test_queue,
                                                 monkeypatch):
    use_queue(cli_app, monkeypatch, test_queue[1])
    try:
        flask(cli_app, "create-admin", "new@example.com", "--password", PASSWORD)
        assert smtp_server.handler.messages == []  # queued for a worker, not sent inline
        flask(cli_app, "worker", "--burst")
    finally:
        cli_app.extensions.pop(CONNECTION_KEY, None)
    [message] = smtp_server.handler.messages
    assert confirmation_link(message).startswith(f"{SHOP_URL}/account/confirm/")
