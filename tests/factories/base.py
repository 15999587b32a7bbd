"""The base factory: rows go into whatever ``db.session`` is current, and are flushed."""

from factory.alchemy import SQLAlchemyModelFactory

from storefront.extensions import db


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"
