"""The people area's form: a user's role (the rules are in ``storefront.accounts.services``)."""

from wtforms import SelectChoice, SelectField

from storefront.accounts.models import Role
from storefront.forms import ShopForm


class RoleForm(ShopForm):
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, role.label) for role in Role],
        validate_choice=True,
    )
