"""Security headers, request ids, health checks and JSON logs."""

import json
import logging

from storefront.headers import REQUEST_ID_ENVIRON
from storefront.observability import JsonFormatter, RequestIdFilter


def test_security_headers_on_pages(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers, "only in production"


def test_error_pages_carry_the_headers_too(client):
    response = client.get("/missing")
    assert response.status_code == 404
    assert "Content-Security-Policy" in response.headers


def test_request_id_is_made_or_passed_through(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 16
    passed = client.get("/healthz", headers={"X-Request-ID": "abc12345-from-lb"})
    assert passed.headers["X-Request-ID"] == "abc12345-from-lb"
    unsafe = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces<>"})
    assert unsafe.headers["X-Request-ID"] != "bad id with spaces<>"


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ok"}


def test_readiness_names_an_unreachable_redis_and_stays_in_service(client, app, monkeypatch):
    """Pages are served without Redis (tests/ops/test_faults.py): a load balancer must not take
    every host out of service because of it."""
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded",
                                   "degraded": ["redis unreachable: ConnectionError"]}


def test_json_log_lines(app):
    formatter = JsonFormatter()
    with app.test_request_context("/products",
                                  environ_base={REQUEST_ID_ENVIRON: "req-12345678"}):
        record = logging.LogRecord("storefront", logging.INFO, __file__, 1, "hello %s",
                                   ("world",), None)
        RequestIdFilter().filter(record)
        line = json.loads(formatter.format(record))
    assert line["message"] == "hello world"
    assert line["request_id"] == "req-12345678"
    assert line["path"] == "/products"
    assert line["level"] == "info"
