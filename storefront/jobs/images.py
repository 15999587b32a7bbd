"""Product pictures made in the background: the upload is checked now, sized by a job.

For the admin upload view::

    try:
        queue_product_image(product, form.picture.data, form.alt_text.data)
    except ImageRejected as error:
        attach_error(form, error.message, "picture")

The picture is decoded and checked in the request (a bad file is refused at once), kept
as ``incoming/<random>.upload`` in the media storage (shared by every host, and never
served), and ``make_image_sizes`` writes the WebP and JPEG sizes and adds the
``ProductImage`` row. Inline (no Redis) it is all done before the call returns.
"""

from __future__ import annotations

import secrets
from typing import Any

from storefront.catalog.images import (
    MAX_UPLOAD_BYTES,
    ImageRejected,
    PictureStoreDown,
    create_product_image,
    open_picture,
)
from storefront.catalog.models import Product
from storefront.extensions import db
from storefront.media import MediaUnavailable, delete_quietly, media_storage
from storefront.queue import QueuedJob, QueueUnavailable, enqueue, on_commit

INCOMING_PREFIX = "incoming/"
NO_ALT_TEXT = "Please describe the picture in a few words for people who cannot see it."


def queue_product_image(product: Product, source: Any, alt_text: str) -> QueuedJob:
    """Check an uploaded picture and have its sizes made by a job.

    Raises ImageRejected (for the form) when it is unusable or cannot be stored now
    (PictureStoreDown), QueueUnavailable when Redis is configured but down.
    """
    if not " ".join((alt_text or "").split()):
        raise ImageRejected(NO_ALT_TEXT)
    data = bytes(source) if isinstance(source, bytes | bytearray) else source.read(
        MAX_UPLOAD_BYTES + 1)
    open_picture(data)  # decodes it fully: refuses what is not a usable picture, now
    storage = media_storage()
    try:
        name = storage.save(f"{INCOMING_PREFIX}{secrets.token_hex(16)}.upload", data)
    except MediaUnavailable as error:
        raise PictureStoreDown(error.message) from error
    try:
        return enqueue(make_image_sizes, product.id, name, alt_text)
    except QueueUnavailable:
        storage.delete(name)
        raise


def make_image_sizes(product_id: int, incoming_name: str, alt_text: str) -> int | None:
    """Job: store every size of an uploaded picture for the product; the image's id.

    Safe to run twice: the same picture on the same product returns the existing row.
    The upload is removed once the image is committed (or when the product is gone).
    A storage that does not answer fails the job, to be tried again (MediaUnavailable).
    """
    storage = media_storage()
    product = db.session.get(Product, product_id)
    if product is None:
        storage.delete(incoming_name)
        return None
    try:
        image = create_product_image(product, storage.read(incoming_name), alt_text)
    except PictureStoreDown as error:
        raise MediaUnavailable(f"the picture storage did not answer: {error}") from error
    except ImageRejected:
        storage.delete(incoming_name)  # refused for good (e.g. used by another product)
        raise
    on_commit(lambda: delete_quietly([incoming_name], storage))
    return image.id
