"""Helpers shared by every feature's forms and views."""

from __future__ import annotations

from flask import render_template, request
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS, _Auto
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict
from wtforms import FileField

INVALID_FORM_STATUS = 422


def attach_error(form: FlaskForm, message: str, field: str | None = None) -> None:
    """Show a service's message beside the field it is about, or above the form."""
    target = getattr(form, field, None) if field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)


def render_invalid(template: str, **context):
    """Re-render a form that was not accepted, with a 4xx status."""
    return render_template(template, **context), INVALID_FORM_STATUS


def _posted_fields(meta, form, formdata):
    """What a submitted form reads: the posted fields, and uploads only for its file fields.

    Flask-WTF would also hand a form a JSON body, and an upload under any field's name; a
    text field holding a file, or a JSON number or list, fails inside its validators (a
    server error). Neither reaches a form here.
    """
    if formdata is not _Auto:  # data passed in by the caller
        return formdata
    if request.method not in SUBMIT_METHODS:
        return None
    uploads = [(field.name, upload) for field in form if isinstance(field, FileField)
               for upload in request.files.getlist(field.name)]
    if uploads:
        return CombinedMultiDict([ImmutableMultiDict(uploads), request.form])
    return request.form or None


def install_form_data_policy() -> None:
    """Make every form (``FlaskForm`` subclass) read its data through ``_posted_fields``."""
    FlaskForm.Meta.wrap_formdata = _posted_fields
