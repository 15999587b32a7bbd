"""Where uploaded and generated files live, behind one small interface.

Callers only ever use ``media_storage()``, which makes the backend named by the
``MEDIA_STORAGE`` setting once per app:

- ``local`` (the default): ``LocalMediaStorage``, files in the folder ``MEDIA_ROOT``
  (default ``instance/media``), served by the app at ``/media/<name>`` with a year's
  caching (nginx in front keeps a copy). With several app hosts (and a worker making
  picture sizes), ``MEDIA_ROOT`` must be one folder they all see: an NFS or other
  shared mount, the same path on every host. Writes are atomic renames inside that
  folder, so a reader never sees half a file.
- ``s3``: ``S3MediaStorage``, objects in an S3-compatible bucket (AWS S3, MinIO,
  Ceph, R2, ...) through boto3, linked at ``MEDIA_PUBLIC_URL`` (the bucket's address or
  a CDN in front of it). Settings: ``MEDIA_S3_BUCKET``, ``MEDIA_S3_ENDPOINT_URL`` (empty
  for AWS), ``MEDIA_S3_REGION``, ``MEDIA_S3_ACCESS_KEY_ID`` and
  ``MEDIA_S3_SECRET_ACCESS_KEY`` (else boto3's usual chain: ``AWS_*`` variables, an
  instance role), ``MEDIA_S3_PREFIX`` (a folder inside the bucket). The app's ``/media``
  route then answers 404: the store (or the CDN) serves the pictures. A store that does
  not answer raises ``MediaUnavailable``; callers tell the person and keep nothing.
- ``package.module:factory``: any other backend; ``factory(app)`` returns an object with
  the ``MediaStorage`` methods.

Names are relative paths such as ``products/<hash>-400.webp``. Uploads waiting for a
background job are kept under ``incoming/`` with suffixes that are never served.
"""

from __future__ import annotations

import importlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol
from urllib.parse import quote, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, abort, current_app, send_from_directory
from werkzeug.security import safe_join

from storefront.links import route_link

log = logging.getLogger(__name__)

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
UNAVAILABLE = ("The picture storage is not answering right now, so nothing was changed. "
               "Please try again in a few minutes.")


class MediaUnavailable(RuntimeError):
    """The storage could not be reached or refused the request; nothing was stored."""

    @property
    def message(self) -> str:
        return UNAVAILABLE


def check_name(name: str) -> str:
    """``name`` when it is a usable relative name; ValueError for one that would escape."""
    if not name or len(name) > MAX_NAME_LENGTH or "\\" in name or name.startswith("/"):
        raise ValueError(f"not a usable media name: {name[:40]!r}")
    if any(part in ("", "..", ".") for part in name.split("/")) or any(
            ord(c) < 32 for c in name):
        raise ValueError(f"media name leaves the media folder: {name[:40]!r}")
    return name


class MediaStorage(Protocol):
    def save(self, name: str, data: bytes) -> str: ...
    def open(self, name: str) -> BinaryIO: ...
    def read(self, name: str) -> bytes: ...
    def exists(self, name: str) -> bool: ...
    def delete(self, name: str) -> None: ...
    def url(self, name: str, external: bool = False) -> str: ...
    def links(self, external: bool = False) -> Callable[[str], str]: ...


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
        return self.links(external)(name)

    def links(self, external: bool = False) -> Callable[[str], str]:
        """``url`` as a function of the name: a page of cards links dozens of files, and
        the route is built once per request."""
        return route_link(self.endpoint, "name", external=external)


def local_media_storage(app: Flask) -> LocalMediaStorage:
    """``MEDIA_STORAGE=local``: the folder ``MEDIA_ROOT`` (default ``instance/media``)."""
    root = (app.config.get("MEDIA_ROOT") or os.environ.get("MEDIA_ROOT")
            or os.path.join(app.instance_path, "media"))
    return LocalMediaStorage(root)


# Stored pictures never change (their names carry a hash of the pixels): cache for a year.
IMMUTABLE = f"public, max-age={CACHE_SECONDS}, immutable"
NOT_FOUND_CODES = {"404", "NoSuchKey", "NotFound"}


class S3MediaStorage:
    """Objects in an S3-compatible bucket; links point at ``public_url`` (the store or a CDN).

    Every failure to reach the store (refused connection, time-out, 5xx, denied access)
    is raised as ``MediaUnavailable``; a missing object reads as ``FileNotFoundError``
    (as a missing file does) and ``exists`` is then False.
    """

    def __init__(self, client, bucket: str, public_url: str, prefix: str = ""):
        if urlsplit(public_url).scheme not in ("http", "https"):
            raise RuntimeError("MEDIA_PUBLIC_URL must be an absolute http(s) address, such "
                               f"as https://cdn.example.com/media (not {public_url!r})")
        self.client, self.bucket = client, bucket
        self.public_url = public_url.rstrip("/")
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def key(self, name: str) -> str:
        return self.prefix + check_name(name)

    @contextmanager
    def _talking(self, action: str, name: str) -> Iterator[None]:
        try:
            yield
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in NOT_FOUND_CODES:
                raise FileNotFoundError(name) from error
            log.error("Media storage refused to %s %s: %s", action, name, error)
            raise MediaUnavailable(f"could not {action} {name}: {error}") from error
        except BotoCoreError as error:
            log.error("Media storage unreachable (%s %s): %s", action, name, error)
            raise MediaUnavailable(f"could not {action} {name}: {error}") from error

    def save(self, name: str, data: bytes) -> str:
        """Store ``data`` under ``name`` (a PUT replaces an object in one step)."""
        key = self.key(name)
        extra = {"ContentType": "application/octet-stream"}
        content_type = SERVED_TYPES.get(PurePosixPath(name).suffix.lower())
        if content_type:
            extra = {"ContentType": content_type, "CacheControl": IMMUTABLE}
        with self._talking("save", name):
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, **extra)
        return name

    def read(self, name: str) -> bytes:
        with self._talking("read", name):
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
            return response["Body"].read()

    def open(self, name: str) -> BinaryIO:
        return BytesIO(self.read(name))

    def exists(self, name: str) -> bool:
        try:
            key = self.key(name)
        except ValueError:
            return False
        try:
            with self._talking("look for", name):
                self.client.head_object(Bucket=self.bucket, Key=key)
        except FileNotFoundError:
            return False
        return True

    def delete(self, name: str) -> None:
        """Remove ``name``; removing what is not there is fine (S3 answers 204 either way)."""
        with self._talking("delete", name):
            self.client.delete_object(Bucket=self.bucket, Key=self.key(name))

    def url(self, name: str, external: bool = False) -> str:
        """The picture's address at the store or CDN (always absolute)."""
        return f"{self.public_url}/{quote(name)}"

    def links(self, external: bool = False) -> Callable[[str], str]:
        return self.url


def s3_client(config) -> object:
    """A boto3 S3 client from the ``MEDIA_S3_*`` settings, with short time-outs.

    A store that does not answer must cost an upload seconds, not a worker's whole
    time-out: 3 s to connect, 10 s to read, one retry.
    """
    return boto3.session.Session().client(
        "s3",
        endpoint_url=config.get("MEDIA_S3_ENDPOINT_URL") or None,
        region_name=config.get("MEDIA_S3_REGION") or None,
        aws_access_key_id=config.get("MEDIA_S3_ACCESS_KEY_ID") or None,
        aws_secret_access_key=config.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
        config=Config(connect_timeout=3, read_timeout=10,
                      retries={"max_attempts": 2, "mode": "standard"},
                      s3={"addressing_style": config.get("MEDIA_S3_ADDRESSING") or "auto"}),
    )


def default_public_url(config) -> str:
    """The bucket's own address, when no CDN address (``MEDIA_PUBLIC_URL``) is set."""
    bucket, prefix = config["MEDIA_S3_BUCKET"], (config.get("MEDIA_S3_PREFIX") or "").strip("/")
    endpoint = (config.get("MEDIA_S3_ENDPOINT_URL") or "").rstrip("/")
    if endpoint:
        base = f"{endpoint}/{bucket}"
    else:
        region = config.get("MEDIA_S3_REGION") or "us-east-1"
        base = f"https://{bucket}.s3.{region}.amazonaws.com"
    return f"{base}/{prefix}" if prefix else base


def s3_media_storage(app: Flask) -> S3MediaStorage:
    """``MEDIA_STORAGE=s3``: the bucket ``MEDIA_S3_BUCKET``; see the module docstring."""
    config = app.config
    if not config.get("MEDIA_S3_BUCKET"):
        raise RuntimeError("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET (the bucket's name)")
    return S3MediaStorage(s3_client(config), config["MEDIA_S3_BUCKET"],
                          config.get("MEDIA_PUBLIC_URL") or default_public_url(config),
                          prefix=config.get("MEDIA_S3_PREFIX") or "")


BACKENDS: dict[str, Callable[[Flask], MediaStorage]] = {"local": local_media_storage,
                                                         "s3": s3_media_storage}


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


def copy_folder(folder: Path, storage: MediaStorage, dry_run: bool = False) -> tuple[int, int]:
    """Copy every file under ``folder`` into ``storage`` under the same name, skipping
    those it has already; (copied, already there). Half-written temporary files are left."""
    copied = present = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith(".upload-"):
            continue
        name = path.relative_to(folder).as_posix()
        if storage.exists(name):
            present += 1
            continue
        if not dry_run:
            storage.save(name, path.read_bytes())
        copied += 1
    return copied, present


def public_origin(config) -> str | None:
    """The origin pictures are linked from when it is not the site's own (for the CSP)."""
    if (config.get("MEDIA_STORAGE") or "local") == "local":
        return None
    url = config.get("MEDIA_PUBLIC_URL") or (
        default_public_url(config) if config.get("MEDIA_S3_BUCKET") else "")
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def delete_quietly(names: Iterable[str], storage: MediaStorage | None = None) -> list[str]:
    """Delete files whose rows are gone already; those the storage would not delete now are
    logged (they are harmless: nothing links to them) and returned."""
    storage = storage or media_storage()
    left = []
    for name in names:
        try:
            storage.delete(name)
        except MediaUnavailable:
            left.append(name)
    if left:
        log.warning("Media files left behind (the storage did not answer): %s", ", ".join(left))
    return left


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
