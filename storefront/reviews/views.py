"""Writing a review (from the invitation's link, or from "Your orders") and "helpful" votes.

The product page shows the reviews (``storefront.catalog.views``); moderation is in the
back office (``storefront.admin.content.views.reviews``).
"""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from storefront.errors import render_error
from storefront.extensions import db, limiter
from storefront.forms import attach_error, render_invalid
from storefront.orders.models import Order
from storefront.origin import guest_form
from storefront.reviews import links, services
from storefront.reviews.forms import ReviewForm
from storefront.security import safe_next_url

bp = Blueprint("reviews", __name__)
VOTER_KEY = "review_voter"


def _link_refused():
    days = current_app.config["REVIEW_LINK_MAX_AGE"] // 86400
    return render_error(404, "This review link is not valid or is more than "
                             f"{days} days old. If you have an account, log in and review "
                             "from your orders.")


def _own_order(number: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.number == number[:16],
                                                  Order.user_id == current_user.id))
    if order is None:
        abort(404)
    return order


# --- The order's products --------------------------------------------------------------

def _order_page(order: Order, line_url):
    items = services.order_lines_to_review(order)
    return render_template("reviews/order.html", order=order, items=items,
                           can_review=services.can_review(order),
                           line_urls={item.line.id: line_url(item.line.id) for item in items})


@bp.get("/reviews/write/<token>")
def invited(token: str):
    order = links.order_for_token(token)
    if order is None:
        return _link_refused()
    return _order_page(order, lambda line_id: url_for("reviews.invited_line", token=token,
                                                      line_id=line_id))


@bp.get("/account/orders/<number>/reviews")
@login_required
def my_order(number: str):
    order = _own_order(number)
    return _order_page(order, lambda line_id: url_for("reviews.my_line", number=order.number,
                                                      line_id=line_id))


# --- One product's review --------------------------------------------------------------

def _review_form(order: Order, line_id: int, back_url: str):
    item = services.line_to_review(order, line_id)
    if item is None:
        abort(404)
    if not services.can_review(order):
        return render_error(409, "You can review your order once it has been sent. We'll "
                                 "e-mail you a link to do it.")
    if item.review is not None and item.review.status == services.S.SPAM:
        return render_error(409, "This review can't be changed any more.")
    form = ReviewForm()
    concerns = services.concern_choices(item.product)
    form.concerns.choices = [SelectChoice(condition.id, condition.name)
                             for condition in concerns]
    if request.method == "GET":
        _prefill(form, order, item)
    elif form.validate_on_submit():
        try:
            services.write_review(order, item, form.review_fields())
        except services.ReviewError as error:
            db.session.rollback()
            attach_error(form, error.message, error.field)
        else:
            db.session.commit()
            flash(f"Thank you! Your review of {item.product.name} will appear on the shop "
                  "once we have read it.", "success")
            return redirect(back_url, code=303)
    page = ("reviews/write.html", {"form": form, "order": order, "item": item,
                                   "back_url": back_url})
    if request.method == "POST":
        return render_invalid(page[0], **page[1])
    return render_template(page[0], **page[1])


def _prefill(form: ReviewForm, order: Order, item: services.LineToReview) -> None:
    if item.review is not None:
        form.fill_from(item.review)
        return
    name = current_user.name if current_user.is_authenticated and order.user_id else None
    form.display_name.data = services.default_display_name(name or order.shipping_name)


@bp.route("/reviews/write/<token>/<int:line_id>", methods=["GET", "POST"])
def invited_line(token: str, line_id: int):
    order = links.order_for_token(token)
    if order is None:
        return _link_refused()
    return _review_form(order, line_id, url_for("reviews.invited", token=token))


@bp.route("/account/orders/<number>/reviews/<int:line_id>", methods=["GET", "POST"])
@login_required
def my_line(number: str, line_id: int):
    order = _own_order(number)
    return _review_form(order, line_id, url_for("reviews.my_order", number=order.number))


# --- "Helpful" ---------------------------------------------------------------------------

def _vote_limit() -> str:
    return current_app.config["REVIEW_VOTE_RATE_LIMIT"]


def _voter() -> str:
    """Who is voting: the account, or a random token kept in a guest's signed session."""
    if current_user.is_authenticated:
        return f"u:{current_user.id}"
    token = session.get(VOTER_KEY)
    if not isinstance(token, str) or len(token) != 22:
        token = session[VOTER_KEY] = secrets.token_urlsafe(16)
    return f"g:{token}"


@bp.post("/reviews/<int:review_id>/helpful")
@guest_form
@limiter.limit(_vote_limit)
def helpful(review_id: int):
    review = services.published_review(review_id)
    if review is None:
        abort(404)
    back = (safe_next_url(request.form.get("next"))
            or url_for("catalog.product_detail", slug=review.product.slug))
    if current_user.is_authenticated and review.user_id == current_user.id:
        flash("That's your own review, so it can't get your vote.", "info")
    elif services.vote_helpful(review, _voter()):
        db.session.commit()
        flash("Thank you: your vote helps other shoppers find useful reviews.", "success")
    else:
        flash("You have already said this review was helpful.", "info")
    return redirect(f"{back.split('#', 1)[0]}#review-{review.id}", code=303)
