"""The question inbox: answer with an article (and e-mail the reader), reject, spam."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storefront.content.models import (
    Article,
    QuestionStatus,
    ReaderQuestion,
)
from storefront.db import utcnow
from storefront.extensions import db
from storefront.jobs import tasks
from tests.factories import ReaderQuestionFactory
from tests.helpers import csrf_from, first_link, html_part, text_part
from tests.helpers.admin import (
    QUESTION,
    article_data,
    audit_log,
    local_time,
    post_form,
    textarea,
)
from tests.helpers.content import PAYLOADS, assert_harmless, page


def stored(app, question_id: int) -> ReaderQuestion:
    with app.app_context():
        question = db.session.get(ReaderQuestion, question_id)
        db.session.expunge(question)
        return question


def test_inbox_shows_new_questions_with_their_details(client, make, inbox):
    make(ReaderQuestionFactory, name="Old Spam", status=QuestionStatus.SPAM)
    make(ReaderQuestionFactory, name="Earlier", created_at=utcnow() - timedelta(days=2))
    html = page(client, "/admin/questions")
    assert "Ines" in html
    assert "ines@example.com" in html
    assert QUESTION in html
    assert "Skin type: dry" in html
    assert html.index("Ines") < html.index("Earlier"), "newest first"
    assert "Old Spam" not in html
    assert "Old Spam" in page(client, "/admin/questions?status=spam")
    everything = page(client, "/admin/questions?status=all")
    assert everything.index("Earlier") < everything.index("Old Spam"), "new ones first"
    assert page(client, "/admin/questions?status=bogus&page=x")


def test_answering_e_mails_the_reader_the_article_link(app, client, mailbox, inbox):
    editor, _, answer, _, question = inbox
    url = f"/admin/questions/{question.id}"
    html = page(client, url)
    assert "What milia are" in html, "only visible articles"
    assert "Unfinished" not in html, "only visible articles"
    response = post_form(client, f"{url}/answer", {"article": str(answer.id)}, form_url=url)
    assert response.status_code == 303

    answered = stored(app, question.id)
    assert answered.status is QuestionStatus.ANSWERED
    assert answered.article_id == answer.id
    assert answered.answered_at is not None
    [message] = mailbox
    assert message["To"] == "ines@example.com"
    assert message["Subject"] == "Your question has been answered"
    assert first_link(text_part(message), "/articles/milia-answer") == \
        "http://shop.test/articles/milia-answer"
    assert 'href="http://shop.test/articles/milia-answer"' in html_part(message)
    assert QUESTION in text_part(message)

    [entry] = audit_log(app, "question.")
    assert (entry.action, entry.actor_id) == ("question.answered", editor.id)
    assert entry.before["status"] == "new"
    assert entry.after["status"] == "answered"
    assert entry.after["article_id"] == answer.id
    assert "Answered by" in page(client, "/admin/questions?status=answered")


def test_a_question_cannot_be_answered_by_an_article_readers_cannot_see(
        app, client, mailbox, inbox):
    _, _, _, draft, question = inbox
    url = f"/admin/questions/{question.id}"
    for choice in (str(draft.id), "", "999999", "junk"):
        response = post_form(client, f"{url}/answer", {"article": choice}, form_url=url)
        assert response.status_code == 422
    assert stored(app, question.id).status is QuestionStatus.NEW
    assert mailbox == []
    assert audit_log(app, "question.") == []
    assert client.get("/admin/questions/999999").status_code == 404


@pytest.mark.parametrize(("status", "action"), [
    ("rejected", "question.rejected"), ("spam", "question.marked_spam")])
def test_reject_or_mark_as_spam_and_back(app, client, mailbox, inbox, status, action):
    _, _, _, _, question = inbox
    url = f"/admin/questions/{question.id}/status"
    response = post_form(client, url, {"status": status}, form_url="/admin/questions")
    assert response.status_code == 303
    assert stored(app, question.id).status is QuestionStatus(status)
    assert "Ines" not in page(client, "/admin/questions")
    assert "Ines" in page(client, f"/admin/questions?status={status}")

    post_form(client, url, {"status": "new"}, form_url="/admin/questions")
    assert stored(app, question.id).status is QuestionStatus.NEW
    assert [e.action for e in audit_log(app, "question.")] == [action, "question.reopened"]
    assert mailbox == []


def test_status_changes_that_make_no_sense_are_refused(app, client, inbox):
    _, _, answer, _, question = inbox
    url = f"/admin/questions/{question.id}/status"
    assert post_form(client, url, {"status": "answered"},
                     form_url="/admin/questions").status_code == 400
    assert post_form(client, url, {"status": "whatever"},
                     form_url="/admin/questions").status_code == 400
    with app.app_context():
        row = db.session.get(ReaderQuestion, question.id)
        row.status, row.article_id = QuestionStatus.ANSWERED, answer.id
        db.session.commit()
    response = post_form(client, url, {"status": "spam"}, form_url="/admin/questions")
    assert response.status_code == 409
    assert "stays answered" in response.get_data(as_text=True)
    assert stored(app, question.id).status is QuestionStatus.ANSWERED


def test_answer_with_a_new_published_article(app, client, mailbox, inbox):
    _, author, _, _, question = inbox
    form_url = f"/admin/articles/new?question={question.id}"
    html = page(client, form_url)
    assert QUESTION in textarea(html, "question")
    assert "Answering Ines" in html
    assert "draft" in html
    data = article_data(author.id, slug="bumps", title="White bumps", status="published",
                        body="Milia are tiny cysts.",
                        question=QUESTION, question_id=str(question.id))
    response = post_form(client, "/admin/articles/new", data, form_url=form_url)
    assert response.status_code == 303
    assert "question is answered" in page(client, response.headers["Location"])

    answered = stored(app, question.id)
    with app.app_context():
        article_id = db.session.scalar(select(Article.id).where(Article.slug == "bumps"))
    assert (answered.status, answered.article_id) == (QuestionStatus.ANSWERED, article_id)
    [message] = mailbox
    assert "http://shop.test/articles/bumps" in text_part(message)
    assert [e.action for e in audit_log(app)] == ["article.created", "question.linked",
                                                  "question.answered"]


def test_a_draft_answer_links_the_question_and_answers_it_when_published(
        app, client, mailbox, inbox):
    _, author, _, _, question = inbox
    form_url = f"/admin/articles/new?question={question.id}"
    data = article_data(author.id, slug="bumps", title="White bumps", status="draft",
                        body="Milia are tiny cysts.",
                        question=QUESTION, question_id=str(question.id))
    response = post_form(client, "/admin/articles/new", data, form_url=form_url)
    assert response.status_code == 303
    assert "they get the e-mail when the article is published" in page(
        client, response.headers["Location"])
    linked = stored(app, question.id)
    assert linked.status is QuestionStatus.NEW
    assert linked.article_id is not None
    assert mailbox == []
    assert "not on the site yet" in page(client, "/admin/questions")

    edit_url = response.headers["Location"]
    response = post_form(client, edit_url, {**data, "status": "scheduled", "version": "1",
                                            "published_at": local_time(timedelta(days=1))})
    assert response.status_code == 303
    assert stored(app, question.id).status is QuestionStatus.NEW
    assert mailbox == []

    response = post_form(client, edit_url, {**data, "status": "published", "version": "2"})
    assert response.status_code == 303
    assert stored(app, question.id).status is QuestionStatus.ANSWERED
    [message] = mailbox
    assert "http://shop.test/articles/bumps" in text_part(message)
    assert [e.action for e in audit_log(app, "question.")] == ["question.linked",
                                                               "question.answered"]


@pytest.mark.parametrize("who_notices", ["the periodic job", "the inbox"])
def test_a_scheduled_answer_is_sent_once_its_time_comes(app, client, mailbox, inbox,
                                                        who_notices):
    _, author, _, _, question = inbox
    data = article_data(author.id, slug="bumps", title="White bumps", status="scheduled",
                        published_at=local_time(timedelta(days=1)), question=QUESTION,
                        body="Milia are tiny cysts.", question_id=str(question.id))
    response = post_form(client, "/admin/articles/new", data,
                         form_url=f"/admin/articles/new?question={question.id}")
    assert response.status_code == 303
    assert stored(app, question.id).status is QuestionStatus.NEW
    assert mailbox == []
    with app.app_context():  # a day later
        article = db.session.scalar(select(Article).where(Article.slug == "bumps"))
        article.published_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    if who_notices == "the periodic job":
        with app.app_context():
            assert tasks.answer_questions_now_visible() == 1
            db.session.commit()
    else:
        assert "Answered" in page(client, "/admin/questions?status=answered")
    assert stored(app, question.id).status is QuestionStatus.ANSWERED
    [message] = mailbox
    assert "http://shop.test/articles/bumps" in text_part(message)
    with app.app_context():
        assert tasks.answer_questions_now_visible() == 0, "the reader is told once"


def test_xss_in_a_question_is_harmless_in_the_inbox_and_the_e_mail(
        app, client, make, mailbox, inbox):
    _, _, answer, _, _ = inbox
    payload = "\n\n".join(PAYLOADS)
    question = make(ReaderQuestionFactory, name="<script>alert('n')</script>",
                    question=payload)
    for url in ("/admin/questions", f"/admin/questions/{question.id}",
                f"/admin/articles/new?question={question.id}"):
        html = page(client, url)
        assert_harmless(html)
        assert "&lt;script&gt;alert(&#39;n&#39;)&lt;/script&gt;" in html
    url = f"/admin/questions/{question.id}"
    token = csrf_from(page(client, url))
    client.post(f"{url}/answer", data={"csrf_token": token, "article": str(answer.id)})
    [message] = mailbox
    html = html_part(message)
    assert_harmless(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in text_part(message), "plain text stays as written"
