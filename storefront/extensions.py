"""Flask extension instances, created once and bound in the app factory."""

from functools import wraps

from flask import has_request_context, request
from flask.globals import request_ctx
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from storefront.db import Base

# Page numbers past this show an empty page: a larger ``?page=`` would make an OFFSET the
# database cannot hold (a server error instead of "no more results").
MAX_PAGE = 100_000


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


# Settings that declare limits for every request; without them no request needs checking
# before its view runs.
APP_WIDE_LIMIT_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


class ViewLimiter(Limiter):
    """Flask-Limiter for limits declared on views (``@limiter.limit``), checked by the view.

    Flask-Limiter also looks, before every request, for app-wide, default and blueprint
    limits. The shop declares none, so that hook is left out unless the settings declare
    app-wide limits: it was a seventh of what serving a cached page costs. Limits on a
    whole blueprint (``limiter.limit`` applied to a Blueprint) would need the hook back.
    """

    def init_app(self, app, *args, **kwargs) -> None:
        super().init_app(app, *args, **kwargs)
        if any(app.config.get(setting) for setting in APP_WIDE_LIMIT_SETTINGS):
            return
        before = app.before_request_funcs.get(None, [])
        before[:] = [hook for hook in before if hook != self._check_request_limit]
        # Its after-request (headers, conditional deductions) and teardown hooks only have
        # work to do when a limit was looked at during the request.
        for hooks in (app.after_request_funcs.get(None, []),
                      app.teardown_request_funcs.get(None, [])):
            hooks[:] = [_when_limited(hook) if self._is_own(hook) else hook for hook in hooks]

    def _is_own(self, hook) -> bool:
        return getattr(hook, "__self__", None) is self or getattr(hook, "args", None) == (self,)


def _when_limited(hook):
    """Run Flask-Limiter's ``hook`` only in requests where it checked a limit."""

    @wraps(getattr(hook, "func", hook))
    def run(response_or_error):
        if hasattr(request_ctx._get_current_object(), "_limiter_request_context"):
            return hook(response_or_error)
        return response_or_error

    return run


db = ShopSQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = ViewLimiter(key_func=get_remote_address, default_limits=[])
