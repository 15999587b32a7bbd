"""Pictures in an S3-compatible bucket (``MEDIA_STORAGE=s3``), against a real S3 server.

moto's server mode plays S3 on a loopback port, started once per session like the fake
Stripe; boto3 talks to it over HTTP exactly as it would to AWS or MinIO. Each test gets
a bucket of its own, readable by anyone for the picture folders (as a CDN would read it).
"S3 down" is a storage whose endpoint is a loopback port where nothing listens, or a
storage that stops answering part-way through.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from io import BytesIO
from urllib.error import HTTPError

import pytest
from moto.server import ThreadedMotoServer
from PIL import Image
from sqlalchemy import func, select

from storefront.catalog.images import PictureStoreDown, image_file_names
from storefront.catalog.models import Product, ProductImage
from storefront.extensions import db
from storefront.headers import content_security_policy
from storefront.jobs.images import make_image_sizes, queue_product_image
from storefront.media import (
    EXTENSION_KEY,
    MediaUnavailable,
    S3MediaStorage,
    media_storage,
    public_origin,
    s3_client,
)
from tests.factories import AdminFactory, ProductFactory
from tests.helpers import login, submit
from tests.helpers.apps import free_port

REGION = "eu-west-1"
WEBP = (b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00"
        b"\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")


@pytest.fixture(scope="session")
def s3_endpoint():
    """A local S3 server (moto) on a free loopback port, for the whole session."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_settings(endpoint: str, bucket: str) -> dict:
    return {"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": bucket,
            "MEDIA_S3_ENDPOINT_URL": endpoint, "MEDIA_S3_REGION": REGION,
            "MEDIA_S3_ACCESS_KEY_ID": "test-key", "MEDIA_S3_SECRET_ACCESS_KEY": "test-secret",
            "MEDIA_S3_PREFIX": "", "MEDIA_PUBLIC_URL": None}


def make_bucket(endpoint: str) -> str:
    """A new bucket whose picture folders anyone may read (a CDN's view of it)."""
    bucket = f"shop-media-{uuid.uuid4().hex[:10]}"
    client = s3_client(s3_settings(endpoint, bucket))
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={
        "LocationConstraint": REGION})
    client.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": [f"arn:aws:s3:::{bucket}/{folder}/*"
                                    for folder in ("products", "articles", "authors")]}]}))
    return bucket


@pytest.fixture
def s3(app, s3_endpoint, monkeypatch):
    """The app's media storage is a new bucket on the local S3 server."""
    bucket = make_bucket(s3_endpoint)
    for key, value in s3_settings(s3_endpoint, bucket).items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.delitem(app.extensions, EXTENSION_KEY, raising=False)
    storage = media_storage(app)
    yield storage
    app.extensions.pop(EXTENSION_KEY, None)


def objects(storage: S3MediaStorage, prefix: str = "") -> list[str]:
    listing = storage.client.list_objects_v2(Bucket=storage.bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


class Faltering:
    """The bucket's storage, which stops answering after ``good`` calls (of ``only``)."""

    def __init__(self, storage: S3MediaStorage, good: int = 0, only: str | None = None):
        self.storage, self.good, self.only, self.calls = storage, good, only, 0

    def __getattr__(self, name):
        method = getattr(self.storage, name)
        if name not in ("save", "read", "open", "exists", "delete") or (
                self.only and name != self.only):
            return method

        def call(*args, **kwargs):
            self.calls += 1
            if self.calls > self.good:
                raise MediaUnavailable(f"{name}: connection refused")
            return method(*args, **kwargs)

        return call


def picture(size=(900, 600), colour=(200, 120, 90), kind="JPEG") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, kind)
    return buffer.getvalue()


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, dict(response.headers), response.read()
    except HTTPError as error:
        return error.code, dict(error.headers), b""


def image_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProductImage))


# The storage itself ---------------------------------------------------------------------

def test_save_read_open_exists_delete_and_url(app, s3):
    assert isinstance(s3, S3MediaStorage)
    assert s3.save("products/a-200.webp", WEBP) == "products/a-200.webp"
    assert s3.exists("products/a-200.webp")
    assert not s3.exists("products/b-200.webp")
    assert s3.read("products/a-200.webp") == WEBP
    with s3.open("products/a-200.webp") as stream:
        assert stream.read() == WEBP
    s3.save("products/a-200.webp", b"replaced")
    assert s3.read("products/a-200.webp") == b"replaced"
    with pytest.raises(FileNotFoundError):
        s3.read("products/missing-200.webp")

    url = s3.url("products/a-200.webp")
    assert url == f"{app.config['MEDIA_S3_ENDPOINT_URL']}/{s3.bucket}/products/a-200.webp"
    assert s3.url("products/a-200.webp", external=True) == url
    status, _headers, body = fetch(url)  # anyone (a CDN, a browser) can read a picture
    assert (status, body) == (200, b"replaced")
    head = s3.client.head_object(Bucket=s3.bucket, Key="products/a-200.webp")
    assert head["ContentType"] == "image/webp"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"

    s3.delete("products/a-200.webp")
    assert not s3.exists("products/a-200.webp")
    s3.delete("products/a-200.webp")  # deleting twice is fine
    assert objects(s3) == []


def test_uploads_waiting_for_a_job_are_never_public(app, s3):
    s3.save("incoming/0123abcd.upload", picture())
    head = s3.client.head_object(Bucket=s3.bucket, Key="incoming/0123abcd.upload")
    assert head["ContentType"] == "application/octet-stream"
    assert "CacheControl" not in head
    assert fetch(s3.url("incoming/0123abcd.upload"))[0] == 403


@pytest.mark.parametrize("name", ["../secret.jpg", "products/../../secret.jpg", "/etc/passwd",
                                  "", "x" * 400, "products/./a.jpg", "a\\b.jpg"])
def test_names_cannot_leave_the_storage(s3, name):
    with pytest.raises(ValueError, match="media name"):
        s3.save(name, b"x")
    assert not s3.exists(name)
    assert objects(s3) == []


def test_the_settings_choose_the_bucket_the_prefix_and_the_cdn(app, s3_endpoint, monkeypatch):
    bucket = make_bucket(s3_endpoint)
    for key, value in {**s3_settings(s3_endpoint, bucket), "MEDIA_S3_PREFIX": "shop/",
                       "MEDIA_PUBLIC_URL": "https://cdn.example.com/pictures/"}.items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.delitem(app.extensions, EXTENSION_KEY, raising=False)
    storage = media_storage(app)
    storage.save("products/a-200.webp", WEBP)
    assert objects(storage) == ["shop/products/a-200.webp"]
    assert storage.url("products/a-200.webp") == \
        "https://cdn.example.com/pictures/products/a-200.webp"
    app.extensions.pop(EXTENSION_KEY)

    monkeypatch.setitem(app.config, "MEDIA_PUBLIC_URL", None)
    monkeypatch.setitem(app.config, "MEDIA_S3_ENDPOINT_URL", None)
    aws = media_storage(app)
    assert aws.url("products/a.jpg") == \
        f"https://{bucket}.s3.{REGION}.amazonaws.com/shop/products/a.jpg"
    app.extensions.pop(EXTENSION_KEY)

    monkeypatch.setitem(app.config, "MEDIA_S3_BUCKET", None)
    with pytest.raises(RuntimeError, match="MEDIA_S3_BUCKET"):
        media_storage(app)


def test_a_store_that_does_not_answer_says_so(app, s3):
    down = S3MediaStorage(s3_client(s3_settings(f"http://127.0.0.1:{free_port()}", "x")),
                          "x", "https://cdn.example.com")
    for call in (lambda: down.save("products/a.jpg", b"x"), lambda: down.read("products/a.jpg"),
                 lambda: down.exists("products/a.jpg"), lambda: down.delete("products/a.jpg")):
        with pytest.raises(MediaUnavailable) as raised:
            call()
        assert "try again in a few minutes" in raised.value.message


# Uploads, picture sizes and deletes through the bucket -----------------------------------

@pytest.fixture
def admin(client, make):
    user = make(AdminFactory, email="pictures@example.com")
    login(client, user.email)
    return user


def upload(client, product_id: int, data: bytes, alt: str = "A jar of cream"):
    return submit(client, f"/admin/products/{product_id}/images",
                  {"picture": (BytesIO(data), "jar.jpg"), "alt_text": alt},
                  form_url=f"/admin/products/{product_id}")


def test_an_admin_upload_lands_in_the_bucket_and_pages_link_there(app, client, admin, make,
                                                                    s3):
    product = make(ProductFactory)
    response = upload(client, product.id, picture())
    assert response.status_code == 303
    with app.app_context():
        [image] = db.session.get(Product, product.id).images
        key, width = image.key, image.width
    names = sorted(image_file_names(key, width))
    assert objects(s3) == names
    assert len(names) == 6
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert s3.url(f"{key}-400.webp") in page
    assert fetch(s3.url(f"{key}-800.jpg"))[0] == 200
    assert client.get(f"/media/{key}-400.webp").status_code == 404  # the store serves them


def test_with_the_store_down_an_upload_is_refused_with_a_message_and_nothing_kept(
        app, client, admin, make, s3, monkeypatch):
    product = make(ProductFactory)
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, Faltering(s3, good=0))
    response = upload(client, product.id, picture())
    assert response.status_code == 422
    assert "picture storage is not answering" in response.get_data(as_text=True)
    assert image_count(app) == 0
    assert objects(s3) == []


def test_a_store_failing_part_way_leaves_no_file_and_no_row(app, client, admin, make, s3,
                                                            monkeypatch):
    product = make(ProductFactory)
    faltering = Faltering(s3, good=3, only="save")  # three files written, then silence
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, faltering)
    response = upload(client, product.id, picture())
    assert response.status_code == 422
    assert "picture storage is not answering" in response.get_data(as_text=True)
    assert faltering.calls == 4
    assert image_count(app) == 0
    assert objects(s3) == []  # the three files written were taken back


def test_with_the_store_down_a_picture_is_not_deleted(app, client, admin, make, s3,
                                                      monkeypatch):
    product = make(ProductFactory)
    upload(client, product.id, picture())
    with app.app_context():
        [image] = db.session.get(Product, product.id).images
        image_id = image.id
    stored = objects(s3)
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, Faltering(s3, good=0))
    response = submit(client, f"/admin/products/images/{image_id}/delete", {},
                      form_url=f"/admin/products/{product.id}")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "picture storage is not answering" in page
    assert image_count(app) == 1
    assert objects(s3) == stored

    monkeypatch.setitem(app.extensions, EXTENSION_KEY, s3)
    response = submit(client, f"/admin/products/images/{image_id}/delete", {},
                      form_url=f"/admin/products/{product.id}")
    assert response.status_code == 303
    assert image_count(app) == 0
    assert objects(s3) == []


def _product_id(app) -> int:
    with app.app_context():
        product = ProductFactory()
        db.session.commit()
        return product.id


def test_the_picture_sizes_job_reads_and_writes_the_bucket(app, db, s3):
    product_id = _product_id(app)
    with app.test_request_context():
        queued = queue_product_image(db.session.get(Product, product_id), picture(),
                                     "A jar of cream")
    assert queued.inline
    assert not queued.failed
    with app.app_context():
        image = db.session.get(ProductImage, queued.result)
        names = sorted(image_file_names(image.key, image.width))
    assert objects(s3) == names  # the upload under incoming/ is gone once committed


def test_the_picture_sizes_job_is_tried_again_when_the_store_is_down(app, db, s3, monkeypatch):
    product_id = _product_id(app)
    s3.save("incoming/waiting.upload", picture())
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, Faltering(s3, good=1))  # reads it
    with app.app_context(), pytest.raises(MediaUnavailable):  # not a refusal: retried
        make_image_sizes(product_id, "incoming/waiting.upload", "A jar of cream")
    with app.app_context():
        db.session.rollback()
    assert image_count(app) == 0
    assert objects(s3) == ["incoming/waiting.upload"]  # kept for the next try


def test_an_upload_for_the_job_is_refused_when_the_store_is_down(app, db, s3, monkeypatch):
    product_id = _product_id(app)
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, Faltering(s3, good=0))
    with app.test_request_context(), pytest.raises(PictureStoreDown):
        queue_product_image(db.session.get(Product, product_id), picture(), "A jar")
    assert objects(s3) == []


# Moving a folder of pictures into the bucket --------------------------------------------

def test_media_copy_moves_a_folder_into_the_bucket_once(app, s3, tmp_path):
    folder = tmp_path / "media"
    (folder / "products").mkdir(parents=True)
    (folder / "products" / "abc-200.webp").write_bytes(WEBP)
    (folder / "products" / "abc-200.jpg").write_bytes(picture((200, 100)))
    (folder / "products" / ".upload-x1y2").write_bytes(b"half a file")
    (folder / "authors").mkdir()
    (folder / "authors" / "def-200.jpg").write_bytes(picture((200, 200)))
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["media-copy", "--from", str(folder), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would copy 3 file(s)" in dry.output
    assert objects(s3) == []

    result = runner.invoke(args=["media-copy", "--from", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Copied 3 file(s)" in result.output
    assert "0 were there already" in result.output
    assert objects(s3) == ["authors/def-200.jpg", "products/abc-200.jpg",
                           "products/abc-200.webp"]
    assert s3.read("products/abc-200.webp") == WEBP
    assert s3.client.head_object(Bucket=s3.bucket, Key="products/abc-200.jpg")[
        "ContentType"] == "image/jpeg"

    again = runner.invoke(args=["media-copy", "--from", str(folder)])
    assert "Copied 0 file(s)" in again.output
    assert "3 were there already" in again.output


def test_media_copy_says_when_the_store_is_down(app, s3, tmp_path, monkeypatch):
    (tmp_path / "products").mkdir()
    (tmp_path / "products" / "abc-200.webp").write_bytes(WEBP)
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, Faltering(s3, good=0))
    result = app.test_cli_runner().invoke(args=["media-copy", "--from", str(tmp_path)])
    assert result.exit_code == 1
    assert "picture storage is not answering" in result.output


def test_pages_may_show_pictures_from_the_cdn():
    settings = {"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "shop-media",
                "MEDIA_PUBLIC_URL": "https://cdn.example.com/pictures"}
    assert public_origin(settings) == "https://cdn.example.com"
    assert public_origin({"MEDIA_STORAGE": "local"}) is None
    policy = content_security_policy((), (public_origin(settings),))
    assert "img-src 'self' data: https://cdn.example.com;" in policy
