"""``flask release-expired-reservations``: run it every few minutes (cron or a timer).
``flask prune-carts``: delete guest carts nobody has touched for ``GUEST_CART_DAYS``
(here, as the carts that unpaid orders came from are kept).

With ``flask worker`` running, the worker does these every ``RESERVATION_RELEASE_SECONDS``
and ``CART_PRUNE_SECONDS`` by itself (``storefront.jobs.periodic``); the commands stay for
running them by hand.
"""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from storefront.extensions import db
from storefront.orders.carts import prune_guest_carts
from storefront.orders.services import release_expired_reservations


@click.command("release-expired-reservations")
@click.option("--limit", default=500, show_default=True, help="Most orders to expire in one run.")
@with_appcontext
def release_expired_reservations_command(limit: int) -> None:
    """Expire unpaid orders whose stock reservation has run out, giving the stock back."""
    count = release_expired_reservations(limit=limit)
    db.session.commit()
    click.echo(f"Released the reservations of {count} unpaid order(s).")


@click.command("prune-carts")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Untouched for this many days (default: GUEST_CART_DAYS, 30).")
@click.option("--limit", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Most carts to delete in one run.")
@with_appcontext
def prune_carts_command(days: int | None, limit: int) -> None:
    """Delete guest carts untouched for a while, with their lines."""
    days = days or current_app.config["GUEST_CART_DAYS"]
    count = prune_guest_carts(timedelta(days=days), limit=limit)
    db.session.commit()
    click.echo(f"Deleted {count} guest cart(s) untouched for {days} days or more.")
