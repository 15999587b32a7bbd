"""Admin: the shop's particulars (name, contact e-mail, postal address), shown in the
footer of every page, in every e-mail and on the contact and legal pages."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.admin.common import save_form
from storefront.admin.settings.forms import ShopSettingsForm
from storefront.security import roles_required
from storefront.settings import services
from storefront.settings.services import environment_info


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
    return save_form(
        form, lambda: services.save_settings(form.name.data, form.email.data,
                                             form.address.data, actor=current_user),
        success="The shop's settings are saved.", redirect_to=url_for("admin.shop_settings"),
        page=lambda status: _page(form, status))
