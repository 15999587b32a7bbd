"""product_image (product_id, position, id): a product's first picture from the index

Revision ID: b7d2e91c4a05
Revises: 9e4b7c2d1f60
Create Date: 2026-12-12 09:00:00.000000

- product_image (product_id, position, id) replaces product_image (product_id): every card
  statement (lists, search, articles, conditions) finds a product's first picture, in
  order, by reading one index entry instead of sorting the product's pictures; the new
  index still serves the foreign key's lookups.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d2e91c4a05'
down_revision = '9e4b7c2d1f60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_product_image_product_order', 'product_image',
                    ['product_id', 'position', 'id'], unique=False)
    op.drop_index('ix_product_image_product_id', table_name='product_image')


def downgrade():
    op.create_index('ix_product_image_product_id', 'product_image', ['product_id'],
                    unique=False)
    op.drop_index('ix_product_image_product_order', table_name='product_image')
