"""shipping zones, delivery methods and tax rates in the database; addresses of any country

Existing orders keep every amount. What they gain:
- the delivery's name as the shopper saw it ("Standard delivery (3 to 5 working days)")
  in place of the old two-value code;
- each line's share of the order's tax and the rate used (rates now keep five decimals,
  8.875 % being 0.08875), and the delivery's share (the tax
  was always on goods after discount plus delivery, so it is shared over those, to the cent,
  adding up to the order's tax);
- "VAT" as the tax's name (the only tax the shop had), empty state/district/sorting code;
- each refund's share of tax: the order's tax in proportion to what had been refunded of its
  payment, so a full refund returns exactly the tax.
Phone numbers stay as they were typed.

A shop that already sells (it has products) gets one zone and the tax rates it had: the
13 countries it delivered to, the delivery prices and the VAT rate from its settings
(SHIPPING_STANDARD, SHIPPING_EXPRESS, FREE_SHIPPING_THRESHOLD, TAX_RATE, or their old
defaults), so it goes on selling exactly as before until the admin changes them. A new,
empty database gets none (``flask seed-demo`` adds the preset's).

Revision ID: f478118ea733
Revises: 45d0289e7969
Create Date: 2026-12-08 09:00:00.000000

"""
import os
from datetime import datetime, timezone
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f478118ea733'
down_revision = '45d0289e7969'
branch_labels = None
depends_on = None

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
OLD_LABELS = {"standard": "Standard delivery (3 to 5 working days)",
              "express": "Express delivery (1 or 2 working days)"}
OLD_COUNTRIES = ("AT", "BE", "DK", "FI", "FR", "DE", "IE", "IT", "LU", "NL", "PT", "ES", "SE")

money = sa.Numeric(10, 2)
shop_order = sa.table(
    'shop_order', sa.column('id', sa.Integer()), sa.column('subtotal', money),
    sa.column('discount_total', money), sa.column('shipping_total', money),
    sa.column('tax_total', money), sa.column('total', money),
    sa.column('tax_rate', sa.Numeric(5, 4)), sa.column('shipping_method', sa.String(20)),
    sa.column('shipping_method_name', sa.String(120)), sa.column('tax_name', sa.String(40)),
    sa.column('shipping_tax', money), sa.column('shipping_city_area', sa.String(100)),
    sa.column('shipping_country_area', sa.String(100)),
    sa.column('shipping_sorting_code', sa.String(20)))
order_line = sa.table(
    'order_line', sa.column('id', sa.Integer()), sa.column('order_id', sa.Integer()),
    sa.column('line_total', money), sa.column('tax_rate', sa.Numeric(5, 4)),
    sa.column('tax_amount', money))
refund = sa.table(
    'refund', sa.column('id', sa.Integer()), sa.column('order_id', sa.Integer()),
    sa.column('payment_id', sa.Integer()), sa.column('amount', money),
    sa.column('tax_amount', money))
payment = sa.table('payment', sa.column('id', sa.Integer()), sa.column('amount', money))
variant = sa.table('variant', sa.column('id', sa.Integer()))
shipping_zone = sa.table(
    'shipping_zone', sa.column('id', sa.Integer()), sa.column('name', sa.String(80)),
    sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('updated_at', sa.DateTime(timezone=True)))
shipping_zone_area = sa.table(
    'shipping_zone_area', sa.column('zone_id', sa.Integer()),
    sa.column('country', sa.String(2)), sa.column('area', sa.String(100)))
shipping_method = sa.table(
    'shipping_method', sa.column('zone_id', sa.Integer()), sa.column('name', sa.String(80)),
    sa.column('price', money), sa.column('free_from', money), sa.column('min_days', sa.Integer()),
    sa.column('max_days', sa.Integer()), sa.column('position', sa.Integer()),
    sa.column('active', sa.Boolean()), sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('updated_at', sa.DateTime(timezone=True)))
tax_rate = sa.table(
    'tax_rate', sa.column('country', sa.String(2)), sa.column('area', sa.String(100)),
    sa.column('name', sa.String(40)), sa.column('rate', sa.Numeric(5, 4)),
    sa.column('shipping_taxable', sa.Boolean()),
    sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('updated_at', sa.DateTime(timezone=True)))


def _dec(value) -> Decimal:
    return Decimal(str(value if value is not None else 0)).quantize(CENT)


def _allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``amount`` shared over ``weights`` in proportion, to the cent, adding up exactly."""
    total = sum(weights, ZERO)
    if not weights or total <= 0 or not amount:
        return [ZERO for _ in weights]
    exact = [amount * weight / total for weight in weights]
    shares = [share.quantize(CENT, rounding=ROUND_FLOOR) for share in exact]
    left = int((amount - sum(shares, ZERO)) / CENT)
    for i in sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))[:left]:
        shares[i] += CENT
    return shares


def _share_order_taxes(connection) -> None:
    lines = {}
    for row in connection.execute(sa.select(order_line.c.id, order_line.c.order_id,
                                            order_line.c.line_total)
                                  .order_by(order_line.c.order_id, order_line.c.id)):
        lines.setdefault(row.order_id, []).append((row.id, _dec(row.line_total)))
    orders = connection.execute(sa.select(shop_order)).all()
    for order in orders:
        items = lines.get(order.id, [])
        totals = [total for _, total in items]
        nets = [total - off for total, off in zip(totals, _allocate(_dec(order.discount_total),
                                                                     totals))]
        *taxes, shipping_tax = _allocate(_dec(order.tax_total),
                                         [*nets, _dec(order.shipping_total)])
        for (line_id, _), tax in zip(items, taxes):
            connection.execute(sa.update(order_line).where(order_line.c.id == line_id)
                               .values(tax_rate=order.tax_rate, tax_amount=tax))
        connection.execute(sa.update(shop_order).where(shop_order.c.id == order.id).values(
            shipping_tax=shipping_tax, tax_name="VAT",
            shipping_method_name=OLD_LABELS.get(order.shipping_method,
                                                str(order.shipping_method).capitalize()),
            shipping_city_area="", shipping_country_area="", shipping_sorting_code=""))


def _share_refund_taxes(connection) -> None:
    taxes = dict(connection.execute(sa.select(shop_order.c.id, shop_order.c.tax_total)).all())
    amounts = dict(connection.execute(sa.select(payment.c.id, payment.c.amount)).all())
    refunded: dict[int, tuple[Decimal, Decimal]] = {}  # payment: (amount, tax) so far
    for row in connection.execute(sa.select(refund).order_by(refund.c.id)).all():
        paid, order_tax = _dec(amounts.get(row.payment_id)), _dec(taxes.get(row.order_id))
        before, given = refunded.get(row.payment_id, (ZERO, ZERO))
        after = min(before + _dec(row.amount), paid)
        due = (order_tax * after / paid).quantize(CENT, rounding=ROUND_HALF_UP) if paid else ZERO
        tax = min(max(due - given, ZERO), order_tax - given)
        refunded[row.payment_id] = (after, given + tax)
        connection.execute(sa.update(refund).where(refund.c.id == row.id).values(tax_amount=tax))


def _setting(name: str, default: str) -> Decimal:
    return Decimal(os.environ.get(name) or default)


def _keep_selling(connection) -> None:
    """A shop with products goes on delivering where and how it did, taxed as it was."""
    if connection.execute(sa.select(variant.c.id).limit(1)).first() is None:
        return
    now = datetime.now(timezone.utc)
    zone_id = connection.execute(sa.insert(shipping_zone).values(
        name="Delivery (as before)", created_at=now, updated_at=now)
        .returning(shipping_zone.c.id)).scalar_one()
    connection.execute(sa.insert(shipping_zone_area), [
        {"zone_id": zone_id, "country": country, "area": ""} for country in OLD_COUNTRIES])
    standard, express = _setting("SHIPPING_STANDARD", "4.90"), _setting("SHIPPING_EXPRESS", "9.90")
    connection.execute(sa.insert(shipping_method), [
        {"zone_id": zone_id, "name": "Standard delivery", "price": standard,
         "free_from": _setting("FREE_SHIPPING_THRESHOLD", "50.00"), "min_days": 3,
         "max_days": 5, "position": 0, "active": True, "created_at": now, "updated_at": now},
        {"zone_id": zone_id, "name": "Express delivery", "price": express, "free_from": None,
         "min_days": 1, "max_days": 2, "position": 1, "active": True, "created_at": now,
         "updated_at": now}])
    connection.execute(sa.insert(tax_rate), [
        {"country": country, "area": "", "name": "VAT", "rate": _setting("TAX_RATE", "0.20"),
         "shipping_taxable": True, "created_at": now, "updated_at": now}
        for country in OLD_COUNTRIES])


def upgrade():
    op.create_table('shipping_zone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_zone')),
    sa.UniqueConstraint('name', name=op.f('uq_shipping_zone_name'))
    )
    op.create_table('tax_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('area', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('rate', sa.Numeric(precision=6, scale=5), nullable=False),
    sa.Column('shipping_taxable', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rate >= 0 AND rate < 1', name=op.f('ck_tax_rate_rate_is_a_fraction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tax_rate')),
    sa.UniqueConstraint('country', 'area', name='uq_tax_rate_place')
    )
    op.create_table('shipping_method',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('price', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('free_from', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('min_days', sa.Integer(), nullable=False),
    sa.Column('max_days', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('free_from IS NULL OR free_from >= 0', name=op.f('ck_shipping_method_free_from_not_negative')),
    sa.CheckConstraint('min_days >= 0 AND max_days >= min_days', name=op.f('ck_shipping_method_days_in_order')),
    sa.CheckConstraint('price >= 0', name=op.f('ck_shipping_method_price_not_negative')),
    sa.ForeignKeyConstraint(['zone_id'], ['shipping_zone.id'], name=op.f('fk_shipping_method_zone_id_shipping_zone'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_method'))
    )
    with op.batch_alter_table('shipping_method', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipping_method_zone_id'), ['zone_id'], unique=False)

    op.create_table('shipping_zone_area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('area', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['zone_id'], ['shipping_zone.id'], name=op.f('fk_shipping_zone_area_zone_id_shipping_zone'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_zone_area')),
    sa.UniqueConstraint('zone_id', 'country', 'area', name='uq_shipping_zone_area_place')
    )
    with op.batch_alter_table('shipping_zone_area', schema=None) as batch_op:
        batch_op.create_index('ix_shipping_zone_area_country_area', ['country', 'area'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipping_zone_area_zone_id'), ['zone_id'], unique=False)

    # New columns start empty, are filled from what each row holds, then become required.
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_rate', sa.Numeric(precision=6, scale=5), nullable=True))
        batch_op.add_column(sa.Column('tax_amount', sa.Numeric(precision=10, scale=2), nullable=True))

    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_amount', sa.Numeric(precision=10, scale=2), nullable=True))

    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_name', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('shipping_tax', sa.Numeric(precision=10, scale=2), nullable=True))
        batch_op.add_column(sa.Column('shipping_method_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('shipping_method_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('shipping_city_area', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('shipping_country_area', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('shipping_sorting_code', sa.String(length=20), nullable=True))

    connection = op.get_bind()
    _share_order_taxes(connection)
    _share_refund_taxes(connection)
    _keep_selling(connection)

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.alter_column('tax_rate', existing_type=sa.Numeric(precision=6, scale=5), nullable=False)
        batch_op.alter_column('tax_amount', existing_type=sa.Numeric(precision=10, scale=2), nullable=False)

    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.alter_column('tax_amount', existing_type=sa.Numeric(precision=10, scale=2), nullable=False)

    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.alter_column('tax_rate', existing_type=sa.Numeric(precision=5, scale=4), type_=sa.Numeric(precision=6, scale=5), existing_nullable=False)
        batch_op.alter_column('tax_name', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('shipping_tax', existing_type=sa.Numeric(precision=10, scale=2), nullable=False)
        batch_op.alter_column('shipping_method_name', existing_type=sa.String(length=120), nullable=False)
        batch_op.alter_column('shipping_city_area', existing_type=sa.String(length=100), nullable=False)
        batch_op.alter_column('shipping_country_area', existing_type=sa.String(length=100), nullable=False)
        batch_op.alter_column('shipping_sorting_code', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_shop_order_shipping_method_id_shipping_method'), 'shipping_method', ['shipping_method_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_column('shipping_method')


def downgrade():
    # The delivery's code comes back from its name ("Express ..." is express, the rest
    # standard); the tax shares, new address parts, zones and rates are dropped.
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipping_method', sa.VARCHAR(length=20), nullable=True))
    connection = op.get_bind()
    connection.execute(sa.update(shop_order).values(shipping_method=sa.case(
        (shop_order.c.shipping_method_name.like("Express%"), "express"), else_="standard")))
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.alter_column('shipping_method', existing_type=sa.VARCHAR(length=20), nullable=False)
        batch_op.alter_column('tax_rate', existing_type=sa.Numeric(precision=6, scale=5), type_=sa.Numeric(precision=5, scale=4), existing_nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_shop_order_shipping_method_id_shipping_method'), type_='foreignkey')
        batch_op.drop_column('shipping_sorting_code')
        batch_op.drop_column('shipping_country_area')
        batch_op.drop_column('shipping_city_area')
        batch_op.drop_column('shipping_method_name')
        batch_op.drop_column('shipping_method_id')
        batch_op.drop_column('shipping_tax')
        batch_op.drop_column('tax_name')

    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.drop_column('tax_amount')

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('tax_amount')
        batch_op.drop_column('tax_rate')

    with op.batch_alter_table('shipping_zone_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipping_zone_area_zone_id'))
        batch_op.drop_index('ix_shipping_zone_area_country_area')

    op.drop_table('shipping_zone_area')
    with op.batch_alter_table('shipping_method', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipping_method_zone_id'))

    op.drop_table('shipping_method')
    op.drop_table('tax_rate')
    op.drop_table('shipping_zone')
