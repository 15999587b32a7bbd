"""``flask`` commands. Each calls the same services the views use, then commits once."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from storefront.accounts import services as account_services
from storefront.catalog.images import PictureStoreDown
from storefront.demo.seeder import seed
from storefront.extensions import db
from storefront.jobs.cli import worker_command
from storefront.mail import send_outbox
from storefront.media import (
    LocalMediaStorage,
    MediaUnavailable,
    copy_folder,
    local_media_storage,
    media_storage,
)
from storefront.orders.cli import prune_carts_command, release_expired_reservations_command
from storefront.reviews.cli import invite_reviewers_command
from storefront.routines.cli import seed_routine_rules_command
from storefront.search.upkeep import upkeep_command


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
    try:
        report = seed()
    except (MediaUnavailable, PictureStoreDown) as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} ({error})") from error
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


@click.command("media-copy")
@click.option("--from", "source", type=click.Path(exists=True, file_okay=False),
              help="The folder to copy from (default: MEDIA_ROOT, else instance/media).")
@click.option("--dry-run", is_flag=True, help="Only count what would be copied.")
@with_appcontext
def media_copy(source: str | None, dry_run: bool) -> None:
    """Copy the pictures of a media folder into MEDIA_STORAGE (an S3 bucket, say).

    Files the storage has already are skipped, so it is safe to run again (and again
    after the switch, for anything uploaded meanwhile).
    """
    storage = media_storage()
    folder = Path(source) if source else local_media_storage(current_app).root
    if isinstance(storage, LocalMediaStorage) and storage.root == folder.absolute():
        raise click.ClickException("MEDIA_STORAGE is this very folder: set it to the new "
                                   "storage (for example MEDIA_STORAGE=s3) first.")
    try:
        copied, present = copy_folder(folder, storage, dry_run=dry_run)
    except MediaUnavailable as error:
        raise click.ClickException(f"{error.message} ({error})") from error
    verb = "Would copy" if dry_run else "Copied"
    click.echo(f"{verb} {copied} file(s) from {folder}; {present} were there already.")


def register_commands(app: Flask) -> None:
    for command in (create_admin, seed_demo, send_outbox_command, media_copy,
                    release_expired_reservations_command, prune_carts_command, worker_command,
                    invite_reviewers_command, upkeep_command, seed_routine_rules_command):
        app.cli.add_command(command)
