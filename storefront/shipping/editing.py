"""Changing zones, delivery methods and tax rates (the admin's pages call these).

Each change is checked here, audited, and flushed; the view commits. Orders keep what they
were placed with, so editing or deleting a method or rate never changes an order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from storefront import addresses
from storefront.audit import services as audit
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.shipping.models import ShippingMethod, ShippingZone, ShippingZoneArea, TaxRate
from storefront.shipping.services import Place

ZONE_FIELDS = ["name", "places"]
METHOD_FIELDS = ["name", "price", "free_from", "min_days", "max_days", "position", "active"]
RATE_FIELDS = ["country", "area", "name", "rate", "shipping_taxable"]


class ShippingError(DomainError):
    """A setting that can't be saved; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# Places ------------------------------------------------------------------------------------

def parse_place(text: str) -> Place:
    """"US" or "DE" (a whole country), "US-AK" or "US-Alaska" (one of its states)."""
    raw = text.strip()
    country, _, area = raw.partition("-")
    country = country.strip().upper()
    if not addresses.is_country(country):
        raise ShippingError(f"“{raw}” is not a country code: use two letters, such as US, "
                            "CA or DE.", "places")
    if not area.strip():
        return Place(country)
    key = addresses.area_key(country, area)
    if key is None:
        name, choices = addresses.country_name(country), addresses.areas(country)
        if not choices:
            raise ShippingError(f"{name} has no states or provinces to choose from: write "
                                f"{country} for the whole country.", "places")
        raise ShippingError(f"{name} has no state or province “{area.strip()}”: use its "
                            f"code or name, such as {country}-{choices[0][0]}.", "places")
    return Place(country, key)


def parse_places(text: str) -> list[Place]:
    """One place per line or comma, each once."""
    found = [parse_place(part) for part in re.split(r"[,\n;]+", text or "") if part.strip()]
    if not found:
        raise ShippingError("Enter at least one country, such as US.", "places")
    return list(dict.fromkeys(found))


def places_text(zone: ShippingZone) -> str:
    places = sorted((area.country, area.area) for area in zone.areas)
    return ", ".join(Place(country, area).code for country, area in places)


def _zone_snapshot(zone: ShippingZone) -> dict:
    return {"name": zone.name, "places": places_text(zone)}


# Zones -------------------------------------------------------------------------------------

def save_zone(zone: ShippingZone | None, *, name: str, places: str, actor) -> ShippingZone:
    """Create a zone (``zone`` None) or change its name and places; audited."""
    name = " ".join((name or "").split())
    if not name:
        raise ShippingError("Give the zone a name, such as “United States”.", "name")
    wanted = parse_places(places)
    clash = db.session.scalar(select(ShippingZone).where(ShippingZone.name == name))
    if clash is not None and clash is not zone:
        raise ShippingError(f"There is already a zone called “{name}”.", "name")
    before = _zone_snapshot(zone) if zone is not None else None
    if zone is None:
        zone = ShippingZone(name=name)
        db.session.add(zone)
    zone.name = name
    kept = {(area.country, area.area): area for area in zone.areas}
    zone.areas = [kept.get((place.country, place.area))
                  or ShippingZoneArea(country=place.country, area=place.area)
                  for place in wanted]
    db.session.flush()
    verb = "created" if before is None else "changed"
    audit.record(actor, f"shipping.zone_{verb}", zone, f"Shipping zone {zone.name} {verb}",
                 before=before, after=_zone_snapshot(zone))
    return zone


def delete_zone(zone: ShippingZone, *, actor) -> None:
    """Delete a zone with its methods (orders keep the delivery they were placed with)."""
    before = {**_zone_snapshot(zone), "methods": [method.label for method in zone.methods]}
    audit.record(actor, "shipping.zone_deleted", zone, f"Shipping zone {zone.name} deleted",
                 before=before)
    db.session.delete(zone)
    db.session.flush()


# Methods -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MethodSettings:
    name: str
    price: Decimal
    free_from: Decimal | None
    min_days: int
    max_days: int
    position: int = 0
    active: bool = True


def _check_method(settings: MethodSettings) -> None:
    if not settings.name.strip():
        raise ShippingError("Give the delivery a name, such as “Standard shipping”.", "name")
    if settings.max_days < settings.min_days:
        raise ShippingError("The longest delivery time can't be shorter than the shortest.",
                            "max_days")


def save_method(zone: ShippingZone, method: ShippingMethod | None, settings: MethodSettings,
                *, actor) -> ShippingMethod:
    """Add a delivery method to ``zone`` or change one; audited."""
    _check_method(settings)
    before = audit.snapshot(method, METHOD_FIELDS) if method is not None else None
    if method is None:
        method = ShippingMethod(zone=zone)
        db.session.add(method)
    for field in METHOD_FIELDS:
        setattr(method, field, getattr(settings, field))
    method.name = " ".join(settings.name.split())
    db.session.flush()
    verb = "created" if before is None else "changed"
    audit.record(actor, f"shipping.method_{verb}", method,
                 f"Delivery {method.name} ({zone.name}) {verb}", before=before,
                 after=audit.snapshot(method, METHOD_FIELDS))
    return method


def delete_method(method: ShippingMethod, *, actor) -> None:
    audit.record(actor, "shipping.method_deleted", method,
                 f"Delivery {method.name} ({method.zone.name}) deleted",
                 before=audit.snapshot(method, METHOD_FIELDS))
    db.session.delete(method)
    db.session.flush()


# Tax rates ---------------------------------------------------------------------------------

def save_rate(rate: TaxRate | None, *, place: str, name: str, percent: Decimal,
              shipping_taxable: bool, actor) -> TaxRate:
    """Create or change the tax rate of a place (a country, or one of its states)."""
    where = parse_place(place) if place.strip() else None
    if where is None:
        raise ShippingError("Enter the country, or country-state, such as US-WA.", "place")
    if not 0 <= percent < 100:
        raise ShippingError("Enter a rate from 0 to 99.99 percent.", "percent")
    clash = db.session.scalar(select(TaxRate).where(TaxRate.country == where.country,
                                                    TaxRate.area == where.area))
    if clash is not None and clash is not rate:
        raise ShippingError(f"{where.name} has a rate already; change that one.", "place")
    before = audit.snapshot(rate, RATE_FIELDS) if rate is not None else None
    if rate is None:
        rate = TaxRate()
        db.session.add(rate)
    rate.country, rate.area = where.country, where.area
    rate.name = " ".join((name or "").split()) or "Tax"
    rate.rate = (Decimal(percent) / 100).quantize(Decimal("0.00001"))
    rate.shipping_taxable = shipping_taxable
    db.session.flush()
    verb = "created" if before is None else "changed"
    audit.record(actor, f"shipping.tax_rate_{verb}", rate,
                 f"Tax rate for {where.name} {verb}: {rate.percent}", before=before,
                 after=audit.snapshot(rate, RATE_FIELDS))
    return rate


def delete_rate(rate: TaxRate, *, actor) -> None:
    place = Place(rate.country, rate.area)
    audit.record(actor, "shipping.tax_rate_deleted", rate, f"Tax rate for {place.name} "
                 "deleted", before=audit.snapshot(rate, RATE_FIELDS))
    db.session.delete(rate)
    db.session.flush()
