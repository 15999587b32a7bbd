"""Error pages in the site's layout, and the base class for errors a person can fix."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, SQLAlchemyError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    SecurityError,
)

from storefront.extensions import db
from storefront.origin import CrossOriginRequest


class DomainError(Exception):
    """A business rule said no; the message is written for the shopper or editor."""

    status_code = 422

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else "That could not be done."


ERROR_TEXT = {
    400: ("Something was wrong with that request",
          "The page could not understand what was sent. Please go back and try again."),
    403: ("You can't open this page",
          "Your account does not have access to this page. If you think it should, "
          "ask the shop's administrator."),
    404: ("We can't find that page",
          "The page may have moved, or the address may have a typo. Try the search "
          "box above, or start from the shop or the articles."),
    405: ("That action isn't possible here",
          "This page does not accept that kind of request. Please use the links and "
          "buttons on the page."),
    409: ("That can't be done just now",
          "The page has changed since you opened it. Please go back, reload it and try "
          "again."),
    413: ("That upload is too large",
          "The file or form you sent is larger than we accept. Please send something smaller."),
    429: ("Too many attempts",
          "You have tried this too often in a short time. Please wait a minute and try again."),
    500: ("Something went wrong on our side",
          "We have been told about the problem. Please try again in a moment; your cart "
          "and orders are safe."),
}


def render_error(status: int, detail: str | None = None, title: str | None = None):
    """The error page in the site's layout. A server error's page asks nothing of the
    database (no cart count, no account): it may be what failed."""
    usual_title, text = ERROR_TEXT.get(status, ERROR_TEXT[500 if status >= 500 else 400])
    title = title or usual_title
    if status >= 500:
        g.without_database = True  # read by every part of the page that could ask it
    html = render_template("errors/error.html", status=status, title=title,
                           text=detail or text, without_database=status >= 500)
    return html, status


def _roll_back() -> None:
    """Undo what the failed request left unfinished in its session: nothing half-done is
    kept, and the session can answer again (a failed flush leaves it refusing to)."""
    try:
        db.session.rollback()
    except SQLAlchemyError as error:  # the connection itself is gone: the page goes on
        current_app.logger.warning("Rolling back after an error failed: %s", error)


def _handle_http_error(error: HTTPException):
    if request.path.startswith("/static/"):
        return error
    _roll_back()
    status = error.code or 500
    if isinstance(error, SecurityError):
        # A Host header outside TRUSTED_HOSTS: no link can be made for it, so no layout.
        return render_template("errors/plain.html", status=status, title=ERROR_TEXT[400][0],
                               text="This site is not served at that address."), status
    detail = title = None
    if isinstance(error, CSRFError):
        detail = ("This form had expired or did not come from this site, so nothing was "
                  "changed. Please go back, reload the page and try again.")
    elif isinstance(error, CrossOriginRequest):
        title, detail = "That form came from another site", error.description
    response = render_error(status, detail, title)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        return (*response, {"Allow": ", ".join(error.valid_methods)})
    return response


def _handle_server_error(error: InternalServerError):
    _roll_back()
    return render_error(500)


def _handle_unstorable_value(error: DataError):
    """A value from the request that the database cannot hold (NUL in text, a number out
    of range, text longer than its column): nothing is saved, and the sender hears 400."""
    _roll_back()
    current_app.logger.warning("Refused a value the database cannot store: %s",
                               getattr(error, "orig", error))
    return render_error(400)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(InternalServerError, _handle_server_error)
    app.register_error_handler(DataError, _handle_unstorable_value)
