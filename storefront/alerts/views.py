"""Asking for an e-mail when a size is back, confirming it, and leaving the list.

The request form sits on product pages and sold-out product cards (cached pages: for an
anonymous visitor it holds nothing of theirs, not even a CSRF token; see
storefront/origin.py). The links in the e-mails open a page with a button, so a mail
scanner that follows links changes nothing.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import EmailField, IntegerField
from wtforms.validators import DataRequired, Email, Length, NumberRange

from storefront.alerts import services
from storefront.extensions import db, limiter
from storefront.forms import GuestForm, ShopForm
from storefront.origin import guest_form
from storefront.security import MAX_ID, safe_next_url

bp = Blueprint("alerts", __name__, url_prefix="/stock-alerts")

MESSAGES = {
    "confirm": "Nearly done: we've sent you an e-mail. Follow its link to confirm, and we'll "
               "write once when {name} is back.",
    "waiting": "Done: we'll e-mail {email} once when {name} is back.",
    "already": "You're already on the list: we'll e-mail {email} once when {name} is back.",
}


class AlertForm(GuestForm):
    variant_id = IntegerField(validators=[DataRequired("Choose a size."),
                                          NumberRange(1, MAX_ID, "Choose a size.")])
    email = EmailField("Your e-mail", validators=[
        DataRequired("Enter your e-mail address."),
        Email("Enter an e-mail address like name@example.com."),
        Length(max=254, message="That e-mail address is too long.")],
        render_kw={"autocomplete": "email"})


def _limit():
    return current_app.config["STOCK_ALERT_RATE_LIMIT"]


def _form() -> AlertForm:
    form = AlertForm()
    if current_user.is_authenticated:  # their own address: the form has no field for it
        form.email.data = current_user.email
        form.email.raw_data = [current_user.email]
    return form


def _refused(form: AlertForm, variant, status: int):
    html = render_template("alerts/request.html", form=form, variant=variant,
                           next_url=safe_next_url(request.form.get("next")))
    return html, status


@bp.get("/new")
def new():
    """The form on a page of its own (a sold-out product card links here)."""
    variant_id = request.args.get("variant", type=int)
    next_url = safe_next_url(request.args.get("next", type=str))
    try:
        if variant_id is None or not 0 < variant_id <= MAX_ID:
            raise services.AlertError("We can't find that product in the shop any more.",
                                      status=404)
        variant = services.variant_for_alert(variant_id)
    except services.AlertError as error:
        html = render_template("alerts/request.html", form=None, variant=None,
                               problem=error.message, next_url=next_url)
        return html, 404 if error.status_code == 404 else 200
    form = AlertForm(formdata=None, data={"variant_id": variant.id})
    return render_template("alerts/request.html", form=form, variant=variant,
                           next_url=next_url)


@bp.post("/")
@guest_form
@limiter.limit(_limit)
def ask():
    form = _form()
    target = safe_next_url(request.form.get("next")) or url_for("catalog.product_list")
    variant = None
    if form.validate_on_submit():
        try:
            requested = services.request_alert(form.variant_id.data, form.email.data,
                                               current_user if current_user.is_authenticated
                                               else None)
        except services.AlertError as error:
            db.session.rollback()
            flash(error.message, "info" if error.status_code == 409 else "error")
            return redirect(target, 303)
        db.session.commit()
        variant = requested.alert.variant
        name = f"{variant.product.name} ({variant.size_label})"
        flash(MESSAGES[requested.outcome].format(name=name, email=requested.alert.email),
              "success")
        return redirect(target, 303)
    if form.variant_id.data and not form.variant_id.errors:
        try:
            variant = services.variant_for_alert(form.variant_id.data)
        except services.AlertError:
            variant = None
    return _refused(form, variant, 422)


def _from_link(token: str, salt: str):
    """The request a link names, or the page saying the link is no good."""
    try:
        alert = services.alert_for_token(token[:500], salt)
    except services.InvalidLink as error:
        return None, (render_template("alerts/link.html", problem=error.message), 400)
    return alert, None


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    alert, refusal = _from_link(token, services.CONFIRM_SALT)
    if refusal:
        return refusal
    if alert is None or alert.notified_at is not None:
        return render_template("alerts/link.html", gone=True)
    if request.method == "POST":
        if not ShopForm().validate_on_submit():
            return render_template("alerts/link.html", problem="Please press the button "
                                   "again."), 400
        services.confirm(alert)
        db.session.commit()
        return render_template("alerts/link.html", alert=alert, confirmed=True)
    return render_template("alerts/link.html", alert=alert, action="confirm", token=token)


@bp.route("/leave/<token>", methods=["GET", "POST"])
def leave(token: str):
    alert, refusal = _from_link(token, services.LEAVE_SALT)
    if refusal:
        return refusal
    if alert is None:
        return render_template("alerts/link.html", left=True)
    if request.method == "POST":
        if not ShopForm().validate_on_submit():
            return render_template("alerts/link.html", problem="Please press the button "
                                   "again."), 400
        services.leave(alert)
        db.session.commit()
        return render_template("alerts/link.html", left=True)
    return render_template("alerts/link.html", alert=alert, action="leave", token=token)
