"""Admin pages for where the shop delivers and what tax it charges: shipping zones, their
delivery methods, and tax rates by country or state.

The rules and the audit entries are in ``storefront.shipping.editing``.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.admin.common import save_form
from storefront.admin.settings.forms import MethodForm, RateForm, ZoneForm
from storefront.extensions import db
from storefront.security import roles_required
from storefront.shipping import editing
from storefront.shipping import services as shipping
from storefront.shipping.models import ShippingMethod, ShippingZone, TaxRate


def _zones() -> Sequence[ShippingZone]:
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


def _save(form, action, success, template: str, **context):
    """Save a shipping form; back to the overview, or the form again with the problems."""
    return save_form(form, action, success=success, redirect_to=url_for("admin.shipping"),
                     template=template, **context)


def _zone_page(form: ZoneForm, zone: ShippingZone | None):
    return _save(form, lambda: editing.save_zone(zone, name=form.name.data,
                                                 places=form.places.data, actor=current_user),
                 lambda saved: f"Shipping zone {saved.name} saved.",
                 "admin/shipping/zone_form.html", zone=zone)


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
    return _save(form, lambda: editing.save_method(zone, method, form.settings(),
                                                   actor=current_user),
                 lambda saved: f"Delivery {saved.name} ({zone.name}) saved.",
                 "admin/shipping/method_form.html", zone=zone, method=method)


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
    def save() -> tuple[TaxRate, str]:
        saved = editing.save_rate(rate, place=form.place.data, name=form.name.data,
                                  percent=form.percent.data,
                                  shipping_taxable=form.shipping_taxable.data,
                                  actor=current_user)
        return saved, shipping.Place(saved.country, saved.area).name

    return _save(form, save, lambda done: f"Tax rate for {done[1]} saved: {done[0].percent}.",
                 "admin/shipping/rate_form.html", rate=rate)


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

