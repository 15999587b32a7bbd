"""search_word_version: a token that changes whenever the search vocabulary does

- search_word_version: one row whose token triggers on search_word replace with a new
  random one at every change (made by storefront/search/schema.py), so that a process may
  keep the vocabulary in memory and read it again only when it changed (SQLite's "did
  you mean").

Revision ID: 9e4b7c2d1f60
Revises: 5d1e7a0c2b44
Create Date: 2026-12-11 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from storefront.search import schema

# revision identifiers, used by Alembic.
revision = '9e4b7c2d1f60'
down_revision = '5d1e7a0c2b44'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_word_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_word_version'))
    )
    schema.install_vocabulary_version(op.get_bind())


def downgrade():
    schema.uninstall_vocabulary_version(op.get_bind())
    op.drop_table('search_word_version')
