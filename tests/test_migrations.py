"""The Alembic history builds exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from storefront.extensions import db
from storefront.search.schema import include_name as search_include_name


def test_migrations_match_the_models(fresh_app):
    with fresh_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True,
                                  "include_name": search_include_name}
            )
            differences = compare_metadata(context, db.metadata)
    assert differences == [], "run `flask db migrate` to add the missing migration"


def test_migrations_downgrade_to_empty_and_up_again(fresh_app):
    with fresh_app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert "user_account" in inspect(db.engine).get_table_names()


def test_existing_carts_get_a_token_each(fresh_app):
    """Carts made before carts had tokens each get their own random one."""
    with fresh_app.app_context():
        upgrade(revision="fab3089c049a")
        with db.engine.begin() as connection:
            for _ in range(3):
                connection.execute(text("INSERT INTO cart (created_at, updated_at) "
                                        "VALUES (CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        upgrade(revision="3c8e1f0a9d42")
        with db.engine.connect() as connection:
            tokens = connection.execute(text("SELECT token FROM cart")).scalars().all()
    assert len(tokens) == 3 and len(set(tokens)) == 3
    assert all(isinstance(token, str) and len(token) == 43 for token in tokens)
