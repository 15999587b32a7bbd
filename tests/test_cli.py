"""``flask`` commands on a freshly migrated database."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from storefront.accounts.models import Role, User
from storefront.extensions import db
from tests.conftest import create_postgres_database

ROOT = Path(__file__).resolve().parent.parent
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
