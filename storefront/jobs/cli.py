"""``flask worker``: run background jobs (and the periodic ones) with the app's settings."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from storefront import metrics
from storefront.extensions import app_object
from storefront.jobs.periodic import PeriodicScheduler
from storefront.ops.metrics import serve_metrics
from storefront.queue import redis_queue


def _serve_metrics(app) -> None:
    """With METRICS_BIND, serve this worker's figures there (a private address)."""
    bind = app.config.get("METRICS_BIND")
    if not bind:
        return
    if not metrics.MULTIPROCESS_DIR:
        raise click.ClickException(
            "METRICS_BIND needs PROMETHEUS_MULTIPROC_DIR (a folder of this worker's own): "
            "each job runs in a child process, whose counts would be lost without it.")
    serve_metrics(app, bind)
    click.echo(f"Metrics on http://{bind}/metrics")


@click.command("worker")
@click.option("--burst", is_flag=True,
              help="Run the jobs waiting now, then stop (no periodic jobs).")
@click.option("--no-periodic", "periodic", flag_value=False, default=True,
              help="Do not schedule the periodic jobs from this worker.")
@with_appcontext
def worker_command(burst: bool, periodic: bool) -> None:
    """Run background jobs from the queue until stopped (SIGTERM finishes the current job).

    Also puts the periodic jobs on the queue: releasing expired reservations and
    retrying the outbox. Any number of workers can run, on any hosts.
    """
    app = app_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set, so jobs run inline in the web processes and no worker is "
            "needed. Set REDIS_URL (the same for the web processes) to use a worker.")
    _serve_metrics(app)
    worker = redis_queue.make_worker(app)
    scheduler = PeriodicScheduler(app) if periodic and not burst else None
    if scheduler:
        scheduler.start()
    try:
        # RQ's own scheduler moves retries (and other delayed jobs) back onto the queue.
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        if scheduler:
            scheduler.stop()
