"""Accounts: customers, editors and admins."""

from storefront.accounts.logins import user_for_login
from storefront.extensions import login_manager


@login_manager.user_loader
def load_user(login_id: str):
    return user_for_login(login_id)
