"""Links a page repeats many times, built with one ``url_for`` per page rather than one each.

A list of 24 product cards links 24 products, 72 picture files and a filter per category,
concern and ingredient; werkzeug's routing builds each link from scratch (the rule, its
converters, the URL defaults, the script root). Here the route is built once per request
with a marker in place of the varying value, and each link is that URL with the value put
in, quoted as werkzeug's string and path converters quote it. What ``url_for`` adds per
request (``SCRIPT_NAME``, the host for external links, URL defaults) is in the URL built,
so a shop under a prefix links correctly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, urlencode

from flask import current_app, g, has_request_context, request, url_for
from werkzeug.routing import BuildError

# A value that werkzeug's converters leave as it is, and no slug or file name contains.
MARKER = "linkvalue0marker7e1"
# What werkzeug's string and path converters leave unquoted in a path segment
# (werkzeug.routing.BaseConverter.to_url) and what its query strings leave unquoted
# (werkzeug.urls, the URL standard's query percent-encode set).
PATH_SAFE = "!$&'()*+,/:;=@"
QUERY_SAFE = "!$'()*,/:;?@"


def request_memo(name: str) -> dict:
    """A dict kept for the current request (in its WSGI environ, so a test that sends many
    requests inside one app context gets a fresh one each time), or for the app context
    outside a request (an e-mail rendered by a job)."""
    if has_request_context():
        return request.environ.setdefault(f"storefront.{name}", {})
    return g.setdefault(name, {})


def route_link(endpoint: str, argument: str, *, external: bool = False,
               ) -> Callable[[object], str]:
    """A function of one value giving ``url_for(endpoint, **{argument: value})``.

    For a route whose ``argument`` is a ``string`` or ``path`` part (the default
    converter); built once per request.
    """
    builders = request_memo("link_builders")
    key = (endpoint, argument, external)
    builder = builders.get(key)
    if builder is None:
        builder = builders[key] = _builder(endpoint, argument, external)
    return builder


def _arguments(argument: str, value: object) -> dict[str, Any]:
    return {argument: value}


def _builder(endpoint: str, argument: str, external: bool) -> Callable[[object], str]:
    url = url_for(endpoint, **{argument: MARKER}, _external=external)
    head, marker, tail = url.partition(MARKER)
    if not marker:  # a converter changed the value (an int, an "any"): build each link
        return lambda value: url_for(endpoint, _external=external, **_arguments(argument, value))

    def link(value: object) -> str:
        return f"{head}{quote(str(value), safe=PATH_SAFE)}{tail}"

    return link


def with_query(url: str, args: dict[str, str] | Iterable[tuple[str, str]]) -> str:
    """``url`` with ``args`` as its query string, as ``url_for(..., **args)`` writes it
    (in the order given; None values left out)."""
    items = args.items() if isinstance(args, dict) else args
    query = urlencode([(name, value) for name, value in items if value is not None],
                      safe=QUERY_SAFE)
    return f"{url}?{query}" if query else url


def nav_url(endpoint: str, **values) -> str | None:
    """The URL for ``endpoint``, or None when that page does not exist in this app.

    Without ``values``, built once per request: the header, footer and every card with
    a form ask for the same few.
    """
    if values:
        return _build(endpoint, values)
    links = request_memo("nav_urls")
    if endpoint not in links:
        links[endpoint] = _build(endpoint, values)
    return links[endpoint]


def slug_url(endpoint: str, slug: str) -> str | None:
    """``nav_url(endpoint, slug=slug)`` for a page found by its slug (an article, a skin
    condition) in the path: one ``url_for`` per request and endpoint (``route_link``)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return route_link(endpoint, "slug")(slug)
    except BuildError:
        return None


def _build(endpoint: str, values: dict) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None
