"""Admin pages for discount codes: the list with usage, create, edit, deactivate.

The rules a code's settings must follow, and the audit entries, are in
``storefront.discounts.services`` (``save_code``, ``deactivate``).
"""

from __future__ import annotations

from datetime import UTC

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.admin.forms import amount_check
from storefront.content.forms import clean_text
from storefront.db import utcnow
from storefront.discounts import services as discounts
from storefront.discounts.models import DiscountCode, DiscountKind, normalise_code
from storefront.extensions import db
from storefront.forms import ShopForm, attach_error
from storefront.security import roles_required

CODES_PER_PAGE = 50
LIMIT_MAX = 1_000_000
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _limit(label: str) -> IntegerField:
    return IntegerField(
        label, validators=[Optional(), NumberRange(min=1, max=LIMIT_MAX, message=(
            f"Enter a whole number from 1 to {LIMIT_MAX:,}, or leave it empty for no limit."))],
        render_kw={"inputmode": "numeric", "min": 1}, description="Empty: no limit.",
    )


def _moment(label: str, description: str) -> DateTimeLocalField:
    return DateTimeLocalField(
        label, format=DATETIME_FORMATS, validators=[Optional()], description=description,
        invalid_value_message="Enter a date and time such as 2025-03-31 09:00.")


class DiscountCodeForm(ShopForm):
    code = StringField(
        "Code", filters=[lambda value: normalise_code(value) if value else value],
        validators=[DataRequired("Enter the code customers will type."),
                    Length(min=3, max=40, message="Use 3 to 40 characters."),
                    Regexp(r"^[A-Z0-9_-]+$",
                           message="Use only letters, digits, dashes and underscores.")],
        render_kw={"maxlength": 40, "autocomplete": "off"},
        description="Customers can type it in any case; it is stored in capitals.",
    )
    description = StringField(
        "Description (optional)", filters=[clean_text],
        validators=[Optional(), Length(max=200, message="Use at most 200 characters.")],
        render_kw={"maxlength": 200},
    )
    kind = RadioField(
        "Kind of discount",
        choices=[SelectChoice(DiscountKind.PERCENT.value, "A percentage of the subtotal"),
                 SelectChoice(DiscountKind.FIXED.value, "A fixed amount off")],
        validators=[InputRequired("Choose a percentage or a fixed amount.")],
        default=DiscountKind.PERCENT.value,
    )
    value = StringField(
        "Value", validators=[DataRequired("Enter the percentage or the amount."),
                             amount_check(optional=False)],
        render_kw={"inputmode": "decimal", "maxlength": 14},
        description="For a percentage, 10 means 10 % off. For an amount, 5.00 means 5.00 off.",
    )
    minimum_subtotal = StringField(
        "Minimum subtotal (optional)", validators=[amount_check(optional=True)],
        render_kw={"inputmode": "decimal", "maxlength": 14},
        description="The code works only from this subtotal up. Empty: no minimum.",
    )
    starts_at = _moment("Starts (UTC, optional)", "Empty: usable straight away.")
    ends_at = _moment("Ends (UTC, optional)", "Empty: no end date.")
    max_uses = _limit("Total uses allowed (optional)")
    max_uses_per_customer = _limit("Uses per customer (optional)")
    active = BooleanField("Active (customers can use it)", default=True)

    def settings(self) -> discounts.CodeSettings:
        def utc(moment):
            return moment.replace(tzinfo=UTC) if moment else None

        return discounts.CodeSettings(
            code=self.code.data, description=self.description.data or "",
            kind=DiscountKind(self.kind.data), value=self.value.data,
            minimum_subtotal=self.minimum_subtotal.data, starts_at=utc(self.starts_at.data),
            ends_at=utc(self.ends_at.data), max_uses=self.max_uses.data,
            max_uses_per_customer=self.max_uses_per_customer.data, active=self.active.data,
        )


def form_data(code: DiscountCode) -> dict:
    """A code's settings as the form shows them."""
    data = {name: getattr(code, name) for name in discounts.SETTINGS}
    data["kind"] = code.kind.value
    data["value"] = f"{code.value:f}"
    data["minimum_subtotal"] = (f"{code.minimum_subtotal:f}"
                                if code.minimum_subtotal is not None else "")
    for name in ("starts_at", "ends_at"):
        if data[name] is not None:
            data[name] = data[name].astimezone(UTC).replace(tzinfo=None)
    return data


@bp.get("/discounts", endpoint="discounts")
@roles_required(Role.ADMIN)
def discounts_list():
    search = clean_text(request.args.get("q", ""))[:40]
    query = select(DiscountCode).order_by(DiscountCode.active.desc(), DiscountCode.code)
    if search:
        query = query.where(or_(
            DiscountCode.code.contains(normalise_code(search), autoescape=True),
            DiscountCode.description.icontains(search, autoescape=True)))
    page = db.paginate(query, per_page=CODES_PER_PAGE, error_out=False)
    return render_template("admin/discounts/list.html", page=page, search=search, now=utcnow())


def _save(form: DiscountCodeForm, code: DiscountCode | None):
    """Validate and save; the page again (422) with the problems, or a redirect."""
    template = "admin/discounts/form.html"
    if form.validate_on_submit():
        try:
            saved = discounts.save_code(form.settings(), code, actor=current_user)
        except discounts.CodeInvalid as error:
            db.session.rollback()
            attach_error(form, error.message, error.field)
        else:
            db.session.commit()
            if saved is None:
                flash("Nothing was changed.", "info")
            else:
                flash(f"Discount code {saved.code} saved.", "success")
            return redirect(url_for("admin.discounts"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, code=code), status


@bp.route("/discounts/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def discounts_new():
    return _save(DiscountCodeForm(), None)


@bp.route("/discounts/<int:code_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def discounts_edit(code_id: int):
    code = db.get_or_404(DiscountCode, code_id)
    return _save(DiscountCodeForm(data=form_data(code)), code)


@bp.post("/discounts/<int:code_id>/deactivate")
@roles_required(Role.ADMIN)
def discounts_deactivate(code_id: int):
    code = db.get_or_404(DiscountCode, code_id)
    if discounts.deactivate(code, actor=current_user):
        db.session.commit()
        flash(f"Discount code {code.code} deactivated; checkout no longer accepts it.",
              "success")
    else:
        flash(f"Discount code {code.code} was already inactive.", "info")
    return redirect(url_for("admin.discounts"), 303)
