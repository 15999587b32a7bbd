"""Reader questions: a reader asks from the site; an editor answers with an article, rejects
the question or marks it as spam. The reader is e-mailed when the question arrives and when
the article that answers it is visible. Inbox changes are audited; services flush, the
caller commits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from storefront.audit import services as audit
from storefront.catalog.models import SkinType
from storefront.content.errors import ContentError
from storefront.content.models import Article, QuestionStatus, ReaderQuestion
from storefront.content.reading import teaser_only
from storefront.db import utcnow
from storefront.extensions import db
from storefront.mail import queue_mail
from storefront.slugs import is_slug

QUESTION_MIN, QUESTION_MAX = 20, 2000
QUESTION_AUDIT_FIELDS = ["status", "article_id", "answered_at"]


def article_for_question(slug: str | None) -> Article | None:
    """The visible article a reader asks from (its title and address only), or None."""
    slug = (slug or "").strip()
    if not is_slug(slug):
        return None
    return db.session.scalar(select(Article).where(Article.slug == slug,
                                                   Article.visible_clause())
                             .options(teaser_only()))


def receive_question(name: str, email: str, question: str, skin_type: SkinType | None,
                     *, looks_automated: bool = False,
                     asked_from: Article | None = None) -> ReaderQuestion:
    """Store a reader's question and acknowledge it by e-mail. Flushes only.

    ``asked_from`` is the article the reader was reading, shown with it in the inbox.

    A submission that filled the hidden trap field is kept as spam for the record and
    gets no e-mail: it most likely came from a bot, and the address may not be the
    sender's.
    """
    question = question.strip()
    if not QUESTION_MIN <= len(question) <= QUESTION_MAX:
        raise ContentError(f"Please write between {QUESTION_MIN} and {QUESTION_MAX:,} "
                           "characters.", field="question")
    entry = ReaderQuestion(
        name=name.strip()[:120], email=email.strip().lower()[:254], question=question,
        skin_type=skin_type, asked_from=asked_from,
        status=QuestionStatus.SPAM if looks_automated else QuestionStatus.NEW,
    )
    db.session.add(entry)
    db.session.flush()
    if not looks_automated:
        queue_mail(entry.email, "We have your question", "ask_received", entry=entry)
    return entry


# --- Back office: the question inbox ----------------------------------------------------

def link_question(question: ReaderQuestion, article: Article, *, actor) -> None:
    """Remember that ``article`` answers ``question`` (the reader is not told yet)."""
    if question.article_id == article.id:
        return
    before = audit.snapshot(question, QUESTION_AUDIT_FIELDS)
    question.article = article
    db.session.flush()
    audit.record_change(actor, "question.linked", question,
                        f"Question from {question.email} linked to “{article.title}”",
                        before, audit.snapshot(question, QUESTION_AUDIT_FIELDS))


def answer_question(question: ReaderQuestion, article: Article, *, actor) -> None:
    """Mark ``question`` answered by ``article`` and e-mail the reader the link. Flushes."""
    if question.status == QuestionStatus.ANSWERED:
        raise ContentError("This question has already been answered, and the reader has "
                           "the e-mail.")
    if not article.is_visible():
        raise ContentError("Readers cannot see that article yet. Choose a published "
                           "article, or publish this one first.", field="article")
    before = audit.snapshot(question, QUESTION_AUDIT_FIELDS)
    question.status = QuestionStatus.ANSWERED
    question.article = article
    question.answered_at = utcnow()
    db.session.flush()
    audit.record_change(actor, "question.answered", question,
                        f"Question from {question.email} answered by “{article.title}”",
                        before, audit.snapshot(question, QUESTION_AUDIT_FIELDS))
    queue_mail(question.email, "Your question has been answered", "question_answered",
               entry=question, article=article)


def answer_linked_questions(article: Article, *, actor) -> int:
    """Answer the new questions linked to ``article`` if readers can see it now."""
    if not article.is_visible():
        return 0
    waiting = list(db.session.scalars(
        select(ReaderQuestion)
        .where(ReaderQuestion.article_id == article.id,
               ReaderQuestion.status == QuestionStatus.NEW)
        .order_by(ReaderQuestion.id)))
    for question in waiting:
        answer_question(question, article, actor=actor)
    return len(waiting)


def answer_questions_now_visible(*, actor=None) -> int:
    """Answer the new questions whose linked article readers can see by now (a scheduled
    article's time has come since it was saved); how many. Run by the periodic job and
    when the inbox opens; ``actor`` None is the shop itself."""
    waiting = db.session.scalars(
        select(ReaderQuestion)
        .join(ReaderQuestion.article)
        .where(ReaderQuestion.status == QuestionStatus.NEW, Article.visible_clause())
        .options(contains_eager(ReaderQuestion.article))
        .order_by(ReaderQuestion.id)).all()
    for question in waiting:
        if question.article is not None:
            answer_question(question, question.article, actor=actor)
    return len(waiting)


QUESTION_STATUS_ACTIONS = {
    QuestionStatus.REJECTED: ("question.rejected", "rejected"),
    QuestionStatus.SPAM: ("question.marked_spam", "marked as spam"),
    QuestionStatus.NEW: ("question.reopened", "moved back to the inbox"),
}


def set_question_status(question: ReaderQuestion, status: QuestionStatus, *, actor) -> None:
    """Reject a question, mark it as spam, or move it back to new. Audited; flushes."""
    if status not in QUESTION_STATUS_ACTIONS:
        raise ContentError("Questions are answered by choosing the article that answers them.")
    if question.status == QuestionStatus.ANSWERED:
        raise ContentError("An answered question stays answered: the reader already has "
                           "the e-mail with the article.")
    if question.status == status:
        return
    action, done = QUESTION_STATUS_ACTIONS[status]
    before = audit.snapshot(question, QUESTION_AUDIT_FIELDS)
    question.status = status
    db.session.flush()
    audit.record_change(actor, action, question, f"Question from {question.email} {done}",
                        before, audit.snapshot(question, QUESTION_AUDIT_FIELDS))
