"""What the admin areas' views share: who edits content, and the usual form POST."""

from __future__ import annotations

from storefront.accounts.models import Role

# Editors run the content; admins everything (each view names the roles it allows).
EDITORS = (Role.EDITOR, Role.ADMIN)
