"""Rate limits on the forms worth abusing, checked by the views that have one and nowhere else.

``@limiter.limit("10 per minute")`` (or a function returning such a text, read on every
request; several limits separated by ``;``) counts the requests each client address
(``request.remote_addr``, after ProxyFix) sends to that view, in fixed windows. Past the
limit the view is not run: a 429 on the site's page with ``Retry-After``. ``methods=["POST"]``
counts only those methods; ``deduct_when(response)`` counts a request only once its
response is known and says so (the others are only tested against the limit). Every response
of a limited view says where its client stands (``X-RateLimit-Limit``, ``-Remaining``,
``-Reset``).

Counts live in ``RATELIMIT_STORAGE_URI`` through the ``limits`` library: Redis, shared by
every process, or ``memory://``, each process its own. When Redis fails, this process
counts in its memory for ``RETRY_SECONDS`` and then asks Redis again: a log-in is never
answered with a 500 for it, and is still limited. ``RATELIMIT_ENABLED`` false counts nothing.

There are no app-wide limits, so nothing runs before or after the other requests: a page
served from the cache and ``/healthz`` pay nothing for the limits. (Flask-Limiter, used
before, looked every request up in a ``before_request`` hook even when it had no limit: a
fifth of what a cached page cost to serve.)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial, wraps
from typing import Any

from flask import Flask, after_this_request, current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

EXTENSION = "storefront.ratelimit"
RETRY_SECONDS = 5.0  # after Redis failed, counts stay in memory this long
monotonic = time.monotonic  # the clock for that (a test may move it on)

log = logging.getLogger(__name__)


@dataclass
class Counts:
    """One app's counters: its storage, and this process's memory for when that fails."""

    shared: FixedWindowRateLimiter
    prefix: str
    memory: FixedWindowRateLimiter = field(
        default_factory=lambda: FixedWindowRateLimiter(MemoryStorage()))
    resting_until: float = 0.0

    def strategy(self) -> FixedWindowRateLimiter:
        return self.memory if monotonic() < self.resting_until else self.shared

    def run(self, action: Callable[[FixedWindowRateLimiter], Any]) -> Any:
        """``action(strategy)`` on the shared counts, or in memory while they fail."""
        strategy = self.strategy()
        try:
            return action(strategy)
        except Exception as error:  # Redis down, slow or refusing writes
            if strategy is self.memory:
                raise
            log.warning("Rate limit storage failed (%s): counting in memory for %.0f s",
                        type(error).__name__, RETRY_SECONDS)
            self.resting_until = monotonic() + RETRY_SECONDS
            return action(self.memory)


class RateLimiter:
    """The limits of the views decorated with ``limit``; ``init_app`` gives an app its
    counters (one object serves every app of a process, as the tests make many)."""

    def init_app(self, app: Flask) -> None:
        config = app.config
        if not config.get("RATELIMIT_ENABLED", True):
            app.extensions.pop(EXTENSION, None)
            return
        storage = storage_from_string(config.get("RATELIMIT_STORAGE_URI") or "memory://",
                                      **config.get("RATELIMIT_STORAGE_OPTIONS", {}))
        app.extensions[EXTENSION] = Counts(FixedWindowRateLimiter(storage),
                                           config.get("RATELIMIT_KEY_PREFIX", ""))

    def reset(self) -> None:
        """Forget every count of the current app (tests)."""
        counts: Counts | None = current_app.extensions.get(EXTENSION)
        if counts is not None:
            counts.shared.storage.reset()
            counts.memory.storage.reset()

    def limit(self, amount: str | Callable[[], str], *, methods: list[str] | None = None,
              deduct_when: Callable[[Any], bool] | None = None):
        """Limit the decorated view (see the module)."""
        counted = frozenset(method.upper() for method in methods) if methods else None

        def decorator(view):
            scope = f"{view.__module__}.{view.__qualname__}"

            @wraps(view)
            def limited(*args, **kwargs):
                counts: Counts | None = current_app.extensions.get(EXTENSION)
                if counts is not None and (counted is None or request.method in counted):
                    text = amount() if callable(amount) else amount
                    _check(counts, parse_many(text), scope, deduct_when)
                return view(*args, **kwargs)

            return limited

        return decorator


def _identifiers(counts: Counts, scope: str) -> tuple[str, ...]:
    who = request.remote_addr or "127.0.0.1"
    return (counts.prefix, who, scope) if counts.prefix else (who, scope)


def _check(counts: Counts, items: list[RateLimitItem], scope: str,
           deduct_when: Callable[[Any], bool] | None) -> None:
    """Count this request against ``items`` (or test it, with ``deduct_when``); a 429 past
    one of them. The response gets the tightest limit's headers."""
    key = _identifiers(counts, scope)
    items = sorted(items)
    refused = None
    for item in items:
        if not counts.run(partial(_counted, item=item, key=key,
                                  only_test=deduct_when is not None)):
            refused = item
            break

    @after_this_request
    def finish(response):
        if refused is None and deduct_when is not None and deduct_when(response):
            for item in items:
                counts.run(partial(_counted, item=item, key=key, only_test=False))
        _add_headers(response, counts, refused or items[0], key, refused is not None)
        return response

    if refused is not None:
        raise TooManyRequests()


def _counted(strategy: FixedWindowRateLimiter, *, item: RateLimitItem, key: tuple[str, ...],
             only_test: bool) -> bool:
    """Whether the request is within ``item``; counted unless ``only_test``."""
    return strategy.test(item, *key) if only_test else strategy.hit(item, *key)


def _add_headers(response, counts: Counts, item: RateLimitItem, key: tuple[str, ...],
                 refused: bool) -> None:
    reset_at, remaining = counts.run(lambda strategy: strategy.get_window_stats(item, *key))
    response.headers["X-RateLimit-Limit"] = str(item.amount)
    response.headers["X-RateLimit-Remaining"] = str(remaining)
    response.headers["X-RateLimit-Reset"] = str(int(reset_at))
    if refused:
        response.headers["Retry-After"] = str(max(1, int(reset_at - time.time())))
