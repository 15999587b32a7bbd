"""What a deploy relies on: migrations safe to run every time, settings from the
environment, and the media storage chosen by a setting."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import event, inspect, text

from storefront.config import load_config
from storefront.extensions import db
from storefront.media import EXTENSION_KEY, LocalMediaStorage, media_storage
from storefront.queue.redis_queue import retry_intervals
from tests.helpers.apps import free_port

CHANGING = {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE", "COMMENT"}


class MemoryStorage:
    """A stand-in for an object-store backend, made by a ``MEDIA_STORAGE`` factory."""

    def __init__(self, app):
        self.app = app
        self.files: dict[str, bytes] = {}

    def save(self, name, data):
        self.files[name] = data
        return name

    def url(self, name, external=False):
        return f"https://cdn.example.com/{name}"

    def links(self, external=False):
        return self.url


def memory_storage(app):
    return MemoryStorage(app)


def _schema(app):
    with app.app_context():
        tables = sorted(inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return tables, version


def _upgrade_changes(app) -> list[str]:
    """Run ``flask db upgrade``; the statements it sent that change the schema or data."""
    with app.app_context():
        engine = db.engine
    changes = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().split(" ", 1)[0].upper() in CHANGING:
            changes.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert result.exit_code == 0, result.output
    return changes


def test_db_upgrade_is_safe_to_run_on_every_deploy(fresh_app):
    assert any(s.lstrip().startswith("CREATE TABLE") for s in _upgrade_changes(fresh_app))
    after_first = _schema(fresh_app)
    assert _upgrade_changes(fresh_app) == []  # up to date: nothing is changed
    assert _schema(fresh_app) == after_first
    assert len(after_first[1]) == 1  # one head, recorded once


def test_job_and_media_settings_come_from_the_environment(tmp_path):
    config = load_config(str(tmp_path), environ={
        "REDIS_URL": "redis://cache.internal:6379/2", "JOBS_QUEUE": "shop",
        "JOB_RETRY_INTERVALS": "5, 30,600", "JOB_TIMEOUT": "120",
        "RESERVATION_RELEASE_SECONDS": "30", "OUTBOX_RETRY_SECONDS": "120",
        "MEDIA_ROOT": "/srv/storefront/media", "MEDIA_STORAGE": "local",
        "RATELIMIT_KEY_PREFIX": "shop"})
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"
    assert (config["JOBS_QUEUE"], config["JOB_TIMEOUT"]) == ("shop", 120)
    assert (config["RESERVATION_RELEASE_SECONDS"], config["OUTBOX_RETRY_SECONDS"]) == (30, 120)
    assert (config["MEDIA_ROOT"], config["RATELIMIT_KEY_PREFIX"]) == ("/srv/storefront/media",
                                                                      "shop")
    assert retry_intervals(type("App", (), {"config": config})()) == [5, 30, 600]

    defaults = load_config(str(tmp_path), environ={})
    assert defaults["REDIS_URL"] is None
    assert defaults["MEDIA_STORAGE"] == "local"
    assert retry_intervals(type("App", (), {"config": defaults})()) == [10, 60, 300]


def test_the_media_storage_backend_is_chosen_by_a_setting(app, monkeypatch, tmp_path):
    # Set through monkeypatch first, so that whatever the test leaves there is undone.
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, None)
    monkeypatch.setitem(app.config, "MEDIA_STORAGE", "tests.ops.test_prod_deploy:memory_storage")
    storage = media_storage(app)
    assert isinstance(storage, MemoryStorage)
    assert storage.app is app
    assert media_storage(app) is storage  # made once per app

    monkeypatch.delitem(app.extensions, EXTENSION_KEY)
    monkeypatch.setitem(app.config, "MEDIA_STORAGE", "local")
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path / "shared"))
    local = media_storage(app)
    assert isinstance(local, LocalMediaStorage)
    assert local.root == tmp_path / "shared"

    monkeypatch.delitem(app.extensions, EXTENSION_KEY)
    monkeypatch.setitem(app.config, "MEDIA_STORAGE", "s3")
    monkeypatch.setitem(app.config, "MEDIA_S3_BUCKET", None)
    with pytest.raises(RuntimeError, match="MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET"):
        media_storage(app)

    monkeypatch.setitem(app.config, "MEDIA_STORAGE", "nfs")
    with pytest.raises(RuntimeError, match="MEDIA_STORAGE='nfs'"):
        media_storage(app)


RATE_LIMIT_WITHOUT_REDIS = """
import sys
from storefront import create_app
from storefront.extensions import db
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1], "SECRET_KEY": "k" * 40,
                  "RATELIMIT_STORAGE_URI": sys.argv[2], "WTF_CSRF_ENABLED": False,
                  "LOGIN_RATE_LIMIT": "2 per minute", "TESTING": True})
with app.app_context():
    db.create_all()
client = app.test_client()
print([client.post("/account/login", data={"email": "a@example.com", "password": "x"})
       .status_code for _ in range(4)])
"""


def test_log_in_keeps_working_and_limited_while_redis_is_down(tmp_path):
    # Its own process: the rate limiter is one object per process, set up by each app.
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    result = subprocess.run([sys.executable, "-c", RATE_LIMIT_WITHOUT_REDIS,
                             str(tmp_path / "shop.db"), dead_redis],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[422, 422, 429, 429]", result.stderr
