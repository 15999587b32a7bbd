"""Product pictures: checked, cleaned of metadata, stored in every size, shown responsively."""

from __future__ import annotations

from io import BytesIO

import pytest
from flask import render_template_string
from PIL import Image, PngImagePlugin
from sqlalchemy import func, select

from storefront.catalog.images import (
    ImageRejected,
    create_product_image,
    image_file_names,
    rendition_widths,
)
from storefront.catalog.models import ProductImage
from storefront.extensions import db
from storefront.media import LocalMediaStorage
from tests.factories import ProductFactory

GPS_IFD = 0x8825
MAKE, ORIENTATION = 0x010F, 0x0112


@pytest.fixture
def storage(app, tmp_path, monkeypatch):
    """A media folder of this test's own."""
    storage = LocalMediaStorage(tmp_path / "media")
    monkeypatch.setitem(app.extensions, "storefront.media", storage)
    return storage


def jpeg_with_metadata(size=(1000, 600), orientation=1) -> bytes:
    image = Image.new("RGB", size, (190, 120, 80))
    image.paste((40, 90, 120), (0, 0, size[0] // 2, size[1] // 3))
    exif = Image.Exif()
    exif[MAKE] = "SecretCam"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"taken at home")
    return buffer.getvalue()


def opened(storage, name: str) -> Image.Image:
    image = Image.open(BytesIO(storage.read(name)))
    image.load()
    return image


def test_the_upload_under_test_really_carries_metadata():
    source = Image.open(BytesIO(jpeg_with_metadata()))
    exif = source.getexif()
    assert exif[MAKE] == "SecretCam"
    assert exif.get_ifd(GPS_IFD)[1] == "N"
    assert source.info.get("comment") == b"taken at home"


def test_every_size_and_format_is_made_without_metadata(app_ctx, storage):
    product = ProductFactory()
    image = create_product_image(product, jpeg_with_metadata(), "A tube of cream")
    assert image.key.startswith("products/")
    assert len(image.key) == len("products/") + 24
    assert (image.width, image.height) == (800, 480)
    assert image.alt_text == "A tube of cream"
    names = sorted(image_file_names(image.key, image.width))
    assert names == sorted(f"{image.key}-{width}.{ext}"
                           for width in (200, 400, 800) for ext in ("jpg", "webp"))
    for name in names:
        picture = opened(storage, name)
        width = int(name.rsplit("-", 1)[1].split(".")[0])
        assert picture.size == (width, round(width * 0.6))
        assert picture.format == ("WEBP" if name.endswith(".webp") else "JPEG")
        assert picture.mode == "RGB"
        assert len(picture.getexif()) == 0, name
        assert not {"exif", "comment", "icc_profile", "xmp"} & set(picture.info), name
        raw = storage.read(name)
        assert b"SecretCam" not in raw
        assert b"taken at home" not in raw


def test_small_pictures_are_never_upscaled(app_ctx, storage):
    buffer = BytesIO()
    Image.new("RGB", (300, 150), "teal").save(buffer, "PNG")
    image = create_product_image(ProductFactory(), buffer.getvalue(), "Small")
    assert (image.width, image.height) == (300, 150)
    assert rendition_widths(300) == [200, 300]
    assert storage.exists(f"{image.key}-300.webp")
    assert storage.exists(f"{image.key}-200.jpg")
    assert not storage.exists(f"{image.key}-400.jpg")
    assert opened(storage, f"{image.key}-300.jpg").size == (300, 150)


def test_the_camera_orientation_is_applied_before_metadata_goes(app_ctx, storage):
    # Orientation 6: the camera stored the picture on its side; it is shown turned 90°.
    image = create_product_image(ProductFactory(), jpeg_with_metadata((400, 200), 6), "Upright")
    assert (image.width, image.height) == (200, 400)


def test_transparent_pictures_become_rgb_on_white(app_ctx, storage):
    buffer = BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Somebody private")
    Image.new("RGBA", (420, 420), (0, 0, 0, 0)).save(buffer, "PNG", pnginfo=info)
    image = create_product_image(ProductFactory(), buffer.getvalue(), "A clear jar")
    picture = opened(storage, f"{image.key}-400.jpg")
    assert picture.mode == "RGB"
    assert picture.getpixel((10, 10)) == (255, 255, 255)
    assert b"Somebody private" not in storage.read(f"{image.key}-420.webp")


def test_a_pil_image_can_be_used_directly(app_ctx, storage):
    image = create_product_image(ProductFactory(), Image.new("RGB", (800, 800), "navy"),
                                 "Drawn")
    assert (image.width, image.height) == (800, 800)


def _bmp() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "BMP")
    return buffer.getvalue()


NOT_PICTURES = {
    "text": lambda: b"just some text, not a picture",
    "pdf": lambda: b"%PDF-1.4\n1 0 obj << >> endobj\n",
    "svg": lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
    "empty": lambda: b"",
    "png-header-only": lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
    "truncated-jpeg": lambda: jpeg_with_metadata()[:200],
    "bmp": _bmp,
    "a-number": lambda: 12345,
}


@pytest.mark.parametrize("kind", NOT_PICTURES)
def test_anything_but_a_picture_is_refused(app_ctx, storage, kind):
    product = ProductFactory()
    with pytest.raises(ImageRejected) as error:
        create_product_image(product, NOT_PICTURES[kind](), "Anything")
    assert "not a picture we can use" in error.value.message
    assert error.value.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(ProductImage)) == 0
    assert not list(storage.root.rglob("*.*"))


def test_a_picture_with_too_many_pixels_is_refused(app_ctx, storage):
    buffer = BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")  # 48 million pixels, a tiny file
    with pytest.raises(ImageRejected, match="too many pixels"):
        create_product_image(ProductFactory(), buffer.getvalue(), "Huge")


def test_a_picture_needs_a_description(app_ctx, storage):
    with pytest.raises(ImageRejected, match="describe the picture"):
        create_product_image(ProductFactory(), Image.new("RGB", (50, 50)), "   ")


def test_the_same_picture_twice(app_ctx, storage):
    product, other = ProductFactory(), ProductFactory()
    first = create_product_image(product, jpeg_with_metadata(), "Front")
    storage.delete(f"{first.key}-400.webp")
    again = create_product_image(product, jpeg_with_metadata(), "Front")
    assert again is first
    assert storage.exists(f"{first.key}-400.webp"), "missing files are written again"
    with pytest.raises(ImageRejected, match="already used for another product"):
        create_product_image(other, jpeg_with_metadata(), "Front")


def test_the_picture_macro(app, storage):
    with app.test_request_context():
        image = ProductImage(key="products/abc", alt_text='A "quoted" jar', width=300,
                             height=450)
        html = render_template_string(
            '{% from "catalog/_picture.html" import picture %}'
            '{{ picture(image, "50vw", [200, 400, 800], class_="hero") }}', image=image)
    assert html == (
        '<picture><source type="image/webp" srcset="/media/products/abc-200.webp 200w, '
        '/media/products/abc-300.webp 300w" sizes="50vw"><img src="/media/products/abc-300.jpg" '
        'width="300" height="450" alt="A &#34;quoted&#34; jar" loading="lazy" class="hero">'
        "</picture>")
