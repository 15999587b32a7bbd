"""Figures read from the database and Redis when a scraper asks, and who may ask.

Nothing here runs per request: these few queries run once per scrape (every 15-60 s per
host), so the shop's pages never pay for them. Every host reports the same figures (they
describe the shared database and queue): alert on ``max`` of them, not on a sum.

``GET /metrics`` answers only a request carrying ``Authorization: Bearer <METRICS_TOKEN>``
(401 otherwise, 404 when no token is configured), and nginx refuses the path from outside.
``flask worker`` serves the same on ``METRICS_BIND``, a private address of its own.
"""

from __future__ import annotations

import hmac
import logging
import threading
from datetime import datetime
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from flask import Flask
from prometheus_client.core import GaugeMetricFamily
from redis import RedisError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from storefront import metrics
from storefront.catalog.models import Variant
from storefront.db import utcnow
from storefront.extensions import app_object, db
from storefront.jobs import services as job_services
from storefront.orders.models import Order, OrderStatus
from storefront.queue.models import FailedJob

log = logging.getLogger(__name__)


def gauge(name: str, documentation: str, value: float, **labels: str) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=list(labels))
    family.add_metric(list(labels.values()), value)
    return family


def _database_figures() -> list[GaugeMetricFamily]:
    outbox = job_services.outbox_overview()
    oldest = outbox["oldest"]
    age = (utcnow() - oldest).total_seconds() if isinstance(oldest, datetime) else 0.0
    pending = Order.status == OrderStatus.PENDING_PAYMENT
    held_orders, overdue = db.session.execute(select(
        func.count(), func.count().filter(Order.reservation_expires_at < utcnow()),
    ).where(pending)).one()
    units = db.session.scalar(
        select(func.coalesce(func.sum(Variant.stock_reserved), 0))) or 0
    failed = db.session.scalar(select(func.count()).select_from(FailedJob)
                               .where(FailedJob.resolved_at.is_(None))) or 0
    return [
        gauge("storefront_outbox_backlog", "E-mails waiting in the outbox.", outbox["waiting"]),
        gauge("storefront_outbox_oldest_seconds", "Age of the oldest e-mail waiting.", age),
        gauge("storefront_outbox_given_up", "E-mails the outbox sweep stopped trying.",
              outbox["given_up"]),
        gauge("storefront_stock_reserved_units", "Units held for checkouts in progress.",
              units),
        gauge("storefront_orders_awaiting_payment", "Orders holding stock while unpaid.",
              held_orders),
        gauge("storefront_reservations_overdue", "Unpaid orders past their reservation "
              "that no sweep has released yet.", overdue),
        gauge("storefront_failed_jobs", "Failed jobs waiting for an admin at /admin/jobs.",
              failed),
    ]


def _queue_figures() -> list[GaugeMetricFamily]:
    queue = job_services.queue_overview()
    if queue.get("mode") != "queue":
        return []
    if "error" in queue:
        raise RedisError(queue["error"])
    return [
        gauge("storefront_job_queue_length", "Jobs waiting on the queue.", queue["waiting"]),
        gauge("storefront_job_queue_scheduled", "Jobs waiting for a retry or a set time.",
              queue["scheduled"]),
        gauge("storefront_job_workers", "Workers listening on the queue.", queue["workers"]),
    ]


class ShopFigures:
    """A collector read at scrape time; a source that does not answer is reported down
    (``storefront_metrics_source_up``) and its figures left out, never a failed scrape."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        with self.app.app_context():
            up = GaugeMetricFamily("storefront_metrics_source_up", "Whether the scrape could "
                                   "read the source (1) or not (0).", labels=["source"])
            for source, read, errors in (("database", _database_figures, SQLAlchemyError),
                                         ("redis", _queue_figures, RedisError)):
                try:
                    figures = read()
                except errors as error:
                    db.session.rollback()
                    log.warning("Metrics: %s unreadable: %s", source, error)
                    up.add_metric([source], 0)
                    continue
                up.add_metric([source], 1)
                yield from figures
            yield up


def token_accepted(header: str | None, token: str | None) -> bool:
    """Whether an ``Authorization`` header carries the bearer token (compared in constant
    time)."""
    if not token or not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[len("Bearer "):].encode(), token.encode())


def exposition(app: Flask | None = None) -> bytes:
    return metrics.exposition([ShopFigures(app or app_object())])


# The job worker's own listener --------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def metrics_wsgi_app(app: Flask):
    """A tiny WSGI app: GET /metrics with the token (when one is set), 404 for anything else."""
    token = app.config.get("METRICS_TOKEN")

    def answer(environ, start_response):
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        if token and not token_accepted(environ.get("HTTP_AUTHORIZATION"), token):
            start_response("401 Unauthorized", [("Content-Type", "text/plain"),
                                                ("WWW-Authenticate", 'Bearer realm="metrics"')])
            return [b"a bearer token is needed\n"]
        body = exposition(app)
        start_response("200 OK", [("Content-Type", metrics.CONTENT_TYPE),
                                  ("Content-Length", str(len(body)))])
        return [body]

    return answer


def serve_metrics(app: Flask, bind: str) -> WSGIServer:
    """Serve the metrics on ``bind`` (host:port) from a background thread; the server."""
    host, _, port = bind.rpartition(":")
    server = make_server(host or "127.0.0.1", int(port), metrics_wsgi_app(app),
                         handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
