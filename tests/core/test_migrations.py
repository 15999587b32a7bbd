"""The Alembic history builds exactly the schema the models describe."""

from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from storefront.extensions import db
from storefront.search.schema import include_name as search_include_name


# SQLAlchemy cannot read an index on expressions back from SQLite (the product list's
# ix_product_featured_order): it says so and leaves it out; PostgreSQL's is compared.
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
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
    assert len(tokens) == 3
    assert len(set(tokens)) == 3
    assert all(isinstance(token, str) and len(token) == 43 for token in tokens)


OLD_ORDER = text(
    "INSERT INTO shop_order (id, number, email, status, currency, subtotal, discount_total, "
    "shipping_total, tax_total, total, prices_include_tax, tax_rate, shipping_method, "
    "shipping_name, shipping_line1, shipping_line2, shipping_city, shipping_postcode, "
    "shipping_country, shipping_phone, flagged, flag_reason, created_at, updated_at) VALUES "
    "(:id, :number, 'maya@example.com', 'paid', 'EUR', :subtotal, :discount, :shipping, "
    ":tax, :total, :included, :rate, :method, 'Maya Rossi', 'Keizersgracht 1', '', "
    "'Amsterdam', '1015 CJ', 'NL', '+31 20 123 4567', false, '', CURRENT_TIMESTAMP, "
    "CURRENT_TIMESTAMP)")
OLD_LINE = text(
    "INSERT INTO order_line (order_id, sku, product_name, size_label, unit_price, quantity, "
    "line_total) VALUES (:order_id, :sku, 'Cream', '50 ml', :total, 1, :total)")
OLD_PAYMENT = text(
    "INSERT INTO payment (id, order_id, provider, provider_reference, amount, currency, status, "
    "amount_refunded, raw_status, created_at, updated_at) VALUES (1, 1, 'demo', 'p1', 49.00, "
    "'EUR', 'refunded', 49.00, 'refunded', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
OLD_REFUND = text(
    "INSERT INTO refund (order_id, payment_id, amount, reference, note, created_at) VALUES "
    "(1, 1, :amount, :reference, '', CURRENT_TIMESTAMP)")
A_PRODUCT = [
    "INSERT INTO brand (id, slug, name, description) VALUES (1, 'b', 'B', '')",
    "INSERT INTO category (id, slug, name, description, position) VALUES (1, 'c', 'C', '', 0)",
    "INSERT INTO product (id, slug, name, brand_id, category_id, short_description, "
    "description, ingredients_list, how_to_use, status, prescription_only, created_at, "
    "updated_at) VALUES (1, 'p', 'P', 1, 1, '', '', '', '', 'active', false, "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO variant (product_id, sku, size_label, price, currency, stock_on_hand, "
    "stock_reserved, low_stock_threshold, position, active, created_at, updated_at) VALUES "
    "(1, 'P-50', '50 ml', 29.40, 'EUR', 5, 0, 1, 0, true, CURRENT_TIMESTAMP, "
    "CURRENT_TIMESTAMP)",
]


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _rows(connection, sql: str) -> list[tuple]:
    return [tuple(_money(v) if isinstance(v, float | Decimal) else v for v in row)
            for row in connection.execute(text(sql)).all()]


def _old_shop(connection) -> None:
    # 1: prices including 20 % VAT, lines 29.40 + 19.60, 10 % off, standard delivery 4.90.
    connection.execute(OLD_ORDER, {"id": 1, "number": "HS-OLD00001", "subtotal": "49.00",
                                   "discount": "4.90", "shipping": "4.90", "tax": "8.17",
                                   "total": "49.00", "included": True, "rate": "0.20",
                                   "method": "standard"})
    # 2: prices without tax, 21 % added on 100.00 + express 9.90.
    connection.execute(OLD_ORDER, {"id": 2, "number": "HS-OLD00002", "subtotal": "100.00",
                                   "discount": "0.00", "shipping": "9.90", "tax": "23.08",
                                   "total": "132.98", "included": False, "rate": "0.21",
                                   "method": "express"})
    for order_id, sku, total in ((1, "A", "29.40"), (1, "B", "19.60"), (2, "C", "100.00")):
        connection.execute(OLD_LINE, {"order_id": order_id, "sku": sku, "total": total})
    connection.execute(OLD_PAYMENT)
    for reference, amount in (("r1", "10.00"), ("r2", "39.00")):
        connection.execute(OLD_REFUND, {"reference": reference, "amount": amount})
    for statement in A_PRODUCT:
        connection.execute(text(statement))


def test_existing_orders_keep_their_money_and_gain_tax_shares(fresh_app, monkeypatch):
    """Orders placed before zones and per-line tax: every amount stays, the tax is shared
    over lines and delivery to the cent, refunds get their share, the delivery its name;
    a shop with products keeps delivering where, and at the prices, it did."""
    monkeypatch.setenv("SHIPPING_STANDARD", "3.95")
    with fresh_app.app_context():
        upgrade(revision="3c8e1f0a9d42")
        with db.engine.begin() as connection:
            _old_shop(connection)
        upgrade(revision="f478118ea733")
        with db.engine.connect() as connection:
            orders = _rows(connection, "SELECT id, total, tax_total, shipping_tax, tax_name, "
                                       "shipping_method_name, shipping_country_area, "
                                       "shipping_phone FROM shop_order ORDER BY id")
            lines = _rows(connection, "SELECT sku, line_total, tax_rate, tax_amount "
                                      "FROM order_line ORDER BY id")
            refunds = _rows(connection, "SELECT reference, amount, tax_amount FROM refund "
                                        "ORDER BY id")
            methods = _rows(connection, "SELECT name, price, free_from FROM shipping_method "
                                        "ORDER BY position")
            countries = connection.execute(text(
                "SELECT country FROM shipping_zone_area ORDER BY country")).scalars().all()
            rates = _rows(connection, "SELECT DISTINCT name, rate FROM tax_rate")
    assert orders == [
        (1, Decimal("49.00"), Decimal("8.17"), Decimal("0.82"), "VAT",
         "Standard delivery (3 to 5 working days)", "", "+31 20 123 4567"),
        (2, Decimal("132.98"), Decimal("23.08"), Decimal("2.08"), "VAT",
         "Express delivery (1 or 2 working days)", "", "+31 20 123 4567")]
    # Order 1: 4.90 off shared 2.94 / 1.96; 8.17 over 26.46 / 17.64 / 4.90 (delivery).
    assert lines == [("A", Decimal("29.40"), Decimal("0.20"), Decimal("4.41")),
                     ("B", Decimal("19.60"), Decimal("0.20"), Decimal("2.94")),
                     ("C", Decimal("100.00"), Decimal("0.21"), Decimal("21.00"))]
    # 10.00 of 49.00 carries 8.17 x 10 / 49 = 1.67; the rest of the payment the rest.
    assert refunds == [("r1", Decimal("10.00"), Decimal("1.67")),
                       ("r2", Decimal("39.00"), Decimal("6.50"))]
    assert methods == [("Standard delivery", Decimal("3.95"), Decimal("50.00")),
                       ("Express delivery", Decimal("9.90"), None)]
    assert countries == ["AT", "BE", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "LU", "NL",
                         "PT", "SE"]
    assert rates == [("VAT", Decimal("0.20"))]


def test_a_new_database_gets_no_zone_and_downgrading_brings_the_delivery_codes_back(
        fresh_app):
    with fresh_app.app_context():
        upgrade(revision="3c8e1f0a9d42")
        with db.engine.begin() as connection:
            _old_shop(connection)
            connection.execute(text("DELETE FROM variant"))
        upgrade(revision="f478118ea733")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM shipping_zone")).scalar() == 0
        downgrade(revision="3c8e1f0a9d42")
        with db.engine.connect() as connection:
            codes = connection.execute(text(
                "SELECT shipping_method FROM shop_order ORDER BY id")).scalars().all()
    assert codes == ["standard", "express"]


def test_existing_shop_texts_become_their_first_kept_version(fresh_app):
    """A shop text written before texts had versions is version 1, kept as it was."""
    with fresh_app.app_context():
        upgrade(revision="f478118ea733")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO shop_text (key, heading, body, created_at, updated_at) VALUES "
                "('shop-introduction', 'Why skincare', 'Daily care.', CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"))
        upgrade()
        with db.engine.connect() as connection:
            versions = connection.execute(text("SELECT key, version FROM shop_text")).all()
            kept = connection.execute(text(
                "SELECT shop_text_id, version, heading, body FROM shop_text_revision")).all()
    assert [tuple(row) for row in versions] == [("shop-introduction", 1)]
    assert [tuple(row)[1:] for row in kept] == [(1, "Why skincare", "Daily care.")]
