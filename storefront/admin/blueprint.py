"""The one admin blueprint; every admin module adds its routes to ``bp``."""

from flask import Blueprint, abort
from flask_login import current_user

from storefront.accounts.models import Role
from storefront.extensions import login_manager

bp = Blueprint("admin", __name__, url_prefix="/admin")

STAFF = (Role.EDITOR, Role.ADMIN)


@bp.before_request
def staff_only():
    """Defence in depth: no /admin page answers anyone who is not staff.

    Each view still names the roles it allows (``roles_required``): editors run the
    content, admins everything.
    """
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in STAFF:
        abort(403)
    return None
