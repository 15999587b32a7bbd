"""Editors write the shop's introduction; it opens the shop and the home page."""

from __future__ import annotations

from tests.factories import AuthorFactory
from tests.helpers.admin import as_editor, audit_log, field_error, form_values, post_form
from tests.helpers.content import PAYLOADS, assert_harmless, page
from tests.helpers.pages import Page

URL = "/admin/shop-introduction"
INTRO = {"heading": "Why good skincare is worth it",
         "body": "Daily care prevents a lot.\n\nI picked every product **myself**.",
         "author": ""}


def test_an_editor_writes_the_introduction_and_the_shop_shows_it(app, client, make):
    author = make(AuthorFactory, name="Dr. Ines Berg", credentials="MD")
    editor = as_editor(client, make)
    assert "Nothing is shown until it is saved" in page(client, URL)
    assert 'class="shop-introduction"' not in page(client, "/products")
    response = post_form(client, URL, {**INTRO, "author": str(author.id)})
    assert response.status_code == 303
    for url in ("/products", "/"):
        intro = Page(page(client, url))
        assert intro.text_of("section.shop-introduction h2") == "Why good skincare is worth it"
        assert intro.text_of("section.shop-introduction strong") == "myself"
        assert intro.text_of("section.shop-introduction p.signature") == "Dr. Ines Berg, MD"
    values = form_values(page(client, URL))
    assert values["heading"] == INTRO["heading"]
    assert values["author"] == str(author.id)
    assert client.post(URL, data={**values, "body": "Shorter."}).status_code == 303
    assert "Shorter." in page(client, "/")
    created, updated = audit_log(app, "shop_text.")
    assert (created.action, created.actor_id) == ("shop_text.created", editor.id)
    assert updated.before == {"body": INTRO["body"]}
    assert updated.after == {"body": "Shorter."}


def test_bad_input_is_refused_and_kept(app, client, make):
    as_editor(client, make)
    response = post_form(client, URL, {**INTRO, "heading": ""})
    assert response.status_code == 422
    assert "Give the text a heading." in field_error(response.get_data(as_text=True),
                                                     "heading")
    response = post_form(client, URL, {**INTRO, "author": "999999"})
    assert response.status_code == 422
    assert audit_log(app, "shop_text.") == []


def test_markup_in_the_introduction_is_harmless(app, client, make):
    as_editor(client, make)
    post_form(client, URL, {**INTRO, "heading": "<script>alert(1)</script>",
                            "body": "\n\n".join(PAYLOADS)})
    for url in ("/products", "/", "/about", URL):
        assert_harmless(page(client, url))
