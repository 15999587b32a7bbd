"""Users."""

from __future__ import annotations

import factory
from werkzeug.security import generate_password_hash

from storefront.accounts.models import Role, User
from storefront.db import utcnow
from tests.factories.base import BaseFactory
from tests.helpers import DEFAULT_PASSWORD
from tests.helpers.apps import TEST_PASSWORD_HASH_METHOD

__all__ = [
    "DEFAULT_PASSWORD",
    "AdminFactory",
    "EditorFactory",
    "UserFactory",
]

# Hashed once, as the test apps hash passwords (every factory user shares the password).
DEFAULT_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD,
                                               method=TEST_PASSWORD_HASH_METHOD)


class UserFactory(BaseFactory):
    class Meta:
        model = User

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    role = Role.CUSTOMER
    email_confirmed_at = factory.LazyFunction(utcnow)
    password_hash = DEFAULT_PASSWORD_HASH


class EditorFactory(UserFactory):
    role = Role.EDITOR


class AdminFactory(UserFactory):
    role = Role.ADMIN
