"""``flask invite-reviewers``: e-mail the buyers whose orders were sent ``REVIEW_INVITE_DAYS``
ago an invitation to review what they bought.

With ``flask worker`` running, the worker does this every ``REVIEW_INVITE_SECONDS`` by
itself (``storefront.jobs.periodic``); the command is for running it by hand or from cron.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from storefront.extensions import db
from storefront.reviews.services import send_due_invitations


@click.command("invite-reviewers")
@with_appcontext
def invite_reviewers_command() -> None:
    """Invite the buyers of orders sent a while ago to review them (once per order)."""
    sent = send_due_invitations()
    db.session.commit()
    days = current_app.config["REVIEW_INVITE_DAYS"]
    click.echo(f"Sent {sent} invitation(s) to review orders sent {days} days ago or more.")
