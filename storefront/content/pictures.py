"""Pictures for articles (the hero image) and authors (the photo): checked, stored in every
size under a name made from their content, and shown at the width a page needs.
"""

from __future__ import annotations

from storefront.catalog.images import (
    ImageRejected,
    clean_picture,
    content_hash,
    file_name,
    open_picture,
    store_renditions,
)
from storefront.media import media_storage

HERO_MIN_WIDTH, PHOTO_MIN_WIDTH = 800, 200


def store_picture(source, folder: str, min_width: int) -> str:
    """Check an uploaded picture, store it in every size and return its key.

    Files are named by their content, so storing the same picture twice is harmless;
    the caller puts the key on the record. Raises ImageRejected for a file that is not a
    picture, or too narrow.
    """
    clean = clean_picture(open_picture(source))
    if clean.width < min_width:
        raise ImageRejected(f"That picture is {clean.width} pixels wide. Please upload one "
                            f"at least {min_width} pixels wide.")
    key = f"{folder}/{content_hash(clean)}"
    store_renditions(clean, key, media_storage())
    return key


def picture_url(key: str | None, width: int) -> str | None:
    """The JPEG of a stored picture at ``width`` (which every picture this size has)."""
    if not key:
        return None
    return media_storage().url(file_name(key, width, "jpg"))
