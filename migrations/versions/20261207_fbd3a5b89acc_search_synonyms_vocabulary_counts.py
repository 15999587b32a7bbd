"""search: synonyms, a vocabulary for spelling, search counts, conditions in product search

- search_synonym: the owner's synonyms, seeded with the shop's vocabulary
  (storefront/search/synonyms.py, DEFAULT_SYNONYMS).
- search_word: every word of the pages readers see, for spelling mistakes; on PostgreSQL
  with a GIN trigram index (pg_trgm, created if missing) made by storefront/search/schema.py.
- search_count: how often each search was made per day, and what it found; nothing about
  who searched.
- The product search document gains the names of the skin conditions that recommend the
  product (weighted like brand and ingredients): the search structures are made again.

Revision ID: fbd3a5b89acc
Revises: f478118ea733
Create Date: 2026-12-07 03:16:05.392372

"""
from alembic import op
import sqlalchemy as sa

from storefront.db import UTCDateTime, utcnow
from storefront.search import schema
from storefront.search.synonyms import DEFAULT_SYNONYMS


# revision identifiers, used by Alembic.
revision = 'fbd3a5b89acc'
down_revision = 'f478118ea733'
branch_labels = None
depends_on = None

synonym = sa.table(
    'search_synonym', sa.column('kind', sa.String(20)), sa.column('terms', sa.String(300)),
    sa.column('targets', sa.String(300)), sa.column('created_at', UTCDateTime()),
    sa.column('updated_at', UTCDateTime()))


def upgrade():
    op.create_table('search_count',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('query', sa.String(length=100), nullable=False),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.Column('results', sa.Integer(), nullable=True),
    sa.CheckConstraint('searches > 0', name=op.f('ck_search_count_searches_positive')),
    sa.PrimaryKeyConstraint('day', 'query', name=op.f('pk_search_count'))
    )
    with op.batch_alter_table('search_count', schema=None) as batch_op:
        batch_op.create_index('ix_search_count_day', ['day'], unique=False)

    op.create_table('search_synonym',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('one_way', 'multi_way', name='synonymkind', native_enum=False, length=20), nullable=False),
    sa.Column('terms', sa.String(length=300), nullable=False),
    sa.Column('targets', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_synonym'))
    )
    op.create_table('search_word',
    sa.Column('word', sa.String(length=60), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_word'))
    )

    now = utcnow()
    op.bulk_insert(synonym, [
        {'kind': kind.value, 'terms': terms, 'targets': targets, 'created_at': now,
         'updated_at': now}
        for kind, terms, targets in DEFAULT_SYNONYMS])

    # The product document has a new field: every search structure is made again, then the
    # vocabulary (install() fills it, and on PostgreSQL adds its trigram index).
    bind = op.get_bind()
    schema.uninstall(bind, schema.INDEXES_BEFORE_CONDITIONS)
    schema.install(bind)


def downgrade():
    bind = op.get_bind()
    schema.uninstall(bind)

    op.drop_table('search_word')
    op.drop_table('search_synonym')
    with op.batch_alter_table('search_count', schema=None) as batch_op:
        batch_op.drop_index('ix_search_count_day')

    op.drop_table('search_count')

    # The search structures as the previous revision made them.
    schema.install(bind, schema.INDEXES_BEFORE_CONDITIONS)
