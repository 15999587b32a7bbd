"""The back office for tests: an editor logged in, posting its forms, reading its form values
and errors, the audit log, and orders and reader questions to work on (``writer`` and
``inbox`` fixtures)."""

from __future__ import annotations

from datetime import timedelta
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
from tests.helpers.pages import Page, text

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
    values = Page(html).form_fields("form:has(.editor-form), form.editor-form")
    if isinstance(values.get("conditions"), str):
        values["conditions"] = [values["conditions"]]
    return values


def field_error(html: str, field_id: str) -> str:
    errors = Page(html).all(f"p.field-error#{field_id}-error")
    assert errors, f"no error shown next to {field_id}"
    return text(errors[0])


def textarea(html: str, name: str) -> str:
    form = f'form:has(textarea[name="{name}"])'
    assert Page(html).has(form), f"no textarea {name}"
    return Page(html).form_fields(form)[name]


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


QUESTION = "Why do I get tiny white bumps around my eyes, and what can I do?"
