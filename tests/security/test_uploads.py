"""Uploads through the back office's picture form: too large is refused with 413, something
that is not a picture is refused whatever its name, and what is kept carries no metadata
(no EXIF, GPS position, camera, comment or colour profile) in any size or format served.
"""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from storefront.catalog.models import ProductImage
from storefront.content.models import Article, Author
from storefront.extensions import db
from storefront.media import LocalMediaStorage
from tests.factories import AdminFactory, ProductFactory
from tests.helpers import csrf_from, login
from tests.helpers.admin import (
    AUTHOR,
    NEW,
    article_data,
    as_editor,
    count,
    field_error,
    picture,
    post_form,
)

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
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProductImage))


def test_an_upload_larger_than_allowed_is_refused_with_413(app, client, admin, storage):
    product, token = admin
    too_big = b"\xff\xd8\xff" + b"\x00" * app.config["MAX_CONTENT_LENGTH"]
    response = _upload(client, product, token, too_big, "huge.jpg")
    assert response.status_code == 413
    assert "That upload is too large" in response.get_data(as_text=True)
    assert _pictures(app) == 0
    assert not list(storage.root.rglob("*.*"))
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
    assert _pictures(app) == 0
    assert not list(storage.root.rglob("*.*"))


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


# --- Pictures that declare more pixels than we decode ----------------------------------------

def png_declaring(width: int, height: int) -> bytes:
    """A complete, valid black-and-white PNG of ``width`` x ``height`` blank pixels.

    Written chunk by chunk (Pillow would need the whole image in memory to save it): the
    rows are all zeros, so 20,000 x 20,000 pixels compress to about 50 KB.
    """
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    row = bytes(1 + (width + 7) // 8)  # filter byte, then one bit per pixel
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
            + chunk(b"IEND", b""))


def test_the_crafted_picture_is_a_real_png_of_that_size():
    small = Image.open(io.BytesIO(png_declaring(300, 200)))
    small.load()
    assert (small.format, small.size, small.getextrema()) == ("PNG", (300, 200), (0, 0))
    bomb = png_declaring(20_000, 20_000)
    assert len(bomb) < 100_000
    assert struct.unpack(">II", bomb[16:24]) == (20_000, 20_000)
    with pytest.raises(Image.DecompressionBombError):  # what used to escape as a 500
        Image.open(io.BytesIO(bomb))


# 20,000 x 20,000 trips Pillow's error; 10,000 x 10,000 only its warning, made an error here.
HUGE = [(20_000, 20_000), (10_000, 10_000)]


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("size", HUGE)
def test_a_product_picture_with_too_many_pixels_is_refused(app, client, admin, storage,
                                                           size):
    product, token = admin
    response = _upload(client, product, token, png_declaring(*size), "huge.png", "image/png")
    assert response.status_code == 422
    assert "too many pixels" in field_error(response.get_data(as_text=True), "picture")
    assert _pictures(app) == 0
    assert not list(storage.root.rglob("*"))


def test_the_pixel_limit_is_a_setting(app, client, admin, storage, monkeypatch):
    product, token = admin
    monkeypatch.setitem(app.config, "MAX_IMAGE_PIXELS", 1_000_000)
    response = _upload(client, product, token, png_declaring(1001, 1000), "big.png",
                       "image/png")
    assert response.status_code == 422
    assert "about 1000 by 1000 pixels" in field_error(response.get_data(as_text=True),
                                                      "picture")
    assert _pictures(app) == 0
    assert not list(storage.root.rglob("*"))
    response = _upload(client, product, token, png_declaring(1000, 1000), "fits.png",
                       "image/png")
    assert response.status_code == 303
    assert _pictures(app) == 1


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("size", HUGE)
def test_an_author_photo_with_too_many_pixels_is_refused(app, client, make, storage, size):
    as_editor(client, make)
    data = {**AUTHOR, "photo": (io.BytesIO(png_declaring(*size)), "me.png")}
    response = post_form(client, "/admin/authors/new", data,
                         content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "too many pixels" in field_error(html, "photo")
    assert AUTHOR["bio"] in html  # the rest of the form is kept
    assert count(app, Author) == 0
    assert not list(storage.root.rglob("*"))
    # The form still takes a good photo afterwards.
    data = {**AUTHOR, "photo": (picture(300, 300), "me.png"), "photo_alt": "The author"}
    response = post_form(client, "/admin/authors/new", data,
                         content_type="multipart/form-data")
    assert response.status_code == 303
    assert count(app, Author) == 1


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("size", HUGE)
def test_an_article_hero_with_too_many_pixels_is_refused(app, client, writer,
                                                         storage, size):
    _, author = writer
    data = article_data(author.id, hero_image_alt="Milia under an eye")
    response = post_form(client, NEW, {**data, "hero_image": (io.BytesIO(png_declaring(*size)),
                                                              "hero.png")},
                         content_type="multipart/form-data")
    assert response.status_code == 422
    assert "too many pixels" in field_error(response.get_data(as_text=True), "hero_image")
    assert count(app, Article) == 0
    assert not list(storage.root.rglob("*"))
