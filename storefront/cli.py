"""``flask`` commands. Each calls the same services the views use, then commits once."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from storefront.accounts import services as account_services
from storefront.cart.cli import prune_carts_command
from storefront.extensions import db
from storefront.jobs.cli import worker_command
from storefront.mail import send_outbox
from storefront.orders.cli import release_expired_reservations_command
from storefront.reviews.cli import invite_reviewers_command
from storefront.routines.cli import seed_routine_rules_command


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", show_default=True)
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin account for EMAIL, or make that account an admin."""
    try:
        user = account_services.create_or_promote_admin(email, password, name=name)
    except account_services.AccountError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"{user.email} is an admin.")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo shop: staff accounts, catalog and articles. Safe to run again."""
    from storefront.demo import seed

    report = seed()
    db.session.commit()
    for line in report:
        click.echo(line)


@click.command("send-outbox")
@with_appcontext
def send_outbox_command() -> None:
    """Send e-mail that is waiting in the outbox."""
    sent, unsent = send_outbox()
    db.session.commit()
    click.echo(f"Sent {sent} message(s); {unsent} still waiting.")
    if unsent:
        raise SystemExit(1)


def register_commands(app: Flask) -> None:
    for command in (create_admin, seed_demo, send_outbox_command,
                    release_expired_reservations_command, prune_carts_command, worker_command,
                    invite_reviewers_command, seed_routine_rules_command):
        app.cli.add_command(command)
