"""A stock hold whose time ran out blocks nothing, whether or not a worker sweeps them.

Red-team issue 13, finding 14: an abandoned checkout's hold stopped the admin setting stock
("at most 37") until somebody happened to open a cart page. No worker runs in these tests:
every hold here is given back by whatever needs the stock.
"""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

from sqlalchemy import select

from storefront.catalog.models import Variant
from storefront.db import utcnow
from storefront.extensions import db
from storefront.orders.models import Order, OrderStatus
from tests.factories import (
    AdminFactory,
    ProductFactory,
    VariantFactory,
    add_to_cart,
    fill_checkout,
    pay_with_demo,
    placed_order,
)
from tests.helpers import csrf_from, login, submit
from tests.helpers.pages import Page


def _held(app, variant, quantity: int, *, expires_in: timedelta) -> str:
    """An unpaid order holding ``quantity`` of ``variant``, its hold ending ``expires_in``
    from now (in the past when negative); its number."""
    with app.app_context():
        order = placed_order((db.session.get(Variant, variant.id), quantity))
        order.reservation_expires_at = utcnow() + expires_in
        db.session.commit()
        return order.number


def _stock(app, variant) -> tuple[int, int]:
    with app.app_context():
        saved = db.session.get(Variant, variant.id)
        return saved.stock_on_hand, saved.stock_reserved


def _status(app, number: str) -> OrderStatus:
    with app.app_context():
        return db.session.scalar(select(Order.status).where(Order.number == number))


def _product(make, slug: str = "last-jar", **variant):
    product = make(ProductFactory, slug=slug, name="Last Jar", variant=False)
    return make(VariantFactory, product=product, sku="JAR-1", **variant)


def test_the_admin_sets_stock_below_an_overdue_hold(app, client, make):
    variant = _product(make, stock_on_hand=40)
    live = _held(app, variant, 3, expires_in=timedelta(minutes=10))
    login(client, make(AdminFactory).email)
    url = f"/admin/products/variants/{variant.id}/stock"
    change = {"reason": "count_correction", "quantity": "-39", "note": "recount"}
    refused = submit(client, url, change, form_url="/admin/products")
    assert refused.status_code == 422
    assert "You can remove at most 37 of JAR-1" in refused.get_data(as_text=True)

    with app.app_context():  # the shopper walked away: the hold ran out a minute ago
        order = db.session.scalar(select(Order).where(Order.number == live))
        order.reservation_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    accepted = submit(client, url, change, form_url="/admin/products")
    assert accepted.status_code == 303
    assert _stock(app, variant) == (1, 0)
    assert _status(app, live) == OrderStatus.EXPIRED


def test_a_stock_import_below_an_overdue_hold_is_applied(app, client, make):
    variant = _product(make, stock_on_hand=10)
    overdue = _held(app, variant, 4, expires_in=timedelta(minutes=-1))
    login(client, make(AdminFactory).email)
    rows = list(csv.DictReader(io.StringIO(
        client.get("/admin/products/export.csv").get_data().decode("utf-8-sig"), newline="")))
    rows[0]["stock_on_hand"] = "2"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    preview = submit(client, "/admin/products/import",
                     {"file": (io.BytesIO(buffer.getvalue().encode()), "stock.csv")})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "held for checkouts" not in html
    token = Page(html).one('input[name="token"]')["value"]
    applied = client.post("/admin/products/import/apply",
                          data={"csrf_token": csrf_from(html), "token": token})
    assert applied.status_code == 303
    assert _stock(app, variant) == (2, 0)
    assert _status(app, overdue) == OrderStatus.EXPIRED


def test_a_shopper_buys_the_units_an_overdue_hold_had(app, client, make, mailbox):
    variant = _product(make, stock_on_hand=2)
    overdue = _held(app, variant, 2, expires_in=timedelta(minutes=-1))
    assert _stock(app, variant) == (2, 2)
    added = add_to_cart(client, variant.id, "2")
    assert added.status_code == 302
    cart = client.get("/cart/").get_data(as_text=True)
    assert "out of stock" not in cart
    assert "Only" not in cart
    fill_checkout(client)
    confirmation = pay_with_demo(client, "approve")
    assert confirmation.status_code in (302, 303)
    assert _stock(app, variant) == (0, 0)
    assert _status(app, overdue) == OrderStatus.EXPIRED
    with app.app_context():
        statuses = db.session.scalars(select(Order.status).order_by(Order.id)).all()
    assert statuses == [OrderStatus.EXPIRED, OrderStatus.PAID]


def test_the_product_page_offers_again_what_a_hold_had_once_it_runs_out(app, client, make):
    variant = _product(make, stock_on_hand=2)
    _held(app, variant, 2, expires_in=timedelta(seconds=2))
    held = client.get("/products/last-jar").get_data(as_text=True)
    assert "Out of stock for now" in held
    assert client.get("/products/last-jar").get_data(as_text=True) == held  # the stored copy
    time.sleep(2.2)  # the hold runs out; nothing in the catalog changes
    page = client.get("/products/last-jar").get_data(as_text=True)
    assert "Out of stock for now" not in page
    assert f'name="variant_id" value="{variant.id}"' in page
    assert _stock(app, variant) == (2, 0)
