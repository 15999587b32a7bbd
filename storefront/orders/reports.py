"""The dashboard's figures, each from one bounded aggregate query (never a loop over rows).

What the figures mean (the dashboard says the same in words):

- **Sales** are orders that were paid and are still the customer's: status paid, fulfilled
  (sent) or partially refunded (``orders.status.SOLD``). Fully refunded and cancelled orders
  are left out: their money went back.
- **Revenue** is what those customers paid (the order total: goods after any discount code,
  plus delivery, tax included) minus what has been refunded of it so far: money kept.
- An order counts on the UTC calendar day it was **paid** (``paid_at``). "Today" starts at
  00:00 UTC; "last 7 days" is today and the 6 days before it (30 likewise).
- **Average order value** is revenue divided by the number of orders.
- **By source article**: lines of those orders that were put in the cart from an article
  (``OrderLine.source_article_id``). Per article: orders (each counted once), units, and
  sales = the lines' own totals (unit price times quantity). That is before an order-wide
  discount code and without delivery; a refund is an amount on the order, not on a line,
  so partial refunds are not taken off here.
- **By condition**: the same lines through their article's conditions. A line whose
  article is about two conditions counts in full under each of them, so the conditions
  can add up to more than the articles do.
- **By routine**: lines put in the cart with "Add the whole routine to the cart"
  (``OrderLine.source_routine``, the routine's concerns), counted the same way, per set of
  concerns. A line can come from an article and a routine both; it counts under each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, distinct, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import String

from storefront.catalog.models import Product, ProductStatus, Variant
from storefront.content.models import (
    Article,
    Condition,
    QuestionStatus,
    ReaderQuestion,
    Recommendation,
    article_condition,
)
from storefront.extensions import db
from storefront.money import quantize
from storefront.orders.models import Order, OrderLine, Refund
from storefront.orders.status import SOLD

ZERO = Decimal("0.00")
WINDOWS = (("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30))
CHART_DAYS = 30


class utc_day(FunctionElement):
    """SQL: the UTC calendar day of an aware timestamp column, as ``YYYY-MM-DD`` text."""

    type = String()
    name = "utc_day"
    inherit_cache = True


@compiles(utc_day)
def _utc_day_sqlite(element, compiler, **kw):
    # SQLite keeps naive UTC text (see storefront.db.UTCDateTime).
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw):
    # No bound parameters, so the same text can be repeated in GROUP BY.
    column = compiler.process(element.clauses, **kw)
    return f"to_char(timezone('UTC', {column}), 'YYYY-MM-DD')"


def money(value) -> Decimal:
    """A sum from the database as cents (SQLite hands back floats)."""
    return ZERO if value is None else quantize(Decimal(str(value)))


def start_of_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _refunded():
    """Per order: how much has been refunded."""
    return (select(Refund.order_id, func.sum(Refund.amount).label("amount"))
            .group_by(Refund.order_id).subquery("refunded"))


def _net(refunded):
    return Order.total - func.coalesce(refunded.c.amount, 0)


# Headline figures ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PeriodTotals:
    label: str
    days: int
    orders: int
    revenue: Decimal

    @property
    def average(self) -> Decimal:
        return quantize(self.revenue / self.orders) if self.orders else ZERO


def sales_totals(today: date) -> list[PeriodTotals]:
    """Orders and revenue for today, the last 7 and the last 30 days (one query)."""
    refunded = _refunded()
    columns = []
    for _label, days in WINDOWS:
        inside = Order.paid_at >= start_of_day(today - timedelta(days=days - 1))
        columns += [func.sum(case((inside, 1), else_=0)),
                    func.sum(case((inside, _net(refunded)), else_=0))]
    oldest = start_of_day(today - timedelta(days=max(days for _, days in WINDOWS) - 1))
    row = db.session.execute(
        select(*columns).select_from(Order)
        .outerjoin(refunded, refunded.c.order_id == Order.id)
        .where(Order.status.in_(SOLD), Order.paid_at >= oldest)
    ).one()
    return [PeriodTotals(label, days, int(row[2 * i] or 0), money(row[2 * i + 1]))
            for i, (label, days) in enumerate(WINDOWS)]


@dataclass(frozen=True)
class DaySales:
    day: date
    orders: int
    revenue: Decimal


def daily_sales(today: date, days: int = CHART_DAYS) -> list[DaySales]:
    """One entry per UTC day, oldest first, days without sales included (one query)."""
    refunded = _refunded()
    day = utc_day(Order.paid_at)
    first = today - timedelta(days=days - 1)
    rows = db.session.execute(
        select(day, func.count(Order.id), func.sum(_net(refunded))).select_from(Order)
        .outerjoin(refunded, refunded.c.order_id == Order.id)
        .where(Order.status.in_(SOLD), Order.paid_at >= start_of_day(first))
        .group_by(day)
    ).all()
    found = {str(key)[:10]: (count, total) for key, count, total in rows}
    series = []
    for offset in range(days):
        current = first + timedelta(days=offset)
        count, total = found.get(current.isoformat(), (0, None))
        series.append(DaySales(current, int(count), money(total)))
    return series


# Where sales come from ----------------------------------------------------------------------

@dataclass(frozen=True)
class SourceRow:
    id: int
    name: str
    slug: str
    orders: int
    units: int
    sales: Decimal


def _sold_lines(query, since: datetime):
    return (query.join(Order, Order.id == OrderLine.order_id)
            .where(Order.status.in_(SOLD), Order.paid_at >= since))


def _source_rows(query) -> list[SourceRow]:
    return [SourceRow(id_, name, slug, int(orders), int(units or 0), money(sales))
            for id_, name, slug, orders, units, sales in db.session.execute(query)]


def _line_figures():
    sales = func.sum(OrderLine.line_total)
    return [func.count(distinct(OrderLine.order_id)), func.sum(OrderLine.quantity), sales], sales


def sales_by_article(since: datetime, limit: int = 25) -> list[SourceRow]:
    """Articles whose readers bought, biggest sales first."""
    figures, sales = _line_figures()
    query = _sold_lines(
        select(Article.id, Article.title, Article.slug, *figures)
        .select_from(OrderLine).join(Article, Article.id == OrderLine.source_article_id),
        since,
    ).group_by(Article.id, Article.title, Article.slug).order_by(sales.desc(), Article.title)
    return _source_rows(query.limit(limit))


def sales_by_condition(since: datetime, limit: int = 25) -> list[SourceRow]:
    """Conditions whose articles' readers bought; a line counts under each of its conditions."""
    figures, sales = _line_figures()
    query = _sold_lines(
        select(Condition.id, Condition.name, Condition.slug, *figures)
        .select_from(OrderLine)
        .join(article_condition, article_condition.c.article_id == OrderLine.source_article_id)
        .join(Condition, Condition.id == article_condition.c.condition_id),
        since,
    ).group_by(Condition.id, Condition.name, Condition.slug).order_by(sales.desc(), Condition.name)
    return _source_rows(query.limit(limit))


@dataclass(frozen=True)
class SourceShare:
    all_sales: Decimal
    article_sales: Decimal
    routine_sales: Decimal = ZERO

    def _percent(self, part: Decimal) -> int | None:
        if not self.all_sales:
            return None
        return round(part * 100 / self.all_sales)

    @property
    def percent(self) -> int | None:
        return self._percent(self.article_sales)

    @property
    def routine_percent(self) -> int | None:
        return self._percent(self.routine_sales)


def article_share(since: datetime) -> SourceShare:
    """Sales (line totals) of all sold lines, of those that came from an article and of
    those that came from a routine (one query)."""
    from_article = case((OrderLine.source_article_id.is_not(None), OrderLine.line_total),
                        else_=0)
    from_routine = case((OrderLine.source_routine.is_not(None), OrderLine.line_total),
                        else_=0)
    row = db.session.execute(_sold_lines(
        select(func.sum(OrderLine.line_total), func.sum(from_article),
               func.sum(from_routine)).select_from(OrderLine),
        since,
    )).one()
    return SourceShare(money(row[0]), money(row[1]), money(row[2]))


@dataclass(frozen=True)
class RoutineRow:
    key: str  # the routine's concerns' slugs, joined by "+"
    concerns: tuple[str, ...]  # their names (the slug where the concern is gone)
    orders: int
    units: int
    sales: Decimal


def sales_by_routine(since: datetime, limit: int = 25) -> list[RoutineRow]:
    """Routines whose readers bought, by their set of concerns, biggest sales first; the
    concerns' names come from one more query, when there are any."""
    figures, sales = _line_figures()
    found = _sold_lines(
        select(OrderLine.source_routine, *figures).select_from(OrderLine)
        .where(OrderLine.source_routine.is_not(None)), since,
    ).group_by(OrderLine.source_routine).order_by(sales.desc(), OrderLine.source_routine)
    rows = db.session.execute(found.limit(limit)).all()
    slugs = sorted({slug for row in rows for slug in row[0].split("+")})
    names = dict(db.session.execute(select(Condition.slug, Condition.name)
                                    .where(Condition.slug.in_(slugs))).all()) if slugs else {}
    return [RoutineRow(key, tuple(names.get(slug, slug) for slug in key.split("+")),
                       int(orders), int(units or 0), money(total))
            for key, orders, units, total in rows]


# Things to look at ----------------------------------------------------------------------------

@dataclass(frozen=True)
class LowStock:
    variant_id: int
    product_name: str
    sku: str
    size_label: str
    available: int
    threshold: int


def low_stock(limit: int = 10) -> tuple[int, list[LowStock]]:
    """How many sold variants are at or under their low-stock mark, and the lowest few."""
    available = Variant.stock_on_hand - Variant.stock_reserved
    where = [Variant.active.is_(True), Product.status == ProductStatus.ACTIVE,
             available <= Variant.low_stock_threshold]
    count = db.session.scalar(select(func.count(Variant.id)).join(Product).where(*where))
    rows = db.session.execute(
        select(Variant.id, Product.name, Variant.sku, Variant.size_label, available,
               Variant.low_stock_threshold)
        .join(Product).where(*where).order_by(available, Product.name, Variant.sku).limit(limit)
    )
    return count or 0, [LowStock(*row) for row in rows]


def recent_orders(limit: int = 8) -> list[Order]:
    return list(db.session.scalars(
        select(Order).order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)))


def new_questions(limit: int = 5) -> tuple[int, list[ReaderQuestion]]:
    """How many reader questions wait for an answer, and the latest of them."""
    where = ReaderQuestion.status == QuestionStatus.NEW
    count = db.session.scalar(select(func.count(ReaderQuestion.id)).where(where))
    latest = db.session.scalars(select(ReaderQuestion).where(where)
                                .order_by(ReaderQuestion.created_at.desc(),
                                          ReaderQuestion.id.desc()).limit(limit))
    return count or 0, list(latest)


@dataclass(frozen=True)
class BrokenPick:
    condition_name: str
    condition_slug: str
    product_name: str
    product_slug: str
    reasons: tuple[str, ...]


def _reasons(status: ProductStatus, prescription_only: bool, in_stock: bool) -> tuple[str, ...]:
    reasons = []
    if status != ProductStatus.ACTIVE:
        reasons.append("archived" if status == ProductStatus.ARCHIVED else "draft (not on sale)")
    if prescription_only:
        reasons.append("prescription only")
    if not in_stock:
        reasons.append("out of stock")
    return tuple(reasons)


def unavailable_recommendations(limit: int = 50) -> list[BrokenPick]:
    """Condition pages recommending a product a reader can't buy now, and why."""
    in_stock = exists().where(Variant.product_id == Product.id, Variant.active.is_(True),
                              Variant.stock_on_hand - Variant.stock_reserved > 0)
    rows = db.session.execute(
        select(Condition.name, Condition.slug, Product.name, Product.slug, Product.status,
               Product.prescription_only, in_stock.label("in_stock"))
        .select_from(Recommendation)
        .join(Condition, Condition.id == Recommendation.condition_id)
        .join(Product, Product.id == Recommendation.product_id)
        .where(or_(Product.status != ProductStatus.ACTIVE, Product.prescription_only.is_(True),
                   ~in_stock))
        .order_by(Condition.position, Condition.name, Recommendation.position, Recommendation.id)
        .limit(limit)
    )
    return [BrokenPick(c_name, c_slug, p_name, p_slug, _reasons(status, rx, bool(stocked)))
            for c_name, c_slug, p_name, p_slug, status, rx, stocked in rows]

