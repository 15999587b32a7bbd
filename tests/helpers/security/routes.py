"""Every route of the app, read from its URL map, and URLs for them with chosen values.

Tests walk these lists instead of naming pages, so a route added later is covered by the
same checks without anyone remembering to add it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from werkzeug.routing import Rule

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# The only route allowed to skip the CSRF check: Stripe signs its calls instead.
CSRF_EXEMPT = {"stripe_webhook.stripe_webhook"}
# Forms anonymous visitors post from shared pages without a token (storefront/origin.py):
# the origin check protects them; a logged-in visitor's post still needs its token.
GUEST_FORMS = {"cart.add", "reviews.helpful", "alerts.ask", "content.ask",
               "routines.add_to_cart"}
# Routes that only serve files; their path parameters are file names.
FILE_ENDPOINTS = {"static", "assets.serve", "catalog.media_file"}
_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?"
                       r"(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")


@dataclass(frozen=True)
class Route:
    rule: Rule

    @property
    def endpoint(self) -> str:
        return self.rule.endpoint

    @property
    def path(self) -> str:
        return self.rule.rule

    @property
    def methods(self) -> set[str]:
        return set(self.rule.methods or ()) - {"HEAD", "OPTIONS"}

    @property
    def is_admin(self) -> bool:
        return self.path.startswith("/admin")

    def converter(self, name: str) -> str:
        return type(self.rule._converters[name]).__name__

    def url(self, values: Callable[[Route, str], object] | None = None) -> str:
        """The path with each parameter replaced by ``values(route, name)`` (raw, unescaped).

        Without ``values``: 1 for whole numbers, ``x`` for anything else.
        """

        def fill(match: re.Match) -> str:
            name = match.group("name")
            value = values(self, name) if values else None
            if value is None:
                value = 1 if self.converter(name) == "IntegerConverter" else "x"
            return str(value)

        return _ARGUMENT.sub(fill, self.path)

    def __repr__(self) -> str:
        return f"{sorted(self.methods)} {self.path}"


def routes(app, *, admin: bool | None = None) -> list[Route]:
    """Every route (``admin=True``: only /admin ones, ``False``: none of them)."""
    found = [Route(rule) for rule in app.url_map.iter_rules()]
    if admin is not None:
        found = [route for route in found if route.is_admin == admin]
    return sorted(found, key=lambda route: route.path)


def requests_for(found: Iterable[Route], methods: Iterable[str]) -> list[tuple[str, Route]]:
    wanted = set(methods)
    return [(method, route) for route in found for method in sorted(route.methods & wanted)]
