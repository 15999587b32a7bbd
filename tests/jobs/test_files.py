"""Jobs over uploaded files: product picture sizes, and imports in one transaction."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from storefront import queue
from storefront.catalog.images import ImageRejected, image_file_names
from storefront.catalog.models import Brand, Product, ProductImage
from storefront.errors import DomainError
from storefront.extensions import db
from storefront.jobs.images import queue_product_image
from storefront.jobs.imports import queue_file_import, report_progress
from storefront.media import LocalMediaStorage
from storefront.queue.redis_queue import CONNECTION_KEY
from tests.factories import AdminFactory, ProductFactory
from tests.helpers.apps import free_port
from tests.helpers.jobs import count, failures, waiting, work


@pytest.fixture
def storage(app, tmp_path, monkeypatch):
    storage = LocalMediaStorage(tmp_path / "media")
    monkeypatch.setitem(app.extensions, "storefront.media", storage)
    return storage


def incoming(storage) -> list[str]:
    folder = storage.root / "incoming"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def picture(size=(900, 600), colour=(200, 120, 90)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def import_brands(data: bytes, actor, *, file_name: str, prefix: str = "") -> dict:
    """An importer: one brand per line, ``slug,name``; refuses the whole file on a bad line."""
    lines = data.decode("utf-8-sig").splitlines()
    for number, line in enumerate(lines, start=1):
        slug, _, name = line.partition(",")
        if not name:
            raise DomainError(f"{file_name}, line {number}: a brand needs a slug and a name.")
        db.session.add(Brand(slug=prefix + slug, name=name))
        db.session.flush()
        report_progress(number, len(lines))
    return {"brands": len(lines), "by": actor.email if actor else None}


# Product pictures -----------------------------------------------------------------------

def _product(app):
    with app.app_context():
        product = ProductFactory()
        db.session.commit()
        return product.id


def _queue_picture(app, product_id, data, alt="A jar of cream"):
    with app.test_request_context():
        return queue_product_image(db.session.get(Product, product_id), data, alt)


@pytest.mark.usefixtures("redis_queue")
def test_a_picture_is_checked_now_and_sized_by_the_worker(app, db, storage):
    product_id = _product(app)
    queued = _queue_picture(app, product_id, picture())
    assert not queued.inline
    assert len(incoming(storage)) == 1
    assert incoming(storage)[0].endswith(".upload")
    assert count(app, ProductImage, ProductImage.product_id == product_id) == 0

    work(app)
    with app.app_context():
        image = db.session.scalar(select(ProductImage).where(
            ProductImage.product_id == product_id))
        assert (image.width, image.height, image.alt_text) == (800, 533, "A jar of cream")
        assert queue.job_state(queued.id)["result"] == image.id
        names = list(image_file_names(image.key, image.width))
    assert len(names) == 6
    assert all(storage.exists(name) for name in names)
    assert incoming(storage) == []


@pytest.mark.usefixtures("redis_queue")
def test_an_unusable_picture_is_refused_at_once_and_nothing_is_kept(app, db, storage):
    product_id = _product(app)
    with pytest.raises(ImageRejected):
        _queue_picture(app, product_id, b"not a picture at all")
    with pytest.raises(ImageRejected, match="describe the picture"):
        _queue_picture(app, product_id, picture(), alt="  ")
    assert incoming(storage) == []
    assert waiting(app) == 0


def test_without_redis_the_sizes_are_made_before_the_call_returns(app, db, storage):
    product_id = _product(app)
    queued = _queue_picture(app, product_id, picture(size=(300, 300)))
    assert queued.inline
    assert not queued.failed
    assert count(app, ProductImage, ProductImage.product_id == product_id) == 1
    assert incoming(storage) == []


def test_a_picture_already_used_elsewhere_is_listed_for_admins(app, db, storage):
    data = picture(colour=(10, 200, 10))
    first, second = _product(app), _product(app)
    assert not _queue_picture(app, first, data).failed
    queued = _queue_picture(app, second, data)
    assert queued.failed
    assert queued.result == {"refused": "This picture is already used for another product."}
    [failed] = failures(app)
    assert failed.function == "storefront.jobs.images:make_image_sizes"
    assert incoming(storage) == []


def test_when_redis_is_down_the_upload_is_not_left_behind(app, db, storage, monkeypatch):
    product_id = _product(app)
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    app.extensions.pop(CONNECTION_KEY, None)
    try:
        with pytest.raises(queue.QueueUnavailable):
            _queue_picture(app, product_id, picture())
        with pytest.raises(queue.QueueUnavailable):
            _import(app, b"acme,Acme\n")
    finally:
        app.extensions.pop(CONNECTION_KEY, None)
    assert incoming(storage) == []


# Imports --------------------------------------------------------------------------------

def _import(app, data, actor=None, **options):
    with app.test_request_context():
        return queue_file_import(import_brands, data, "brands.csv", actor, **options)


@pytest.mark.usefixtures("redis_queue")
def test_an_import_runs_in_the_worker_and_reports_its_summary(app, db, storage, make):
    admin = make(AdminFactory)
    queued = _import(app, "\ufeffacme,Acme\nzen,Zen Labs\n".encode(), admin, prefix="csv-")
    assert [name[-4:] for name in incoming(storage)] == [".csv"]
    with app.app_context():
        assert queue.job_state(queued.id)["state"] == "queued"

    work(app)
    with app.app_context():
        state = queue.job_state(queued.id)
    assert state["result"] == {"brands": 2, "by": admin.email}
    assert state["progress"] == {"done": 2, "total": 2}
    assert count(app, Brand, Brand.slug.in_(["csv-acme", "csv-zen"])) == 2
    assert incoming(storage) == []


def test_an_import_with_a_bad_line_changes_nothing_and_says_why(app, db, storage):
    queued = _import(app, b"good,Good Brand\nbad-line-without-a-name\n")
    assert queued.failed
    assert queued.result == {
        "refused": "brands.csv, line 2: a brand needs a slug and a name."}
    assert count(app, Brand, Brand.slug == "good") == 0
    [failed] = failures(app)
    assert failed.error == "brands.csv, line 2: a brand needs a slug and a name."
    assert incoming(storage) == []


def test_without_redis_an_import_returns_its_summary_at_once(app, db, storage):
    queued = _import(app, b"solo,Solo\n")
    assert queued.inline
    assert queued.result == {"brands": 1, "by": None}
    assert count(app, Brand, Brand.slug == "solo") == 1
