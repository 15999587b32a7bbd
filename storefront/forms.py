"""Helpers shared by every feature's forms and views."""

from __future__ import annotations

from flask import render_template
from flask_wtf import FlaskForm

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
