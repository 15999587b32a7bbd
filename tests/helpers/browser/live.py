"""The demo shop on a real socket: a throwaway SQLite database, seeded, served from a thread.

Used by the browser tests (tests/browser/conftest.py), ``make lighthouse`` and
``make screenshots``. Everything stays on 127.0.0.1 and inside one temporary folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from storefront import create_app
from storefront.demo.seeder import seed
from storefront.extensions import db

SECRET_KEY = "browser-checks-secret-key-0123456789abcdef"
# Debian's Chromium (Playwright's own browser download is not available here); CHROME_PATH
# names another one, as it does for Lighthouse.
CHROMIUM = Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 800}, "is_mobile": True, "has_touch": True},
}


@dataclass
class LiveShop:
    app: Flask
    url: str  # http://127.0.0.1:PORT, no trailing slash
    folder: Path


def seeded_app(folder: Path, **overrides: Any) -> Flask:
    """An app on a new SQLite database in ``folder`` with the demo shop loaded."""
    settings = {
        "APP_ENV": "testing",
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'shop.db'}",
        "MEDIA_ROOT": str(folder / "media"),
        "MAIL_SERVER": None,
        "REDIS_URL": None,  # jobs (e-mail among them) run inline, pages cache in-process
        "RATELIMIT_STORAGE_URI": "memory://",
        # Every visitor here is 127.0.0.1; the limits have their own tests.
        "RATELIMIT_ENABLED": False,
    }
    settings.update(overrides)
    app = create_app(settings)
    app.instance_path = str(folder)
    with app.app_context():
        db.create_all()
        seed()
        db.session.commit()
    return app


class QuietRequestHandler(WSGIRequestHandler):
    """No access log: the app logs what matters, and test output stays readable."""

    def log_request(self, code="-", size="-") -> None:
        pass


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port from a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True,
                         request_handler=QuietRequestHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["SHOP_URL"] = url  # links in e-mails and back from the payment page lead here
    thread = threading.Thread(target=server.serve_forever, name="live-shop", daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


@contextmanager
def demo_shop(overrides: Mapping[str, Any] | None = None) -> Iterator[LiveShop]:
    """The seeded demo shop, served; its database and pictures are deleted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="storefront-live-"))
    try:
        app = seeded_app(folder, **(overrides or {}))
        with serve(app) as url:
            yield LiveShop(app=app, url=url, folder=folder)
        with app.app_context():
            db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
