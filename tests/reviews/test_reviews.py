"""Writing reviews: only buyers (by the invitation's signed link or from "Your orders"), one
per order line, the invitation e-mailed once per order the right days after sending, and
"helpful" counted once per visitor."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from storefront.catalog.models import Product, ProductStatus, Variant
from storefront.db import utcnow
from storefront.extensions import db
from storefront.jobs import periodic, tasks
from storefront.mail import OutboxMessage
from storefront.orders import links as order_links
from storefront.orders import services as order_services
from storefront.orders.models import Order, OrderStatus
from storefront.reviews import links, services
from storefront.reviews.models import Review, ReviewInvitation, ReviewStatus, ReviewVote
from tests.factories import (
    ConditionFactory,
    ProductFactory,
    RecommendationFactory,
    UserFactory,
    VariantFactory,
    placed_order,
    sent_order,
    written_review,
)
from tests.helpers import csrf_from, first_link, login, submit, text_part

S = ReviewStatus
GOOD = {"rating": "5", "title": "Calmed my cheeks", "display_name": "Maya R.",
        "body": "I used it every evening for a month and the redness has mostly gone."}


@pytest.fixture
def shop(app, db):
    """A cream (recommended for rosacea and dry skin) and a serum, each in stock."""
    with app.app_context():
        cream = ProductFactory(slug="barrier-cream", name="Barrier Cream", variant=False)
        serum = ProductFactory(slug="calm-serum", name="Calm Serum", variant=False)
        ids = {"cream": VariantFactory(product=cream, stock_on_hand=50).id,
               "cream_large": VariantFactory(product=cream, stock_on_hand=50,
                                             size_label="100 ml").id,
               "serum": VariantFactory(product=serum, stock_on_hand=50).id}
        for slug, name in (("rosacea", "Rosacea"), ("dry-skin", "Dry skin")):
            condition = ConditionFactory(slug=slug, name=name)
            RecommendationFactory(condition=condition, product=cream)
            ids[slug] = condition.id
        ids["acne"] = ConditionFactory(slug="acne", name="Acne").id  # not the cream's
        db.session.commit()
        ids.update(cream_product=cream.id, serum_product=serum.id)
        return ids


def _variant(shop, name):
    return db.session.get(Variant, shop[name])


def _order(app, shop, *names, sent=True, user=None, email="maya@example.com",
           sent_days_ago=0) -> tuple[str, list[int], str]:
    """(number, line ids, review link token) of an order of these variants."""
    with app.app_context():
        variants = [_variant(shop, name) for name in names]
        if sent:
            order = sent_order(*variants, email=email, user_id=user.id if user else None,
                               sent_days_ago=sent_days_ago)
        else:
            order = placed_order(*variants, email=email, user_id=user.id if user else None)
        db.session.commit()
        return order.number, [line.id for line in order.lines], links.review_token(order)


def _reviews(app) -> list[Review]:
    with app.app_context():
        return list(db.session.scalars(select(Review).order_by(Review.id)))


# --- Who may review -------------------------------------------------------------------------

def test_a_buyer_reviews_through_the_invitation_link(app, client, shop):
    _number, (line,), token = _order(app, shop, "cream")
    page = client.get(f"/reviews/write/{token}").get_data(as_text=True)
    assert "Barrier Cream" in page
    assert "Write a review" in page
    form = client.get(f"/reviews/write/{token}/{line}").get_data(as_text=True)
    assert 'value="Maya R."' in form  # first name and initial, from the order's name
    assert "Rosacea" in form
    assert "Dry skin" in form
    assert "Acne" not in form
    response = submit(client, f"/reviews/write/{token}/{line}",
                      {**GOOD, "skin_type": "sensitive", "age_range": "35_44",
                       "concerns": [str(shop["rosacea"])]})
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == f"/reviews/write/{token}"
    [review] = _reviews(app)
    assert (review.status, review.rating, review.skin_type.value, review.age_range.value) == (
        S.PENDING, 5, "sensitive", "35_44")
    assert review.email == "maya@example.com"
    assert review.display_name == "Maya R."
    with app.app_context():
        assert [c.slug for c in db.session.get(Review, review.id).concerns] == ["rosacea"]
    listed = client.get(f"/reviews/write/{token}").get_data(as_text=True)
    assert "Waiting for approval" in listed
    assert "Change your review" in listed


def test_forged_altered_foreign_and_expired_links_write_nothing(app, client, shop,
                                                                 monkeypatch):
    number, (line,), token = _order(app, shop, "cream")
    with app.test_request_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        guest_token = order_links.guest_order_token(order)  # another door's key
    other_key = URLSafeTimedSerializer("not-the-shops-secret-key-0123456789abcdef",
                                       salt=links.REVIEW_INVITE_SALT).dumps({"r": number})
    middle = len(token) - 10
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
    for forged in (other_key, altered, guest_token, "x", token + "x"):
        assert client.get(f"/reviews/write/{forged}").status_code == 404, forged
        page = client.get(f"/reviews/write/{token}/{line}")
        response = client.post(f"/reviews/write/{forged}/{line}", data={
            "csrf_token": csrf_from(page.get_data(as_text=True)), **GOOD})
        assert response.status_code == 404, forged
    monkeypatch.setitem(app.config, "REVIEW_LINK_MAX_AGE", -1)  # 180 days have passed
    assert client.get(f"/reviews/write/{token}").status_code == 404
    assert _reviews(app) == []


def test_a_link_opens_only_its_own_orders_lines(app, client, shop):
    _number, (line,), token = _order(app, shop, "cream")
    _other, (other_line,), _other_token = _order(app, shop, "serum", email="ines@example.com")
    assert client.get(f"/reviews/write/{token}/{other_line}").status_code == 404
    response = submit(client, f"/reviews/write/{token}/{other_line}", GOOD,
                      form_url=f"/reviews/write/{token}/{line}")
    assert response.status_code == 404
    assert _reviews(app) == []


def test_nobody_reviews_an_order_that_was_not_sent(app, client, shop, make):
    user = make(UserFactory)
    number, (line,), token = _order(app, shop, "cream", sent=False, user=user,
                                    email=user.email)
    page = client.get(f"/reviews/write/{token}").get_data(as_text=True)
    assert "once the order has been sent" in page
    assert client.get(f"/reviews/write/{token}/{line}").status_code == 409
    login(client, user.email)
    assert client.get(f"/account/orders/{number}/reviews/{line}").status_code == 409
    assert "Review what you bought" not in client.get(f"/account/orders/{number}").get_data(
        as_text=True)
    assert _reviews(app) == []


def test_customers_review_from_their_orders_and_never_someone_elses(app, client, shop, make):
    maya, ines = make(UserFactory, name="Maya Rossi"), make(UserFactory, name="Ines Berg")
    number, (line,), _token = _order(app, shop, "cream", user=maya, email=maya.email)
    login(client, ines.email)
    for url in (f"/account/orders/{number}/reviews", f"/account/orders/{number}/reviews/{line}"):
        assert client.get(url).status_code == 404
    refused = submit(client, f"/account/orders/{number}/reviews/{line}", GOOD,
                     form_url="/account/")
    assert refused.status_code == 404
    assert _reviews(app) == []
    anonymous = app.test_client()
    assert anonymous.get(f"/account/orders/{number}/reviews").status_code == 302

    mine = app.test_client()
    login(mine, maya.email)
    assert f"/account/orders/{number}/reviews" in mine.get("/account/orders").get_data(
        as_text=True)
    detail = mine.get(f"/account/orders/{number}").get_data(as_text=True)
    assert "Review what you bought" in detail
    assert 'value="Maya R."' in mine.get(f"/account/orders/{number}/reviews/{line}").get_data(
        as_text=True)
    response = submit(mine, f"/account/orders/{number}/reviews/{line}", GOOD)
    assert response.status_code == 303
    [review] = _reviews(app)
    assert review.user_id == maya.id


def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(app, client, shop):
    _number, (line,), token = _order(app, shop, "cream")
    url = f"/reviews/write/{token}/{line}"
    for bad in ({"rating": "6"}, {"rating": ""}, {"rating": "five"}, {"title": ""},
                {"body": "Too short"}, {"body": "x" * 5001}, {"display_name": " "},
                {"title": "x" * 121}, {"skin_type": "scaly"}, {"age_range": "101"},
                {"concerns": [str(shop["rosacea"]), "acne"]}):
        response = submit(client, url, {**GOOD, **bad})
        assert response.status_code == 422, bad
        assert 'class="form-alert"' in response.get_data(as_text=True), bad
    # A concern the product is not recommended for is refused (the form's choices, and the
    # service's own check).
    assert submit(client, url, {**GOOD, "concerns": [str(shop["acne"])]}).status_code == 422
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.lines.any(id=line)))
        item = services.line_to_review(order, line)
        with pytest.raises(services.ReviewError, match="concerns"):
            services.write_review(order, item, services.ReviewFields(
                rating=3, title="Fine", body="Nothing much changed for me.",
                display_name="M.", concern_ids=[shop["acne"]]))
    assert _reviews(app) == []


# --- One review per line ----------------------------------------------------------------

def test_one_review_per_line_and_per_product_in_an_order(app, client, shop):
    _number, lines, token = _order(app, shop, "cream", "cream_large", "serum")
    page = client.get(f"/reviews/write/{token}").get_data(as_text=True)
    assert page.count("Write a review") == 2  # one cream, bought in two sizes, and the serum
    assert client.get(f"/reviews/write/{token}/{lines[1]}").status_code == 404
    url = f"/reviews/write/{token}/{lines[0]}"
    assert submit(client, url, GOOD).status_code == 303
    again = submit(client, url, {**GOOD, "title": "Still good", "rating": "4"})
    assert again.status_code == 303
    [review] = _reviews(app)
    assert (review.title, review.rating, review.edited_at is not None) == ("Still good", 4, True)


def test_products_no_longer_on_sale_are_not_offered(app, client, shop):
    _number, lines, token = _order(app, shop, "cream", "serum")
    with app.app_context():
        db.session.get(Product, shop["serum_product"]).status = ProductStatus.ARCHIVED
        db.session.commit()
    page = client.get(f"/reviews/write/{token}").get_data(as_text=True)
    assert "Barrier Cream" in page
    assert "Calm Serum" not in page
    assert client.get(f"/reviews/write/{token}/{lines[1]}").status_code == 404


def test_the_database_refuses_a_second_review_of_a_line(app, shop):
    _number, (line,), _token = _order(app, shop, "cream")
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.lines.any(id=line)))
        written_review(order)
        db.session.commit()
        item = services.line_to_review(order, line)
        item.review = None  # as if two requests had both seen no review yet
        with pytest.raises(services.ReviewError, match="already reviewed"):
            services.write_review(order, item, services.ReviewFields(
                rating=3, title="Twice", body="Sent twice from two tabs at once.",
                display_name="M."))
        db.session.rollback()
    assert len(_reviews(app)) == 1


def test_an_edit_sends_a_published_review_back_to_the_queue(app, client, shop):
    _number, (line,), token = _order(app, shop, "cream")
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.lines.any(id=line)))
        review = written_review(order, status=S.APPROVED, rating=5)
        db.session.commit()
        product = review.product
        assert product.rating_count == 1
    form = client.get(f"/reviews/write/{token}/{line}").get_data(as_text=True)
    assert "Calmed my cheeks" in form
    assert "we read it again" in form
    assert submit(client, f"/reviews/write/{token}/{line}",
                  {**GOOD, "rating": "2"}).status_code == 303
    [review] = _reviews(app)
    assert (review.status, review.rating, review.published_at) == (S.PENDING, 2, None)
    with app.app_context():
        assert db.session.get(Product, shop["cream_product"]).rating_count == 0


def test_a_review_marked_as_spam_cannot_be_changed(app, client, shop):
    _number, (line,), token = _order(app, shop, "cream")
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.lines.any(id=line)))
        written_review(order, status=S.SPAM)
        db.session.commit()
    assert client.get(f"/reviews/write/{token}/{line}").status_code == 409
    assert "Change your review" not in client.get(f"/reviews/write/{token}").get_data(
        as_text=True)


# --- The invitation ---------------------------------------------------------------------

def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.subject.like("How are you getting on%"))))


def _invite(app, **kwargs) -> int:
    with app.app_context():
        sent = services.send_due_invitations(**kwargs)
        db.session.commit()
        return sent


def test_the_invitation_goes_out_once_the_right_days_after_sending(app, client, shop,
                                                                    mailbox):
    number, _lines, _token = _order(app, shop, "cream", "serum", sent_days_ago=13.9)
    assert _invite(app) == 0
    assert _outbox(app) == []
    later = utcnow() + timedelta(hours=3)  # fourteen days have passed
    assert _invite(app, now=later) == 1
    assert _invite(app, now=later) == 0
    assert _invite(app, now=later + timedelta(days=5)) == 0
    [queued] = _outbox(app)
    assert queued.recipient == "maya@example.com"
    assert queued.sent_at is not None
    [mail] = [m for m in mailbox if m["Subject"].startswith("How are you getting on")]
    body = text_part(mail)
    assert number in body
    assert "Barrier Cream" in body
    assert "Calm Serum" in body
    assert "180 days" in body
    link = first_link(body, "/reviews/write/")
    page = client.get(urlsplit(link).path).get_data(as_text=True)
    assert "Barrier Cream" in page
    assert "Calm Serum" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReviewInvitation)) == 1


def test_who_is_not_invited(app, shop):
    # Not sent yet; refunded after sending; sent too long ago; already reviewed in full.
    _order(app, shop, "cream", sent=False)
    refunded, _l, _t = _order(app, shop, "cream", sent_days_ago=20, email="r@example.com")
    _order(app, shop, "cream", sent_days_ago=14 + services.LATE_INVITE_DAYS + 1,
           email="old@example.com")
    reviewed, _l, _t = _order(app, shop, "cream", sent_days_ago=15, email="done@example.com")
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == refunded))
        order_services.refund(order, order.total, actor=None)
        done = db.session.scalar(select(Order).where(Order.number == reviewed))
        written_review(done)
        db.session.commit()
        done_id = done.id
        assert db.session.get(Order, order.id).status == OrderStatus.REFUNDED
    assert _invite(app) == 0
    with app.app_context():
        invitations = list(db.session.scalars(select(ReviewInvitation)))
        assert [(i.order_id, i.emailed) for i in invitations] == [(done_id, False)]
    assert _outbox(app) == []


def test_the_invitations_run_as_a_periodic_job_and_a_command(app, shop, mailbox):
    _order(app, shop, "cream", sent_days_ago=15)
    assert "invite-reviewers" in {job.name for job in periodic.PERIODIC}
    with app.app_context():
        assert tasks.invite_reviewers() == 1
        db.session.commit()
    _order(app, shop, "serum", sent_days_ago=16, email="ines@example.com")
    result = app.test_cli_runner().invoke(args=["invite-reviewers"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 invitation(s)" in result.output
    assert len(_outbox(app)) == 2


# --- "Helpful" ----------------------------------------------------------------------------

def _published(app, shop, **fields) -> int:
    _number, (line,), _token = _order(app, shop, "cream", email=fields.pop("email",
                                                                          "maya@example.com"))
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.lines.any(id=line)))
        review = written_review(order, status=S.APPROVED, **fields)
        db.session.commit()
        return review.id


def _helpful(app, review_id) -> int:
    with app.app_context():
        return db.session.get(Review, review_id).helpful_count


def _vote(client, review_id):
    return submit(client, f"/reviews/{review_id}/helpful",
                  {"next": "/products/barrier-cream"}, form_url="/products/barrier-cream")


def test_helpful_is_counted_once_per_visitor(app, shop, make):
    review_id = _published(app, shop)
    guest = app.test_client()
    response = _vote(guest, review_id)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/products/barrier-cream#review-{review_id}")
    assert _vote(guest, review_id).status_code == 303
    assert _helpful(app, review_id) == 1
    with guest.session_transaction() as session:
        token = session["review_voter"]
    assert isinstance(token, str)
    assert not token.isdigit()
    assert len(token) >= 22
    assert _vote(app.test_client(), review_id).status_code == 303  # another guest
    customer = app.test_client()
    login(customer, make(UserFactory).email)
    _vote(customer, review_id)
    _vote(customer, review_id)
    assert _helpful(app, review_id) == 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReviewVote)) == 3
        review = db.session.get(Review, review_id)
        assert services.vote_helpful(review, f"g:{token}") is False  # the unique constraint


def test_only_published_reviews_take_votes(app, client, shop):
    _number, (line,), _token = _order(app, shop, "cream")
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.lines.any(id=line)))
        pending = written_review(order).id
        db.session.commit()
    assert _vote(client, pending).status_code == 404
    assert _vote(client, 999_999).status_code == 404
    assert _helpful(app, pending) == 0
