"""``flask seed-demo``: the demo shop, part by part (staff, particulars, shipping, catalog,
content, reviews, routines, synonyms). Each part is looked up before it is made."""

from __future__ import annotations

from flask import current_app

from storefront.accounts import services as account_services
from storefront.accounts.models import Role, User
from storefront.db import utcnow
from storefront.demo import files
from storefront.demo.catalog import seed_catalog
from storefront.demo.content import seed_content
from storefront.demo.reviews import seed_reviews
from storefront.demo.routines import seed_routines
from storefront.demo.shipping import seed_shipping
from storefront.extensions import db
from storefront.search.synonyms import seed_defaults as seed_default_synonyms
from storefront.settings.models import ShopSettings
from storefront.settings.services import current_settings


def _seed_staff() -> list[str]:
    lines = []
    for row in files.table("staff")["staff"]:
        email, name, password, role = row["email"], row["name"], row["password"], Role(row["role"])
        user = account_services.find_user_by_email(email)
        if user is None:
            user = User(email=email, name=name, role=role, email_confirmed_at=utcnow())
            user.set_password(password)
            db.session.add(user)
            lines.append(f"Created {role.value} {email} with password {password}")
        else:
            lines.append(f"{role.value.capitalize()} {email} exists (password {password} "
                         "unless you changed it)")
    db.session.flush()
    return lines


def seed() -> list[str]:
    """Create whatever demo content is missing and say what was done. Flushes only."""
    lines = _seed_staff()
    # Each feature seeds its own part, in dependency order (content links to products).
    for seeder in _feature_seeders():
        lines.extend(seeder())
    return lines


def _seed_shipping() -> list[str]:
    return seed_shipping(current_app.config["SHOP_PRESET"])


def _seed_shop_settings() -> list[str]:
    if current_settings() is not None:
        return []
    settings = files.table("shop")["settings"]
    db.session.add(ShopSettings(**settings))
    db.session.flush()
    return [f"Set the shop's particulars: {settings['name']}, {settings['email']}"]


def _seed_synonyms() -> list[str]:
    """The default search synonyms, unless there are rules already."""
    added = seed_default_synonyms()
    return [f"Search: added {added} synonyms" if added else "Search: synonyms exist"]


def _feature_seeders():
    return [_seed_shop_settings, _seed_shipping, seed_catalog, seed_content, seed_reviews,
            seed_routines, _seed_synonyms]
