"""Changing the catalog from the back office: products, sizes and pictures (stock:
``storefront.inventory.editing``).

Every change writes an audit entry with the values before and after; functions flush,
the request commits. Products and sizes are archived, never deleted: orders and the
stock ledger keep pointing at them.
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from storefront.audit import services as audit
from storefront.catalog import images as catalog_images
from storefront.catalog.models import (
    Brand,
    Product,
    ProductImage,
    ProductSkinType,
    ProductStatus,
    SkinType,
    Variant,
)
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.slugs import SLUG_PATTERN, slugify

PRODUCT_FIELDS = ("name", "slug", "brand", "category", "short_description", "description",
                  "ingredients", "ingredients_list", "how_to_use", "skin_types", "status",
                  "prescription_only", "brand_names", "featured_rank", "spf")
VARIANT_FIELDS = ("sku", "size_label", "price", "compare_at_price", "currency",
                  "low_stock_threshold", "active")
MAX_PICTURE_BYTES = 5 * 1024 * 1024
PICTURE_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}  # MPO: the JPEG some cameras write
WRONG_PICTURE_TYPE = ("That file is not a JPEG, PNG or WebP picture. Please upload one of "
                      "those.")
PICTURE_TOO_LARGE = "That picture is larger than 5 MB. Please upload a smaller file."
# What the catalog's values look like (the admin forms and the CSV import check them).
SLUG_RE = re.compile(SLUG_PATTERN + r"\Z")
SKU_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
CURRENCY_RE = re.compile(r"[A-Z]{3}\Z")
MAX_PRICE = Decimal("99999999.99")
MAX_RANK = 1_000_000
MAX_THRESHOLD = 100_000


class CatalogEditError(DomainError):
    """A change the catalog cannot take; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def price_problem(price: Decimal | None, compare_at: Decimal | None) -> str | None:
    """Why a price pair is not acceptable, or None."""
    for amount in (price, compare_at):
        if amount is None:
            continue
        if not amount.is_finite() or amount < 0 or amount > MAX_PRICE:
            return "Enter an amount from 0.00 to 99,999,999.99."
        exponent = amount.as_tuple().exponent
        assert isinstance(exponent, int)  # only NaN and infinity have a letter here
        if exponent < -2:
            return "Use at most two decimals, like 12.50."
    if price is not None and compare_at is not None and compare_at <= price:
        return "The compare-at price must be higher than the price, or left empty."
    return None


# -- comparing values ------------------------------------------------------------------

def plain(key: str, value: Any) -> Any:
    """A field's value as text, numbers and lists: what the audit log and the CSV show."""
    if key in ("brand", "category"):
        return value.slug if value is not None else None
    if key == "ingredients":
        return sorted(item.slug for item in value)
    if key == "skin_types":
        return sorted(SkinType(kind).value for kind in value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def changes(obj: Any, fields: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """``{field: (before, after)}`` for each value in ``fields`` that differs from ``obj``."""
    result = {}
    for key, value in fields.items():
        before, after = plain(key, getattr(obj, key)), plain(key, value)
        if before != after:
            result[key] = (before, after)
    return result


def _audit(actor, action: str, target, summary: str, diff: dict[str, tuple[Any, Any]]):
    audit.record(actor, action, target, summary,
                 before={key: old for key, (old, _new) in diff.items()},
                 after={key: new for key, (_old, new) in diff.items()})


# -- products --------------------------------------------------------------------------

def slug_owner(slug: str) -> Product | None:
    return db.session.scalar(select(Product).where(Product.slug == slug))


def _check_slug(fields: dict[str, Any], product: Product | None) -> None:
    if "slug" not in fields:
        return
    if not fields["slug"]:
        fields["slug"] = slugify(fields.get("name"))
    if not fields["slug"]:
        raise CatalogEditError("Enter a web address made of letters and digits.", "slug")
    owner = slug_owner(fields["slug"])
    if owner is not None and owner is not product:
        raise CatalogEditError(f"“{fields['slug']}” is already the address of "
                               f"{owner.name}. Choose another.", "slug")


def _assign_product(product: Product, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        if key == "skin_types":
            wanted = {SkinType(kind) for kind in value}
            product.skin_type_links = (
                [link for link in product.skin_type_links if link.skin_type in wanted]
                + [ProductSkinType(skin_type=kind) for kind in sorted(wanted)
                   if kind not in product.skin_types])
        elif key == "ingredients":
            product.ingredients = list(value)
        else:
            setattr(product, key, value)


def create_product(fields: dict[str, Any], actor) -> Product:
    """A new product from ``fields`` (see ``PRODUCT_FIELDS``); the slug is made if empty."""
    fields = dict(fields)
    fields.setdefault("slug", "")
    _check_slug(fields, None)
    product = Product(status=ProductStatus.DRAFT)
    _assign_product(product, fields)
    db.session.add(product)
    db.session.flush()
    after = {key: plain(key, getattr(product, key)) for key in PRODUCT_FIELDS}
    audit.record(actor, "product.created", product, f"Created {product.name}", after=after)
    return product


def update_product(product: Product, fields: dict[str, Any], actor) -> dict:
    """Apply the values in ``fields`` that differ; returns them as ``{field: (old, new)}``."""
    fields = dict(fields)
    _check_slug(fields, product)
    diff = changes(product, fields)
    if not diff:
        return diff
    _assign_product(product, {key: fields[key] for key in diff})
    db.session.flush()
    _audit(actor, "product.updated", product,
           f"Changed {product.name}: {', '.join(diff)}", diff)
    return diff


def set_status(products: list[Product], status: ProductStatus, actor) -> int:
    """Archive or activate ``products``; returns how many changed."""
    changed = 0
    for product in products:
        diff = changes(product, {"status": status})
        if diff:
            product.status = status
            db.session.flush()
            action = ("product.archived" if status is ProductStatus.ARCHIVED
                      else "product.status_changed")
            _audit(actor, action, product, f"{product.name} is now {status.value}", diff)
            changed += 1
    return changed


# -- brands ----------------------------------------------------------------------------

BRAND_FIELDS = ("name", "description", "financial_tie")


def update_brand(brand: Brand, fields: dict[str, Any], actor) -> dict:
    """Rename a brand, describe it, or record its financial tie to the shop (which every
    product of the brand then discloses). Returns the changes as ``{field: (old, new)}``."""
    fields = {key: fields[key] for key in BRAND_FIELDS if key in fields}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"] or len(fields["name"]) > 80:
            raise CatalogEditError("Give the brand a name of at most 80 characters.", "name")
        clash = db.session.scalar(select(Brand.id).where(
            func.lower(Brand.name) == fields["name"].lower(), Brand.id != brand.id))
        if clash is not None:
            raise CatalogEditError(f"Another brand is already called “{fields['name']}”.",
                                   "name")
    diff = changes(brand, fields)
    if not diff:
        return diff
    for key in diff:
        setattr(brand, key, fields[key])
    db.session.flush()
    _audit(actor, "brand.updated", brand, f"Changed the brand {brand.name}: "
           f"{', '.join(diff)}", diff)
    return diff


# -- sizes (variants) ------------------------------------------------------------------

def _check_sku(sku: str, variant: Variant | None) -> None:
    owner = db.session.scalar(select(Variant).where(Variant.sku == sku))
    if owner is not None and owner is not variant:
        raise CatalogEditError(f"The SKU {sku} is already used by another size.", "sku")


def _check_prices(variant: Variant | None, fields: dict[str, Any]) -> None:
    price = fields.get("price", getattr(variant, "price", None))
    compare_at = fields.get("compare_at_price", getattr(variant, "compare_at_price", None))
    if price is not None and compare_at is not None and compare_at <= price:
        raise CatalogEditError("The compare-at price must be higher than the price, or "
                               "left empty.", "compare_at_price")


def create_variant(product: Product, fields: dict[str, Any], actor) -> Variant:
    """A new size of ``product``; it starts with no stock (stock comes by adjustments)."""
    _check_sku(fields["sku"], None)
    _check_prices(None, fields)
    position = db.session.scalar(select(func.coalesce(func.max(Variant.position) + 1, 0))
                                 .where(Variant.product_id == product.id))
    variant = Variant(product=product, stock_on_hand=0, stock_reserved=0, position=position,
                      **fields)
    db.session.add(variant)
    db.session.flush()
    after = {key: plain(key, getattr(variant, key)) for key in VARIANT_FIELDS}
    audit.record(actor, "variant.created", variant,
                 f"Added {variant.sku} ({variant.size_label}) to {product.name}", after=after)
    return variant


def update_variant(variant: Variant, fields: dict[str, Any], actor) -> dict:
    """Apply the values that differ; returns them as ``{field: (old, new)}``."""
    if "sku" in fields:
        _check_sku(fields["sku"], variant)
    _check_prices(variant, fields)
    diff = changes(variant, fields)
    if not diff:
        return diff
    for key in diff:
        setattr(variant, key, fields[key])
    db.session.flush()
    _audit(actor, "variant.updated", variant, f"Changed {variant.sku}: {', '.join(diff)}",
           diff)
    return diff


# -- pictures --------------------------------------------------------------------------

def read_picture(upload) -> bytes:
    """The uploaded bytes if they are a JPEG, PNG or WebP of at most 5 MB."""
    data = upload.read(MAX_PICTURE_BYTES + 1)
    if len(data) > MAX_PICTURE_BYTES:
        raise catalog_images.ImageRejected(PICTURE_TOO_LARGE)
    # Reads only the header: a picture declaring too many pixels is refused undecoded.
    if catalog_images.probe_picture(data, WRONG_PICTURE_TYPE) not in PICTURE_FORMATS:
        raise catalog_images.ImageRejected(WRONG_PICTURE_TYPE)
    return data


def add_image(product: Product, upload, alt_text: str, actor) -> tuple[ProductImage, bool]:
    """Store a picture for ``product``; returns it and whether it is new to the product."""
    data = read_picture(upload)
    known = {image.id for image in product.images}
    image = catalog_images.create_product_image(product, data, alt_text)
    if image.id in known:
        return image, False
    audit.record(actor, "product.image_added", product,
                 f"Added a picture to {product.name}",
                 after={"image": image.key, "alt_text": image.alt_text,
                        "position": image.position})
    return image, True


def delete_image(image: ProductImage, actor) -> list[str]:
    """Remove the picture's row; returns its file names, to delete after the commit."""
    product = image.product
    names = list(catalog_images.image_file_names(image.key, image.width))
    audit.record(actor, "product.image_deleted", product,
                 f"Removed a picture from {product.name}",
                 before={"image": image.key, "alt_text": image.alt_text,
                         "position": image.position})
    product.images.remove(image)
    db.session.delete(image)
    _renumber(product.images)
    db.session.flush()
    return names


def _renumber(images: list[ProductImage]) -> None:
    for position, image in enumerate(images):
        image.position = position


def move_image(image: ProductImage, step: int, actor) -> bool:
    """Move a picture one place earlier (-1) or later (+1); False at either end."""
    product = image.product
    order = list(product.images)
    index = order.index(image)
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(order):
        return False
    before = [item.key for item in order]
    order[index], order[target] = order[target], order[index]
    _renumber(order)
    db.session.flush()
    db.session.expire(product, ["images"])
    audit.record(actor, "product.images_reordered", product,
                 f"Reordered the pictures of {product.name}",
                 before={"order": before}, after={"order": [item.key for item in order]})
    return True
