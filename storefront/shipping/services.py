"""Which delivery methods reach an address, and what tax applies there.

A zone names whole countries ("US") or single states of one ("US-AK"). For an address,
the zones naming its state win over those naming its whole country, so a shop can price
Alaska apart from the rest of the United States, or leave it out with a zone that has no
method. Tax: a state's rate wins over its country's; a place without one is taxed at 0
and listed for the admin (``untaxed_places``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import literal, select, union
from sqlalchemy.orm import selectinload

from storefront import addresses
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.shipping.models import ShippingMethod, ShippingZone, ShippingZoneArea, TaxRate


class NotDeliverable(DomainError):
    """Nothing the shop sends reaches this address (or the chosen method no longer does)."""

    status_code = 409

    def __init__(self, message: str, field: str = "country"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Place:
    """A destination: a country, and its state or province when it has them."""

    country: str
    area: str = ""

    @property
    def name(self) -> str:
        """"Alaska", "Japan"."""
        if self.area:
            return addresses.area_name(self.country, self.area)
        return addresses.country_name(self.country)

    @property
    def code(self) -> str:
        """"US-AK", "JP": how the admin writes it."""
        return f"{self.country}-{self.area}" if self.area else self.country


def place_of(address) -> Place:
    """The destination of an address (a dict with our field names, or an Address)."""
    get = address.get if isinstance(address, dict) else lambda name: getattr(address, name)
    return Place((get("country") or "").upper(), get("country_area") or "")


def zones_for(place: Place) -> list[ShippingZone]:
    """The zones delivering to ``place``: those naming its state, else its country."""
    rows = db.session.scalars(
        select(ShippingZoneArea).where(ShippingZoneArea.country == place.country,
                                       ShippingZoneArea.area.in_({place.area, ""}))
        .options(selectinload(ShippingZoneArea.zone).selectinload(ShippingZone.methods))
    ).all()
    specific = [row.zone for row in rows if place.area and row.area == place.area]
    return specific or [row.zone for row in rows if not row.area]


def methods_for(place: Place) -> list[ShippingMethod]:
    """The active delivery methods reaching ``place``, in the zones' order."""
    methods = [method for zone in zones_for(place) for method in zone.methods
               if method.active]
    return sorted(methods, key=lambda method: (method.position, method.price, method.id))


def method_for(method_id, place: Place) -> ShippingMethod | None:
    """The method ``method_id`` if it still delivers to ``place``."""
    return next((method for method in methods_for(place) if str(method.id) == str(method_id)),
                None)


def shipped_countries() -> list[tuple[str, str]]:
    """(code, name) of each country some active method reaches, by name."""
    codes = db.session.scalars(
        select(ShippingZoneArea.country).distinct()
        .join(ShippingMethod, ShippingMethod.zone_id == ShippingZoneArea.zone_id)
        .where(ShippingMethod.active)
    ).all()
    return sorted(((code, addresses.country_name(code)) for code in codes),
                  key=lambda choice: choice[1].casefold())


@dataclass(frozen=True)
class DeliveryZone:
    """A zone as the shipping page shows it: where it reaches and how."""

    name: str
    places: list[Place]
    methods: list[ShippingMethod]


def delivery_zones() -> list[DeliveryZone]:
    """Every zone some active method serves, with its places and active methods."""
    zones = db.session.scalars(
        select(ShippingZone).order_by(ShippingZone.name)
        .options(selectinload(ShippingZone.areas), selectinload(ShippingZone.methods))).all()
    shown = []
    for zone in zones:
        methods = [method for method in zone.methods if method.active]
        if methods:
            places = [Place(area.country, area.area) for area in zone.areas]
            shown.append(DeliveryZone(zone.name, places, methods))
    return shown


def check_deliverable(place: Place) -> None:
    """NotDeliverable, saying so, when no method reaches ``place``."""
    if methods_for(place):
        return
    countrywide = methods_for(Place(place.country)) or any(
        zone.methods for zone in db.session.scalars(
            select(ShippingZone).join(ShippingZoneArea)
            .where(ShippingZoneArea.country == place.country)))
    if place.area and countrywide:
        raise NotDeliverable(f"Sorry, we don't deliver to {place.name} at the moment.",
                             field="country_area")
    raise NotDeliverable(f"Sorry, we don't deliver to this country ({Place(place.country).name})"
                         " at the moment. Please choose one of the countries in the list.")


def tax_rate_for(place: Place) -> TaxRate | None:
    """The rate of ``place``'s state, else of its country; None when neither has one."""
    rates = db.session.scalars(select(TaxRate).where(
        TaxRate.country == place.country, TaxRate.area.in_({place.area, ""}))).all()
    return max(rates, key=lambda rate: bool(rate.area), default=None)


def tax_name(rate: TaxRate | None) -> str:
    return rate.name if rate is not None else current_app.config["TAX_LABEL"]


def untaxed_places() -> list[Place]:
    """Places some method delivers to that have no tax rate (they are taxed at 0): each
    state of a country-wide zone when the country has states, else the country."""
    delivered = (select(ShippingZoneArea.country, ShippingZoneArea.area, literal(False))
                 .join(ShippingMethod, ShippingMethod.zone_id == ShippingZoneArea.zone_id)
                 .where(ShippingMethod.active))
    rows = db.session.execute(  # one query: the dashboard shows this on every visit
        union(delivered, select(TaxRate.country, TaxRate.area, literal(True)))).all()
    rated = {(country, area) for country, area, is_rate in rows if is_rate}
    missing: dict[str, Place] = {}
    for country, area, is_rate in rows:
        if is_rate or (country, "") in rated:
            continue
        if area or not addresses.has_areas(country):
            places = [Place(country, area)]
        else:
            places = [Place(country, key) for key, _ in addresses.areas(country)]
        for place in places:
            if (place.country, place.area) not in rated:
                missing[place.code] = place
    return sorted(missing.values(), key=lambda place: (place.country, place.name))
