"""Where uploaded and generated files live, behind one small interface.

Today the files sit in a folder (``MEDIA_ROOT``, default ``instance/media``) and the
app serves them itself. Shared storage (an object store, a CDN) can replace
``LocalMediaStorage`` later by offering the same methods; callers only ever use
``media_storage()``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, abort, current_app, send_from_directory, url_for
from werkzeug.security import safe_join

# File names carry a hash of their content, so a name never points at other bytes.
CACHE_SECONDS = 365 * 24 * 3600
# Only pictures are served: nothing that a browser could run as a page on our origin.
SERVED_TYPES = {
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".avif": "image/avif",
}
MAX_NAME_LENGTH = 300
EXTENSION_KEY = "storefront.media"


class MediaStorage(Protocol):
    def save(self, name: str, data: bytes) -> str: ...
    def open(self, name: str) -> BinaryIO: ...
    def read(self, name: str) -> bytes: ...
    def exists(self, name: str) -> bool: ...
    def delete(self, name: str) -> None: ...
    def url(self, name: str, external: bool = False) -> str: ...


class LocalMediaStorage:
    """Files in a folder on this machine, served by the ``catalog.media_file`` route."""

    endpoint = "catalog.media_file"

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).absolute()

    def path(self, name: str) -> Path:
        """The file's place under the root; ValueError for names that would leave it."""
        if not name or len(name) > MAX_NAME_LENGTH:
            raise ValueError(f"not a usable media name: {name[:40]!r}")
        joined = safe_join(str(self.root), name)
        if joined is None:
            raise ValueError(f"media name leaves the media folder: {name[:40]!r}")
        return Path(joined)

    def save(self, name: str, data: bytes) -> str:
        """Write ``data`` under ``name`` (replacing it in one step) and return the name."""
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return name

    def open(self, name: str) -> BinaryIO:
        return self.path(name).open("rb")

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def exists(self, name: str) -> bool:
        try:
            return self.path(name).is_file()
        except ValueError:
            return False

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def url(self, name: str, external: bool = False) -> str:
        return url_for(self.endpoint, name=name, _external=external)


def media_storage(app: Flask | None = None) -> MediaStorage:
    """The app's storage, made from ``MEDIA_ROOT`` on first use."""
    app = app or current_app
    storage = app.extensions.get(EXTENSION_KEY)
    if storage is None:
        root = (app.config.get("MEDIA_ROOT") or os.environ.get("MEDIA_ROOT")
                or os.path.join(app.instance_path, "media"))
        storage = app.extensions[EXTENSION_KEY] = LocalMediaStorage(root)
    return storage


def send_media(name: str):
    """Serve a stored picture with long-lived caching; 404 for anything else."""
    storage = media_storage()
    suffix = Path(name).suffix.lower()
    if not isinstance(storage, LocalMediaStorage) or suffix not in SERVED_TYPES:
        abort(404)
    if len(name) > MAX_NAME_LENGTH:
        abort(404)
    # send_from_directory joins safely and answers 404 for names outside the root.
    response = send_from_directory(storage.root, name, mimetype=SERVED_TYPES[suffix],
                                   max_age=CACHE_SECONDS, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
