"""Product pictures: checked, stripped of metadata and saved in every size and format.

Each picture is stored as ``products/<hash>-<width>.<ext>`` for the widths in
``WIDTHS`` (never wider than the original) in WebP and JPEG. The hash is taken from
the cleaned pixels, so the same picture always gets the same names and the files can
be cached for ever. ``ProductImage.key`` is ``products/<hash>`` and its width and
height are those of the largest file made.
"""

from __future__ import annotations

import hashlib
import math
import os
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from storefront.catalog.models import Product, ProductImage
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.media import MediaStorage, MediaUnavailable, delete_quietly, media_storage

WIDTHS = (200, 400, 800)
# (file extension, Pillow format, encoder options). WebP first: browsers pick the first match.
FORMATS = (
    ("webp", "WEBP", {"quality": 80, "method": 4}),
    ("jpg", "JPEG", {"quality": 82, "optimize": True, "progressive": True}),
)
# Faster WebP encoding for generated pictures (the demo seed): files about a third larger.
QUICK_OPTIONS = {"WEBP": {"method": 1}}
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF"}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000  # the default of the MAX_IMAGE_PIXELS setting
ORIENTATION_TAG = 0x0112
KEY_PREFIX = "products/"
NOT_A_PICTURE = ("That file is not a picture we can use. Please upload a JPEG, PNG or WebP "
                 "image.")


class ImageRejected(DomainError):
    """An upload that is not a usable picture."""


class PictureStoreDown(ImageRejected):
    """The picture storage did not answer: nothing was kept, and trying later may work."""

    status_code = 503


def _read_source(source: Any) -> bytes:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, os.PathLike):
        data = Path(source).read_bytes()
    elif hasattr(source, "read"):
        data = source.read(MAX_UPLOAD_BYTES + 1)
    else:
        raise ImageRejected(NOT_A_PICTURE)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageRejected("That picture is larger than 20 MB. Please upload a smaller file.")
    return data


def pixel_limit() -> int:
    """The most pixels a picture may have: the ``MAX_IMAGE_PIXELS`` setting.

    Pillow's own guard (``Image.MAX_IMAGE_PIXELS``) refuses anything above it too, so the
    lower of the two is the limit a picture really meets.
    """
    limit = current_app.config["MAX_IMAGE_PIXELS"] if has_app_context() else MAX_PIXELS
    return min(limit, Image.MAX_IMAGE_PIXELS or limit)


def too_many_pixels(limit: int) -> ImageRejected:
    side = max(100, math.isqrt(limit) // 100 * 100)
    return ImageRejected(f"That picture has too many pixels. Please upload one no larger "
                         f"than about {side} by {side} pixels.")


@contextmanager
def bombs_refused(limit: int) -> Iterator[None]:
    """Pillow's decompression-bomb error, and its warning too, become a refusal."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise too_many_pixels(limit) from error


def probe_picture(data: bytes, unreadable: str = NOT_A_PICTURE) -> str:
    """The Pillow format of a picture, read from its header; nothing is decoded.

    Refuses a file Pillow cannot identify (with the message ``unreadable``) and one that
    declares more pixels than ``pixel_limit()``, before a single pixel is unpacked.
    """
    limit = pixel_limit()
    with bombs_refused(limit):
        try:
            with Image.open(BytesIO(data)) as probe:
                picture_format, (width, height) = probe.format, probe.size
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise ImageRejected(unreadable) from error
    if width * height > limit:
        raise too_many_pixels(limit)
    if picture_format is None:  # only for images made in memory: an opened file has one
        raise ImageRejected(unreadable)
    return picture_format


def open_picture(source: Any) -> Image.Image:
    """A fully decoded PIL image from bytes, a file object or a path; refuses anything else."""
    if isinstance(source, Image.Image):
        return source
    data = _read_source(source)
    if probe_picture(data) not in ACCEPTED_FORMATS:
        raise ImageRejected(NOT_A_PICTURE)
    with bombs_refused(pixel_limit()):
        try:
            with Image.open(BytesIO(data)) as probe:
                probe.verify()
            image = Image.open(BytesIO(data))
            image.load()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise ImageRejected(NOT_A_PICTURE) from error
    return image


def clean_picture(image: Image.Image) -> Image.Image:
    """An upright RGB copy that carries no metadata (no EXIF, GPS, ICC or comments)."""
    if image.getexif().get(ORIENTATION_TAG, 1) != 1:
        image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        image = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image.alpha_composite(rgba)
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    # A new image starts with an empty ``info``: nothing from the upload can leak through.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    return clean


def content_hash(image: Image.Image) -> str:
    digest = hashlib.sha256(f"{image.width}x{image.height}:".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()[:24]


def rendition_widths(width: int) -> list[int]:
    """The widths made for a picture whose largest file is ``width`` pixels wide."""
    return sorted({size for size in WIDTHS if size < width} | {min(width, WIDTHS[-1])})


def file_name(key: str, width: int, extension: str) -> str:
    return f"{key}-{width}.{extension}"


def _encode(image: Image.Image, pil_format: str, options: dict) -> bytes:
    buffer = BytesIO()
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()


def save_renditions(clean: Image.Image, key: str, storage: MediaStorage,
                    quick: bool = False, saved: list[str] | None = None) -> list[str]:
    """Write every width and format of ``clean``; returns the file names (also appended to
    ``saved`` one by one, so a caller knows what was written before a failure)."""
    names = [] if saved is None else saved
    sized = clean
    for width in reversed(rendition_widths(clean.width)):
        # Each size is made from the next larger one: as sharp, and much quicker.
        height = max(1, round(clean.height * width / clean.width))
        if width != sized.width:
            sized = sized.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0)
        for extension, pil_format, options in FORMATS:
            if quick:
                options = {**options, **QUICK_OPTIONS.get(pil_format, {})}
            names.append(storage.save(file_name(key, width, extension),
                                      _encode(sized, pil_format, options)))
    return names


def store_renditions(clean: Image.Image, key: str, storage: MediaStorage,
                     quick: bool = False) -> None:
    """Write the files of ``clean`` that the storage does not have yet.

    Raises PictureStoreDown when the storage does not answer; the files this call wrote
    before it stopped answering are removed again (as far as it lets us), so no file is
    left that no row points to.
    """
    names = list(image_file_names(key, clean.width))
    saved: list[str] = []
    try:
        present = {name for name in names if storage.exists(name)}
        if len(present) < len(names):
            # Names carry the content hash: files already there hold exactly these pixels.
            save_renditions(clean, key, storage, quick=quick, saved=saved)
    except MediaUnavailable as error:
        delete_quietly([name for name in saved if name not in present], storage)
        raise PictureStoreDown(error.message) from error


def _limit_width(image: Image.Image) -> Image.Image:
    if image.width <= WIDTHS[-1]:
        return image
    height = max(1, round(image.height * WIDTHS[-1] / image.width))
    return image.resize((WIDTHS[-1], height), Image.Resampling.LANCZOS, reducing_gap=2.0)


def create_product_image(product: Product, source: Any, alt_text: str,
                         storage: MediaStorage | None = None,
                         quick: bool = False) -> ProductImage:
    """Check and store a picture for ``product`` and add its ``ProductImage`` row. Flushes.

    Uploading the same picture again for the same product returns the existing row
    (and rewrites any missing files); the same picture on another product is refused.
    ``quick`` trades file size for encoding speed, for pictures the shop draws itself.
    """
    alt_text = " ".join((alt_text or "").split())
    if not alt_text:
        raise ImageRejected("Please describe the picture in a few words for people who "
                            "cannot see it.")
    clean = clean_picture(open_picture(source))
    key = KEY_PREFIX + content_hash(clean)
    existing = db.session.scalar(select(ProductImage).where(ProductImage.key == key))
    if existing is not None and (product.id is None or existing.product_id != product.id):
        raise ImageRejected("This picture is already used for another product.")
    largest = _limit_width(clean)
    store_renditions(largest, key, storage or media_storage(), quick=quick)
    if existing is not None:
        return existing
    image = ProductImage(key=key, alt_text=alt_text[:200], width=largest.width,
                         height=largest.height, position=len(product.images))
    product.images.append(image)
    db.session.flush()
    return image


def delete_image_files(image: ProductImage, storage: MediaStorage | None = None) -> None:
    """Remove every file made for ``image`` (the row is the caller's to delete)."""
    storage = storage or media_storage()
    for name in image_file_names(image.key, image.width):
        storage.delete(name)


def image_file_names(key: str, width: int) -> Iterable[str]:
    for size in rendition_widths(width):
        for extension, _format, _options in FORMATS:
            yield file_name(key, size, extension)
