"""Demo content for ``flask seed-demo``. Each part is looked up before it is made."""

from __future__ import annotations

from flask import current_app

from storefront.accounts import services as account_services
from storefront.accounts.models import Role, User
from storefront.catalog.demo import seed_catalog
from storefront.content.demo import seed_content
from storefront.content.demo_pages import SETTINGS
from storefront.db import utcnow
from storefront.extensions import db
from storefront.reviews.demo import seed_reviews
from storefront.routines.demo import seed_routines
from storefront.search.synonyms import seed_demo_synonyms
from storefront.settings.models import ShopSettings
from storefront.settings.services import current_settings
from storefront.shipping.presets import seed_shipping

DEMO_STAFF = [
    ("admin@example.com", "Demo Admin", "demo-admin-pass", Role.ADMIN),
    ("editor@example.com", "Dr. Maren Halden", "demo-editor-pass", Role.EDITOR),
]


def _seed_staff() -> list[str]:
    lines = []
    for email, name, password, role in DEMO_STAFF:
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
    db.session.add(ShopSettings(**SETTINGS))
    db.session.flush()
    return [f"Set the shop's particulars: {SETTINGS['name']}, {SETTINGS['email']}"]


def _feature_seeders():
    return [_seed_shop_settings, _seed_shipping, seed_catalog, seed_content, seed_reviews,
            seed_routines, seed_demo_synonyms]
