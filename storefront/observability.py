"""Request ids and logs: one JSON object per line in production, readable text in development."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id``, ``method`` and ``path`` to every record made during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id", "-")
            record.method = request.method
            record.path = request.path
        else:
            record.request_id = record.method = record.path = "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key in ("method", "path", "status", "duration_ms"):
            value = getattr(record, key, None)
            if value not in (None, "-"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    """Send the app's logs to stderr in the configured format, once per process."""
    root = logging.getLogger()
    if not any(getattr(handler, "_storefront", False) for handler in root.handlers):
        handler = logging.StreamHandler()
        handler._storefront = True
        handler.addFilter(RequestIdFilter())
        if app.config.get("LOG_FORMAT") == "json":
            handler.setFormatter(JsonFormatter())
            handler.formatter.converter = time.gmtime
        else:
            handler.setFormatter(logging.Formatter(
                "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
        if not app.testing:
            root.addHandler(handler)
        root.setLevel(logging.INFO)
    app.logger.setLevel(logging.INFO)


def _assign_request_id() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _VALID_ID.match(incoming) else secrets.token_hex(8)


def _echo_request_id(response):
    response.headers.setdefault(REQUEST_ID_HEADER, g.get("request_id", ""))
    return response


def register_request_ids(app: Flask) -> None:
    app.before_request(_assign_request_id)
    app.after_request(_echo_request_id)
