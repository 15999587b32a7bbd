"""The routines part of ``flask seed-demo``: the default rules, and the sun protection
factor of the demo's sunscreens (products that are not in the catalog are skipped)."""

from __future__ import annotations

from sqlalchemy import select

from storefront.catalog.models import Product
from storefront.extensions import db
from storefront.routines.defaults import seed_default_rules

# The SPF printed on each demo sunscreen's pack, by product slug.
SPF = {
    "mineral-sunscreen-spf50": 50,
    "tinted-mineral-sunscreen-spf30": 30,
    "oil-control-fluid-spf50": 50,
    "family-body-sunscreen-spf30": 30,
}


def _seed_spf() -> list[str]:
    products = db.session.scalars(select(Product).where(Product.slug.in_(sorted(SPF)),
                                                        Product.spf.is_(None)))
    named = []
    for product in products:
        product.spf = SPF[product.slug]
        named.append(product.slug)
    db.session.flush()
    return [f"Routines: set the SPF of {len(named)} sunscreens"] if named else []


def seed_routines() -> list[str]:
    """Create the missing default routine rules and the sunscreens' SPF. Flushes only."""
    return seed_default_rules() + _seed_spf()
