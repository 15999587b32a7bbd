"""Admin area "people" (admins): users and their roles, and the audit log. The rules are in
``storefront.accounts.services``."""
