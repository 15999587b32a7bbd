"""cart token: a guest's session names its cart by a random token, not by its id

Ids are given out again once a row is deleted (SQLite reuses the highest one), so a
session cookie kept from before could open another visitor's cart. Existing carts get a
token here; sessions that still hold a cart id are ignored by the app from now on.

Revision ID: 3c8e1f0a9d42
Revises: 5243dd905037
Create Date: 2026-12-07 10:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c8e1f0a9d42'
down_revision = '5243dd905037'
branch_labels = None
depends_on = None

cart = sa.table('cart', sa.column('id', sa.Integer()), sa.column('token', sa.String(43)))


def upgrade():
    with op.batch_alter_table('cart', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=43), nullable=True))

    connection = op.get_bind()
    ids = connection.execute(sa.select(cart.c.id).where(cart.c.token.is_(None))).scalars().all()
    for cart_id in ids:
        connection.execute(sa.update(cart).where(cart.c.id == cart_id)
                           .values(token=secrets.token_urlsafe(32)))

    with op.batch_alter_table('cart', schema=None) as batch_op:
        batch_op.alter_column('token', existing_type=sa.String(length=43), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_cart_token'), ['token'])


def downgrade():
    with op.batch_alter_table('cart', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_cart_token'), type_='unique')
        batch_op.drop_column('token')
