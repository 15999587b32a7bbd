"""Search synonyms."""

from __future__ import annotations

from storefront.search.models import SearchSynonym, SynonymKind
from tests.factories.base import BaseFactory

__all__ = ["SearchSynonymFactory"]


class SearchSynonymFactory(BaseFactory):
    """A one-way rule: ``terms="sunblock", targets="sunscreen"``; for a multi-way one pass
    ``kind=SynonymKind.MULTI_WAY`` and no targets."""

    class Meta:
        model = SearchSynonym

    kind = SynonymKind.ONE_WAY
    terms = "sunblock"
    targets = "sunscreen"
