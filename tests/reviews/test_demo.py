"""The demo reviews: every one a verified buyer's (a sent order's line), every skin type,
published with exact product ratings, nobody e-mailed, and safe to seed twice."""

from __future__ import annotations

from sqlalchemy import func, select

from storefront.accounts.models import User
from storefront.catalog.models import Product, SkinType
from storefront.demo import reviews as demo
from storefront.demo.catalog import seed_catalog
from storefront.demo.content import seed_content
from storefront.extensions import db
from storefront.mail import OutboxMessage
from storefront.orders.models import Order
from storefront.reviews import services
from storefront.reviews.models import Review, ReviewStatus, ReviewVote


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_reviews_are_verified_published_and_seeded_once(app_ctx):
    seed_catalog()
    seed_content()
    users = _count(User)
    assert demo.seed_reviews() == [
        f"Reviews: created {len(demo.load().reviews)} demo reviews from verified buyers"]
    db.session.commit()
    assert demo.seed_reviews() == [f"Reviews: all {len(demo.load().reviews)} demo reviews exist"]
    db.session.commit()
    reviews = list(db.session.scalars(select(Review)))
    assert len(reviews) == len(demo.load().reviews) == _count(Order)
    assert _count(User) == users
    assert _count(OutboxMessage) == 0
    assert {review.skin_type for review in reviews} == set(SkinType)
    assert {review.rating for review in reviews} >= {3, 4, 5}
    for review in reviews:
        order = review.order_line.order
        assert services.can_review(order), order.number
        assert order.user_id is None, order.number
        assert review.status is ReviewStatus.APPROVED, review.title
        assert review.concerns, review.title
        assert review.product_id == review.order_line.product_id
        assert review.created_at > order.fulfilled_at
        assert len(review.body) >= services.BODY_MIN
    assert _count(ReviewVote) == sum(review.helpful_count for review in reviews)
    # Nobody is invited to review a demo order again.
    assert services.send_due_invitations() == 0
    counts = {product.id: product.rating_distribution
              for product in db.session.scalars(select(Product))}
    services.recount_ratings(counts)
    assert {product.id: product.rating_distribution
            for product in db.session.scalars(select(Product))} == counts
    assert sum(product.rating_count for product in db.session.scalars(select(Product))) == len(
        reviews)


def test_the_demo_shows_ratings_and_reviews_on_the_shop(app, client, db):
    with app.app_context():
        seed_catalog()
        seed_content()
        demo.seed_reviews()
        db.session.commit()
    page = client.get("/products/retinol-night-serum").get_data(as_text=True)
    assert "Worth the slow start" in page
    assert "Fewer clogged pores on my nose" in page
    assert "From 2 reviews by verified buyers" in page
    assert "(2 reviews)" in client.get("/products?category=serums").get_data(as_text=True)
