"""One way to save an article, always audited: each route that creates or changes an article
(the admin's form, an answer to a reader's question, the demo's seed, the service itself)
leaves exactly one audit entry about that article. On SQLite and PostgreSQL."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

from storefront.audit.models import AuditEntry
from storefront.content.editing import ArticleFields, save_article, unpublish_article
from storefront.content.models import Article, ArticleStatus
from storefront.demo.content import seed_content
from storefront.extensions import db
from storefront.media import LocalMediaStorage
from tests.factories import AuthorFactory, EditorFactory, ReaderQuestionFactory
from tests.helpers import csrf_from, login

NEW = "/admin/articles/new"
PACKAGE = Path(__file__).resolve().parents[2] / "storefront"


def article_entries(app) -> list[tuple[str, str, int | None]]:
    """(action, target id, actor id) of every audit entry about an article, oldest first."""
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "article")
                                     .order_by(AuditEntry.id))
        return [(entry.action, entry.target_id, entry.actor_id) for entry in entries]


def article_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Article.id).where(Article.slug == slug))


def post(client, url: str, data: dict, form_url: str | None = None):
    token = csrf_from(client.get(form_url or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def form_data(author_id: int, **changes) -> dict:
    return {"title": "Milia: what helps", "slug": "milia-what-helps", "kind": "qa",
            "question": "What are the white bumps under my eyes?", "summary": "Tiny cysts.",
            "body": "Milia are tiny cysts.", "author": str(author_id), "reviewer": "",
            "reviewed_on": "", "status": "published", "published_at": "",
            "hero_image_alt": "", "hero_image_key": "", "version": "",
            "overwrite_version": "", "question_id": "", "action": "save", **changes}


@pytest.fixture
def editor(client, make):
    user = make(EditorFactory)
    login(client, user.email)
    return user, make(AuthorFactory)


def test_the_admin_form_leaves_one_entry_per_save(app, client, editor):
    user, author = editor
    created = post(client, NEW, form_data(author.id))
    assert created.status_code == 303
    saved = article_id(app, "milia-what-helps")
    assert article_entries(app) == [("article.created", str(saved), user.id)]

    edit = f"/admin/articles/{saved}/edit"
    with app.app_context():
        version = db.session.get(Article, saved).version
    changed = post(client, edit, form_data(author.id, title="Milia, and what helps",
                                           version=str(version)))
    assert changed.status_code == 303
    assert article_entries(app) == [("article.created", str(saved), user.id),
                                    ("article.updated", str(saved), user.id)]


def test_answering_a_reader_question_leaves_one_entry_about_the_article(app, client, make,
                                                                          editor):
    user, author = editor
    question = make(ReaderQuestionFactory, question="Why do I get tiny white bumps?")
    form_url = f"{NEW}?question={question.id}"
    response = post(client, NEW, form_data(author.id, slug="white-bumps",
                                           question_id=str(question.id)), form_url=form_url)
    assert response.status_code == 303
    saved = article_id(app, "white-bumps")
    assert article_entries(app) == [("article.created", str(saved), user.id)]
    with app.app_context():
        question_actions = list(db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_type == "readerquestion")
            .order_by(AuditEntry.id)))
    assert question_actions == ["question.linked", "question.answered"]


def test_the_demo_seed_leaves_one_entry_per_article_and_none_when_run_again(
        app, db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.extensions, "storefront.media", LocalMediaStorage(tmp_path))
    with app.app_context():
        seed_content()
        db.session.commit()
        articles = {str(id_) for id_ in db.session.scalars(select(Article.id))}
    entries = article_entries(app)
    assert articles, "the demo has articles"
    assert sorted(target for _action, target, _actor in entries) == sorted(articles)
    assert {(action, actor) for action, _target, actor in entries} == {
        ("article.created", None)}  # the shop itself

    with app.app_context():
        seed_content()
        db.session.commit()
    assert article_entries(app) == entries


def test_the_service_audits_a_create_a_change_and_an_unpublish_once_each(app, app_ctx):
    author = AuthorFactory()
    fields = ArticleFields(slug="by-service", title="By the service", body="Words.",
                           author=author, question="Why?", status=ArticleStatus.PUBLISHED)
    article = save_article(fields, actor=None)
    fields.title = "By the service, again"
    save_article(fields, article, actor=None, expected_version=article.version)
    save_article(fields, article, actor=None, expected_version=article.version)  # no change
    unpublish_article(article, actor=None)
    unpublish_article(article, actor=None)  # already a draft: nothing happens
    db.session.commit()
    assert [(action, target) for action, target, _actor in article_entries(app)] == [
        ("article.created", str(article.id)), ("article.updated", str(article.id)),
        ("article.unpublished", str(article.id))]


def test_only_the_editing_service_makes_articles():
    """Every ``Article(...)`` in the shop's code is in content/editing.py, behind the audit."""
    makers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        makers += [f"{path.relative_to(PACKAGE)}:{node.lineno}" for node in ast.walk(tree)
                   if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                   and node.func.id == "Article"]
    assert makers
    assert all(maker.startswith("content/editing.py:") for maker in makers), makers
