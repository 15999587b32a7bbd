"""Accounts: customers, editors and admins."""

from storefront.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str):
    from storefront.accounts.models import User

    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_token != token:
        return None
    return user
