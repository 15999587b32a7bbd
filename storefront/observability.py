"""Request ids and logs: one JSON object per line in production, readable text in development."""

from __future__ import annotations

import json
import logging
import time

from flask import Flask, has_request_context, request

from storefront.headers import REQUEST_ID_ENVIRON

# The name of the stderr handler configure_logging adds (once per process).
HANDLER_NAME = "storefront"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id``, ``method`` and ``path`` to every record made during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = request.environ.get(REQUEST_ID_ENVIRON, "-")
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
    if not any(handler.get_name() == HANDLER_NAME for handler in root.handlers):
        handler = logging.StreamHandler()
        handler.set_name(HANDLER_NAME)
        handler.addFilter(RequestIdFilter())
        if app.config.get("LOG_FORMAT") == "json":
            formatter = JsonFormatter()
            formatter.converter = time.gmtime
            handler.setFormatter(formatter)
        else:
            handler.setFormatter(logging.Formatter(
                "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
        if not app.testing:
            root.addHandler(handler)
        root.setLevel(logging.INFO)
    app.logger.setLevel(logging.INFO)
