"""Uploads through the back office's picture form: too large is refused with 413, something
that is not a picture is refused whatever its name, and what is kept carries no metadata
(no EXIF, GPS position, camera, comment or colour profile) in any size or format served.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from storefront.catalog.models import ProductImage
from storefront.media import LocalMediaStorage
from tests.factories import AdminFactory, ProductFactory
from tests.helpers import csrf_from, login

GPS_IFD, MAKE = 0x8825, 0x010F


@pytest.fixture
def storage(app, tmp_path, monkeypatch):
    storage = LocalMediaStorage(tmp_path / "media")
    monkeypatch.setitem(app.extensions, "storefront.media", storage)
    return storage


@pytest.fixture
def admin(app, client, make):
    login(client, make(AdminFactory).email)
    product = make(ProductFactory, name="Barrier Cream")
    token = csrf_from(client.get(f"/admin/products/{product.id}").get_data(as_text=True))
    return product, token


def _upload(client, product, token, content: bytes, filename: str, mimetype="image/jpeg"):
    return client.post(f"/admin/products/{product.id}/images", data={
        "csrf_token": token, "alt_text": "A jar of cream",
        "picture": (io.BytesIO(content), filename, mimetype)},
        content_type="multipart/form-data")


def _pictures(app) -> int:
    from storefront.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProductImage))


def test_an_upload_larger_than_allowed_is_refused_with_413(app, client, admin, storage):
    product, token = admin
    too_big = b"\xff\xd8\xff" + b"\x00" * app.config["MAX_CONTENT_LENGTH"]
    response = _upload(client, product, token, too_big, "huge.jpg")
    assert response.status_code == 413
    assert "That upload is too large" in response.get_data(as_text=True)
    assert _pictures(app) == 0 and not list(storage.root.rglob("*.*"))
    # The same on a public form.
    asked = client.post("/ask", data={"csrf_token": token, "question": "x" * (
        app.config["MAX_CONTENT_LENGTH"] + 1)})
    assert asked.status_code == 413


NOT_PICTURES = {
    "page.jpg": b"<!doctype html><script>alert(1)</script>",
    "drawing.png": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                    b"</svg>"),
    "shell.webp": b"<?php system($_GET['c']); ?>",
    "header-only.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "gifjs.gif": b"GIF89a/*\x00\x00*/=alert(1)//",
    "empty.jpg": b"",
}


def test_something_that_is_not_a_picture_is_refused_whatever_its_name(app, client, admin,
                                                                      storage):
    product, token = admin
    for filename, content in NOT_PICTURES.items():
        response = _upload(client, product, token, content, filename)
        assert response.status_code == 422, (filename, response.status_code)
        page = response.get_data(as_text=True)
        assert re.search(r"not a (JPEG, PNG or WebP )?picture|Choose a picture", page), filename
    assert _pictures(app) == 0 and not list(storage.root.rglob("*.*"))


def _photo_with_metadata() -> bytes:
    image = Image.new("RGB", (900, 600), (190, 120, 80))
    image.paste((40, 90, 120), (0, 0, 450, 200))
    exif = Image.Exif()
    exif[MAKE] = "SecretCam"
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"taken at home",
               icc_profile=b"\x00" * 128)
    return buffer.getvalue()


def test_what_is_served_carries_no_metadata(app, client, admin, storage):
    product, token = admin
    photo = _photo_with_metadata()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(GPS_IFD)  # the test's own check
    response = _upload(client, product, token, photo, "IMG_0001.jpg")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]

    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    served = sorted(set(re.findall(r'/media/[^"\s,]+\.(?:jpg|webp)', page)))
    assert served, "the product page shows no stored picture"
    names = [path.name for path in storage.root.rglob("*.*")]
    assert len(names) >= 4  # every width, in WebP and JPEG
    for url in served:
        response = client.get(url)
        assert response.status_code == 200, url
        data = response.get_data()
        for secret in (b"SecretCam", b"taken at home", b"GPS", b"Exif"):
            assert secret not in data, (url, secret)
        image = Image.open(io.BytesIO(data))
        assert not image.getexif(), url
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info), (url, image.info)
