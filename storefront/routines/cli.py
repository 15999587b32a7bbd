"""``flask seed-routine-rules``: the default routine rules for a shop without them."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from storefront.extensions import db
from storefront.routines.defaults import seed_default_rules


@click.command("seed-routine-rules")
@with_appcontext
def seed_routine_rules_command() -> None:
    """Create the default routine steps, ingredient classes and conflicts that are missing,
    linked to the categories and key ingredients of the same names. Safe to run again."""
    lines = seed_default_rules()
    db.session.commit()
    for line in lines:
        click.echo(line)
