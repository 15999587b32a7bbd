"""Search upkeep: the vocabulary made again from the pages, and old search counts forgotten.

With ``flask worker`` running, the worker does this every ``SEARCH_UPKEEP_SECONDS`` (an
hour) by itself (``storefront.jobs.periodic``); ``flask search-upkeep`` does it by hand.
Saved pages add their new words at once; this also drops the words no page uses any more.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from storefront.extensions import db
from storefront.search import counting, schema


def upkeep() -> dict[str, int]:
    """Rebuild the vocabulary and prune old counts (flushes only)."""
    words = schema.rebuild_vocabulary(db.session.connection())
    pruned = counting.prune(current_app.config["SEARCH_LOG_DAYS"])
    return {"words": words, "counts_forgotten": pruned}


@click.command("search-upkeep")
@with_appcontext
def upkeep_command() -> None:
    """Make the search vocabulary again and forget search counts past SEARCH_LOG_DAYS."""
    done = upkeep()
    db.session.commit()
    click.echo(f"The search vocabulary has {done['words']} words; forgot "
               f"{done['counts_forgotten']} old day(s) of search counts.")
