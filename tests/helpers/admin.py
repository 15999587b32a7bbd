"""The back office for tests: an editor logged in, posting its forms, reading its form values
and errors, the audit log, and orders and reader questions to work on (``writer`` and
``inbox`` fixtures)."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from storefront.audit.models import AuditEntry
from storefront.catalog.models import SkinType
from storefront.content.models import (
    Article,
    ArticleStatus,
    Author,
)
from storefront.db import utcnow
from storefront.extensions import db
from storefront.orders import services as order_services
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    EditorFactory,
    ProductFactory,
    ReaderQuestionFactory,
    placed_order,
)
from tests.helpers import csrf_from, login, submit

NEW = "/admin/articles/new"


def as_editor(client, make, factory=EditorFactory):
    user = make(factory)
    login(client, user.email)
    return user


def post_form(client, url, data, form_url=None, **kwargs):
    """POST ``data`` with the CSRF token of the page at ``form_url`` (or ``url``)."""
    token = csrf_from(client.get(form_url or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def audit_log(app, action_prefix: str = "") -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action.startswith(action_prefix))
        entries = list(db.session.scalars(query.order_by(AuditEntry.id)))
        db.session.expunge_all()
        return entries


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def form_values(html: str) -> dict:
    """The filled-in values of the editing form on ``html`` (the main form of the page)."""
    start = html.index('class="editor-form"')
    form_html = html[html.rindex("<form", 0, start):html.index("</form>", start)]
    reader = _FormReader()
    reader.feed(form_html)
    return {name: values if len(values) > 1 or name == "conditions" else values[0]
            for name, values in reader.values.items()}


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html, re.S)
    assert match, f"no error shown next to {field_id}"
    return match.group(1)


def textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {name}"
    return match.group(1)


def make_article(app, author, **fields) -> Article:
    """An article (published yesterday unless told otherwise) by ``author``."""
    with app.app_context():
        article = ArticleFactory(author=db.session.get(Author, author.id), **fields)
        db.session.commit()
        db.session.refresh(article)
        db.session.expunge(article)
        return article


def article_data(author_id: int, **changes) -> dict:
    data = {
        "title": "Milia: what helps", "slug": "milia-what-helps", "kind": "qa",
        "question": "What are the white bumps under my eyes?", "summary": "Tiny cysts.",
        "body": BODY, "author": str(author_id), "reviewer": "", "reviewed_on": "",
        "status": "draft", "published_at": "", "hero_image_alt": "", "hero_image_key": "",
        "version": "", "overwrite_version": "", "question_id": "", "action": "save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def local_time(delta: timedelta) -> str:
    return (utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


def picture(width: int, height: int, colour=(200, 120, 90)) -> BytesIO:
    buffer = BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


@pytest.fixture
def writer(client, make):
    """An editor logged in, an author and an active product for shortcodes."""
    editor = as_editor(client, make)
    author = make(AuthorFactory, name="Dr. Halden")
    make(ProductFactory, slug="calm-cream", name="Calm Cream")
    return editor, author


AUTHOR = {"name": "Dr. Ines Halden", "slug": "ines-halden",
          "credentials": "MD, board-certified dermatologist",
          "bio": "Sees patients with acne and rosacea.", "photo_key": ""}


@pytest.fixture
def inbox(app, client, make):
    """An editor, an author, a visible answer article and a draft; one new question."""
    editor = as_editor(client, make)
    author = make(AuthorFactory)
    answer = make_article(app, author, slug="milia-answer", title="What milia are")
    draft = make_article(app, author, slug="draft-answer", title="Unfinished",
                         status=ArticleStatus.DRAFT)
    question = make(ReaderQuestionFactory, name="Ines", email="ines@example.com",
                    question=QUESTION, skin_type=SkinType.DRY)
    return editor, author, answer, draft, question


def seed_order(app, *items, email="maya@example.com", paid=True, article_id=None,
               created_at=None) -> str:
    """An order placed through checkout's service (and paid with the demo provider)."""
    with app.app_context():
        order = placed_order(*items, email=email)
        if article_id is not None:
            order.lines[0].source_article_id = article_id
        if created_at is not None:
            order.created_at = created_at
        if paid:
            assert order_services.payment_succeeded(order, provider="demo",
                                              reference=f"demo_{order.number}",
                                              amount=order.total, currency=order.currency)
        db.session.commit()
        return order.number


def act(client, number: str, action: str, data: dict):
    return submit(client, f"{order_url(number)}/{action}", data, form_url=order_url(number))


def order_url(number: str) -> str:
    return f"/admin/orders/{number}"


BODY = "Milia are **tiny** cysts.\n\n## What helps\n\n[[product:calm-cream]]"


class _FormReader(HTMLParser):
    """What a browser would send for the first form with a body field: name -> value(s)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._textarea = self._select = None
        self._first_option = None

    def _add(self, name, value):
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("submit", "file"):
            if attributes.get("type") != "checkbox" or "checked" in attributes:
                self._add(name, attributes.get("value", ""))
        elif tag == "textarea":
            self._textarea, self._text = name, []
        elif tag == "select":
            self._select, self._chosen, self._first_option = name, False, None
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            self._first_option = value if self._first_option is None else self._first_option
            if "selected" in attributes:
                self._add(self._select, value)
                self._chosen = True

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self._add(self._textarea, re.sub(r"^\r?\n", "", "".join(self._text)))
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._chosen and self._first_option is not None:
                self._add(self._select, self._first_option)
            self._select = None


QUESTION = "Why do I get tiny white bumps around my eyes, and what can I do?"
