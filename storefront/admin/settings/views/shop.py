"""Admin: the shop's particulars (name, contact e-mail, postal address), shown in the
footer of every page, in every e-mail and on the contact and legal pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.extensions import db
from storefront.forms import INVALID_FORM_STATUS, ShopForm, attach_error
from storefront.security import roles_required
from storefront.settings import services
from storefront.settings.services import environment_info


class ShopSettingsForm(ShopForm):
    name = StringField("Shop name", validators=[Length(max=services.NAME_MAX)])
    email = StringField("Contact e-mail", validators=[Length(max=services.EMAIL_MAX)],
                        render_kw={"autocomplete": "off", "inputmode": "email"})
    address = TextAreaField("Postal address", validators=[Length(max=1000)],
                            render_kw={"rows": 5})


def _page(form: ShopSettingsForm, status: int = 200):
    html = render_template("admin/settings.html", form=form, defaults=environment_info())
    return html, status


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def shop_settings():
    if request.method == "GET":
        saved = services.current_settings()
        data = ({name: getattr(saved, name) for name in services.AUDIT_FIELDS}
                if saved is not None else {})
        return _page(ShopSettingsForm(data=data))
    form = ShopSettingsForm()
    if not form.validate_on_submit():
        return _page(form, INVALID_FORM_STATUS)
    try:
        services.save_settings(form.name.data, form.email.data, form.address.data,
                               actor=current_user)
    except services.SettingsError as error:
        db.session.rollback()
        attach_error(form, error.message, error.field)
        return _page(form, INVALID_FORM_STATUS)
    db.session.commit()
    flash("The shop's settings are saved.", "success")
    return redirect(url_for("admin.shop_settings"), code=303)
