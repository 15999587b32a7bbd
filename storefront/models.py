"""Imports every model so that metadata (create_all, Alembic) sees the whole schema."""

from storefront.accounts.models import Role, User
from storefront.mail.models import OutboxMessage

__all__ = ["OutboxMessage", "Role", "User"]
