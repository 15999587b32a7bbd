""""Ask a dermatologist": validation, the bot trap, CSRF, the rate limit, the e-mail."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storefront.catalog.models import SkinType
from storefront.content.models import QuestionStatus, ReaderQuestion
from storefront.extensions import db
from tests.factories import UserFactory
from tests.helpers import html_part, login, text_part
from tests.helpers.content import PAYLOADS, QUESTION, ask, assert_harmless, page
from tests.helpers.pages import Page


def stored(app) -> list[ReaderQuestion]:
    with app.app_context():
        return list(db.session.scalars(select(ReaderQuestion).order_by(ReaderQuestion.id)))


def test_form_has_a_trap_hidden_from_people(client):
    html = page(client, "/ask")
    assert 'name="csrf_token"' not in html  # a guest form: the origin check protects it
    trap = Page(html).one("div.ask-trap")
    assert trap["aria-hidden"] == "true"
    assert trap.select_one('input[name="website"]')["tabindex"] == "-1"
    assert '<link rel="canonical" href="http://shop.test/ask">' in html


def test_a_question_is_stored_acknowledged_and_redirected(client, app, mailbox):
    response = ask(client, email="Ines@Example.com ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ask/thanks")
    assert "we have your question" in page(client, "/ask/thanks")
    [entry] = stored(app)
    assert (entry.name, entry.email, entry.status) == ("Ines", "ines@example.com",
                                                        QuestionStatus.NEW)
    assert entry.skin_type is SkinType.DRY
    assert entry.question == QUESTION
    [message] = mailbox
    assert message["To"] == "ines@example.com"
    assert QUESTION in text_part(message)
    assert "won&#39;t squeeze out" in html_part(message)
    assert "see a doctor" in text_part(message)


def test_skin_type_is_optional(client, app):
    assert ask(client, skin_type="").status_code == 302
    assert stored(app)[0].skin_type is None


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": "", "email": "", "question": ""}, "Write your question."),
    ({"question": "Too short?"}, "between 20 and 2,000 characters (you wrote 10)"),
    ({"question": "x" * 10_000}, "between 20 and 2,000 characters (you wrote 10000)"),
    ({"question": " " * 30 + "short" + "\n" * 30}, "(you wrote 5)"),
    ({"email": "not-an-address"}, "Enter an e-mail address like name@example.com."),
    ({"name": "n" * 121}, "at most 120 characters"),
    ({"skin_type": "scaly"}, "Not a valid choice"),
])
def test_bad_input_is_refused_with_a_message(client, app, mailbox, changes, message):
    response = ask(client, **changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(app) == []
    assert mailbox == []


def test_control_characters_are_dropped_not_a_server_error(client, app):
    assert ask(client, name="In\x00es", question=QUESTION + "\x00\x07").status_code == 302
    entry = stored(app)[0]
    assert entry.name == "Ines"
    assert "\x00" not in entry.question


def test_the_bot_trap_pretends_success_and_keeps_it_as_spam(client, app, mailbox):
    response = ask(client, website="https://cheap-pills.example")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ask/thanks")
    [entry] = stored(app)
    assert entry.status is QuestionStatus.SPAM
    assert mailbox == []


def test_a_question_from_another_site_or_a_member_without_token_is_refused(client, app,
                                                                          make):
    data = {"name": "Ines", "email": "ines@example.com", "question": QUESTION}
    response = client.post("/ask", data=data, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert "sent from another site" in response.get_data(as_text=True)
    login(client, make(UserFactory).email)
    response = client.post("/ask", data=data, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert stored(app) == []


def test_questions_are_rate_limited_per_address(client, app):
    for _ in range(5):
        assert ask(client).status_code == 302
    response = ask(client)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert len(stored(app)) == 5


def test_refused_submissions_do_not_use_up_the_limit(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ASK_RATE_LIMIT", "2 per hour")
    for _ in range(4):
        assert ask(client, email="nope").status_code == 422
    assert ask(client).status_code == 302
    assert ask(client).status_code == 302
    assert ask(client).status_code == 429


def test_xss_in_a_question_is_harmless_on_the_page_and_in_the_email(client, app, mailbox):
    payload = "My question: " + " ".join(PAYLOADS)
    refused = ask(client, question=payload, email="bad")
    assert refused.status_code == 422
    assert_harmless(refused.get_data(as_text=True))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in refused.get_data(as_text=True)

    assert ask(client, question=payload, name="<b onmouseover=alert(1)>Ines</b>"
               ).status_code == 302
    html = html_part(mailbox[0])
    assert_harmless(html)
    assert "&lt;script&gt;" in html
    assert "&lt;svg onload=alert(1)&gt;" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(ReaderQuestion.id))) == 1


def test_thanks_page_is_not_indexed(client):
    assert '<meta name="robots" content="noindex">' in page(client, "/ask/thanks")
