"""Cross-origin protection for every unsafe request, read from the browser's own headers.

Every request that can change something (any method but GET, HEAD, OPTIONS and TRACE) is
checked before its view, app-wide, as Go's ``net/http.CrossOriginProtection`` does:

1. ``Sec-Fetch-Site: same-origin`` or ``none`` (typed in, a bookmark) passes; any other
   value (``cross-site``, ``same-site``) is refused.
2. Without ``Sec-Fetch-Site``, an ``Origin`` header must be this request's own origin
   (``scheme://host[:port]`` as Flask sees it, after ProxyFix) or that of ``SHOP_URL``;
   ``Origin: null`` or any other is refused.
3. With neither header, a ``Referer`` from another origin is refused; otherwise the request
   passes. Every browser in use sends ``Sec-Fetch-Site`` (all since 2023) or at least
   ``Origin`` on a cross-origin POST (all since 2020), and a page cannot make a browser
   leave them out. A request with neither comes from a program (the Stripe webhook, curl,
   a monitor), which holds no visitor's cookies and so can forge nothing in their name,
   or from a browser older than that. Such a browser is still refused when it sends a
   foreign ``Referer``; logged-in visitors keep their tokens on every form; and the
   session cookie is ``SameSite=Lax``, so a cross-site post from any browser of the last
   years reaches no visitor's cart or vote, only a new empty session.

A refusal is a 403 on the shop's error page, saying the form came from another site.

On top of this check every form keeps its CSRF token (Flask-WTF's ``CSRFProtect``), except
the few an anonymous visitor posts from pages shared by every visitor and cached (add to
cart, "helpful", back-in-stock alerts, "ask a dermatologist", a routine to the cart): a
token there would make each page one visitor's own. Those views are marked ``guest_form``:
for an anonymous visitor the origin check is their protection; a logged-in visitor's post
still needs its token, which their page (rendered for them alone) carries.
"""

from __future__ import annotations

import logging
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from storefront.extensions import csrf

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SAME_ORIGIN_FETCH = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": 80, "https": 443}


class CrossOriginRequest(Forbidden):
    """A request that changes something, sent by a page of another site."""

    description = ("This form was sent from another site, so nothing was changed. If you "
                   "meant to send it, please go back to the shop, reload the page and send "
                   "it from there.")


def origin_of(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an http(s) ``url`` as a browser's Origin header writes
    it (lower case, no default port), or None when it has none."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a port that is not a number, a broken IPv6 address
        return None
    host = parts.hostname
    if parts.scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}"


def own_origins() -> set[str]:
    """The origins a form of this shop is sent from: the request's own, and SHOP_URL's."""
    origins = {origin_of(request.host_url), origin_of(current_app.config.get("SHOP_URL"))}
    return {origin for origin in origins if origin is not None}


def refusal_reason() -> str | None:
    """Why this request looks sent by another site's page, or None when it does not."""
    if request.method in SAFE_METHODS:
        return None
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return None if fetch_site in SAME_ORIGIN_FETCH else f"Sec-Fetch-Site: {fetch_site}"
    origin = request.headers.get("Origin")
    if origin is not None:
        return None if origin_of(origin) in own_origins() else f"Origin: {origin}"
    referrer = request.headers.get("Referer")
    if referrer is not None and origin_of(referrer) not in own_origins():
        return f"Referer: {referrer}"
    return None


def refuse_cross_origin() -> None:
    """Before every request: a 403 for one another site's page sent (see the module)."""
    reason = refusal_reason()
    if reason is not None:
        log.info("Refused a cross-origin %s %s (%s)", request.method, request.path,
                 reason[:200])
        raise CrossOriginRequest()


def needs_form_token() -> bool:
    """True when this visitor's post of a ``guest_form`` must carry a CSRF token: they are
    logged in. Templates render the token in those forms only then."""
    return current_user.is_authenticated


def guest_form(view):
    """Mark a view that takes a form anonymous visitors post from shared, cached pages.

    Its page carries no token for them (so it can be the same for everyone): the origin
    check is their protection. A logged-in visitor's post is checked for its token here, as
    ``CSRFProtect`` checks every other form. Forms such a view reads are ``GuestForm``s.
    """

    @wraps(view)
    def checked(*args, **kwargs):
        if needs_form_token() and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        return view(*args, **kwargs)

    return csrf.exempt(checked)


def register_origin_check(app: Flask) -> None:
    """Check every unsafe request's origin before anything else looks at it."""
    app.before_request(refuse_cross_origin)
    app.jinja_env.globals["needs_form_token"] = needs_form_token
