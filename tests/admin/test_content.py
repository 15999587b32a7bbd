"""Editors write articles in the back office: preview, save, schedule, conflicts, audit.

Every test runs on SQLite and PostgreSQL, through the test client, as a person would.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import select, text

from storefront.audit.models import AuditEntry
from storefront.content import editing as services
from storefront.content.models import Article, ArticleStatus
from storefront.db import utcnow
from storefront.extensions import db
from storefront.media import media_storage
from tests.factories import (
    AdminFactory,
    ArticleFactory,
    AuthorFactory,
    ConditionFactory,
)
from tests.helpers import csrf_from, login
from tests.helpers.admin import (
    BODY,
    NEW,
    article_data,
    as_editor,
    audit_log,
    count,
    field_error,
    form_values,
    local_time,
    make_article,
    picture,
    post_form,
    textarea,
)
from tests.helpers.content import PAYLOADS, assert_harmless, page
from tests.helpers.pages import Page, words

# --- Helpers shared by the back-office content tests ------------------------------------------


def stored_article(app, slug: str) -> Article | None:
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == slug))
        if article is not None:
            article.conditions  # noqa: B018 (loaded before the session closes)
            db.session.expunge(article)
        return article


def edit_url(article) -> str:
    return f"/admin/articles/{article.id}/edit"


# --- The list -------------------------------------------------------------------------------

def test_list_filters_by_status_and_searches(client, make):
    as_editor(client, make)
    make(ArticleFactory, title="Live piece on milia", slug="live-milia")
    make(ArticleFactory, title="Draft on rosacea", slug="draft-rosacea",
         status=ArticleStatus.DRAFT)
    make(ArticleFactory, title="Coming piece", slug="coming",
         status=ArticleStatus.SCHEDULED, published_at=utcnow() + timedelta(days=2))

    html = page(client, "/admin/articles")
    for title in ("Live piece on milia", "Draft on rosacea", "Coming piece"):
        assert title in html
    drafts = page(client, "/admin/articles?status=draft")
    assert "Draft on rosacea" in drafts
    assert "Live piece" not in drafts
    scheduled = page(client, "/admin/articles?status=scheduled")
    assert "Coming piece" in scheduled
    assert "Scheduled for" in scheduled
    assert "Live piece" not in scheduled
    published = page(client, "/admin/articles?status=published")
    assert "Live piece on milia" in published
    assert "Coming piece" not in published
    found = page(client, "/admin/articles?q=ROSACEA")
    assert "Draft on rosacea" in found
    assert "Live piece" not in found
    assert "No articles here yet" in page(client, "/admin/articles?q=%25")
    assert page(client, "/admin/articles?status=nonsense&page=abc")


# --- Creating, previewing, saving ----------------------------------------------------------

def test_editor_creates_an_article_and_it_is_audited(app, client, make, writer):
    editor, author = writer
    condition = make(ConditionFactory, name="Milia", slug="milia")
    response = post_form(client, NEW, article_data(author.id, status="published",
                                                   conditions=[str(condition.id)],
                                                   reviewed_on="2026-01-15",
                                                   reviewer=str(author.id)))
    assert response.status_code == 303
    article = stored_article(app, "milia-what-helps")
    assert article.status is ArticleStatus.PUBLISHED
    assert utcnow() - article.published_at < timedelta(minutes=1), "published now"
    assert [c.slug for c in article.conditions] == ["milia"]
    assert article.reviewer_id == author.id
    assert str(article.reviewed_on) == "2026-01-15"
    assert response.headers["Location"].endswith(f"/admin/articles/{article.id}/edit")
    assert "is saved" in page(client, response.headers["Location"])
    assert "Calm Cream" in page(client, "/articles/milia-what-helps")

    [entry] = audit_log(app, "article.")
    assert (entry.action, entry.actor_id) == ("article.created", editor.id)
    assert entry.after["body"] == BODY
    assert entry.after["conditions"] == ["milia"]


def test_admins_may_write_articles_too(app, client, make):
    as_editor(client, make, AdminFactory)
    author = make(AuthorFactory)
    response = post_form(client, NEW, article_data(author.id, body="Plain text."))
    assert response.status_code == 303
    assert stored_article(app, "milia-what-helps").status is ArticleStatus.DRAFT
    assert [entry.action for entry in audit_log(app)] == ["article.created"]


def test_an_empty_address_is_made_from_the_title(app, client, writer):
    _, author = writer
    response = post_form(client, NEW, article_data(author.id, slug="",
                                                   title="Rosacea: Why Does It Flare?"))
    assert response.status_code == 303
    assert stored_article(app, "rosacea-why-does-it-flare") is not None
    [entry] = audit_log(app)
    assert entry.after["slug"] == "rosacea-why-does-it-flare"


def test_preview_renders_markdown_and_a_product_card_without_saving(app, client, writer):
    _, author = writer
    data = article_data(author.id, action="preview", title="Preview me")
    response = post_form(client, NEW, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    preview = Page(html).html_of("section#preview")
    assert "<strong>tiny</strong>" in preview
    assert "<h2>What helps</h2>" in preview
    assert 'class="card product-card"' in html
    assert "Calm Cream" in html
    assert "Preview, not saved" in html
    assert "[[product:calm-cream]]" in textarea(html, "body")
    assert 'value="Preview me"' in html
    assert count(app, Article) == 0
    assert count(app, AuditEntry) == 0


def test_preview_of_a_saved_article_changes_nothing(app, client, writer):
    _, author = writer
    article = make_article(app, author, slug="kept", body="Old body.")
    response = post_form(client, edit_url(article), article_data(
        author.id, slug="kept", body="New **body**.", action="preview", version="1"))
    assert response.status_code == 200
    assert "<strong>body</strong>" in response.get_data(as_text=True)
    kept = stored_article(app, "kept")
    assert (kept.body, kept.version) == ("Old body.", 1)
    assert audit_log(app) == []


def test_preview_warns_about_shortcodes_that_would_be_refused(client, writer):
    _, author = writer
    html = post_form(client, NEW, article_data(
        author.id, action="preview", body="See [[product:no-such-cream]].")).get_data(
        as_text=True)
    assert "Saving will be refused" in html
    assert "There is no product “no-such-cream”" in html


def test_unknown_shortcode_is_refused_and_everything_typed_is_kept(app, client, writer):
    _, author = writer
    body = "My long answer.\n\n[[product:no-such-cream]]\n\nMore text here."
    response = post_form(client, NEW, article_data(author.id, body=body,
                                                   title="Kept title",
                                                   summary="Kept summary"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is no product “no-such-cream”" in field_error(html, "body")
    assert "My long answer." in textarea(html, "body")
    assert "More text here." in textarea(html, "body")
    assert 'value="Kept title"' in html
    assert "Kept summary" in textarea(html, "summary")
    assert count(app, Article) == 0


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": ""}, "title", "Give the article a title."),
    ({"slug": "Not A Slug!"}, "slug", "lower-case letters"),
    ({"kind": "qa", "question": ""}, "question", "needs the reader's question"),
    ({"author": "999999"}, "author", "Not a valid choice"),
    ({"author": "abc"}, "author", "Invalid Choice"),
    ({"conditions": ["abc"]}, "conditions", "could not be coerced"),
    ({"status": "archived"}, "status", "Not a valid choice"),
    ({"published_at": "tomorrow"}, "published_at", "Not a valid datetime"),
    ({"reviewed_on": "2026-02-31"}, "reviewed_on", "Not a valid date"),
])
def test_bad_input_gets_a_message_not_an_error(app, client, writer, changes, field, message):
    _, author = writer
    response = post_form(client, NEW, article_data(author.id, **changes))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert count(app, Article) == 0


def test_a_taken_address_is_refused(app, client, make, writer):
    _, author = writer
    make(ArticleFactory, slug="milia-what-helps")
    response = post_form(client, NEW, article_data(author.id))
    assert response.status_code == 422
    assert "already uses the address" in field_error(response.get_data(as_text=True), "slug")


def test_unknown_article_is_404_and_junk_version_is_refused(client, make, writer):
    _, author = writer
    assert client.get("/admin/articles/999999/edit").status_code == 404
    assert client.get("/admin/articles/999999").status_code == 404
    article = make(ArticleFactory, slug="junk-version")
    response = post_form(client, f"/admin/articles/{article.id}/edit",
                         article_data(author.id, slug="junk-version", version="abc"))
    assert response.status_code == 422
    assert "damaged on the way" in response.get_data(as_text=True)


# --- Scheduling -----------------------------------------------------------------------------

def test_scheduled_article_stays_hidden_until_its_time(app, client, writer):
    _, author = writer
    response = post_form(client, NEW, article_data(
        author.id, slug="later", status="scheduled", published_at=local_time(timedelta(days=1))))
    assert response.status_code == 303
    assert "later" not in page(client, "/articles")
    page(client, "/articles/later", status=404)
    assert "Scheduled for" in page(client, "/admin/articles?status=scheduled")
    [entry] = audit_log(app)
    assert (entry.action, entry.after["status"]) == ("article.created", "scheduled")

    with app.app_context():  # time passes
        article = db.session.scalar(select(Article).where(Article.slug == "later"))
        article.published_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert "/articles/later" in page(client, "/articles")
    page(client, "/articles/later")


@pytest.mark.parametrize(("status", "when", "message"), [
    ("scheduled", timedelta(hours=-1), "needs a publish time in the future"),
    ("scheduled", None, "needs a publish time in the future"),
    ("published", timedelta(days=3), "cannot be in the future"),
])
def test_publish_times_that_make_no_sense_are_refused(app, client, writer, status, when,
                                                      message):
    _, author = writer
    response = post_form(client, NEW, article_data(
        author.id, status=status, published_at=local_time(when) if when else ""))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), "published_at")
    assert count(app, Article) == 0


def test_a_published_article_keeps_a_past_publish_time(app, client, writer):
    _, author = writer
    post_form(client, NEW, article_data(author.id, status="published",
                                        published_at="2025-03-01T09:30"))
    assert stored_article(app, "milia-what-helps").published_at.isoformat() == \
        "2025-03-01T09:30:00+00:00"
    [entry] = audit_log(app)
    assert entry.after["published_at"] == "2025-03-01T09:30:00+00:00"


# --- Editing and conflicts ------------------------------------------------------------------

def test_edit_form_is_filled_and_saving_records_only_what_changed(app, client, make, writer):
    editor, author = writer
    article = make_article(app, author, slug="edit-me", title="Before", body="Old body.")
    html = page(client, edit_url(article))
    assert 'value="Before"' in html
    assert "Old body." in textarea(html, "body")
    version = Page(html).one('input[name="version"]')
    assert (version["type"], version["value"]) == ("hidden", "1")

    values = form_values(html)
    assert values["version"] == "1"
    assert values["status"] == "published"
    response = client.post(edit_url(article), data={**values, "title": "After"})
    assert response.status_code == 303
    saved = stored_article(app, "edit-me")
    assert (saved.title, saved.version) == ("After", 2)
    [entry] = audit_log(app, "article.updated")
    assert entry.before == {"title": "Before"}
    assert entry.after == {"title": "After"}
    assert entry.actor_id == editor.id


def test_the_audit_log_shows_an_edited_body_by_what_changed_in_it(app, client, make, writer):
    """Not the whole article twice: the words removed and added, with a few around them."""
    _, author = writer
    body = "\n\n".join(f"Paragraph {n}: milia form when keratin is trapped under the skin."
                       for n in range(1, 41))
    article = make_article(app, author, slug="long-read", title="Long read", body=body)
    values = form_values(page(client, edit_url(article)))
    edited = body.replace("Paragraph 20: milia form", "Paragraph 20: milia often form")
    assert client.post(edit_url(article), data={**values, "body": edited}).status_code == 303

    admin = app.test_client()
    login(admin, make(AdminFactory).email)
    log = page(admin, "/admin/audit")
    changes = Page(log).one('td[data-label="Changes"]')
    assert words(changes.get_text()) == (
        "body: … under the skin. Paragraph 20: milia[added: often] form when keratin is "
        "trapped under…")
    assert words(changes.select_one("ins").get_text()).startswith("[added: often")
    assert changes.select_one("ins .visually-hidden").get_text() == "[added: "
    assert "Paragraph 3:" not in log, "only the words around the change are shown"


def test_concurrent_edit_gives_409_keeps_the_text_and_links_the_other_version(
        app, client, make, writer):
    _, author = writer
    other = app.test_client()
    other_editor = as_editor(other, make)
    article = make_article(app, author, slug="shared", body="Original.")
    mine = article_data(author.id, slug="shared", body="My careful rewrite.", version="1",
                        status="published", question="Q?", summary="S")

    theirs = post_form(other, edit_url(article), {**mine, "body": "Their quick fix."})
    assert theirs.status_code == 303

    response = post_form(client, edit_url(article), mine)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this article" in html
    assert "My careful rewrite." in textarea(html, "body")
    assert f'href="/admin/articles/{article.id}"' in html
    assert f"by {other_editor.name}" in html
    assert "Their quick fix." in html, "their text is there to compare"
    assert 'name="overwrite_version" type="hidden" value="2"' in html
    assert stored_article(app, "shared").body == "Their quick fix.", "nothing overwritten"

    assert "Their quick fix." in page(client, f"/admin/articles/{article.id}")

    again = post_form(client, edit_url(article), mine)
    assert again.status_code == 409, "a plain save still does not overwrite"
    overwrite = post_form(client, edit_url(article),
                          {**mine, "overwrite_version": "2", "action": "overwrite"})
    assert overwrite.status_code == 303
    assert stored_article(app, "shared").body == "My careful rewrite."
    assert [e.action for e in audit_log(app, "article.")] == ["article.updated"] * 2


def test_a_save_racing_another_is_a_conflict_not_a_silent_overwrite(app_ctx):
    article = ArticleFactory(slug="racing", body="First.")
    db.session.flush()
    # Another request saves between our read and our write: the row's version moves on.
    db.session.execute(text("UPDATE article SET version = version + 1 WHERE id = :id"),
                       {"id": article.id})
    fields = services.ArticleFields(slug="racing", title="Mine", body="Mine.",
                                    author=article.author, status=ArticleStatus.PUBLISHED,
                                    question="Why?")
    with pytest.raises(services.ArticleConflict):
        services.save_article(fields, article, actor=None, expected_version=article.version)
    db.session.rollback()


def test_taking_an_article_off_the_site(app, client, make, writer):
    _, author = writer
    article = make_article(app, author, slug="going")
    page(client, "/articles/going")
    html = page(client, edit_url(article))
    assert "Take off the site" in html
    response = client.post(f"/admin/articles/{article.id}/unpublish",
                           data={"csrf_token": csrf_from(html)})
    assert response.status_code == 303
    page(client, "/articles/going", status=404)
    assert stored_article(app, "going").status is ArticleStatus.DRAFT
    [entry] = audit_log(app, "article.unpublished")
    assert entry.before == {"status": "published"}
    assert entry.after == {"status": "draft"}
    assert client.post(f"/admin/articles/{article.id}/unpublish", data={}).status_code == 400


# --- Hero image -----------------------------------------------------------------------------

def test_hero_image_is_stored_and_survives_a_preview(app, client, writer):
    _, author = writer
    data = article_data(author.id, action="preview", hero_image_alt="Milia under an eye")
    response = post_form(client, NEW, {**data, "hero_image": (picture(900, 500), "hero.png")},
                         content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    key = Page(html).one('input[type="hidden"][name="hero_image_key"]')["value"]
    assert re.fullmatch(r"articles/[0-9a-f]+", key)
    assert 'class="admin-thumb"' in html

    response = post_form(client, NEW, {**data, "action": "save", "hero_image_key": key})
    assert response.status_code == 303
    assert stored_article(app, "milia-what-helps").hero_image_key == key
    [entry] = audit_log(app)
    assert entry.after["hero_image_key"] == key
    assert entry.after["hero_image_alt"] == "Milia under an eye"
    with app.app_context():
        assert media_storage().exists(f"{key}-800.jpg")


def test_a_bad_hero_image_is_refused_with_everything_kept(app, client, writer):
    _, author = writer
    data = article_data(author.id, body="Kept body text.", hero_image_alt="Too small")
    response = post_form(client, NEW, {**data, "hero_image": (picture(300, 200), "small.png")},
                         content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "at least 800 pixels wide" in field_error(html, "hero_image")
    assert "Kept body text." in textarea(html, "body")
    response = post_form(client, NEW, {**data, "hero_image": (BytesIO(b"<svg/>"), "x.svg")},
                         content_type="multipart/form-data")
    assert "not a picture we can use" in field_error(response.get_data(as_text=True),
                                                     "hero_image")
    assert count(app, Article) == 0


def test_a_hero_image_needs_a_description(client, writer):
    _, author = writer
    response = post_form(client, NEW, article_data(
        author.id, hero_image_key="articles/0123456789abcdef01234567"))
    assert response.status_code == 422
    assert "Describe the picture" in field_error(response.get_data(as_text=True),
                                                 "hero_image_alt")


# --- Harmless markup ------------------------------------------------------------------------

def test_xss_in_an_article_is_harmless_in_the_back_office(app, client, writer):
    _, author = writer
    payload = "\n\n".join(PAYLOADS)
    article = make_article(app, author, slug="xss-admin",
                           title="<script>alert('t')</script>", body=payload,
                           question=payload, summary=payload)
    for url in ("/admin/articles", edit_url(article), f"/admin/articles/{article.id}"):
        html = page(client, url)
        assert_harmless(html)
        assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in html
    preview = post_form(client, NEW, article_data(author.id, action="preview", body=payload,
                                                  question=payload))
    assert_harmless(preview.get_data(as_text=True))
