"""Small security helpers shared by several features."""

from __future__ import annotations

from functools import partial, wraps
from urllib.parse import urlsplit

from flask import Flask, Request, abort, request
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter

from storefront.extensions import login_manager

# Row ids are 32-bit integers on PostgreSQL: a larger one in a URL names nothing, and
# comparing it with an id column is an error there (and on SQLite past 64 bits).
MAX_ID = 2**31 - 1


def safe_next_url(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target or len(target) > 2000:
        return None
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def roles_required(*roles):
    """Let only logged-in users with one of ``roles`` through: others log in or get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# Bad input never reaches the database as a server error --------------------------------

def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class NulFreeMultiDict(ImmutableMultiDict):
    """Form values with NUL characters dropped.

    No browser sends NUL in a form, PostgreSQL refuses it in a text value and SQLite would
    store it; dropping it (as the ask form drops control characters) keeps both the same.
    Query strings keep theirs: each view decides what an odd filter value means.
    """

    def __init__(self, mapping=None):
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = mapping.items()
        else:
            pairs = mapping or ()
        super().__init__([(_without_nul(key), _without_nul(value)) for key, value in pairs])


class CleanRequest(Request):
    def make_form_data_parser(self):
        parser = super().make_form_data_parser()
        parser.cls = NulFreeMultiDict
        return parser


def _refuse_nul_in_path() -> None:
    """A NUL in a path parameter names nothing (and PostgreSQL would refuse it): 404."""
    if any("\x00" in value for value in (request.view_args or {}).values()
           if isinstance(value, str)):
        abort(404)


def register_input_guards(app: Flask) -> None:
    """Keep malformed input a 4xx: ids past ``MAX_ID`` and NUL in paths are not found, and
    NUL is dropped from form values (forms read only form fields: ``ShopForm``)."""
    app.request_class = CleanRequest
    # werkzeug calls the entry like a class: a partial of one works where its type says class.
    app.url_map.converters["int"] = partial(  # type: ignore[assignment]
        IntegerConverter, max=MAX_ID)
    app.before_request(_refuse_nul_in_path)
