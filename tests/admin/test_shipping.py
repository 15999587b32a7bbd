"""Admins edit where the shop delivers, how, and the tax of each place; every change audited.

Checkout follows at once: a zone's new state, a method's new price, a rate's new percent.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from storefront.audit.models import AuditEntry
from storefront.catalog.models import Variant
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.shipping.models import ShippingMethod, ShippingZone, TaxRate
from tests.factories import (
    US_ADDRESS,
    AdminFactory,
    EditorFactory,
    ProductFactory,
    VariantFactory,
    checkout_address,
    placed_order,
)
from tests.helpers import login, submit
from tests.helpers.pages import page

D = Decimal


@pytest.fixture
def admin(client, make, us_shop):
    user = make(AdminFactory)
    login(client, user.email)
    return user


def _zone(app, name: str) -> ShippingZone | None:
    with app.app_context():
        zone = db.session.scalar(select(ShippingZone).where(ShippingZone.name == name))
        if zone is not None:
            zone.areas, zone.methods  # noqa: B018  (loaded before the context closes)
            db.session.expunge_all()
        return zone


def _audit(app) -> list[tuple[str, str, dict | None, dict | None]]:
    with app.app_context():
        return [(entry.action, entry.summary, entry.before, entry.after)
                for entry in db.session.scalars(select(AuditEntry).where(
                    AuditEntry.action.startswith("shipping.")).order_by(AuditEntry.id))]


def _text(response) -> str:
    """The page's text: tags out, spaces collapsed."""
    return page(response).text.replace("( ", "(").replace(" )", ")")


def _untaxed_warning(client) -> str:
    """The words of the warning naming the places delivered to without a tax rate ('' when
    every place has one)."""
    return " ".join(page(client.get("/admin/shipping")).texts('.callout-warning[role="status"]'))


def test_the_page_lists_zones_deliveries_and_rates(client, admin):
    page = _text(client.get("/admin/shipping"))
    for shown in ("United States", "Alaska and Hawaii", "Canada", "Standard shipping",
                  "$5.95", "$50.00", "3 to 5 working days", "Washington", "WA sales tax",
                  "6.5%", "Alaska (US-AK)"):
        assert shown in page, shown
    assert 'href="/admin/shipping" aria-current="page">Shipping and tax' in client.get(
        "/admin/shipping").get_data(as_text=True)


def test_a_zone_is_created_changed_and_deleted_and_each_change_is_audited(app, client, admin):
    created = submit(client, "/admin/shipping/zones/new",
                     {"name": "  Pacific  Northwest ", "places": "US-WA, us-oregon\nUS-ID"})
    assert created.status_code == 303
    zone = _zone(app, "Pacific Northwest")
    assert [(a.country, a.area) for a in zone.areas] == [("US", "ID"), ("US", "OR"),
                                                         ("US", "WA")]
    url = f"/admin/shipping/zones/{zone.id}/edit"
    assert "US-ID, US-OR, US-WA" in _text(client.get(url))

    assert submit(client, url, {"name": "Pacific Northwest", "places": "US-WA, US-OR"}
                  ).status_code == 303
    assert [a.area for a in _zone(app, "Pacific Northwest").areas] == ["OR", "WA"]

    assert submit(client, f"/admin/shipping/zones/{zone.id}/delete", {},
                  form_url="/admin/shipping").status_code == 303
    assert _zone(app, "Pacific Northwest") is None
    assert _audit(app) == [
        ("shipping.zone_created", "Shipping zone Pacific Northwest created", None,
         {"name": "Pacific Northwest", "places": "US-ID, US-OR, US-WA"}),
        ("shipping.zone_changed", "Shipping zone Pacific Northwest changed",
         {"name": "Pacific Northwest", "places": "US-ID, US-OR, US-WA"},
         {"name": "Pacific Northwest", "places": "US-OR, US-WA"}),
        ("shipping.zone_deleted", "Shipping zone Pacific Northwest deleted",
         {"name": "Pacific Northwest", "places": "US-OR, US-WA", "methods": []}, None)]


@pytest.mark.parametrize(("places", "message"), [
    ("", "Enter at least one country, such as US."),
    ("XX", "“XX” is not a country code: use two letters, such as US, CA or DE."),
    ("US-Narnia", "United States has no state or province “Narnia”: use its code or name, "
                  "such as US-AL."),
    ("DE-Bavaria", "Germany has no states or provinces to choose from: write DE for the "
                   "whole country."),
])
def test_a_zone_with_places_that_do_not_exist_is_explained(client, admin, places, message):
    response = submit(client, "/admin/shipping/zones/new", {"name": "Z", "places": places})
    assert response.status_code == 422
    assert message in _text(response)


def test_a_zone_name_is_unique(client, admin):
    response = submit(client, "/admin/shipping/zones/new", {"name": "Canada", "places": "CA"})
    assert response.status_code == 422
    assert "There is already a zone called “Canada”." in _text(response)


def test_deliveries_are_added_and_changed_and_checkout_follows(app, client, admin):
    zone = _zone(app, "Canada")
    added = submit(client, f"/admin/shipping/zones/{zone.id}/methods/new", {
        "name": "Courier", "price": "24,50", "free_from": "", "min_days": "1",
        "max_days": "1", "position": "5", "active": "y"})
    assert added.status_code == 303
    with app.app_context():
        courier = db.session.scalar(select(ShippingMethod).where(
            ShippingMethod.name == "Courier"))
        assert (courier.price, courier.free_from, courier.label) == (
            D("24.50"), None, "Courier (1 working day)")
        method_id = courier.id
    refused = submit(client, f"/admin/shipping/methods/{method_id}/edit", {
        "name": "Courier", "price": "24.50", "min_days": "3", "max_days": "2",
        "position": "5", "active": "y"})
    assert refused.status_code == 422
    assert "The longest delivery time can't be shorter than the shortest." in _text(refused)

    assert submit(client, f"/admin/shipping/methods/{method_id}/edit", {
        "name": "Courier", "price": "19.00", "free_from": "150", "min_days": "1",
        "max_days": "2", "position": "5"}).status_code == 303  # unticked: not offered
    with app.app_context():
        courier = db.session.get(ShippingMethod, method_id)
        assert (courier.price, courier.free_from, courier.active) == (D("19.00"),
                                                                      D("150.00"), False)
    assert submit(client, f"/admin/shipping/methods/{method_id}/delete", {},
                  form_url="/admin/shipping").status_code == 303
    actions = [(action, summary) for action, summary, _, _ in _audit(app)]
    assert actions == [("shipping.method_created", "Delivery Courier (Canada) created"),
                       ("shipping.method_changed", "Delivery Courier (Canada) changed"),
                       ("shipping.method_deleted", "Delivery Courier (Canada) deleted")]
    changed = _audit(app)[1]
    assert (changed[2]["price"], changed[3]["price"], changed[3]["active"]) == (
        "24.50", "19.00", False)


def test_tax_rates_are_added_changed_and_deleted_and_the_warning_follows(app, client, admin):
    assert "Montana (US-MT)" in _untaxed_warning(client)
    added = submit(client, "/admin/shipping/taxes/new",
                   {"place": "us-montana", "name": "No sales tax", "percent": "0"})
    assert added.status_code == 303
    assert "Montana (US-MT)" not in _untaxed_warning(client)
    with app.app_context():
        montana = db.session.scalar(select(TaxRate).where(TaxRate.area == "MT"))
        rate_id, shipping_taxable = montana.id, montana.shipping_taxable
    assert shipping_taxable is False  # the box was not ticked

    duplicate = submit(client, "/admin/shipping/taxes/new",
                       {"place": "US-WA", "name": "Sales tax", "percent": "10.25"})
    assert duplicate.status_code == 422
    assert "Washington has a rate already; change that one." in _text(duplicate)
    too_much = submit(client, f"/admin/shipping/taxes/{rate_id}/edit",
                      {"place": "US-MT", "name": "Tax", "percent": "100"})
    assert too_much.status_code == 422
    assert "Enter a rate from 0 to 99.99 percent." in _text(
        too_much)
    assert submit(client, f"/admin/shipping/taxes/{rate_id}/edit", {
        "place": "US-MT", "name": "MT tax", "percent": "1.5", "shipping_taxable": "y"}
    ).status_code == 303
    with app.app_context():
        assert db.session.get(TaxRate, rate_id).rate == D("0.01500")
    assert submit(client, f"/admin/shipping/taxes/{rate_id}/delete", {},
                  form_url="/admin/shipping").status_code == 303
    assert [(action, summary) for action, summary, _, _ in _audit(app)] == [
        ("shipping.tax_rate_created", "Tax rate for Montana created: 0%"),
        ("shipping.tax_rate_changed", "Tax rate for Montana changed: 1.5%"),
        ("shipping.tax_rate_deleted", "Tax rate for Montana deleted")]


def test_a_changed_rate_applies_to_new_orders_only(app, client, admin, make):
    with app.app_context():
        variant = VariantFactory(product=ProductFactory(variant=False), price=D("100.00"))
        old = placed_order(variant, address=US_ADDRESS)
        db.session.commit()
        old_id, variant_id = old.id, variant.id
        rate_id = db.session.scalar(select(TaxRate.id).where(TaxRate.area == "WA"))
    submit(client, f"/admin/shipping/taxes/{rate_id}/edit",
           {"place": "US-WA", "name": "WA sales tax", "percent": "8.875",
            "shipping_taxable": "y"})
    with app.app_context():
        kept = db.session.get(Order, old_id)
        assert (kept.tax_rate, kept.tax_total, kept.lines[0].tax_amount) == (
            D("0.065"), D("6.50"), D("6.50"))
        new = placed_order(db.session.get(Variant, variant_id), address=US_ADDRESS)
        assert (new.tax_rate, new.tax_total) == (D("0.08875"), D("8.88"))
        assert checkout_address(US_ADDRESS).country_area == "WA"


def test_editors_cannot_change_shipping(client, make, us_shop):
    login(client, make(EditorFactory).email)
    assert client.get("/admin/shipping").status_code == 403
    assert client.get("/admin/shipping/taxes/new").status_code == 403
