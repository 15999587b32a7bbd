"""Editors keep the authors and reviewers named on articles."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from sqlalchemy import select

from storefront.content.models import Author
from storefront.extensions import db
from storefront.media import media_storage
from tests.factories import ArticleFactory, AuthorFactory
from tests.helpers.admin import (
    AUTHOR,
    as_editor,
    audit_log,
    field_error,
    form_values,
    picture,
    post_form,
    textarea,
)
from tests.helpers.content import PAYLOADS, assert_harmless, page
from tests.helpers.pages import Page


def stored_author(app, slug: str) -> Author | None:
    with app.app_context():
        author = db.session.scalar(select(Author).where(Author.slug == slug))
        if author is not None:
            db.session.expunge(author)
        return author


def test_editor_adds_and_edits_an_author(app, client, make):
    editor = as_editor(client, make)
    response = post_form(client, "/admin/authors/new", AUTHOR)
    assert response.status_code == 303
    author = stored_author(app, "ines-halden")
    assert (author.name, author.credentials) == ("Dr. Ines Halden",
                                                 "MD, board-certified dermatologist")
    assert "Dr. Ines Halden" in page(client, "/admin/authors")

    url = f"/admin/authors/{author.id}/edit"
    values = form_values(page(client, url))
    assert values["bio"] == "Sees patients with acne and rosacea."
    assert client.post(url, data={**values, "credentials": "MD, PhD"}).status_code == 303
    assert stored_author(app, "ines-halden").credentials == "MD, PhD"

    created, updated = audit_log(app, "author.")
    assert (created.action, created.actor_id) == ("author.created", editor.id)
    assert updated.before == {"credentials": "MD, board-certified dermatologist"}
    assert updated.after == {"credentials": "MD, PhD"}


def test_an_empty_author_address_is_made_from_the_name(app, client, make):
    as_editor(client, make)
    post_form(client, "/admin/authors/new", {**AUTHOR, "slug": "", "name": "Dr. Zoë Brandt"})
    assert stored_author(app, "dr-zoe-brandt") is not None
    assert [entry.action for entry in audit_log(app)] == ["author.created"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Give the author's name."),
    ({"credentials": ""}, "credentials", "Give the author's credentials."),
    ({"slug": "taken"}, "slug", "Another author already uses"),
    ({"slug": "-bad-"}, "slug", "lower-case letters"),
])
def test_bad_author_input_is_refused_and_kept(app, client, make, changes, field, message):
    as_editor(client, make)
    make(AuthorFactory, slug="taken")
    response = post_form(client, "/admin/authors/new", {**AUTHOR, **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in field_error(html, field)
    assert textarea(html, "bio") == AUTHOR["bio"]
    assert stored_author(app, "ines-halden") is None
    assert client.get("/admin/authors/999999/edit").status_code == 404


def test_a_photo_is_stored_kept_on_errors_and_removable(app, client, make):
    as_editor(client, make)
    data = {**AUTHOR, "credentials": "", "photo": (picture(300, 300), "me.png")}
    response = post_form(client, "/admin/authors/new", data,
                         content_type="multipart/form-data")
    assert response.status_code == 422, "credentials are missing"
    form = Page(response.get_data(as_text=True))
    key = form.one('input[type="hidden"][name="photo_key"]')["value"]
    assert re.fullmatch(r"authors/[0-9a-f]{24}", key)
    response = post_form(client, "/admin/authors/new", {**AUTHOR, "photo_key": key})
    assert response.status_code == 422, "a photo needs words for people who cannot see it"
    assert "Describe the photo" in field_error(response.get_data(as_text=True), "photo_alt")
    response = post_form(client, "/admin/authors/new",
                         {**AUTHOR, "photo_key": key, "photo_alt": "Dr. Halden, smiling"})
    assert response.status_code == 303
    author = stored_author(app, "ines-halden")
    assert (author.photo_key, author.photo_alt) == (key, "Dr. Halden, smiling")
    with app.app_context():
        assert media_storage().exists(f"{key}-200.jpg")

    url = f"/admin/authors/{author.id}/edit"
    values = form_values(page(client, url))
    assert values["photo_key"] == key
    assert values["photo_alt"] == "Dr. Halden, smiling"
    client.post(url, data={**values, "remove_photo": "y"})
    assert stored_author(app, "ines-halden").photo_key is None
    assert stored_author(app, "ines-halden").photo_alt == ""
    assert [e.action for e in audit_log(app, "author.")] == ["author.created",
                                                             "author.updated"]

    response = post_form(client, "/admin/authors/new",
                         {**AUTHOR, "slug": "other", "photo": (BytesIO(b"GIF89a nope"), "x.gif")},
                         content_type="multipart/form-data")
    assert "not a picture we can use" in field_error(response.get_data(as_text=True), "photo")


def test_xss_in_an_author_bio_is_harmless(app, client, make):
    as_editor(client, make)
    payload = "\n\n".join(PAYLOADS)
    author = make(AuthorFactory, name="<script>alert(1)</script>", bio=payload,
                  credentials="<img src=x onerror=alert(1)>")
    for url in ("/admin/authors", f"/admin/authors/{author.id}/edit"):
        html = page(client, url)
        assert_harmless(html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_author_s_statements_are_edited_and_shown_under_articles(app, client, make):
    as_editor(client, make)
    author = make(AuthorFactory, slug="ines-halden")
    make(ArticleFactory, slug="milia-answer", author=author)
    url = f"/admin/authors/{author.id}/edit"
    values = form_values(page(client, url))
    statements = "I write every article myself.\n\n  My clinic is in Seattle.  "
    assert client.post(url, data={**values, "statements": statements}).status_code == 303
    assert stored_author(app, "ines-halden").statements == (
        "I write every article myself.\nMy clinic is in Seattle.")
    box = Page(page(client, "/articles/milia-answer"))
    assert box.texts("section.author-box li")[:2] == ["I write every article myself.",
                                                       "My clinic is in Seattle."]
    assert "/ask?article=milia-answer" in dict(box.links("section.author-box"))
    assert audit_log(app, "author.updated")[0].after == {
        "statements": "I write every article myself.\nMy clinic is in Seattle."}
