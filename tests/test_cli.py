"""``flask`` commands on a freshly migrated database."""

from sqlalchemy import func, select

from storefront.accounts.models import Role, User
from storefront.extensions import db


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
