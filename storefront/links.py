"""Links a page repeats many times, built with one ``url_for`` per page rather than one each.

A list of 24 product cards links 24 products, 72 picture files and a filter per category,
concern and ingredient; werkzeug's routing builds each link from scratch (the rule, its
converters, the URL defaults, the script root). Here the route is built once with a marker
in place of the varying value, and each link is that URL with the value put in, quoted as
werkzeug's string and path converters quote it. What ``url_for`` adds (``SCRIPT_NAME``, the
host for external links, URL defaults) is in the URL built, so a shop under a prefix links
correctly. Relative links are kept as long as the app, for each script root; external
ones, and every link of an app whose URL defaults or host matching could vary them, for
one request (``_Links``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple
from urllib.parse import quote, quote_plus

from flask import Flask, current_app, g, has_request_context, request, url_for
from werkzeug.routing import BuildError

# A value that werkzeug's converters leave as it is, and no slug or file name contains.
MARKER = "linkvalue0marker7e1"
# What werkzeug's string and path converters leave unquoted in a path segment
# (werkzeug.routing.BaseConverter.to_url) and what its query strings leave unquoted
# (werkzeug.urls, the URL standard's query percent-encode set).
PATH_SAFE = "!$&'()*+,/:;=@"
QUERY_SAFE = "!$'()*,/:;?@"
# Text that quoting leaves as it is (what urllib never quotes, and the safe characters):
# most slugs, file names and filter values. Telling so costs a tenth of quoting them.
_PLAIN_PATH = re.compile(f"[A-Za-z0-9_.~{re.escape(PATH_SAFE)}-]*")
_PLAIN_QUERY = re.compile(f"[A-Za-z0-9_.~{re.escape(QUERY_SAFE)}-]*")


def quote_path(text: str) -> str:
    """``text`` as werkzeug's string and path converters put it in a URL's path."""
    return text if _PLAIN_PATH.fullmatch(text) else quote(text, safe=PATH_SAFE)


def quote_query(text: str) -> str:
    """``text`` as a query string's name or value (``urlencode`` with ``QUERY_SAFE``)."""
    return text if _PLAIN_QUERY.fullmatch(text) else quote_plus(text, safe=QUERY_SAFE)


def query_string(items: Iterable[tuple[object, object]]) -> str:
    """What ``urlencode(items, safe=QUERY_SAFE)`` gives for text and numbers."""
    return "&".join(f"{quote_query(str(name))}={quote_query(str(value))}"
                    for name, value in items)


def request_memo(name: str) -> dict:
    """A dict kept for the current request (in its WSGI environ, so a test that sends many
    requests inside one app context gets a fresh one each time), or for the app context
    outside a request (an e-mail rendered by a job)."""
    if has_request_context():
        return request.environ.setdefault(f"storefront.{name}", {})
    return g.setdefault(name, {})


# Script roots whose links an app keeps (a proxy's X-Forwarded-Prefix could vary them).
ROOTS_KEPT = 16


class _Links:
    """Links made from the routes alone: argument-free URLs, route builders and what each
    endpoint's route takes. Kept as long as the app, for each script root (``SCRIPT_NAME``),
    where a relative link depends on nothing else (``kept``); else for the request: an app
    with URL defaults, or host or subdomain matching, could link differently each time."""

    __slots__ = ("builders", "kept", "routes", "urls")

    def __init__(self, kept: bool) -> None:
        self.kept = kept
        self.urls: dict[str, str | None] = {}
        self.builders: dict[tuple[str, str], Callable[[object], str]] = {}
        self.routes: dict[str, _Route | None] = {}


def _links() -> _Links:
    """This request's links (looked up once a request; outside a request, the app
    context's)."""
    if not has_request_context():
        return g.setdefault("links", _Links(False))
    environ = request.environ
    links = environ.get("storefront.links")
    if links is None:
        links = environ["storefront.links"] = _kept_links(current_app, request.script_root)
    return links


class _KeptLinks(NamedTuple):
    routes: tuple[object, int, int]  # the URL map, how many views and URL defaults
    by_root: dict[str, _Links] | None  # None: links may vary by request


def _kept_links(app: Flask, root: str) -> _Links:
    """The app's links for ``root``, made again if its routes changed (a running app's do
    not: tests swap ``url_map``, take a view out or add URL defaults, to act as another
    app)."""
    kept = app.extensions.get("storefront.links")
    routes = (app.url_map, len(app.view_functions), len(app.url_default_functions))
    if kept is None or kept.routes[0] is not routes[0] or kept.routes[1:] != routes[1:]:
        fixed = not (app.url_default_functions or app.url_map.host_matching
                     or app.subdomain_matching)
        kept = app.extensions["storefront.links"] = _KeptLinks(routes, {} if fixed else None)
    if kept.by_root is None:
        return _Links(False)
    if root not in kept.by_root and len(kept.by_root) >= ROOTS_KEPT:
        kept.by_root.clear()
    return kept.by_root.setdefault(root, _Links(True))


def route_link(endpoint: str, argument: str, *, external: bool = False,
               ) -> Callable[[object], str]:
    """A function of one value giving ``url_for(endpoint, **{argument: value})``.

    For a route whose ``argument`` is a ``string`` or ``path`` part (the default
    converter); built once per request (an external link, which names the request's
    host) or once per app and script root (see ``_Links``).
    """
    if external:
        builders = request_memo("external_links")
        builder = builders.get((endpoint, argument))
        if builder is None:
            builder = builders[endpoint, argument] = _builder(endpoint, argument, True)
        return builder
    return _route_link(_links(), endpoint, argument)


def _route_link(links: _Links, endpoint: str, argument: str) -> Callable[[object], str]:
    builder = links.builders.get((endpoint, argument))
    if builder is None:
        builder = links.builders[endpoint, argument] = _builder(endpoint, argument, False)
    return builder


def _arguments(argument: str, value: object) -> dict[str, Any]:
    return {argument: value}


def _builder(endpoint: str, argument: str, external: bool) -> Callable[[object], str]:
    url = url_for(endpoint, **{argument: MARKER}, _external=external)
    head, marker, tail = url.partition(MARKER)
    if not marker or "?" in head:
        # A converter changed the value (an int, an "any"), or ``argument`` is no part of
        # the route and went into the query string: build each link.
        return lambda value: url_for(endpoint, _external=external, **_arguments(argument, value))

    def link(value: object) -> str:
        return f"{head}{quote_path(str(value))}{tail}"

    return link


def with_query(url: str, args: dict[str, str] | Iterable[tuple[str, str]]) -> str:
    """``url`` with ``args`` as its query string, as ``url_for(..., **args)`` writes it
    (in the order given; None values left out)."""
    items = args.items() if isinstance(args, dict) else args
    query = query_string((name, value) for name, value in items if value is not None)
    return f"{url}?{query}" if query else url


def nav_url(endpoint: str, **values) -> str | None:
    """The URL for ``endpoint``, or None when that page does not exist in this app.

    Without ``values``, built once per app and script root (see ``_Links``): every page
    asks for the same twenty. With values that are query parameters (``ingredient=...``),
    or one part of the route (``slug=...``) and query parameters, the route is built once
    too, and the values joined in as ``url_for`` writes them.
    """
    links = _links()
    if not values:
        return _plain_url(links, endpoint)
    if any(name.startswith("_") for name in values):  # url_for's own (_external, ...)
        return _build(endpoint, values)
    if not links.kept:
        current_app.inject_url_defaults(endpoint, values)
    route = _route(links, endpoint)
    if route is None:
        return None
    if route.several or route.defaults & values.keys():  # url_for chooses the route
        return _build(endpoint, values)
    in_route = [name for name in values if name in route.arguments]
    if not in_route:
        url = _plain_url(links, endpoint)
        return None if url is None else with_query(url, _query_items(values))
    if len(in_route) == 1 and values[in_route[0]] is not None:
        name = in_route[0]
        url = _route_link(links, endpoint, name)(values[name])
        return with_query(url, _query_items({key: value for key, value in values.items()
                                             if key != name}))
    return _build(endpoint, values)


def _plain_url(links: _Links, endpoint: str) -> str | None:
    if endpoint not in links.urls:
        links.urls[endpoint] = _build(endpoint, {})
    return links.urls[endpoint]


class _Route(NamedTuple):
    arguments: frozenset[str]
    defaults: frozenset[str]
    several: bool  # the endpoint has more than one route


def _route(links: _Links, endpoint: str) -> _Route | None:
    """What builds ``endpoint``'s links, or None when there is no such page."""
    if endpoint not in links.routes:
        rules = (list(current_app.url_map.iter_rules(endpoint))
                 if endpoint in current_app.view_functions else [])
        links.routes[endpoint] = _Route(frozenset(rules[0].arguments),
                                        frozenset(rules[0].defaults or ()),
                                        len(rules) > 1) if rules else None
    return links.routes[endpoint]


def _query_items(values: dict[str, Any]) -> list[tuple[str, Any]]:
    """``values`` as a query string's items the way werkzeug reads them for ``url_for``:
    None left out, each item of a list, tuple or set given its own item."""
    items: list[tuple[str, Any]] = []
    for name, value in values.items():
        if isinstance(value, list | tuple | set):
            items.extend((name, item) for item in value if item is not None)
        elif value is not None:
            items.append((name, value))
    return items


def _build(endpoint: str, values: dict) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None
