"""Where uploaded and generated files live, behind one small interface.

Callers only ever use ``media_storage()``, which makes the backend named by the
``MEDIA_STORAGE`` setting once per app:

- ``local`` (the default): ``LocalMediaStorage``, files in the folder ``MEDIA_ROOT``
  (default ``instance/media``), served by the app at ``/media/<name>`` with a year's
  caching (nginx in front keeps a copy). With several app hosts (and a worker making
  picture sizes), ``MEDIA_ROOT`` must be one folder they all see: an NFS or other
  shared mount, the same path on every host. Writes are atomic renames inside that
  folder, so a reader never sees half a file.
- ``package.module:factory``: any other backend, for example an object store (S3,
  GCS) behind a CDN. ``factory(app)`` returns an object with the ``MediaStorage``
  methods; its ``url()`` points at the store or CDN, and the app's ``/media`` route
  then answers 404 (it only serves a local folder). No such backend ships here: the
  project adds one with its SDK when it needs it.

Names are relative paths such as ``products/<hash>-400.webp``. Uploads waiting for a
background job are kept under ``incoming/`` with suffixes that are never served.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Callable
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


def local_media_storage(app: Flask) -> LocalMediaStorage:
    """``MEDIA_STORAGE=local``: the folder ``MEDIA_ROOT`` (default ``instance/media``)."""
    root = (app.config.get("MEDIA_ROOT") or os.environ.get("MEDIA_ROOT")
            or os.path.join(app.instance_path, "media"))
    return LocalMediaStorage(root)


BACKENDS: dict[str, Callable[[Flask], MediaStorage]] = {"local": local_media_storage}


def _backend_factory(setting: str) -> Callable[[Flask], MediaStorage]:
    if setting in BACKENDS:
        return BACKENDS[setting]
    module_name, _, name = setting.partition(":")
    factory = getattr(importlib.import_module(module_name), name, None) if name else None
    if not callable(factory):
        raise RuntimeError(f"MEDIA_STORAGE={setting!r} is neither 'local' nor a "
                           "'package.module:factory' that makes a storage")
    return factory


def media_storage(app: Flask | None = None) -> MediaStorage:
    """The app's storage, made from ``MEDIA_STORAGE`` (and ``MEDIA_ROOT``) on first use."""
    app = app or current_app
    storage = app.extensions.get(EXTENSION_KEY)
    if storage is None:
        factory = _backend_factory(app.config.get("MEDIA_STORAGE") or "local")
        storage = app.extensions[EXTENSION_KEY] = factory(app)
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
