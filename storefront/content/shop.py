"""The shop speaking for itself: its editable introduction and pages, and what ties it to
brands.

Independence is data here, not a slogan: a brand's financial tie is recorded on the
brand, every product of that brand discloses it, and the pages that promise independence
read the ties rather than assert there are none. Services flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from markupsafe import Markup
from sqlalchemy import bindparam, select

from storefront.audit import services as audit
from storefront.catalog.models import Brand, FinancialTie
from storefront.content.models import Author, ShopText, ShopTextRevision
from storefront.content.pages import PAGE_KEYS
from storefront.content.rendering import cached_markdown, fill_shortcodes
from storefront.errors import DomainError
from storefront.extensions import db, read_rows
from storefront.settings.services import WrittenPages

SHOP_INTRODUCTION = "shop-introduction"
SHOP_TEXT_AUDIT_FIELDS = ["heading", "body", "author_id"]
HEADING_MAX, BODY_MAX = 120, 3000
PAGE_BODY_MAX = 40_000  # terms and privacy policies run long


class ShopTextError(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def shop_text(key: str) -> ShopText | None:
    """The text for ``key`` with its author, or None when nobody has written it yet."""
    return db.session.scalar(_shop_text_statement(), {"key": key})


@cache
def _shop_text_statement():
    return select(ShopText).where(ShopText.key == bindparam("key"))


class Signature(NamedTuple):
    name: str
    credentials: str


class ShownText(NamedTuple):
    """A shop text as a page shows it (heading, body, signature), read as a plain row:
    the ORM's load of a text and its author cost 0.25 ms of the product list's 3.7, the
    same row read as columns 0.04. Shop texts change no page of their own (any change
    renders every page again), so nothing is tracked."""

    id: int
    heading: str
    body: str
    author: Signature | None


def shown_text(key: str) -> ShownText | None:
    """The text for ``key`` as readers see it, or None when nobody has written it yet."""
    row = read_rows(_shown_text_statement(), {"key": key}).first()
    if row is None:
        return None
    text_id, heading, body, name, credentials = row
    return ShownText(text_id, heading, body,
                     Signature(name, credentials) if name is not None else None)


@cache
def _shown_text_statement():
    return (select(ShopText.id, ShopText.heading, ShopText.body, Author.name,
                   Author.credentials)
            .outerjoin(Author, Author.id == ShopText.author_id)
            .where(ShopText.key == bindparam("key")))


def written_pages() -> list[str]:
    """The keys of the shop's pages (``pages.SHOP_PAGES``) written so far."""
    return list(db.session.scalars(select(ShopText.key).where(ShopText.key.in_(PAGE_KEYS))))


# Which pages are written, kept with the shop's particulars (``settings.services.shop_info``,
# for the footer's links) and read again when a shop text changes: ``create_app`` installs it.
WRITTEN_PAGES = WrittenPages(load=written_pages, models=(ShopText,))


def text_html(text: ShopText | ShownText) -> Markup:
    """The body as safe HTML (Markdown; shortcodes are not used here and show as words)."""
    rendered = cached_markdown(f"shop-text:{text.id}", text.body)
    return fill_shortcodes(rendered, lambda code: None)


def _check(heading: str, body: str, body_max: int) -> tuple[str, str]:
    heading, body = (heading or "").strip(), (body or "").strip()
    if not heading or len(heading) > HEADING_MAX:
        raise ShopTextError(f"Give it a heading of at most {HEADING_MAX} characters.",
                            "heading")
    if not body or len(body) > body_max:
        raise ShopTextError(f"Write the text, in at most {body_max:,} characters.", "body")
    return heading, body


def _new_version(text: ShopText, actor) -> None:
    """Keep what readers see from now on as the text's next version."""
    if text.id is not None:  # a saved text: this is the version after its last
        text.version = (text.version or 0) + 1
    else:
        text.version = 1
    db.session.flush()
    db.session.add(ShopTextRevision(shop_text_id=text.id, version=text.version,
                                    heading=text.heading, body=text.body,
                                    actor_id=getattr(actor, "id", None)))


def save_shop_text(key: str, heading: str, body: str, author: Author | None, *,
                   actor, body_max: int = BODY_MAX) -> ShopText:
    """Write the text for ``key`` (creating it the first time). A change of its heading or
    text makes a new version, kept as it was. Audited; flushes only."""
    heading, body = _check(heading, body, body_max)
    text = shop_text(key)
    before = audit.snapshot(text, SHOP_TEXT_AUDIT_FIELDS) if text else None
    reworded = text is None or (text.heading, text.body) != (heading, body)
    if text is None:
        text = ShopText(key=key)
        db.session.add(text)
    text.heading, text.body, text.author = heading, body, author
    if reworded:
        _new_version(text, actor)
    db.session.flush()
    after = audit.snapshot(text, SHOP_TEXT_AUDIT_FIELDS)
    if before is not None:  # only what changed; nothing at all when nothing did
        changed = [name for name in after if before[name] != after[name]]
        if not changed:
            return text
        before = {name: before[name] for name in changed}
        after = {name: after[name] for name in changed}
    audit.record(actor, "shop_text.updated" if before else "shop_text.created", text,
                 f"Shop text “{heading}” ({key}), version {text.version}",
                 before=before, after=after)
    return text


def add_shop_text(key: str, heading: str, body: str, author: Author | None = None) -> ShopText:
    """A new text as version 1, not audited (the demo's seed). Flushes only."""
    text = ShopText(key=key, heading=heading, body=body, author=author)
    db.session.add(text)
    _new_version(text, None)
    db.session.flush()
    return text


def revision(key: str, version: int) -> ShopTextRevision | None:
    """Version ``version`` of the text for ``key``, as readers saw it."""
    return db.session.scalar(
        select(ShopTextRevision).join(ShopText, ShopText.id == ShopTextRevision.shop_text_id)
        .where(ShopText.key == key, ShopTextRevision.version == version))


class TiedBrand(NamedTuple):
    """What pages say of a brand with a financial tie to the shop."""

    name: str
    financial_tie: FinancialTie


@dataclass(frozen=True)
class Independence:
    """The brands with a financial tie to the shop; none is the promise kept."""

    tied_brands: list[TiedBrand]

    @property
    def has_ties(self) -> bool:
        return bool(self.tied_brands)


def independence() -> Independence:
    """Plain rows, no brand objects (brands are no page's tag: a change to one changes
    every page)."""
    return Independence([TiedBrand(*row) for row in read_rows(_tied_brands_statement())])


@cache
def _tied_brands_statement():
    """Built once: every article page says how many brands the shop is tied to."""
    return (select(Brand.name, Brand.financial_tie)
            .where(Brand.financial_tie != FinancialTie.NONE)
            .order_by(Brand.name, Brand.id))
