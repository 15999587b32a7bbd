"""Absolute links to the shop, made from its configured public address (``SHOP_URL``).

A link that leaves the site (in an e-mail, or handed to a payment provider to send the
shopper back) must not come from the request: its Host header is whatever the sender
wrote, so ``url_for(..., _external=True)`` would let anyone who asks for a password reset
put their own host into the victim's e-mail. These links are built from the setting
instead, the same in a request, a background job or a ``flask`` command.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` on the shop's public site, like ``url_for``'s."""
    base = urlsplit(current_app.config["SHOP_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
