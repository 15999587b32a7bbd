"""``/healthz``: the process answers. ``/readyz``: it can serve the shop. ``/metrics``:
Prometheus figures, for a scraper holding the ``METRICS_TOKEN``.

``/readyz`` answers 503 ``{"status": "unavailable", "problems": [...]}`` when the database
does not answer: nothing works without it. Redis trouble (down, or refusing writes) and a
page cache that is off in this worker are named under ``degraded`` with a 200 and
``"status": "degraded"``: pages are rendered without the cache, rate limits counted per
process, and jobs wait for Redis. A load balancer then keeps every host in service through
a Redis outage instead of taking them all out at once.
"""

from __future__ import annotations

import redis
from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from storefront.caching import EXTENSION as PAGE_CACHE
from storefront.extensions import db
from storefront.metrics import CONTENT_TYPE
from storefront.ops.metrics import exposition, token_accepted

bp = Blueprint("ops", __name__)
# Written (with a short expiry) to learn whether Redis takes writes, not only reads.
READY_PROBE_KEY = "storefront:ready-probe"


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


def _check_database() -> str | None:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return f"database unreachable: {type(error).__name__}"
    return None


def _check_redis() -> str | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.set(READY_PROBE_KEY, "1", ex=60)
    except (redis.ConnectionError, redis.TimeoutError) as error:
        return f"redis unreachable: {type(error).__name__}"
    except redis.RedisError as error:
        return f"redis refuses writes: {type(error).__name__} ({str(error)[:120]})"
    finally:
        client.close()
    return None


def _check_page_cache() -> str | None:
    cache = current_app.extensions.get(PAGE_CACHE)
    return cache.problem() if cache is not None else None


@bp.get("/readyz")
def readyz():
    problems = [problem for problem in (_check_database(),) if problem]
    degraded = [note for note in (_check_redis(), _check_page_cache()) if note]
    if problems:
        current_app.logger.warning("Not ready: %s", "; ".join(problems + degraded))
        return jsonify(status="unavailable", problems=problems, degraded=degraded), 503
    if degraded:
        current_app.logger.warning("Degraded: %s", "; ".join(degraded))
        return jsonify(status="degraded", degraded=degraded)
    return jsonify(status="ok")


@bp.get("/metrics")
def metrics():
    """Every worker's figures added up, and the shop's state read now; never for anyone."""
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    if not token_accepted(request.headers.get("Authorization"), token):
        return Response("A bearer token is needed.\n", 401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    response = Response(exposition(), mimetype=None, content_type=CONTENT_TYPE)
    response.cache_control.no_store = True
    return response
