"""Admin pages for where the shop delivers and what tax it charges: shipping zones, their
delivery methods, and tax rates by country or state.

The rules and the audit entries are in ``storefront.shipping.editing``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.admin.forms import amount_check
from storefront.content.forms import clean_text
from storefront.extensions import db
from storefront.forms import INVALID_FORM_STATUS, ShopForm, attach_error
from storefront.security import roles_required
from storefront.shipping import editing
from storefront.shipping import services as shipping
from storefront.shipping.models import ShippingMethod, ShippingZone, TaxRate

MAX_DAYS = 365
PERCENT_PLACES = 3  # 8.875 %: a rate keeps five decimals (0.08875)


class ZoneForm(ShopForm):
    name = StringField("Name", filters=[clean_text],
                       validators=[DataRequired("Give the zone a name."),
                                   Length(max=80, message="Use at most 80 characters.")],
                       render_kw={"maxlength": 80})
    places = TextAreaField(
        "Countries and states",
        validators=[DataRequired("Enter at least one country, such as US."),
                    Length(max=4000, message="Use at most 4,000 characters.")],
        render_kw={"rows": 4},
        description="Two-letter country codes, separated by commas or lines: US, CA. For one "
                    "state or province write the country, a dash and its code or name: US-AK, "
                    "US-Hawaii. Addresses in a state listed in some zone get only that "
                    "zone's deliveries; the rest of the country gets those of the zones "
                    "listing the whole country.")


def _days(label: str) -> IntegerField:
    return IntegerField(label, validators=[
        InputRequired("Enter a number of working days."),
        NumberRange(min=0, max=MAX_DAYS, message=f"Enter 0 to {MAX_DAYS} days.")],
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_DAYS})


class MethodForm(ShopForm):
    name = StringField("Name", filters=[clean_text],
                       validators=[DataRequired("Give the delivery a name."),
                                   Length(max=80, message="Use at most 80 characters.")],
                       render_kw={"maxlength": 80},
                       description="What shoppers choose, such as “Standard shipping”.")
    price = StringField("Price", validators=[InputRequired("Enter the price (0 for free)."),
                                             amount_check(optional=False, allow_zero=True)],
                        render_kw={"inputmode": "decimal", "maxlength": 14})
    free_from = StringField("Free from (optional)",
                            validators=[amount_check(optional=True, allow_zero=True)],
                            render_kw={"inputmode": "decimal", "maxlength": 14},
                            description="Free when the goods, after any discount, cost at "
                                        "least this. Empty: never free.")
    min_days = _days("Shortest delivery time (working days)")
    max_days = _days("Longest delivery time (working days)")
    position = IntegerField("Order in the list", default=0,
                            validators=[Optional(), NumberRange(min=0, max=1000, message=(
                                "Enter 0 to 1,000."))],
                            render_kw={"inputmode": "numeric"},
                            description="Lower numbers are listed first.")
    active = BooleanField("Offered to shoppers", default=True)

    def settings(self) -> editing.MethodSettings:
        return editing.MethodSettings(
            name=self.name.data, price=self.price.data, free_from=self.free_from.data,
            min_days=self.min_days.data, max_days=self.max_days.data,
            position=self.position.data or 0, active=self.active.data)


class RateForm(ShopForm):
    place = StringField("Country or state",
                        validators=[DataRequired("Enter the country, such as DE, or a state, "
                                                 "such as US-WA.")],
                        render_kw={"maxlength": 110, "autocomplete": "off"},
                        description="A country code (DE), or the country, a dash and a state "
                                    "or province (US-WA). A state's rate wins over its "
                                    "country's.")
    name = StringField("Name on the bill", filters=[clean_text],
                       validators=[DataRequired("Name the tax, such as VAT or Sales tax."),
                                   Length(max=40, message="Use at most 40 characters.")],
                       render_kw={"maxlength": 40})
    percent = StringField("Rate (%)", validators=[InputRequired("Enter the rate in percent.")],
                          render_kw={"inputmode": "decimal", "maxlength": 8},
                          description="6.5 for 6.5 %, 8.875 for 8.875 %. 0 charges no tax "
                                      "there (and says so on the bill).")

    def validate_percent(self, field) -> None:
        try:
            value = Decimal((field.data or "").strip().rstrip("%").replace(",", "."))
        except InvalidOperation as error:
            raise ValidationError("Enter the rate as a number, such as 6.5.") from error
        if not value.is_finite() or value.as_tuple().exponent < -PERCENT_PLACES:
            raise ValidationError(f"Enter the rate with at most {PERCENT_PLACES} decimals, "
                                  "such as 8.875.")
        field.data = value
    shipping_taxable = BooleanField("Delivery is taxed too", default=True)


def _zones() -> list[ShippingZone]:
    return db.session.scalars(select(ShippingZone).order_by(ShippingZone.name).options(
        selectinload(ShippingZone.areas), selectinload(ShippingZone.methods))).all()


@bp.get("/shipping", endpoint="shipping")
@roles_required(Role.ADMIN)
def shipping_overview():
    rates = db.session.scalars(select(TaxRate).order_by(TaxRate.country, TaxRate.area)).all()
    return render_template("admin/shipping/index.html", zones=_zones(), rates=rates,
                           untaxed=shipping.untaxed_places(), place=shipping.Place,
                           places_text=editing.places_text)


def _saved(message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.shipping"), 303)


def _refused(form, error: editing.ShippingError, template: str, **context):
    db.session.rollback()
    attach_error(form, error.message, error.field)
    return render_template(template, form=form, **context), INVALID_FORM_STATUS


def _zone_page(form: ZoneForm, zone: ShippingZone | None):
    template = "admin/shipping/zone_form.html"
    if form.validate_on_submit():
        try:
            saved = editing.save_zone(zone, name=form.name.data, places=form.places.data,
                                      actor=current_user)
        except editing.ShippingError as error:
            return _refused(form, error, template, zone=zone)
        return _saved(f"Shipping zone {saved.name} saved.")
    status = INVALID_FORM_STATUS if request.method == "POST" else 200
    return render_template(template, form=form, zone=zone), status


@bp.route("/shipping/zones/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def shipping_zone_new():
    return _zone_page(ZoneForm(), None)


@bp.route("/shipping/zones/<int:zone_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def shipping_zone_edit(zone_id: int):
    zone = db.get_or_404(ShippingZone, zone_id)
    form = ZoneForm(data={"name": zone.name, "places": editing.places_text(zone)})
    return _zone_page(form, zone)


@bp.post("/shipping/zones/<int:zone_id>/delete")
@roles_required(Role.ADMIN)
def shipping_zone_delete(zone_id: int):
    zone = db.get_or_404(ShippingZone, zone_id)
    name = zone.name
    editing.delete_zone(zone, actor=current_user)
    return _saved(f"Shipping zone {name} deleted; nothing is delivered there unless another "
                  "zone covers it.")


def _method_data(method: ShippingMethod) -> dict:
    return {"name": method.name, "price": f"{method.price:f}",
            "free_from": f"{method.free_from:f}" if method.free_from is not None else "",
            "min_days": method.min_days, "max_days": method.max_days,
            "position": method.position, "active": method.active}


def _method_page(form: MethodForm, zone: ShippingZone, method: ShippingMethod | None):
    template = "admin/shipping/method_form.html"
    if form.validate_on_submit():
        try:
            saved = editing.save_method(zone, method, form.settings(), actor=current_user)
        except editing.ShippingError as error:
            return _refused(form, error, template, zone=zone, method=method)
        return _saved(f"Delivery {saved.name} ({zone.name}) saved.")
    status = INVALID_FORM_STATUS if request.method == "POST" else 200
    return render_template(template, form=form, zone=zone, method=method), status


@bp.route("/shipping/zones/<int:zone_id>/methods/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def shipping_method_new(zone_id: int):
    zone = db.get_or_404(ShippingZone, zone_id)
    return _method_page(MethodForm(data={"min_days": 3, "max_days": 5, "active": True}),
                        zone, None)


@bp.route("/shipping/methods/<int:method_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def shipping_method_edit(method_id: int):
    method = db.get_or_404(ShippingMethod, method_id)
    return _method_page(MethodForm(data=_method_data(method)), method.zone, method)


@bp.post("/shipping/methods/<int:method_id>/delete")
@roles_required(Role.ADMIN)
def shipping_method_delete(method_id: int):
    method = db.get_or_404(ShippingMethod, method_id)
    label = f"{method.name} ({method.zone.name})"
    editing.delete_method(method, actor=current_user)
    return _saved(f"Delivery {label} deleted.")


def _rate_page(form: RateForm, rate: TaxRate | None):
    template = "admin/shipping/rate_form.html"
    if form.validate_on_submit():
        try:
            saved = editing.save_rate(rate, place=form.place.data, name=form.name.data,
                                      percent=form.percent.data,
                                      shipping_taxable=form.shipping_taxable.data,
                                      actor=current_user)
        except editing.ShippingError as error:
            return _refused(form, error, template, rate=rate)
        where = shipping.Place(saved.country, saved.area).name
        return _saved(f"Tax rate for {where} saved: {saved.percent}.")
    status = INVALID_FORM_STATUS if request.method == "POST" else 200
    return render_template(template, form=form, rate=rate), status


@bp.route("/shipping/taxes/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def shipping_rate_new():
    place = request.args.get("place", "")[:110]
    form = RateForm(data={"place": place, "name": current_app.config["TAX_LABEL"],
                          "shipping_taxable": True})
    return _rate_page(form, None)


@bp.route("/shipping/taxes/<int:rate_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def shipping_rate_edit(rate_id: int):
    rate = db.get_or_404(TaxRate, rate_id)
    form = RateForm(data={"place": shipping.Place(rate.country, rate.area).code,
                          "name": rate.name, "percent": f"{(rate.rate * 100).normalize():f}",
                          "shipping_taxable": rate.shipping_taxable})
    return _rate_page(form, rate)


@bp.post("/shipping/taxes/<int:rate_id>/delete")
@roles_required(Role.ADMIN)
def shipping_rate_delete(rate_id: int):
    rate = db.get_or_404(TaxRate, rate_id)
    where = shipping.Place(rate.country, rate.area).name
    editing.delete_rate(rate, actor=current_user)
    return _saved(f"Tax rate for {where} deleted; orders there are no longer taxed "
                  f"unless {'its country has' if rate.area else 'it gets'} a rate.")

