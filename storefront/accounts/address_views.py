"""The address book in a customer's account: list, add, edit, delete, choose the default.

The form is checkout's address form (``storefront.checkout.forms.address_form``): the
fields of the chosen country, checked by ``storefront.addresses.normalise``; choosing
another country and pressing "Update the form" shows its fields (JavaScript does it on
change, without leaving the page).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from storefront import addresses
from storefront.accounts import address_book
from storefront.checkout import forms
from storefront.extensions import db
from storefront.forms import INVALID_FORM_STATUS, ShopForm, attach_error
from storefront.security import MAX_ID
from storefront.shipping import services as shipping

bp = Blueprint("addresses", __name__, url_prefix="/account/addresses")


def _countries() -> list[tuple[str, str]]:
    return shipping.shipped_countries()


def _mine(address_id: int):
    saved = (address_book.address_of(current_user.id, address_id)
             if 0 < address_id <= MAX_ID else None)
    if saved is None:
        abort(404)
    return saved


@bp.get("/")
@login_required
def list_addresses():
    return render_template("accounts/addresses.html",
                           saved=address_book.addresses_of(current_user.id),
                           button_form=ShopForm())


def _form_page(form, saved=None, status: int = 200, make_default: bool = False):
    html = render_template("accounts/address_form.html", form=form, saved=saved,
                           countries=_countries(), make_default=make_default)
    return html, status


def _submitted(saved=None):
    """A posted address form: another country's fields, the form again, or saved."""
    countries = _countries()
    form = forms.address_form(request.form.get("country", ""), countries)
    make_default = request.form.get("make_default") == "y"
    if request.form.get("action") == "country":
        return _form_page(form, saved, make_default=make_default)
    if not form.validate_on_submit():
        return _form_page(form, saved, INVALID_FORM_STATUS, make_default)
    try:
        if saved is None:
            address_book.add_address(current_user.id, form.address, make_default=make_default)
        else:
            address_book.update_address(saved, form.address, make_default=make_default)
    except (addresses.AddressInvalid, address_book.AddressBookFull) as error:
        db.session.rollback()
        for name, message in getattr(error, "errors", {None: error.args[0]}).items():
            attach_error(form, message, name)
        return _form_page(form, saved, INVALID_FORM_STATUS, make_default)
    db.session.commit()
    flash("The address is saved in your address book.", "success")
    return redirect(url_for("addresses.list_addresses"), 303)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_address():
    if request.method == "POST":
        return _submitted()
    countries = _countries()
    country = addresses.default_country()
    if countries and country not in {code for code, _ in countries}:
        country = countries[0][0]
    form = forms.address_form(country, countries, data={"country": country,
                                                        "name": current_user.name})
    return _form_page(form)


@bp.route("/<int:address_id>/edit", methods=["GET", "POST"])
@login_required
def edit_address(address_id: int):
    saved = _mine(address_id)
    if request.method == "POST":
        return _submitted(saved)
    data = address_book.as_dict(saved)
    countries = _countries()
    if data["country"] not in {code for code, _ in countries}:  # no longer delivered to
        countries = [*countries, (data["country"], addresses.country_name(data["country"]))]
    form = forms.address_form(data["country"], countries, data=data)
    return _form_page(form, saved, make_default=saved.is_default)


def _button(address_id: int, change, message: str):
    saved = _mine(address_id)
    if not ShopForm().validate_on_submit():
        abort(400)
    change(saved)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("addresses.list_addresses"), 303)


@bp.post("/<int:address_id>/delete")
@login_required
def delete_address(address_id: int):
    return _button(address_id, address_book.delete_address,
                   "The address is deleted from your address book.")


@bp.post("/<int:address_id>/default")
@login_required
def make_default(address_id: int):
    return _button(address_id, address_book.set_default,
                   "That address is now your default: checkout offers it first.")
