"""The delivery zones and tax rates each SHOP_PRESET starts with (``flask seed-demo``).

``us``: the Seattle practice ships to the United States (Alaska and Hawaii apart) and
Canada, and adds sales tax by state (a few states have a rate; the rest show up in the
admin as untaxed). ``eu``: ships to the European Union with prices including the VAT of
the country delivered to. The admin changes all of it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from storefront.extensions import db
from storefront.shipping.models import ShippingMethod, ShippingZone, ShippingZoneArea, TaxRate

D = Decimal


@dataclass(frozen=True)
class Method:
    name: str
    price: Decimal
    min_days: int
    max_days: int
    free_from: Decimal | None = None


@dataclass(frozen=True)
class Zone:
    name: str
    places: tuple[str, ...]  # "US", or "US-AK" for one state
    methods: tuple[Method, ...]


@dataclass(frozen=True)
class Rate:
    place: str
    name: str
    rate: Decimal
    shipping_taxable: bool = True


EU_COUNTRIES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR",
                "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI",
                "SK")
# Standard VAT rates (European Commission, 2025).
EU_VAT = {"AT": "0.20", "BE": "0.21", "BG": "0.20", "CY": "0.19", "CZ": "0.21", "DE": "0.19",
          "DK": "0.25", "EE": "0.24", "ES": "0.21", "FI": "0.255", "FR": "0.20", "GR": "0.24",
          "HR": "0.25", "HU": "0.27", "IE": "0.23", "IT": "0.22", "LT": "0.21", "LU": "0.17",
          "LV": "0.21", "MT": "0.18", "NL": "0.21", "PL": "0.23", "PT": "0.23", "RO": "0.21",
          "SE": "0.25", "SI": "0.22", "SK": "0.23"}

PRESETS: dict[str, tuple[tuple[Zone, ...], tuple[Rate, ...]]] = {
    "us": (
        (Zone("United States", ("US",), (
            Method("Standard shipping", D("5.95"), 3, 5, free_from=D("50.00")),
            Method("Express shipping", D("14.95"), 1, 2))),
         Zone("Alaska and Hawaii", ("US-AK", "US-HI"), (
             Method("Standard shipping", D("12.95"), 5, 8, free_from=D("100.00")),)),
         Zone("Canada", ("CA",), (
             Method("International shipping", D("14.95"), 6, 10, free_from=D("100.00")),
             Method("International express", D("29.95"), 2, 4)))),
        # State rates only (local rates are not added). Canada: nothing is collected here;
        # the parcel's taxes and duties are paid on import.
        (Rate("US-WA", "WA sales tax", D("0.065")),
         Rate("US-CA", "CA sales tax", D("0.0725"), shipping_taxable=False),
         Rate("US-NY", "NY sales tax", D("0.04")),
         Rate("US-TX", "TX sales tax", D("0.0625")),
         Rate("US-OR", "No sales tax", D("0")),
         Rate("CA", "Paid on import", D("0"), shipping_taxable=False)),
    ),
    "eu": (
        (Zone("European Union", EU_COUNTRIES, (
            Method("Standard delivery", D("4.90"), 3, 5, free_from=D("50.00")),
            Method("Express delivery", D("9.90"), 1, 2))),),
        tuple(Rate(country, "VAT", D(rate)) for country, rate in EU_VAT.items()),
    ),
}


def split_place(code: str) -> tuple[str, str]:
    """"US-AK" -> ("US", "AK"); "DE" -> ("DE", "")."""
    country, _, area = code.partition("-")
    return country.upper(), area


def add_zone(spec: Zone) -> ShippingZone:
    zone = ShippingZone(name=spec.name)
    zone.areas = [ShippingZoneArea(country=country, area=area)
                  for country, area in map(split_place, spec.places)]
    zone.methods = [ShippingMethod(name=m.name, price=m.price, free_from=m.free_from,
                                   min_days=m.min_days, max_days=m.max_days, position=i)
                    for i, m in enumerate(spec.methods)]
    db.session.add(zone)
    return zone


def add_rate(spec: Rate) -> TaxRate:
    country, area = split_place(spec.place)
    rate = TaxRate(country=country, area=area, name=spec.name, rate=spec.rate,
                   shipping_taxable=spec.shipping_taxable)
    db.session.add(rate)
    return rate


def seed_shipping(preset: str) -> list[str]:
    """Add the preset's zones (by name) and tax rates (by place) that are missing. Flushes."""
    zones, rates = PRESETS[preset]
    existing = set(db.session.scalars(select(ShippingZone.name)))
    made_zones = [add_zone(zone) for zone in zones if zone.name not in existing]
    rated = {(rate.country, rate.area) for rate in db.session.scalars(select(TaxRate))}
    made_rates = [add_rate(spec) for spec in rates if split_place(spec.place) not in rated]
    db.session.flush()
    if not made_zones and not made_rates:
        return [f"Shipping: the {preset} shop's zones and tax rates exist"]
    return [f"Shipping ({preset} shop): created {len(made_zones)} zones and "
            f"{len(made_rates)} tax rates"]
