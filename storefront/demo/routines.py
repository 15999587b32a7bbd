"""The routines part of ``flask seed-demo``: the default rules, and the sun protection
factor of the demo's sunscreens (``data/routines.toml``; products that are not in the
catalog are skipped)."""

from __future__ import annotations

from sqlalchemy import select

from storefront.catalog.models import Product
from storefront.demo import files
from storefront.extensions import db
from storefront.routines.defaults import seed_default_rules


def load_spf() -> dict[str, int]:
    """The SPF printed on each demo sunscreen's pack, by product slug."""
    return files.table("routines")["spf"]


def _seed_spf() -> list[str]:
    spf = load_spf()
    products = db.session.scalars(select(Product).where(Product.slug.in_(sorted(spf)),
                                                        Product.spf.is_(None)))
    named = []
    for product in products:
        product.spf = spf[product.slug]
        named.append(product.slug)
    db.session.flush()
    return [f"Routines: set the SPF of {len(named)} sunscreens"] if named else []


def seed_routines() -> list[str]:
    """Create the missing default routine rules and the sunscreens' SPF. Flushes only."""
    return seed_default_rules() + _seed_spf()
