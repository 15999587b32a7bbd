"""Admin pages for the product CSV: export, and import as upload -> dry run -> apply.

Between the dry run and "Apply" the upload waits under ``instance/imports/`` with a
random name that only the uploader's session knows; "Apply" reads that file again and
checks every row again, so nothing in the page (or a changed database) is trusted.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.admin.inventory.forms import ImportApplyForm, ImportUploadForm
from storefront.catalog import csv_format
from storefront.catalog.models import Product
from storefront.db import utcnow
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.forms import INVALID_FORM_STATUS, attach_error
from storefront.inventory import csv_import as importer
from storefront.orders import services as orders
from storefront.security import roles_required

SESSION_KEY = "product_import"
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")
KEEP_UPLOADS_SECONDS = 24 * 3600
EXPIRED = ("That import is no longer waiting (it was applied, or is more than a day old). "
           "Please upload the file again.")


# -- the waiting upload ----------------------------------------------------------------

def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _forget_old_uploads(folder: Path) -> None:
    cutoff = time.time() - KEEP_UPLOADS_SECONDS
    for path in folder.glob("*.csv"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def keep_upload(data: bytes, file_name: str) -> str:
    """Store the upload for the "Apply" step; returns its token (also kept in the session)."""
    folder = _folder()
    _forget_old_uploads(folder)
    previous = (session.get(SESSION_KEY) or {}).get("token") or ""
    if TOKEN_RE.fullmatch(previous):  # a dry run this person did not apply
        (folder / f"{previous}.csv").unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    path = folder / f"{token}.csv"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
    session[SESSION_KEY] = {"token": token, "name": file_name}
    return token


def waiting_upload(token: str | None) -> tuple[bytes, str] | None:
    """The stored file and its name, if ``token`` is this session's and the file is there."""
    waiting = session.get(SESSION_KEY) or {}
    if not token or not TOKEN_RE.fullmatch(token) or waiting.get("token") != token:
        return None
    path = _folder() / f"{token}.csv"
    if not path.is_file():
        return None
    return path.read_bytes(), str(waiting.get("name") or "upload.csv")


def discard_upload(token: str) -> None:
    if TOKEN_RE.fullmatch(token):
        (_folder() / f"{token}.csv").unlink(missing_ok=True)
    session.pop(SESSION_KEY, None)


# -- export ----------------------------------------------------------------------------

@bp.get("/products/export.csv")
@roles_required(Role.ADMIN)
def products_export():
    products = db.session.scalars(
        select(Product).order_by(func.lower(Product.slug), Product.id)
        .options(selectinload(Product.variants), selectinload(Product.ingredients),
                 selectinload(Product.skin_type_links), joinedload(Product.brand),
                 joinedload(Product.category)))
    body = csv_format.write_csv(products)
    name = f"products-{utcnow():%Y-%m-%d}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


# -- import ----------------------------------------------------------------------------

def _render_upload(form: ImportUploadForm, status: int = 200):
    html = render_template("admin/inventory/import.html", form=form, columns=csv_format.COLUMNS)
    return html, status


def _render_preview(plan: importer.Plan, file_name: str, token: str | None,
                    error: str | None = None, status: int = 200):
    html = render_template(
        "admin/inventory/import_preview.html", plan=plan, file_name=file_name,
        apply_form=ImportApplyForm(token=token) if token else None, error=error)
    return html, status


@bp.route("/products/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def products_import():
    form = ImportUploadForm()
    if not form.validate_on_submit():
        status = INVALID_FORM_STATUS if form.is_submitted() else 200
        return _render_upload(form, status)
    upload = form.file.data
    file_name = re.sub(r"[\x00-\x1f\x7f]", "", Path(upload.filename or "").name)[:120] \
        or "upload.csv"
    data = upload.read()
    try:
        orders.release_overdue_holds()  # so they never make a new count look too low
        plan = importer.plan_file(data)
    except csv_format.CsvFileError as error:
        attach_error(form, f"{file_name}: {error}", "file")
        return _render_upload(form, INVALID_FORM_STATUS)
    token = keep_upload(data, file_name) if plan.ok and plan.has_changes else None
    status = 200 if plan.ok else INVALID_FORM_STATUS
    return _render_preview(plan, file_name, token, status=status)


@bp.post("/products/import/apply")
@roles_required(Role.ADMIN)
def products_import_apply():
    form = ImportApplyForm()
    waiting = waiting_upload(form.token.data) if form.validate_on_submit() else None
    if waiting is None:
        upload_form = ImportUploadForm(formdata=None)
        attach_error(upload_form, EXPIRED)
        return _render_upload(upload_form, 400)
    data, file_name = waiting
    try:
        orders.release_overdue_holds()  # so they never make a new count look too low
        plan = importer.plan_file(data)
    except csv_format.CsvFileError as error:  # only if the stored file was tampered with
        discard_upload(form.token.data)
        upload_form = ImportUploadForm(formdata=None)
        attach_error(upload_form, f"{file_name}: {error}", "file")
        return _render_upload(upload_form, INVALID_FORM_STATUS)
    if not plan.ok:
        return _render_preview(plan, file_name, None, status=409, error=(
            "The shop's data changed since the dry run and some rows no longer fit. "
            "Nothing was imported; fix the rows below and upload the file again."))
    try:
        with db.session.begin_nested():
            importer.apply(plan, current_user, form.token.data, file_name)
    except (DomainError, IntegrityError) as error:
        message = error.message if isinstance(error, DomainError) else (
            "Another change to the same products happened at the same time.")
        return _render_preview(plan, file_name, form.token.data, status=409, error=(
            f"Nothing was imported: {message} Please try again."))
    db.session.commit()
    discard_upload(form.token.data)
    flash(_summary(plan, file_name), "success")
    return redirect(url_for("admin.products"), code=303)


def _summary(plan: importer.Plan, file_name: str) -> str:
    parts = [(plan.count("products_created"), "product", "created"),
             (plan.count("products_updated"), "product", "updated"),
             (plan.count("variants_created"), "size", "created"),
             (plan.count("variants_updated"), "size", "updated"),
             (plan.count("stock_changes"), "stock change", "recorded"),
             (len(plan.clears), "value", "cleared")]
    done = [f"{number} {noun}{'' if number == 1 else 's'} {verb}"
            for number, noun, verb in parts if number]
    return f"Imported {file_name}: " + (", ".join(done) or "nothing changed") + "."
