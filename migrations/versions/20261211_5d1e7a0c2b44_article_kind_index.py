"""index for the newest articles of one kind: the home page's latest answers

Revision ID: 5d1e7a0c2b44
Revises: c01dca7a1000
Create Date: 2026-12-11 09:30:00.000000

- article (kind, published_at): the newest visible Q&A articles read from the index in
  date order (three rows), instead of every visible article read and sorted to find them.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d1e7a0c2b44'
down_revision = 'c01dca7a1000'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_article_kind_published_at', 'article', ['kind', 'published_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_article_kind_published_at', table_name='article')
