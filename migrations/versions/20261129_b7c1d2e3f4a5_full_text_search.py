"""full-text search

Revision ID: b7c1d2e3f4a5
Revises: 7d969af50b02
Create Date: 2026-11-29 18:00:00.000000

SQLite: FTS5 tables product_fts, article_fts and condition_fts with the triggers that keep
them current. PostgreSQL: a search_vector tsvector column with a GIN index on product,
article and condition, the functions and triggers that fill it, and the storefront_search
text search configuration (english stemming after unaccent). Both backfill existing rows.

The statements live in storefront/search/schema.py, which `db.create_all()` uses too, so
a migrated database and a test database are built by the same code. This migration
installs the indexes as they were first defined (schema.FIRST_INDEXES); later migrations
that change a definition swap it with schema.replace_index.
"""
from alembic import op

from storefront.search import schema


# revision identifiers, used by Alembic.
revision = "b7c1d2e3f4a5"
down_revision = "7d969af50b02"
branch_labels = None
depends_on = None


def upgrade():
    schema.install(op.get_bind(), schema.FIRST_INDEXES)


def downgrade():
    schema.uninstall(op.get_bind(), schema.FIRST_INDEXES)
