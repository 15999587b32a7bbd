"""Admin: the queue of reviews buyers wrote, to publish, reject (with a reason) or mark as spam.

Editors and admins moderate; nobody here can change what a reviewer wrote.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from storefront.admin.blueprint import bp
from storefront.admin.common import EDITORS, save_form
from storefront.extensions import db
from storefront.orders.models import OrderLine
from storefront.reviews import services
from storefront.reviews.forms import ModerationForm
from storefront.reviews.models import Review, ReviewStatus
from storefront.security import roles_required

REVIEWS_PER_PAGE = 30
FILTERS = {"pending": "Waiting", "approved": "Published", "rejected": "Rejected",
           "spam": "Spam", "all": "All"}
DONE = {
    ReviewStatus.APPROVED: "The review is published; the reviewer has an e-mail saying so.",
    ReviewStatus.REJECTED: "The review is rejected; the reviewer has an e-mail with your "
                           "reason.",
    ReviewStatus.SPAM: "The review is marked as spam.",
}


def _filter_from(value: str | None) -> str:
    return value if value in FILTERS else "pending"


def _with_details(query):
    return query.options(joinedload(Review.product),
                         joinedload(Review.order_line).joinedload(OrderLine.order),
                         selectinload(Review.concerns))


@bp.get("/reviews")
@roles_required(*EDITORS)
def reviews():
    shown = _filter_from(request.args.get("status"))
    query = _with_details(select(Review))
    if shown == "all":
        query = query.order_by(case((Review.status == ReviewStatus.PENDING, 0), else_=1))
    else:
        query = query.where(Review.status == ReviewStatus(shown))
    # The queue oldest first (first come, first read); the other lists newest first.
    order = (Review.created_at.asc(), Review.id.asc()) if shown == "pending" else (
        Review.created_at.desc(), Review.id.desc())
    page = db.paginate(query.order_by(*order), per_page=REVIEWS_PER_PAGE, error_out=False)
    counts = dict(db.session.execute(
        select(Review.status, func.count()).group_by(Review.status)).all())
    return render_template("admin/reviews/queue.html", page=page, shown=shown,
                           filters=FILTERS, counts=counts, form=ModerationForm())


def _review_page(review: Review, form: ModerationForm, status: int = 200):
    return render_template("admin/reviews/review.html", review=review, form=form), status


@bp.get("/reviews/<int:review_id>", endpoint="reviews_show")
@roles_required(*EDITORS)
def reviews_show(review_id: int):
    review = db.session.scalar(_with_details(select(Review)).where(Review.id == review_id))
    if review is None:
        abort(404)
    return _review_page(review, ModerationForm())


@bp.post("/reviews/<int:review_id>/status", endpoint="reviews_status")
@roles_required(*EDITORS)
def reviews_status(review_id: int):
    review = db.get_or_404(Review, review_id)
    form = ModerationForm()

    def moderate() -> tuple[ReviewStatus, bool]:
        status = ReviewStatus(form.status.data)
        return status, services.moderate(review, status, actor=current_user,
                                         reason=form.reason.data)

    def done(result: tuple[ReviewStatus, bool]) -> tuple[str, str]:
        status, changed = result
        if changed:
            return DONE[status], "success"
        return (f"The review was {services.MODERATION[status][1]} already; nothing was "
                "changed.", "info")

    back = _filter_from(request.args.get("back"))
    return save_form(
        form, moderate, success=done, error_field="reason",
        redirect_to=url_for("admin.reviews", status=back),
        # After a refusal the session was rolled back: the review as it is now.
        page=lambda status: _review_page(db.get_or_404(Review, review_id), form, status))
