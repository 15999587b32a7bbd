"""The rules of reviews: who may write one, moderation, ratings, votes and invitations.

Only a buyer reviews: a review belongs to an order line of an order that was sent, one per
line (and one per product in an order). It waits for an editor, who publishes it, rejects
it with a reason the reviewer is told, or marks it as spam; editors never change its words.
A reviewer who edits their review sends it back to the queue.

A product's rating lives on the product row (``Product.rating_N_count``: published reviews
per number of stars), so cards and pages have it without a query. It changes only in one
SQL UPDATE, in the same transaction as the review's own status change, which is itself a
guarded UPDATE: two editors pressing "Publish" at once count the review once.

The page cache: publishing or unpublishing a review, and a "helpful" vote, name the
product's tag (``storefront.caching.touched``): the pages that show that product are
rendered again, and no others. A review waiting for an editor is on no page.

Services flush; the request, job or command commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from storefront.audit import services as audit
from storefront.caching import DECLARED, touched
from storefront.catalog.listing import shorten
from storefront.catalog.models import (
    RATING_STARS,
    Product,
    ProductRules,
    ProductStatus,
    SkinType,
)
from storefront.catalog.page_tags import product_tag
from storefront.content.models import Condition, Recommendation
from storefront.db import utcnow
from storefront.errors import DomainError
from storefront.extensions import db, read_rows
from storefront.mail import queue_mail
from storefront.orders.models import Order, OrderLine, OrderStatus
from storefront.reviews.links import product_url, review_url
from storefront.reviews.models import (
    AgeRange,
    Review,
    ReviewInvitation,
    ReviewStatus,
    ReviewVote,
    review_concern,
)

S = ReviewStatus
log = logging.getLogger(__name__)
# Orders whose goods reached the buyer and were kept (a partly refunded order still was).
REVIEWABLE_ORDER_STATUSES = (OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED)
TITLE_MAX = 120
BODY_MIN, BODY_MAX = 20, 5000
NAME_MAX = 60
REASON_MAX = 1000
PER_PAGE = 10
# An invitation more than this late (the worker was down, the feature has just arrived) is
# not sent: a month after "how is it going?" the question no longer fits.
LATE_INVITE_DAYS = 30
INVITE_BATCH = 200
SORTS = {"newest": "Newest first", "helpful": "Most helpful first"}
# The product page's query parameters that narrow, sort and page its reviews.
QUERY_ARGS = ("review_skin", "review_concern", "review_sort", "review_page")
DEFAULT_SORT = "newest"
MAX_PAGE = 10_000
AUDIT_FIELDS = ["status", "rejection_reason"]
# Between a concern's slug and name, and between concerns, in the product page's query.
_UNIT, _RECORD = "\x1e", "\x1f"


class ReviewError(DomainError):
    """A review that cannot be written or moderated; ``field`` names the form field."""

    status_code = 409

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- Who may review what -----------------------------------------------------------------

def shows_reviews(product: ProductRules) -> bool:
    """Prescription medicines are not sold here, so they have no reviews (and no rating)."""
    return not product.prescription_only


def can_review(order: Order) -> bool:
    """The order was sent and kept: its buyer may review what was in it."""
    return order.fulfilled_at is not None and order.status in REVIEWABLE_ORDER_STATUSES


@dataclass
class LineToReview:
    """One product of an order, with the buyer's review of it (None: not written yet)."""

    line: OrderLine
    product: Product
    review: Review | None


def lines_to_review(order_ids: Iterable[int]) -> dict[int, list[LineToReview]]:
    """For each order, its products that can be reviewed, in one statement.

    A product bought in two sizes in one order is reviewed once, on its first line (or the
    line already reviewed); lines whose product is gone, no longer on sale, or now a
    prescription medicine (``shows_reviews``), are left out.
    """
    wanted = list(order_ids)
    found: dict[int, list[LineToReview]] = {order_id: [] for order_id in wanted}
    if not wanted:
        return found
    rows = db.session.execute(
        select(OrderLine, Product, Review)
        .join(Product, Product.id == OrderLine.product_id)
        .outerjoin(Review, Review.order_line_id == OrderLine.id)
        .where(OrderLine.order_id.in_(wanted), Product.status == ProductStatus.ACTIVE,
               Product.prescription_only.is_(False))
        .order_by(OrderLine.order_id, Review.id.is_(None), OrderLine.id))
    seen: set[tuple[int, int]] = set()
    for line, product, review in rows:
        if (line.order_id, product.id) not in seen:
            seen.add((line.order_id, product.id))
            found[line.order_id].append(LineToReview(line, product, review))
    for items in found.values():
        items.sort(key=lambda item: item.line.id)
    return found


def order_lines_to_review(order: Order) -> list[LineToReview]:
    return lines_to_review([order.id])[order.id]


def line_to_review(order: Order, line_id: int) -> LineToReview | None:
    """The order's line ``line_id`` if it can be reviewed; None for any other line."""
    return next((item for item in order_lines_to_review(order) if item.line.id == line_id),
                None)


def concern_choices(product: Product) -> list[Condition]:
    """The skin concerns a review of ``product`` can name: those it is recommended for."""
    return list(db.session.scalars(
        select(Condition).join(Recommendation, Recommendation.condition_id == Condition.id)
        .where(Recommendation.product_id == product.id)
        .order_by(Condition.position, Condition.name).distinct()))


def default_display_name(full_name: str | None) -> str:
    """"Maya R." for "Maya Rossi": the first name and the last name's initial."""
    parts = (full_name or "").split()
    if not parts:
        return ""
    first = parts[0][:NAME_MAX - 3]
    return f"{first} {parts[-1][0].upper()}." if len(parts) > 1 else first


# --- Writing and editing -------------------------------------------------------------------

@dataclass
class ReviewFields:
    rating: int
    title: str
    body: str
    display_name: str
    skin_type: SkinType | None = None
    age_range: AgeRange | None = None
    concern_ids: list[int] = field(default_factory=list)


def _check_text(value: str, limit: int, message: str, name: str, minimum: int = 1) -> str:
    value = (value or "").strip()
    if not minimum <= len(value) <= limit:
        raise ReviewError(message, field=name)
    return value


def _checked(fields: ReviewFields) -> ReviewFields:
    if fields.rating not in RATING_STARS:
        raise ReviewError("Choose from 1 to 5 stars.", field="rating")
    return ReviewFields(
        rating=fields.rating,
        title=_check_text(fields.title, TITLE_MAX, "Give your review a title of at most "
                          f"{TITLE_MAX} characters.", "title"),
        body=_check_text(fields.body, BODY_MAX, f"Write between {BODY_MIN} and "
                         f"{BODY_MAX:,} characters about the product.", "body", BODY_MIN),
        display_name=_check_text(fields.display_name, NAME_MAX, "Tell us the name to show "
                                 f"with your review (at most {NAME_MAX} characters).",
                                 "display_name"),
        skin_type=fields.skin_type, age_range=fields.age_range,
        concern_ids=list(fields.concern_ids))


def _concerns(product: Product, concern_ids: list[int]) -> list[Condition]:
    allowed = {condition.id: condition for condition in concern_choices(product)}
    if any(concern_id not in allowed for concern_id in concern_ids):
        raise ReviewError("Choose the concerns from the list.", field="concerns")
    return [allowed[concern_id] for concern_id in dict.fromkeys(concern_ids)]


def write_review(order: Order, item: LineToReview, fields: ReviewFields) -> Review:
    """Save the buyer's review of ``item`` (new, or their changes), waiting for an editor.

    An edited review that was published is taken off the shop until it is approved again.
    """
    if not can_review(order):
        raise ReviewError("You can review your order once it has been sent.")
    if item.line.order_id != order.id:
        raise ReviewError("That product is not part of this order.")
    fields = _checked(fields)
    concerns = _concerns(item.product, fields.concern_ids)
    review = item.review
    if review is None:
        review = Review(order_line_id=item.line.id, product_id=item.product.id,
                        user_id=order.user_id, email=order.email)
        _fill(review, fields, concerns)
        _insert(review)
    elif review.status == S.SPAM:
        raise ReviewError("This review can't be changed any more.")
    else:
        _take_down(review, S.PENDING)  # before the new stars: the old ones are uncounted
        review.edited_at = utcnow()
        review.user_id = review.user_id or order.user_id  # a guest who has an account now
        _fill(review, fields, concerns)
        db.session.flush()
    item.review = review
    return review


def _fill(review: Review, fields: ReviewFields, concerns: list[Condition]) -> None:
    for name in ("rating", "title", "body", "display_name", "skin_type", "age_range"):
        setattr(review, name, getattr(fields, name))
    review.status, review.rejection_reason = S.PENDING, ""
    review.concerns = concerns


def _insert(review: Review) -> None:
    """Add a new review; a second one of the same line (sent twice at once) is refused."""
    savepoint = db.session.begin_nested()  # flushes what came before, outside the savepoint
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError as error:
        savepoint.rollback()
        raise ReviewError("You have already reviewed this product from this order.") from error
    savepoint.commit()


# --- Publishing, and the product's counts ----------------------------------------------

def _count(product_id: int, stars: int, change: int) -> None:
    """Add ``change`` to the product's count of ``stars``-star reviews, in SQL (never
    below zero: that would mean the counts were wrong already, and are recounted)."""
    column = getattr(Product, f"rating_{stars}_count")
    changed = cast("CursorResult[Any]", db.session.execute(
        update(Product).where(Product.id == product_id, column + change >= 0)
        .values({column: column + change})
        .execution_options(synchronize_session="fetch", page_tags=DECLARED))).rowcount
    touched(db.session, product_tag(product_id))
    if not changed:
        log.warning("The rating counts of product %s were wrong; counting them again",
                    product_id)
        recount_ratings([product_id])


def _set_status(review: Review, new_status: ReviewStatus, only_from: Iterable[ReviewStatus],
                **values) -> int | None:
    """Move ``review`` to ``new_status`` if it is in one of ``only_from`` now (in the
    database, whatever this object says); its stars as stored, or None if it was not."""
    statement = (
        update(Review)
        .where(Review.id == review.id, Review.status.in_(list(only_from)))
        .values(status=new_status, **values)
        .returning(Review.rating)
        .execution_options(synchronize_session="fetch"))
    return db.session.execute(statement).scalar()


def _publish(review: Review, **values) -> bool:
    stars = _set_status(review, S.APPROVED, [S.PENDING, S.REJECTED, S.SPAM],
                        published_at=utcnow(), **values)
    if stars is None:
        return False
    _count(review.product_id, stars, +1)
    return True


def _take_down(review: Review, new_status: ReviewStatus, **values) -> bool:
    """Move ``review`` to ``new_status``, uncounting it if it was published. False if it
    was in ``new_status`` already."""
    stars = _set_status(review, new_status, [S.APPROVED], published_at=None, **values)
    if stars is not None:
        _count(review.product_id, stars, -1)
        return True
    others = [status for status in S if status not in (S.APPROVED, new_status)]
    return _set_status(review, new_status, others, **values) is not None


def recount_ratings(product_ids: Iterable[int]) -> None:
    """Set the products' rating counts from their published reviews (repairs and the demo)."""
    for product_id in sorted(set(product_ids)):
        values = {
            f"rating_{stars}_count": select(func.count(Review.id)).where(
                Review.product_id == product_id, Review.status == S.APPROVED,
                Review.rating == stars).scalar_subquery()
            for stars in RATING_STARS}
        db.session.execute(update(Product).where(Product.id == product_id).values(values)
                           .execution_options(synchronize_session="fetch",
                                              page_tags=DECLARED))
        touched(db.session, product_tag(product_id))


# --- Moderation ----------------------------------------------------------------------------

MODERATION = {
    S.APPROVED: ("review.approved", "published"),
    S.REJECTED: ("review.rejected", "rejected"),
    S.SPAM: ("review.marked_spam", "marked as spam"),
}


def moderate(review: Review, new_status: ReviewStatus, *, actor, reason: str = "") -> bool:
    """Publish, reject (with a reason the reviewer is sent) or mark as spam. Audited; the
    reviewer is e-mailed when their review is published or rejected. False when the
    review already had that status. The words of a review are never changed here."""
    if new_status not in MODERATION:
        raise ReviewError("Reviews are published, rejected or marked as spam.")
    reason = (reason or "").strip()
    if new_status == S.REJECTED and not reason:
        raise ReviewError("Say why the review is rejected: the reviewer is sent the reason.",
                          field="reason")
    if len(reason) > REASON_MAX:
        raise ReviewError(f"Keep the reason under {REASON_MAX:,} characters.", field="reason")
    before = audit.snapshot(review, AUDIT_FIELDS)
    who = {"moderated_at": utcnow(), "moderated_by_id": getattr(actor, "id", None),
           "rejection_reason": reason if new_status == S.REJECTED else ""}
    changed = (_publish(review, **who) if new_status == S.APPROVED
               else _take_down(review, new_status, **who))
    if not changed:
        return False
    db.session.refresh(review)
    action, done = MODERATION[new_status]
    audit.record(actor, action, review,
                 f"Review of {review.product.name} by {review.display_name} {done}",
                 before=before, after=audit.snapshot(review, AUDIT_FIELDS))
    _tell_reviewer(review)
    return True


def _tell_reviewer(review: Review) -> None:
    product = review.product
    order = review.order_line.order
    if review.status == S.APPROVED:
        queue_mail(review.email, f"Your review of {product.name} is on our site",
                   "review_published", review=review, product=product,
                   url=product_url(product))
    elif review.status == S.REJECTED:
        queue_mail(review.email, f"About your review of {product.name}", "review_rejected",
                   review=review, product=product, url=review_url(order))


# --- "Helpful" -----------------------------------------------------------------------------

def published_review(review_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.id == review_id,
                                                  Review.status == S.APPROVED))


def vote_helpful(review: Review, voter: str) -> bool:
    """Count ``voter``'s "helpful" once; False if they had voted for this review already."""
    if not review.is_published:
        raise ReviewError("That review is not on the shop.")
    savepoint = db.session.begin_nested()
    try:
        db.session.add(ReviewVote(review_id=review.id, voter=voter))
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        return False
    savepoint.commit()
    db.session.execute(
        update(Review).where(Review.id == review.id)
        .values(helpful_count=Review.helpful_count + 1, updated_at=Review.updated_at)
        .execution_options(synchronize_session="fetch"))
    touched(db.session, product_tag(review.product_id))
    return True


# --- The product page ----------------------------------------------------------------------

@dataclass
class ReviewFilters:
    """What the product page's reviews are narrowed to and sorted by, already checked."""

    skin_type: SkinType | None = None
    concern: Condition | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.skin_type is not None or self.concern is not None

    def args(self, **changes) -> dict[str, str]:
        """Query arguments for a link to these reviews with ``changes`` (page 1 unless given)."""
        values = {"skin_type": self.skin_type, "concern": self.concern, "sort": self.sort,
                  "page": 1, **changes}
        args = {}
        if values["skin_type"] is not None:
            args["review_skin"] = values["skin_type"].value
        if values["concern"] is not None:
            args["review_concern"] = values["concern"].slug
        if values["sort"] != DEFAULT_SORT:
            args["review_sort"] = values["sort"]
        if values["page"] != 1:
            args["review_page"] = str(values["page"])
        return args


def parse_filters(args: Mapping[str, str], concerns: Iterable[Condition]) -> ReviewFilters:
    """Read ``review_skin``, ``review_concern``, ``review_sort`` and ``review_page``; each
    value that cannot be used is left out with a note."""
    filters = ReviewFilters()
    skin = (args.get("review_skin") or "").strip().lower()
    if skin:
        try:
            filters.skin_type = SkinType(skin)
        except ValueError:
            filters.notes.append(f"“{shorten(skin)}” is not a skin type, so all skin types "
                                 "are shown.")
    concern = (args.get("review_concern") or "").strip().lower()
    if concern:
        filters.concern = next((c for c in concerns if c.slug == concern), None)
        if filters.concern is None:
            filters.notes.append(f"Reviews can't be narrowed to “{shorten(concern)}”, so "
                                 "every concern is shown.")
    sort = (args.get("review_sort") or "").strip()
    if sort in SORTS:
        filters.sort = sort
    elif sort:
        filters.notes.append(f"Reviews can't be sorted by “{shorten(sort)}”, so the newest "
                             "come first.")
    page = (args.get("review_page") or "").strip()
    if page:
        number = int(page) if page.isascii() and page.isdigit() and len(page) <= 9 else 0
        if number < 1:
            filters.notes.append(f"“{shorten(page)}” is not a page number, so the first "
                                 "reviews are shown.")
        filters.page = min(max(number, 1), MAX_PAGE)
    return filters


@dataclass(frozen=True)
class ConcernTag:
    slug: str
    name: str


@dataclass(slots=True)
class PageReview:
    """A published review as the product page shows it (a plain row, not a ``Review``)."""

    id: int
    rating: int
    title: str
    body: str
    display_name: str
    skin_type: SkinType | None
    age_range: AgeRange | None
    helpful_count: int
    created_at: datetime
    edited_at: datetime | None
    status: ReviewStatus

    @property
    def is_published(self) -> bool:
        return self.status == ReviewStatus.APPROVED


_PAGE_REVIEW_COLUMNS = (
    Review.id, Review.rating, Review.title, Review.body, Review.display_name,
    Review.skin_type, Review.age_range, Review.helpful_count, Review.created_at,
    Review.edited_at, Review.status)
_CONCERNS_COLUMN = len(_PAGE_REVIEW_COLUMNS)


@dataclass(frozen=True)
class ShownReview:
    review: PageReview
    concerns: list[ConcernTag]


@dataclass
class ReviewPage:
    reviews: list[ShownReview]
    total: int  # reviews matching the filters (0 when the page is past the last)
    filters: ReviewFilters

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    @property
    def first_number(self) -> int:
        return (self.filters.page - 1) * PER_PAGE + 1


def _concern_tags(text: str | None) -> list[ConcernTag]:
    tags = [ConcernTag(*record.split(_UNIT, 1)) for record in (text or "").split(_RECORD)
            if _UNIT in record]
    return sorted(tags, key=lambda tag: tag.name.lower())


_ORDERINGS = {
    "newest": (Review.created_at.desc(), Review.id.desc()),
    "helpful": (Review.helpful_count.desc(), Review.created_at.desc(), Review.id.desc()),
}


def product_reviews(product_id: int, filters: ReviewFilters, published: int) -> ReviewPage:
    """One page of the published reviews of the product ``product_id``, with each one's
    concerns and the number that match: one statement, whatever the number of reviews,
    read as plain rows (the page depends on the product's tag, which publishing a review
    or a "helpful" vote bumps). ``published`` is how many the product has (its rating
    counts, kept with every review published or unpublished): none, nothing is read."""
    if not published:
        return ReviewPage([], 0, filters)
    values: dict[str, Any] = {"product_id": product_id, "limit": PER_PAGE,
                              "offset": (filters.page - 1) * PER_PAGE}
    if filters.skin_type is not None:
        values["skin_type"] = filters.skin_type
    if filters.concern is not None:
        values["concern_id"] = filters.concern.id
    statement = _reviews_statement(filters.sort, filters.skin_type is not None,
                                   filters.concern is not None)
    rows = read_rows(statement, values).all()
    total = rows[0][-1] if rows else 0
    return ReviewPage([ShownReview(PageReview(*row[:_CONCERNS_COLUMN]),
                                   _concern_tags(row[_CONCERNS_COLUMN])) for row in rows],
                      total, filters)


@lru_cache(maxsize=16)
def _reviews_statement(sort: str, by_skin_type: bool, by_concern: bool):
    """``product_reviews``' statement for a sort and the filters used, built once per
    process (every product page runs one)."""
    concerns = (
        select(func.aggregate_strings(Condition.slug + _UNIT + Condition.name, _RECORD))
        .join(review_concern, review_concern.c.condition_id == Condition.id)
        .where(review_concern.c.review_id == Review.id)
        .correlate(Review).scalar_subquery())
    statement = (
        select(*_PAGE_REVIEW_COLUMNS, concerns, func.count().over())
        .where(Review.product_id == bindparam("product_id"), Review.status == S.APPROVED)
        .order_by(*_ORDERINGS[sort])
        .limit(bindparam("limit")).offset(bindparam("offset")))
    if by_skin_type:
        statement = statement.where(Review.skin_type == bindparam("skin_type"))
    if by_concern:
        statement = statement.where(exists().where(
            review_concern.c.review_id == Review.id,
            review_concern.c.condition_id == bindparam("concern_id")))
    return statement


# --- Invitations ---------------------------------------------------------------------------

def send_due_invitations(now: datetime | None = None, limit: int = INVITE_BATCH) -> int:
    """E-mail the buyers of orders sent ``REVIEW_INVITE_DAYS`` ago an invitation to review
    what they bought: once per order, ever. How many e-mails were queued. Flushes."""
    now = now or utcnow()
    due = now - timedelta(days=current_app.config["REVIEW_INVITE_DAYS"])
    invited = select(ReviewInvitation.order_id).where(ReviewInvitation.order_id == Order.id)
    orders = list(db.session.scalars(
        select(Order)
        .where(Order.status.in_(REVIEWABLE_ORDER_STATUSES), Order.fulfilled_at <= due,
               Order.fulfilled_at > due - timedelta(days=LATE_INVITE_DAYS), ~invited.exists())
        .order_by(Order.fulfilled_at, Order.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Order)))
    waiting = lines_to_review(order.id for order in orders)
    sent = 0
    for order in orders:
        products = [item.product for item in waiting[order.id] if item.review is None]
        db.session.add(ReviewInvitation(order_id=order.id, sent_at=now, emailed=bool(products)))
        if products:
            queue_mail(order.email, f"How are you getting on with your order {order.number}?",
                       "review_invitation", order=order, products=products,
                       url=review_url(order),
                       days=current_app.config["REVIEW_LINK_MAX_AGE"] // 86400)
            sent += 1
    db.session.flush()
    return sent
