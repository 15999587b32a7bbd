"""Flask extension instances, created once and bound in the app factory."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, has_request_context, request
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Executable, Result

from storefront.db import Base
from storefront.ratelimit import RateLimiter

# Page numbers past this show an empty page: a larger ``?page=`` would make an OFFSET the
# database cannot hold (a server error instead of "no more results").
MAX_PAGE = 100_000


def app_object() -> Flask:
    """The application behind ``current_app``, to keep past the app context (a thread, a
    callback)."""
    # werkzeug's LocalProxy method; Flask types current_app as Flask, which hides it.
    return current_app._get_current_object()  # type: ignore[attr-defined]


class ShopSQLAlchemy(SQLAlchemy):
    def paginate(self, select, *, page=None, per_page=None, max_per_page=None, **kwargs):
        """Flask-SQLAlchemy's ``paginate``, with ``?page=`` and ``?per_page=`` kept in range."""
        if page is None and has_request_context():
            asked = request.args.get("page", type=int)
            page = MAX_PAGE if asked is not None and asked > MAX_PAGE else None
        if page is not None:
            page = min(page, MAX_PAGE)
        if per_page is None and max_per_page is None:
            max_per_page = 100
        return super().paginate(select, page=page, per_page=per_page,
                                max_per_page=max_per_page, **kwargs)


db = ShopSQLAlchemy(model_class=Base)


def read_rows(statement: Executable, parameters: Mapping[str, Any] | None = None,
              ) -> Result[*tuple[Any, ...]]:
    """The rows of a statement that selects columns, not ORM entities, run on the
    session's connection (its transaction): the ORM's path for a statement (its compile
    state, result loading and session events) costs 60 to 90 µs, a connection's under 20 µs,
    and pages read several. Changes waiting in the session are flushed first, as the
    session's autoflush would."""
    session = db.session()
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, parameters or {})

# The models' base class: ``db.Model`` is made at run time from Base, which type checkers
# cannot follow (a class whose base is unknown takes any attribute unchecked), so they see
# Base itself. Models subclass ``Model``, never ``db.Model``.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = RateLimiter()  # storefront/ratelimit.py: only views with a limit pay for it
