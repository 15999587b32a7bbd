"""``flask release-expired-reservations``: run it every few minutes (cron or a timer).

With ``flask worker`` running, the worker does this every ``RESERVATION_RELEASE_SECONDS``
by itself (``storefront.jobs.periodic``); the command stays for running it by hand.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from storefront.extensions import db
from storefront.orders.services import release_expired_reservations


@click.command("release-expired-reservations")
@click.option("--limit", default=500, show_default=True, help="Most orders to expire in one run.")
@with_appcontext
def release_expired_reservations_command(limit: int) -> None:
    """Expire unpaid orders whose stock reservation has run out, giving the stock back."""
    count = release_expired_reservations(limit=limit)
    db.session.commit()
    click.echo(f"Released the reservations of {count} unpaid order(s).")
