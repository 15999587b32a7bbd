"""What the admin areas' views share: who edits content, and the usual form POST.

``save_form`` is the back office's one way to save a form::

    validate -> the feature's service (flushes) -> commit -> flash -> redirect (303)
                      | DomainError: roll back, show the message beside its field, the
                      | page again with 422 (or what ``refused`` returns)

so a view only says what to call, what to say and where to go next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect, render_template
from flask.typing import ResponseReturnValue

from storefront.accounts.models import Role
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.forms import INVALID_FORM_STATUS, ShopForm, attach_error

# Editors run the content; admins everything (each view names the roles it allows).
EDITORS = (Role.EDITOR, Role.ADMIN)

T = TypeVar("T")
# What to flash once saved: a text (category "success"), (text, category), or None.
Message = str | tuple[str, str] | None


def save_form(form: ShopForm, action: Callable[[], T], *,
              success: Message | Callable[[T], Message],
              redirect_to: str | Callable[[T], str],
              template: str | None = None,
              page: Callable[[int], ResponseReturnValue] | None = None,
              valid: bool | None = None,
              error_field: str | None = None,
              refused: Callable[[DomainError], ResponseReturnValue | None] | None = None,
              **context: Any) -> ResponseReturnValue:
    """Save ``form`` with ``action`` and answer the request.

    - Not submitted (a GET): the page, 200. Submitted but not valid: the page, 422.
      ``valid`` replaces ``form.validate_on_submit()`` when the view checked more itself
      (an upload kept, say).
    - Valid: ``action()`` makes the change through the feature's service, which flushes.
      A ``DomainError`` rolls the session back; then ``refused(error)`` may answer (a
      conflict page, say), else the message goes beside the error's ``field`` (or
      ``error_field``, or above the form) and the page is shown again, 422.
    - Otherwise: commit, flash ``success`` and redirect (303) to ``redirect_to``; both may
      be callables of what ``action`` returned.

    The page is ``page(status)``, or ``template`` rendered with ``form`` and ``context``.
    """
    if valid is None:
        valid = form.validate_on_submit()
    if valid:
        try:
            result = action()
        except DomainError as error:
            db.session.rollback()
            answer = refused(error) if refused is not None else None
            if answer is not None:
                return answer
            attach_error(form, error.message, getattr(error, "field", None) or error_field)
        else:
            db.session.commit()
            message = success(result) if callable(success) else success
            if message is not None:
                text, category = (message, "success") if isinstance(message, str) else message
                flash(text, category)
            target = redirect_to(result) if callable(redirect_to) else redirect_to
            return redirect(target, code=303)
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    if page is not None:
        return page(status)
    if template is None:
        raise TypeError("save_form needs a template or a page")
    return render_template(template, form=form, **context), status
