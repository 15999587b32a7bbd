"""The delivery zones and tax rates each SHOP_PRESET starts with (``flask seed-demo``,
from ``data/shipping.toml``).

``us``: the Seattle practice ships to the United States (Alaska and Hawaii apart) and
Canada, and adds sales tax by state (a few states have a rate; the rest show up in the
admin as untaxed). ``eu``: ships to the European Union with prices including the VAT of
the country delivered to. The admin changes all of it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from storefront.demo import files
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


def _zone(row: dict[str, Any]) -> Zone:
    return Zone(row["name"], tuple(row["places"]), tuple(
        Method(method["name"], D(method["price"]), method["min_days"], method["max_days"],
               free_from=D(method["free_from"]) if "free_from" in method else None)
        for method in row["methods"]))


def _rate(row: dict[str, Any]) -> Rate:
    return Rate(row["place"], row["name"], D(row["rate"]),
                shipping_taxable=row.get("shipping_taxable", True))


def load_presets() -> dict[str, tuple[tuple[Zone, ...], tuple[Rate, ...]]]:
    """Each preset's zones and tax rates, as ``data/shipping.toml`` has them."""
    return {preset: (tuple(map(_zone, data.get("zones", ()))),
                     tuple(map(_rate, data.get("rates", ()))))
            for preset, data in files.table("shipping").items()}


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
    zones, rates = load_presets()[preset]
    existing = set(db.session.scalars(select(ShippingZone.name)))
    made_zones = [add_zone(zone) for zone in zones if zone.name not in existing]
    rated = {(rate.country, rate.area) for rate in db.session.scalars(select(TaxRate))}
    made_rates = [add_rate(spec) for spec in rates if split_place(spec.place) not in rated]
    db.session.flush()
    if not made_zones and not made_rates:
        return [f"Shipping: the {preset} shop's zones and tax rates exist"]
    return [f"Shipping ({preset} shop): created {len(made_zones)} zones and "
            f"{len(made_rates)} tax rates"]
