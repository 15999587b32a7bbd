"""What the content services raise when a change cannot be made."""

from __future__ import annotations

from storefront.errors import DomainError


class ContentError(DomainError):
    """An editorial change that cannot be saved; ``field`` names the form field to blame."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ArticleConflict(ContentError):
    """Someone else saved the article after the editor opened it."""

    status_code = 409
