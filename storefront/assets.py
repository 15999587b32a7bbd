"""Static files served under content-hashed names, cached for a year, gzipped when asked.

``asset_url("css/site.css")`` gives ``/assets/css/site.3f9a1c2b7d.css``. The hash
changes whenever the file does, so browsers can keep every asset forever and still
never see a stale one. Files are read once per process; stylesheets and scripts are
served minified (rcssmin, rjsmin), so their comments cost readers nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import rcssmin
import rjsmin
from flask import Blueprint, Flask, Response, abort, current_app, request

from storefront.links import route_link

COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".xml", ".ico", ".map"}
ONE_YEAR = 365 * 24 * 3600
# Smaller files are sent as they are: gzip would save a few bytes at best, or add some.
GZIP_MIN_BYTES = 512

bp = Blueprint("assets", __name__)


@dataclass(frozen=True)
class Asset:
    hashed_name: str
    body: bytes
    gzipped: bytes | None
    mimetype: str
    etag: str


def _hashed_name(name: str, digest: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def _load(path: Path, name: str) -> Asset:
    body = path.read_bytes()
    # Comments and spacing are for the people editing the files, not for readers.
    if path.suffix == ".css":
        body = rcssmin.cssmin(body.decode("utf-8")).encode("utf-8")
    elif path.suffix == ".js":
        body = rjsmin.jsmin(body.decode("utf-8")).encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()[:10]
    gzipped = None
    if path.suffix in COMPRESSIBLE and len(body) > GZIP_MIN_BYTES:
        gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Asset(_hashed_name(name, digest), body, gzipped, mimetype, digest)


class AssetManifest:
    """Every file under the static folder, by plain name and by hashed name."""

    def __init__(self, root: Path):
        self.by_name: dict[str, Asset] = {}
        self.by_hashed: dict[str, Asset] = {}
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                name = path.relative_to(root).as_posix()
                asset = _load(path, name)
                self.by_name[name] = asset
                self.by_hashed[asset.hashed_name] = asset


def _manifest() -> AssetManifest:
    manifest = current_app.extensions.get("storefront.assets")
    if manifest is None or current_app.debug:
        folder = current_app.static_folder
        assert folder is not None  # create_app keeps Flask's static folder
        manifest = AssetManifest(Path(folder))
        current_app.extensions["storefront.assets"] = manifest
    return manifest


def asset_url(name: str) -> str:
    asset = _manifest().by_name.get(name)
    if asset is None:
        raise LookupError(f"no static file named {name!r}")
    # Every page links five or six: the route is built once per request.
    return route_link("assets.serve", "name")(asset.hashed_name)


@bp.get("/assets/<path:name>")
def serve(name: str):
    asset = _manifest().by_hashed.get(name)
    if asset is None:
        abort(404)
    use_gzip = asset.gzipped is not None and "gzip" in request.accept_encodings
    response = Response(asset.gzipped if use_gzip else asset.body, mimetype=asset.mimetype)
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    if asset.gzipped is not None:
        response.vary.add("Accept-Encoding")
    response.set_etag(asset.etag + ("-gz" if use_gzip else ""))
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    return response.make_conditional(request)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for this exact path; send the current icon with a day's cache."""
    asset = _manifest().by_name.get("favicon.ico")
    if asset is None:
        abort(404)
    response = Response(asset.body, mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 3600
    return response


def register_assets(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["asset_url"] = asset_url
