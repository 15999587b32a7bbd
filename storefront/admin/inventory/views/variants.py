"""Admin pages for a product's sizes (variants) and pictures."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.admin.common import save_form
from storefront.admin.forms import ConfirmForm
from storefront.admin.inventory.forms import ImageUploadForm, VariantForm
from storefront.admin.inventory.views.products import product_or_404, render_product
from storefront.catalog import editing as services
from storefront.catalog.images import file_name
from storefront.catalog.models import ProductImage
from storefront.extensions import db
from storefront.inventory import queries
from storefront.media import MediaUnavailable, delete_quietly, media_storage
from storefront.security import roles_required

MOVES = {"up": -1, "down": 1}


@bp.route("/products/<int:product_id>/variants/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def products_variant_new(product_id: int):
    product = product_or_404(product_id)
    form = VariantForm()
    return save_form(
        form, lambda: services.create_variant(product, form.fields(), current_user),
        success=lambda variant: (f"Added {variant.sku} ({variant.size_label}). It has no "
                                 "stock yet: record what you have received below."),
        redirect_to=lambda variant: url_for("admin.products_stock", variant_id=variant.id),
        template="admin/inventory/variant_form.html", product=product, variant=None)


@bp.route("/products/variants/<int:variant_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def products_variant_edit(variant_id: int):
    variant = queries.variant_with_product(variant_id)
    if variant is None:
        abort(404)
    form = VariantForm(obj=variant)
    return save_form(
        form, lambda: services.update_variant(variant, form.fields(), current_user),
        success=lambda diff: f"Saved {variant.sku}." if diff else "Nothing had changed.",
        redirect_to=lambda _diff: url_for("admin.products_edit",
                                          product_id=variant.product_id),
        template="admin/inventory/variant_form.html", product=variant.product,
        variant=variant)


@bp.post("/products/<int:product_id>/images")
@roles_required(Role.ADMIN)
def products_image_upload(product_id: int):
    product = product_or_404(product_id)
    form = ImageUploadForm()
    return save_form(
        form, lambda: services.add_image(product, form.picture.data, form.alt_text.data,
                                         current_user),
        success=lambda added: ("The picture was added." if added[1] else
                               "That picture is already on this product."),
        redirect_to=url_for("admin.products_edit", product_id=product.id, _anchor="pictures"),
        error_field="picture",
        page=lambda status: render_product(product, image_form=form, status=status))


def _image_or_404(image_id: int) -> ProductImage:
    image = db.get_or_404(ProductImage, image_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return image


@bp.post("/products/images/<int:image_id>/delete")
@roles_required(Role.ADMIN)
def products_image_delete(image_id: int):
    image = _image_or_404(image_id)
    product_id = image.product_id
    back = redirect(url_for("admin.products_edit", product_id=product_id,
                            _anchor="pictures"), code=303)
    storage = media_storage()
    try:  # a storage that is down now would leave the files behind: keep the row too
        storage.exists(file_name(image.key, image.width, "jpg"))
    except MediaUnavailable as error:
        flash(error.message, "error")
        return back
    names = services.delete_image(image, current_user)
    db.session.commit()
    delete_quietly(names, storage)  # only once the row is gone for good
    flash("The picture was removed.", "success")
    return back


@bp.post("/products/images/<int:image_id>/move")
@roles_required(Role.ADMIN)
def products_image_move(image_id: int):
    image = _image_or_404(image_id)
    step = MOVES.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    product_id = image.product_id
    moved = services.move_image(image, step, current_user)
    db.session.commit()
    if not moved:
        flash("That picture is already at the end of the list.", "info")
    return redirect(url_for("admin.products_edit", product_id=product_id,
                            _anchor="pictures"), code=303)
