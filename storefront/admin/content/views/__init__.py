"""The content area's pages, one module per page group; importing this installs them all."""

from storefront.admin.content.views import (  # noqa: F401  (their routes)
    articles,
    authors,
    conditions,
    questions,
    reviews,
    routines,
    shop,
)
