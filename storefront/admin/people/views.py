"""Admin pages for people: users and their roles, and the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from storefront.accounts import services as account_services
from storefront.accounts.models import Role, User
from storefront.admin.blueprint import bp
from storefront.admin.people import audit_queries
from storefront.admin.people.forms import RoleForm
from storefront.extensions import db
from storefront.security import roles_required

USERS_PER_PAGE = 50


@bp.get("/users")
@roles_required(Role.ADMIN)
def users():
    return _render_users()


def _render_users(status: int = 200):
    search = request.args.get("q", "").strip()[:200]
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    if search:
        query = query.where(
            or_(
                User.email.contains(search.lower(), autoescape=True),
                User.name.icontains(search, autoescape=True),
            )
        )
    page = db.paginate(query, per_page=USERS_PER_PAGE, error_out=False)
    html = render_template(
        "admin/users.html", page=page, search=search, roles=list(Role), role_form=RoleForm()
    )
    return html, status


@bp.post("/users/<int:user_id>/role")
@roles_required(Role.ADMIN)
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        account_services.set_role(user, Role(form.role.data), actor=current_user)
    except account_services.LastAdminError as error:
        flash(error.message, "error")
        return _render_users(status=409)
    db.session.commit()
    flash(f"{user.email} is now {user.role.label.lower()}.", "success")
    return redirect(url_for("admin.users", q=request.args.get("q") or None), code=303)


AUDIT_PER_PAGE = 50


@bp.get("/audit")
@roles_required(Role.ADMIN)
def audit_log():
    filters = audit_queries.AuditFilters.from_args(request.args)
    page = db.paginate(audit_queries.entries(filters), per_page=AUDIT_PER_PAGE, error_out=False)
    return render_template("admin/audit.html", page=page, filters=filters,
                           actions=audit_queries.known_actions())
