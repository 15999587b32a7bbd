from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from storefront.accounts.models import Role


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, role.label) for role in Role],
        validate_choice=True,
    )
