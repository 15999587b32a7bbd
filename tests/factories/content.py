"""Editorial rows: authors, conditions, articles, recommendations, reader questions."""

from __future__ import annotations

from datetime import timedelta

import factory

from storefront.content.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    Author,
    Condition,
    ReaderQuestion,
    Recommendation,
)
from storefront.db import utcnow
from tests.factories.base import BaseFactory

__all__ = [
    "ArticleFactory",
    "AuthorFactory",
    "ConditionFactory",
    "ReaderQuestionFactory",
    "RecommendationFactory",
]


class AuthorFactory(BaseFactory):
    class Meta:
        model = Author

    slug = factory.Sequence(lambda n: f"author-{n}")
    name = factory.Sequence(lambda n: f"Dr. Author {n}")
    credentials = "MD, board-certified dermatologist"
    bio = "Sees patients with skin conditions of every kind."


class ConditionFactory(BaseFactory):
    class Meta:
        model = Condition

    slug = factory.Sequence(lambda n: f"condition-{n}")
    name = factory.Sequence(lambda n: f"Condition {n}")
    summary = "A common skin condition."
    causes = "Several things cause it."
    what_helps = "Some things help."
    position = factory.Sequence(lambda n: n)


class ArticleFactory(BaseFactory):
    """A Q&A published yesterday. ``conditions=[...]`` links it to conditions."""

    class Meta:
        model = Article

    slug = factory.Sequence(lambda n: f"article-{n}")
    title = factory.Sequence(lambda n: f"Article {n}")
    question = "What is this about, and what should I do?"
    summary = "A short summary."
    body = "An answer in **Markdown**."
    kind = ArticleKind.QA
    status = ArticleStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=1))
    reviewed_on = factory.LazyFunction(lambda: utcnow().date() - timedelta(days=1))
    author = factory.SubFactory(AuthorFactory)

    @factory.post_generation
    def conditions(self, create, extracted, **kwargs):
        if extracted:
            self.conditions.extend(extracted)


class RecommendationFactory(BaseFactory):
    """Pass ``product=`` or ``ingredient=`` (exactly one) and ``condition=``."""

    class Meta:
        model = Recommendation

    condition = factory.SubFactory(ConditionFactory)
    why = "It works on the cause."
    how_to_use = "Once a day."
    position = factory.Sequence(lambda n: n)


class ReaderQuestionFactory(BaseFactory):
    class Meta:
        model = ReaderQuestion

    name = "Ines"
    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    question = "Why do I get small white bumps around my eyes?"
