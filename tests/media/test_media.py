"""Media storage and GET /media/<name>: cached for a year, never outside its folder."""

from __future__ import annotations

import pytest

from storefront.media import LocalMediaStorage, media_storage

WEBP = (b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00"
        b"\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")


@pytest.fixture
def storage(app, tmp_path, monkeypatch):
    storage = LocalMediaStorage(tmp_path / "media")
    monkeypatch.setitem(app.extensions, "storefront.media", storage)
    (tmp_path / "secret.jpg").write_bytes(b"outside the media folder")
    return storage


def test_save_read_open_exists_delete(app, storage):
    assert storage.save("products/a-200.webp", WEBP) == "products/a-200.webp"
    assert storage.exists("products/a-200.webp")
    assert storage.read("products/a-200.webp") == WEBP
    with storage.open("products/a-200.webp") as stream:
        assert stream.read() == WEBP
    storage.save("products/a-200.webp", b"replaced")
    assert storage.read("products/a-200.webp") == b"replaced"
    assert [path.name for path in (storage.root / "products").iterdir()] == ["a-200.webp"]
    storage.delete("products/a-200.webp")
    assert not storage.exists("products/a-200.webp")
    storage.delete("products/a-200.webp")  # deleting twice is fine


def test_urls(app, storage):
    with app.app_context():
        assert storage.url("products/a-200.webp") == "/media/products/a-200.webp"
        assert storage.url("products/a-200.webp", external=True) == \
            "http://shop.test/media/products/a-200.webp"


@pytest.mark.parametrize("name", ["../secret.jpg", "products/../../secret.jpg", "/etc/passwd",
                                  "", "x" * 400])
def test_names_cannot_leave_the_media_folder(storage, name):
    with pytest.raises(ValueError, match="media name"):
        storage.save(name, b"x")
    assert not storage.exists(name)


def test_media_root_setting_and_default(app, monkeypatch, tmp_path):
    monkeypatch.delitem(app.extensions, "storefront.media", raising=False)
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path / "elsewhere"))
    assert media_storage(app).root == tmp_path / "elsewhere"
    monkeypatch.delitem(app.extensions, "storefront.media")
    monkeypatch.setitem(app.config, "MEDIA_ROOT", None)
    monkeypatch.delenv("MEDIA_ROOT", raising=False)
    assert str(media_storage(app).root).endswith("/media")
    assert str(media_storage(app).root).startswith(app.instance_path)


def test_a_stored_picture_is_served_with_year_long_caching(client, storage):
    storage.save("products/abc-200.webp", WEBP)
    response = client.get("/media/products/abc-200.webp")
    assert response.status_code == 200
    assert response.data == WEBP
    assert response.mimetype == "image/webp"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cache = response.cache_control
    assert cache.public
    assert cache.immutable
    assert cache.max_age == 31536000
    again = client.get("/media/products/abc-200.webp",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", [
    "/media/../secret.jpg",
    "/media/%2e%2e/secret.jpg",
    "/media/..%2fsecret.jpg",
    "/media/products/..%2F..%2Fsecret.jpg",
    "/media/%2Fetc%2Fpasswd.jpg",
    "/media//etc/hostname.jpg",
    "/media/products/%00.jpg",
])
def test_paths_outside_the_media_folder_are_refused(client, storage, path):
    response = client.get(path)
    assert response.status_code in (404, 308)
    assert b"outside the media folder" not in response.data


@pytest.mark.parametrize("name", ["page.html", "products/a.svg", "notes.txt", "products/a"])
def test_only_pictures_are_served(client, storage, name):
    storage.save(name, b"<script>alert(1)</script>")
    assert client.get(f"/media/{name}").status_code == 404


def test_a_missing_file_is_not_found(client, storage):
    assert client.get("/media/products/nothing-200.jpg").status_code == 404
