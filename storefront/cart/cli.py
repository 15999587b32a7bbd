"""``flask prune-carts``: delete guest carts nobody has touched for ``GUEST_CART_DAYS``.

With ``flask worker`` running, the worker does this every ``CART_PRUNE_SECONDS`` by
itself (``storefront.jobs.periodic``); the command stays for running it by hand.
"""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from storefront.cart.services import prune_guest_carts
from storefront.extensions import db


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
