"""``/healthz``: the process answers. ``/readyz``: it can reach its database (and Redis).
``/metrics``: Prometheus figures, for a scraper holding the ``METRICS_TOKEN``."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from storefront.extensions import db, limiter
from storefront.metrics import CONTENT_TYPE
from storefront.ops.metrics import exposition, token_accepted

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@limiter.exempt
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
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"redis unreachable: {type(error).__name__}"
    return None


@bp.get("/readyz")
@limiter.exempt
def readyz():
    problems = [problem for problem in (_check_database(), _check_redis()) if problem]
    if problems:
        current_app.logger.warning("Not ready: %s", "; ".join(problems))
        return jsonify(status="unavailable", problems=problems), 503
    return jsonify(status="ok")


@bp.get("/metrics")
@limiter.exempt
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
