"""Helpers shared by every feature's forms and views."""

from __future__ import annotations

from flask import render_template, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict
from wtforms import FileField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

INVALID_FORM_STATUS = 422


def attach_error(form: ShopForm, message: str, field: str | None = None) -> None:
    """Show a service's message beside the field it is about, or above the form."""
    target = getattr(form, field, None) if field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)


def render_invalid(template: str, **context):
    """Re-render a form that was not accepted, with a 4xx status."""
    return render_template(template, **context), INVALID_FORM_STATUS


# The form reads the request, unless the caller passes data of its own (or None).
FROM_REQUEST = object()


class ShopForm(FlaskForm):
    """Every form of the shop. A submitted form reads the posted fields, and uploads only
    for its file fields.

    Flask-WTF would also hand a form a JSON body, and an upload under any field's name; a
    text field holding a file, or a JSON number or list, fails inside its validators (a
    server error). Neither reaches a form here.
    """

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is not FROM_REQUEST:  # data passed in by the caller
                return formdata
            if not form.is_submitted():
                return None
            uploads = [(field.name, upload) for field in form if isinstance(field, FileField)
                       for upload in request.files.getlist(field.name)]
            if uploads:
                return CombinedMultiDict([ImmutableMultiDict(uploads), request.form])
            return request.form or None

    def __init__(self, formdata=FROM_REQUEST, **kwargs):
        super().__init__(formdata=formdata, **kwargs)


class GuestForm(ShopForm):
    """A form anonymous visitors post from shared, cached pages, read by a view marked
    ``storefront.origin.guest_form``: that view checks a logged-in visitor's token, and the
    origin check protects everyone, so the form itself carries no token field."""

    class Meta:
        csrf = False


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes (usable without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
