"""Register, log in and out, reset and change the password, the profile page."""

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
from flask_login import current_user, login_required, login_user, logout_user

from storefront.accounts import forms, logins, services
from storefront.extensions import db, limiter
from storefront.forms import attach_error, render_invalid
from storefront.security import safe_next_url
from storefront.sqlite import changes_data

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _limit(setting: str):
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"])


@bp.route("/register", methods=["GET", "POST"])
@_limit("REGISTER_RATE_LIMIT")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = forms.RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(form.name.data, form.email.data, form.password.data)
        except services.AccountError as error:
            attach_error(form, error.message, error.field)
        else:
            logins.start_login(user)
            db.session.commit()
            login_user(user)
            flash("Welcome! We've sent you an e-mail to confirm your address. Once you "
                  "confirm it, any orders you placed with it as a guest join your account.",
                  "success")
            return redirect(url_for("accounts.profile"))
    if request.method == "POST":
        return render_invalid("accounts/register.html", form=form)
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@_limit("LOGIN_RATE_LIMIT")
def login():
    form = forms.LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next_url(form.next.data) or url_for("accounts.profile"))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            if current_user.is_authenticated:  # someone else was logged in here
                logins.end_login(current_user._get_current_object())
            logins.start_login(user)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(safe_next_url(form.next.data) or url_for("accounts.profile"))
        attach_error(form, "That e-mail address and password don't match an account.")
    if request.method == "POST":
        return render_invalid("accounts/login.html", form=form)
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # Ends this log-in on the server: copies of its cookies are refused from now on.
        logins.end_login(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash("You have logged out.", "info")
    return redirect(url_for("main.home"))


@bp.route("/reset", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def request_reset():
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    if request.method == "POST":
        return render_invalid("accounts/reset_request.html", form=form)
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except services.InvalidToken as error:
        return render_template("accounts/link_invalid.html", message=error.message), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.AccountError as error:
            attach_error(form, error.message, error.field)
        else:
            db.session.commit()
            logout_user()
            flash("Your password has been changed. Please log in with the new one.", "success")
            return redirect(url_for("accounts.login"))
    if request.method == "POST":
        return render_invalid("accounts/reset_password.html", form=form)
    return render_template("accounts/reset_password.html", form=form)


@bp.get("/confirm/<token>")
@changes_data
def confirm_email(token: str):
    try:
        services.confirm_email(token)
    except services.InvalidToken as error:
        return render_template("accounts/link_invalid.html", message=error.message), 400
    db.session.commit()
    flash("Thank you, your e-mail address is confirmed.", "success")
    return redirect(url_for("accounts.profile") if current_user.is_authenticated
                    else url_for("accounts.login"))


@bp.post("/confirm/resend")
@login_required
def resend_confirmation():
    if current_user.email_confirmed_at is None:
        services.send_confirmation(current_user)
        db.session.commit()
    flash("We've sent the confirmation e-mail again.", "info")
    return redirect(url_for("accounts.profile"))


@bp.route("/", methods=["GET", "POST"])
@login_required
def profile():
    form = forms.ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, form.name.data)
        db.session.commit()
        flash("Your details are saved.", "success")
        return redirect(url_for("accounts.profile"))
    if request.method == "POST":
        return render_invalid("accounts/profile.html", form=form)
    return render_template("accounts/profile.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data,
                                     form.password.data)
        except services.AccountError as error:
            attach_error(form, error.message, error.field)
        else:
            # Every log-in ended with the password change: log in again on this device.
            user = current_user._get_current_object()
            logins.start_login(user)
            db.session.commit()
            login_user(user, remember=False)
            flash("Your password has been changed.", "success")
            return redirect(url_for("accounts.profile"))
    if request.method == "POST":
        return render_invalid("accounts/change_password.html", form=form)
    return render_template("accounts/change_password.html", form=form)
