"""indexes for the product list: the featured order, a category's active products, prices

Revision ID: c01dca7a1000
Revises: da63680eba9a
Create Date: 2026-12-10 05:45:00.000000

- product (status, featured_rank IS NULL, featured_rank, lower(name), id): the list's
  default sort read in order, so its first page reads 24 index entries instead of sorting
  every active product;
- product (category_id, status): a category's active products (its count, the filtered
  list) from the index alone;
- variant (product_id, active, price): a product's lowest price on sale (the price sorts
  and filters) from the index alone.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c01dca7a1000'
down_revision = 'da63680eba9a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_product_featured_order', 'product',
                    ['status', sa.text('(featured_rank IS NULL)'), 'featured_rank',
                     sa.text('lower(name)'), 'id'], unique=False)
    op.create_index('ix_product_category_status', 'product', ['category_id', 'status'],
                    unique=False)
    op.create_index('ix_variant_product_active_price', 'variant',
                    ['product_id', 'active', 'price'], unique=False)


def downgrade():
    op.drop_index('ix_variant_product_active_price', table_name='variant')
    op.drop_index('ix_product_category_status', table_name='product')
    op.drop_index('ix_product_featured_order', table_name='product')
