"""Cart rules: what can be added, how much, and merging a guest's cart at log-in.

Prices always come from the variant in the database; a posted price is never read.
Quantities are capped at what can still be sold, and the shopper is told when they are.

Orders placed from a cart sit above it and the cart never asks about them: what they
say (stock they hold, orders following a merged cart, carts to keep when pruning) is
passed in by the callers, from ``storefront.orders.carts``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import ColumnElement, Select, bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from storefront.caching import depends_on
from storefront.cart.models import MAX_QUANTITY, TOKEN_LENGTH, Cart, CartLine
from storefront.catalog.models import Product, Variant
from storefront.catalog.page_tags import available_tag
from storefront.content.models import Article
from storefront.db import utcnow
from storefront.errors import DomainError
from storefront.extensions import db, read_rows
from storefront.money import format_money

_QUANTITY = re.compile(r"[0-9]{1,4}")
_ID = re.compile(r"[0-9]{1,10}")
_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


class CartError(DomainError):
    """Something the shopper asked of the cart that can't be done; nothing was changed."""

    status_code = 422


class NotInCatalog(CartError):
    status_code = 404


class NotForSale(CartError):
    status_code = 422


class SoldOut(CartError):
    status_code = 409


@dataclass
class CartChange:
    """What an add or update did, and sentences to tell the shopper."""

    line: CartLine
    messages: list[str] = field(default_factory=list)
    capped: bool = False
    added: bool = True  # False: the item was in the cart already, and nothing was added


def describe(variant: Variant) -> str:
    return f"{variant.product.name} ({variant.size_label})"


def parse_quantity(raw: str | None) -> int:
    """A quantity from a form: a whole number from 1 to 99, else a CartError."""
    text = (raw or "").strip()
    if not _QUANTITY.fullmatch(text) or not 1 <= int(text) <= MAX_QUANTITY:
        raise CartError(f"Choose a quantity from 1 to {MAX_QUANTITY}.")
    return int(text)


def parse_id(raw: str | None, what: str = "product") -> int:
    text = (raw or "").strip()
    if not _ID.fullmatch(text) or not 0 < int(text) <= MAX_ID:
        raise NotInCatalog(f"We couldn't find that {what}. It may have been removed.")
    return int(text)


def check_sellable(variant: Variant | None) -> Variant:
    """The variant, if a shopper may buy it; else a CartError saying why not."""
    if variant is None:
        raise NotInCatalog("We couldn't find that product. It may have been removed.")
    product = variant.product
    if product.prescription_only:
        raise NotForSale(f"{product.name} is prescription-only, so it can't be bought "
                         "online. Please ask your dermatologist about it.")
    if not product.is_active:
        raise NotForSale(f"{product.name} is no longer sold.")
    if not variant.active or variant.currency != current_app.config["SHOP_CURRENCY"]:
        raise NotForSale(f"{describe(variant)} is no longer sold.")
    return variant


def load_variant(variant_id: int) -> Variant | None:
    query = select(Variant).where(Variant.id == variant_id).options(joinedload(Variant.product))
    return db.session.scalar(query)


def visible_article_id(slug: str | None) -> int | None:
    """The id of the published article ``slug`` (where the shopper came from), if any."""
    slug = (slug or "").strip()
    if not slug or len(slug) > 120:
        return None
    query = select(Article.id).where(Article.slug == slug, Article.visible_clause())
    return db.session.scalar(query)


# Finding and creating carts -------------------------------------------------------------

def _cart_query():
    return select(Cart).options(
        selectinload(Cart.lines)
        .joinedload(CartLine.variant)
        .joinedload(Variant.product)
        .selectinload(Product.images)
    )


def guest_token(value) -> str | None:
    """``value`` if it has the shape of a cart token (as a session holds it), else None."""
    return value if isinstance(value, str) and _TOKEN.fullmatch(value) else None


def find_cart(user_id: int | None, guest_token: str | None) -> Cart | None:
    """The visitor's cart: the account's when logged in, else the guest cart whose token the
    session holds."""
    if user_id is not None:
        return db.session.scalar(_cart_query().where(Cart.user_id == user_id))
    if isinstance(guest_token, str):
        return db.session.scalar(
            _cart_query().where(Cart.token == guest_token, Cart.user_id.is_(None))
        )
    return None


def get_or_create_cart(user_id: int | None, guest_token: str | None) -> Cart:
    cart = find_cart(user_id, guest_token)
    if cart is not None:
        return cart
    cart = Cart(user_id=user_id)
    try:
        with db.session.begin_nested():
            db.session.add(cart)
    except IntegrityError:
        # Another request made this account's cart a moment ago: use that one.
        cart = find_cart(user_id, None)
        if cart is None:
            raise
    return cart


def item_count(user_id: int | None, guest_token: str | None) -> int:
    """How many items the visitor's cart holds, in one small query (none without a cart)."""
    if user_id is not None:
        return int(read_rows(_count_statements()[0], {"owner": user_id}).scalar() or 0)
    if isinstance(guest_token, str):
        return int(read_rows(_count_statements()[1], {"owner": guest_token}).scalar() or 0)
    return 0


@cache
def _count_statements():
    """(an account's cart, a guest's cart) item counts, built once."""
    total = select(func.coalesce(func.sum(CartLine.quantity), 0)).join(Cart)
    return (total.where(Cart.user_id == bindparam("owner")),
            total.where(Cart.token == bindparam("owner"), Cart.user_id.is_(None)))


@dataclass(frozen=True)
class CartState:
    """What the cart page is made of, read in one statement.

    ``lines`` holds each line's id, variant id, quantity, price when added and source
    article: with the catalog's generation, everything the page shows. ``holds_stock``
    says this cart's own unpaid orders still hold stock; ``overdue`` that somebody's unpaid
    order has run out of time. Either means there is stock to give back first. (Both are
    asked of the orders by the statements' caller: see ``state_statements``.)
    """

    cart_id: int | None
    lines: tuple[tuple, ...]
    holds_stock: bool
    overdue: bool

    @property
    def item_count(self) -> int:
        return sum(line[2] for line in self.lines)


def state_statements(*, holds_stock: ColumnElement[bool],
                     overdue: ColumnElement[bool]) -> dict[str, Select]:
    """The statements ``cart_state`` runs, with the two answers of ``CartState`` the caller
    asks of the orders: ``holds_stock`` about the cart's row, ``overdue`` about none. Both
    may use the bound parameter ``now``. Build them once (``orders.carts`` does): the cart
    page is read on every visit, and building them costs as much as running them."""
    lines = (select(Cart.id, CartLine.id, CartLine.variant_id, CartLine.quantity,
                    CartLine.price_when_added, CartLine.source_article_id,
                    holds_stock.label("holds_stock"), overdue.label("overdue"))
             .outerjoin(CartLine, CartLine.cart_id == Cart.id)
             .order_by(CartLine.id))
    return {
        "account": lines.where(Cart.user_id == bindparam("owner")),
        "guest": lines.where(Cart.token == bindparam("owner"), Cart.user_id.is_(None)),
        "none": select(overdue),
    }


def cart_state(statements: dict[str, Select], user_id: int | None,
               guest_token: str | None) -> CartState:
    """The visitor's cart page, read by ``statements`` (see ``state_statements``)."""
    now = utcnow()
    connection = db.session.connection()  # plain rows: no ORM work to pay for
    if user_id is not None:
        rows = connection.execute(statements["account"], {"owner": user_id, "now": now}).all()
    elif isinstance(guest_token, str):
        rows = connection.execute(statements["guest"],
                                  {"owner": guest_token, "now": now}).all()
    else:
        rows = []
    if not rows:
        overdue = connection.scalar(statements["none"], {"now": now})
        return CartState(None, (), False, bool(overdue))
    lines = tuple(tuple(row[1:6]) for row in rows if row[1] is not None)
    return CartState(rows[0][0], lines, bool(rows[0].holds_stock), bool(rows[0].overdue))


# Changing a cart ------------------------------------------------------------------------

def _line_for(cart: Cart, variant_id: int) -> CartLine | None:
    return next((line for line in cart.lines if line.variant_id == variant_id), None)


def _capped(variant: Variant, wanted: int) -> tuple[int, list[str]]:
    """The quantity the cart may hold, and what to tell the shopper if it is less."""
    available = variant.available
    if available <= 0:
        raise SoldOut(f"Sorry, {describe(variant)} is out of stock.")
    if wanted > available:
        return available, [f"Only {available} of {describe(variant)} "
                           f"{'is' if available == 1 else 'are'} available, so your cart "
                           f"has {available}."]
    if wanted > MAX_QUANTITY:
        return MAX_QUANTITY, [f"You can buy at most {MAX_QUANTITY} of an item, so your cart "
                              f"has {MAX_QUANTITY} of {describe(variant)}."]
    return wanted, []


def add_item(cart: Cart, variant_id: int, quantity: int,
             source_article_slug: str | None = None) -> CartChange:
    """Put ``quantity`` of a variant in the cart (added to what is already there)."""
    variant = check_sellable(load_variant(variant_id))
    line = _line_for(cart, variant.id)
    new_quantity, messages = _capped(variant, (line.quantity if line else 0) + quantity)
    article_id = visible_article_id(source_article_slug)
    if line is None:
        line = CartLine(variant=variant, quantity=new_quantity,
                        price_when_added=variant.price, source_article_id=article_id)
        cart.lines.append(line)
    else:
        line.quantity = new_quantity
        line.source_article_id = article_id or line.source_article_id
    cart.updated_at = utcnow()
    db.session.flush()
    if messages:
        return CartChange(line, messages, capped=True)
    return CartChange(line, [f"Added {describe(variant)} to your cart."])


def add_from_routine(cart: Cart, variant_id: int, routine: str) -> CartChange:
    """Put one of a variant in the cart for a routine, unless it is there already (then
    its quantity stays, and the line also remembers the routine). ``routine`` is what
    the line keeps of it (``Answers.attribution``)."""
    variant = check_sellable(load_variant(variant_id))
    line = _line_for(cart, variant.id)
    if line is not None:
        line.source_routine = line.source_routine or routine
        db.session.flush()
        return CartChange(line, [f"{describe(variant)} was already in your cart."],
                          added=False)
    quantity, _messages = _capped(variant, 1)  # raises SoldOut when none are left
    line = CartLine(variant=variant, quantity=quantity, price_when_added=variant.price,
                    source_routine=routine)
    cart.lines.append(line)
    cart.updated_at = utcnow()
    db.session.flush()
    return CartChange(line, [f"Added {describe(variant)} to your cart."])


def _own_line(cart: Cart | None, line_id: int) -> CartLine:
    line = next((line for line in (cart.lines if cart else []) if line.id == line_id), None)
    if line is None:
        raise NotInCatalog("That item is no longer in your cart.")
    return line


def update_item(cart: Cart | None, line_id: int, quantity: int) -> CartChange:
    """Set a line's quantity (1-99, capped at stock)."""
    line = _own_line(cart, line_id)
    try:
        check_sellable(line.variant)
    except NotForSale as error:
        raise NotForSale(f"{error.message} Please remove it from your cart.") from error
    new_quantity, messages = _capped(line.variant, quantity)
    line.quantity = new_quantity
    line.price_when_added = line.variant.price
    line.cart.updated_at = utcnow()
    db.session.flush()
    if messages:
        return CartChange(line, messages, capped=True)
    return CartChange(line, [f"Updated {describe(line.variant)}."])


def remove_item(cart: Cart | None, line_id: int) -> str:
    line = _own_line(cart, line_id)
    cart = line.cart
    name = describe(line.variant)
    cart.lines.remove(line)
    cart.updated_at = utcnow()
    db.session.flush()
    return f"Removed {name} from your cart."


def remove_variants(cart_id: int | None, variant_ids: list[int]) -> None:
    """Take bought variants out of a cart (after their order is paid)."""
    if cart_id is None or not variant_ids:
        return
    db.session.execute(
        delete(CartLine)
        .where(CartLine.cart_id == cart_id, CartLine.variant_id.in_(variant_ids))
        .execution_options(synchronize_session="fetch")
    )


def merge_into(guest: Cart, target: Cart) -> list[str]:
    """Move a guest cart's lines into the account's cart; sentences saying what changed.

    Quantities add up and are capped at what can still be sold. The guest cart is deleted:
    move the orders placed from it first (``orders.carts.move_orders``).
    """
    messages = []
    for guest_line in list(guest.lines):
        variant = guest_line.variant
        try:
            check_sellable(variant)
            line = _line_for(target, variant.id)
            quantity, capped = _capped(variant, guest_line.quantity + (line.quantity if line
                                                                         else 0))
        except CartError as error:
            messages.append(f"{error.message} It was left out of your cart.")
            continue
        messages.extend(capped)
        if line is None:
            target.lines.append(CartLine(
                variant=variant, quantity=quantity, price_when_added=guest_line.price_when_added,
                source_article_id=guest_line.source_article_id,
                source_routine=guest_line.source_routine,
            ))
        else:
            if not capped and line.quantity != quantity:
                messages.append(f"{describe(variant)} was already in your cart; you now have "
                                f"{quantity}.")
            line.quantity = quantity
            line.source_routine = line.source_routine or guest_line.source_routine
    db.session.flush()
    db.session.delete(guest)
    target.updated_at = utcnow()
    db.session.flush()
    return messages


def stale_guest_carts(older_than: timedelta, *, keep: ColumnElement[bool],
                      limit: int = 5000) -> list[int]:
    """The ids of guest carts untouched for ``older_than``, oldest first, but those meeting
    ``keep`` (a condition on the cart's row, from the caller: ``orders.carts`` keeps a cart
    an unpaid order was placed from). Accounts' carts are kept: they are the account's for
    as long as it exists."""
    cutoff = utcnow() - older_than
    stale = (select(Cart.id)
             .where(Cart.user_id.is_(None), Cart.updated_at < cutoff, ~keep)
             .order_by(Cart.updated_at).limit(limit))
    return list(db.session.scalars(stale).all())


def delete_carts(cart_ids: list[int]) -> None:
    """Delete these carts and their lines (the stale ones, once
    ``orders.carts.prune_guest_carts`` has unlinked the orders placed from them)."""
    db.session.execute(delete(CartLine).where(CartLine.cart_id.in_(cart_ids)))
    db.session.execute(delete(Cart).where(Cart.id.in_(cart_ids)))


# What the cart page tells the shopper ---------------------------------------------------

def line_problem(line: CartLine) -> str | None:
    """Why this line can't be bought as it is (no longer sold, not enough stock), or None."""
    try:
        check_sellable(line.variant)
    except CartError as error:
        return f"{error.message} Please remove it from your cart."
    available = line.variant.available
    depends_on(available_tag(line.variant.product_id))  # the cart page shows the count
    if available <= 0:
        return f"{describe(line.variant)} is now out of stock. Please remove it from your cart."
    if line.quantity > available:
        return (f"Only {available} of {describe(line.variant)} "
                f"{'is' if available == 1 else 'are'} left. Please lower the quantity.")
    return None


def price_note(line: CartLine, currency: str) -> str | None:
    if not line.price_changed:
        return None
    direction = "gone down" if line.variant.price < line.price_when_added else "gone up"
    return (f"The price of {describe(line.variant)} has {direction} from "
            f"{format_money(line.price_when_added, currency)} to "
            f"{format_money(line.variant.price, currency)} since you added it.")


def cart_problems(cart: Cart | None) -> list[str]:
    """Everything that stops this cart being checked out, one sentence each."""
    if cart is None or not cart.lines:
        return ["Your cart is empty."]
    return [problem for problem in map(line_problem, cart.lines) if problem]
