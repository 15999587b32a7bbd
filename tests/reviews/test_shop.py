"""Reviews on the shop and in the back office: moderation with audit and e-mail, exact
ratings, the product page's filters and sorting, JSON-LD, cards, query counts, the cache,
and attack strings in every field a reviewer writes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import select

from storefront.audit.models import AuditEntry
from storefront.catalog.models import Product, SkinType, Variant
from storefront.content.models import Condition
from storefront.extensions import db
from storefront.reviews import links, services
from storefront.reviews.models import AgeRange, Review, ReviewStatus
from tests.factories import (
    AdminFactory,
    ConditionFactory,
    EditorFactory,
    ProductFactory,
    RecommendationFactory,
    UserFactory,
    VariantFactory,
    sent_order,
    written_review,
)
from tests.helpers import first_link, html_part, login, submit, text_part
from tests.helpers.catalog import json_ld
from tests.helpers.pages import Page, text
from tests.helpers.security.markup import script_problems

S = ReviewStatus
SLUG = "barrier-cream"


@pytest.fixture
def cream(app, db):
    """A cream recommended for rosacea and dry skin; returns ids by name."""
    with app.app_context():
        product = ProductFactory(slug=SLUG, name="Barrier Cream", variant=False)
        variant = VariantFactory(product=product, stock_on_hand=500, price=Decimal("20.00"))
        ids = {"product": product.id, "variant": variant.id}
        for slug, name in (("rosacea", "Rosacea"), ("dry-skin", "Dry skin")):
            condition = ConditionFactory(slug=slug, name=name)
            RecommendationFactory(condition=condition, product=product)
            ids[slug] = condition.id
        db.session.commit()
        return ids


def _write(app, cream, status=S.PENDING, *, email="maya@example.com", created_days_ago=0,
           helpful=0, concerns=(), **fields) -> int:
    """A review of the cream by a new buyer, moderated to ``status``; its id."""
    with app.app_context():
        order = sent_order(db.session.get(Variant, cream["variant"]), email=email)
        review = written_review(order, status=status,
                                concern_ids=[cream[slug] for slug in concerns], **fields)
        review.created_at = review.created_at - timedelta(days=created_days_ago)
        review.helpful_count = helpful
        db.session.commit()
        return review.id


def _product(app, cream) -> Product:
    with app.app_context():
        product = db.session.get(Product, cream["product"])
        db.session.expunge(product)
        return product


def _counts(app, cream) -> list[tuple[int, int]]:
    return _product(app, cream).rating_distribution


def _recounted(app, cream) -> list[tuple[int, int]]:
    """The counts as the published reviews say they should be."""
    with app.app_context():
        services.recount_ratings([cream["product"]])
        product = db.session.get(Product, cream["product"])
        counts = product.rating_distribution
        db.session.rollback()
        return counts


def _review(app, review_id) -> Review:
    with app.app_context():
        review = db.session.get(Review, review_id)
        db.session.expunge(review)
        return review


@pytest.fixture
def editor(app, client, make):
    user = make(EditorFactory, name="Dr. Lena")
    login(client, user.email)
    return user


def _moderate(client, review_id, status, reason="", back="pending"):
    return submit(client, f"/admin/reviews/{review_id}/status?back={back}",
                  {"status": status, "reason": reason}, form_url="/admin/reviews")


# --- Moderation --------------------------------------------------------------------------

def test_an_editor_publishes_a_review_audited_and_the_reviewer_is_told(app, client, cream,
                                                                        editor, mailbox):
    review_id = _write(app, cream, rating=5, title="Soothing at last")
    queue = client.get("/admin/reviews").get_data(as_text=True)
    assert "Soothing at last" in queue
    assert "maya@example.com" in queue
    assert client.get(f"/admin/reviews/{review_id}").status_code == 200
    response = _moderate(client, review_id, "approved")
    assert response.status_code == 303
    review = _review(app, review_id)
    assert (review.status, review.moderated_by_id) == (S.APPROVED, editor.id)
    assert review.published_at is not None
    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "review.approved")).all()
        assert (entry.actor_id, entry.target_type, entry.target_id) == (
            editor.id, "review", str(review_id))
        assert entry.changes() == [("status", "pending", "approved")]
    [mail] = [m for m in mailbox if "is on our site" in m["Subject"]]
    assert mail["To"] == "maya@example.com"
    assert f"/products/{SLUG}" in text_part(mail)
    assert _counts(app, cream) == [(5, 1), (4, 0), (3, 0), (2, 0), (1, 0)]
    page = client.get(f"/products/{SLUG}").get_data(as_text=True)
    assert "Soothing at last" in page
    assert "Verified buyer" in page


def test_a_rejection_needs_a_reason_which_the_reviewer_is_sent(app, client, cream, editor,
                                                               mailbox):
    review_id = _write(app, cream)
    refused = _moderate(client, review_id, "rejected", reason="  ")
    assert refused.status_code == 422
    assert "Say why the review is rejected" in refused.get_data(as_text=True)
    assert _review(app, review_id).status == S.PENDING
    reason = "Please tell us about the product rather than the delivery."
    assert _moderate(client, review_id, "rejected", reason=reason).status_code == 303
    review = _review(app, review_id)
    assert (review.status, review.rejection_reason) == (S.REJECTED, reason)
    [mail] = [m for m in mailbox if m["Subject"].startswith("About your review")]
    body = text_part(mail)
    assert reason in body
    link = first_link(body, "/reviews/write/")
    page = app.test_client().get(urlsplit(link).path).get_data(as_text=True)
    assert reason in page
    assert "Change your review" in page
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action).where(
            AuditEntry.target_id == str(review_id))) == "review.rejected"


def test_spam_is_audited_and_nobody_is_e_mailed(app, client, cream, editor, mailbox):
    review_id = _write(app, cream)
    mailbox.clear()
    assert _moderate(client, review_id, "spam").status_code == 303
    assert _review(app, review_id).status == S.SPAM
    assert mailbox == []
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action).where(
            AuditEntry.target_id == str(review_id))) == "review.marked_spam"
    again = _moderate(client, review_id, "spam")
    assert again.status_code == 303
    assert "already" in client.get("/admin/reviews").get_data(as_text=True)


def test_editors_cannot_change_a_reviews_words(app, client, cream, editor):
    review_id = _write(app, cream, title="My words", body="Exactly what I wrote, no more.")
    submit(client, f"/admin/reviews/{review_id}/status",
           {"status": "approved", "title": "Better words", "body": "Edited by the shop.",
            "rating": "5", "display_name": "Someone"}, form_url="/admin/reviews")
    review = _review(app, review_id)
    assert (review.title, review.body, review.rating, review.display_name) == (
        "My words", "Exactly what I wrote, no more.", 4, "Maya R.")
    # The only thing any back-office review route accepts is a status (and a reason).
    posts = [rule.rule for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/admin/reviews") and "POST" in rule.methods]
    assert posts == ["/admin/reviews/<int:review_id>/status"]
    for bad in ("pending", "published", ""):
        assert _moderate(client, review_id, bad).status_code == 422


def test_customers_cannot_moderate(app, client, cream, make):
    review_id = _write(app, cream)
    login(client, make(UserFactory).email)
    assert client.get("/admin/reviews").status_code == 403
    assert _moderate(client, review_id, "approved").status_code == 403
    assert _review(app, review_id).status == S.PENDING


# --- Ratings stay exact ------------------------------------------------------------------

def test_the_rating_counts_are_exact_after_approve_reject_spam_and_edit(app, client, cream,
                                                                         editor):
    five = _write(app, cream, rating=5, email="a@example.com")
    three = _write(app, cream, rating=3, email="b@example.com")
    one = _write(app, cream, rating=1, email="c@example.com")
    assert _counts(app, cream) == [(5, 0), (4, 0), (3, 0), (2, 0), (1, 0)]
    for review_id in (five, three, one):
        _moderate(client, review_id, "approved")
    _moderate(client, five, "approved")  # twice: counted once
    assert _counts(app, cream) == [(5, 1), (4, 0), (3, 1), (2, 0), (1, 1)]
    assert _product(app, cream).rating_average == Decimal("3.0")
    _moderate(client, one, "rejected", reason="Describes another product.")
    assert _counts(app, cream) == [(5, 1), (4, 0), (3, 1), (2, 0), (1, 0)]
    _moderate(client, three, "spam")
    assert _counts(app, cream) == [(5, 1), (4, 0), (3, 0), (2, 0), (1, 0)]
    # The buyer of the five-star review changes it to two stars: off the shop until read.
    with app.app_context():
        review = db.session.get(Review, five)
        order = review.order_line.order
        item = services.line_to_review(order, review.order_line_id)
        services.write_review(order, item, services.ReviewFields(
            rating=2, title="Changed my mind", body="After a month it started to sting.",
            display_name="A."))
        db.session.commit()
    assert _counts(app, cream) == [(5, 0), (4, 0), (3, 0), (2, 0), (1, 0)]
    _moderate(client, five, "approved")
    _moderate(client, one, "approved")
    product = _product(app, cream)
    assert product.rating_distribution == [(5, 0), (4, 0), (3, 0), (2, 1), (1, 1)]
    assert (product.rating_count, product.rating_sum, product.rating_average) == (
        2, 3, Decimal("1.5"))
    assert _recounted(app, cream) == product.rating_distribution


# --- The product page ----------------------------------------------------------------------

@pytest.fixture
def reviewed(app, cream):
    """Four published reviews (and one waiting) of different skin types, ages and concerns."""
    ids = {
        "dry": _write(app, cream, S.APPROVED, email="a@example.com", rating=5,
                      title="Dry skin saved", skin_type=SkinType.DRY,
                      age_range=AgeRange.FROM_45, concerns=("dry-skin",),
                      created_days_ago=30, helpful=1),
        "sensitive": _write(app, cream, S.APPROVED, email="b@example.com", rating=4,
                            title="Calm and gentle", skin_type=SkinType.SENSITIVE,
                            concerns=("rosacea",), created_days_ago=20, helpful=9),
        "oily": _write(app, cream, S.APPROVED, email="c@example.com", rating=2,
                       title="Too rich for me", skin_type=SkinType.OILY,
                       created_days_ago=10, helpful=4),
        "dry-rosacea": _write(app, cream, S.APPROVED, email="d@example.com", rating=4,
                              title="Helps my flushing", skin_type=SkinType.DRY,
                              concerns=("rosacea", "dry-skin"), created_days_ago=1),
        "waiting": _write(app, cream, S.PENDING, email="e@example.com", title="Not yet read",
                          skin_type=SkinType.DRY),
    }
    return ids


def _titles(page: str) -> list[str]:
    return Page(page).texts("h3.review-title")


def _page(client, query: str = "") -> str:
    response = client.get(f"/products/{SLUG}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_shows_published_reviews_newest_first_with_a_summary(client, reviewed):
    page = _page(client)
    assert _titles(page) == ["Helps my flushing", "Too rich for me", "Calm and gentle",
                             "Dry skin saved"]
    assert "Not yet read" not in page
    assert "3.8</strong> out of 5" in page
    assert "From 4 reviews by verified buyers" in page
    assert '<th scope="row">4 stars</th><td><meter min="0" max="4" value="2">' in page
    assert "Used for: <strong>Dry skin, Rosacea</strong>" in page
    assert "Age: <strong>45 to 54</strong>" in page
    assert "9 people found this helpful" in page
    assert 'href="#reviews">(4 reviews)</a>' in page


@pytest.mark.parametrize(("query", "titles"), [
    ("?review_skin=dry", ["Helps my flushing", "Dry skin saved"]),
    ("?review_skin=oily", ["Too rich for me"]),
    ("?review_concern=rosacea", ["Helps my flushing", "Calm and gentle"]),
    ("?review_skin=dry&review_concern=rosacea", ["Helps my flushing"]),
    ("?review_skin=normal", []),
    ("?review_sort=helpful", ["Calm and gentle", "Too rich for me", "Dry skin saved",
                              "Helps my flushing"]),
    ("?review_sort=helpful&review_skin=dry", ["Dry skin saved", "Helps my flushing"]),
])
def test_filters_by_skin_type_and_concern_and_sorting(client, reviewed, query, titles):
    page = _page(client, query)
    assert _titles(page) == titles
    if "review_skin" in query or "review_concern" in query:
        assert "Show every review" in page
        assert ("No reviews match." in page) == (not titles)


def test_unusable_filters_are_left_out_with_a_note(client, reviewed):
    for query, note in (("?review_skin=scaly", "is not a skin type"),
                        ("?review_concern=acne", "can&#39;t be narrowed to"),
                        ("?review_sort=stars", "can&#39;t be sorted by"),
                        ("?review_page=-3", "is not a page number"),
                        ("?review_page=99999999999", "is not a page number")):
        page = _page(client, query)
        assert note in page, query
    assert _titles(_page(client, "?review_page=400")) == []


def test_reviews_come_in_pages_of_ten(app, client, cream):
    for number in range(12):
        _write(app, cream, S.APPROVED, email=f"r{number}@example.com",
               title=f"Review {number:02d}", created_days_ago=number)
    first = _page(client)
    assert _titles(first) == [f"Review {n:02d}" for n in range(10)]
    assert "Page 1 of 2" in first
    assert "review_page=2#reviews" in first
    assert _titles(_page(client, "?review_page=2")) == ["Review 10", "Review 11"]


def test_product_json_ld_has_the_rating_and_the_published_reviews(client, reviewed):
    [product, _crumbs] = json_ld(_page(client))
    assert product["@type"] == "Product"
    assert product["name"] == "Barrier Cream"
    assert product["aggregateRating"] == {
        "@type": "AggregateRating", "ratingValue": 3.8, "reviewCount": 4, "bestRating": 5,
        "worstRating": 1}
    assert [r["name"] for r in product["review"]] == [
        "Helps my flushing", "Too rich for me", "Calm and gentle", "Dry skin saved"]
    first = product["review"][0]
    assert first["@type"] == "Review"
    assert first["author"] == {"@type": "Person", "name": "Maya R."}
    assert first["reviewRating"] == {"@type": "Rating", "ratingValue": 4, "bestRating": 5,
                                     "worstRating": 1}
    assert first["reviewBody"]
    assert first["datePublished"]


def test_no_rating_in_json_ld_without_published_reviews(app, client, cream):
    _write(app, cream, S.PENDING)
    _write(app, cream, S.REJECTED, email="b@example.com")
    page = _page(client)
    [product, _crumbs] = json_ld(page)
    assert "aggregateRating" not in product
    assert "review" not in product
    assert "No reviews yet" in page
    assert 'class="rating"' not in page


@pytest.fixture
def no_page_cache(app, monkeypatch):
    """Render every page (the page cache would answer the second request)."""
    monkeypatch.delitem(app.extensions, "storefront.page_cache")


def test_cards_show_the_rating_without_a_query_per_card(app, client, cream, count_queries,
                                                        no_page_cache):
    with app.app_context():
        for number in range(30):
            ProductFactory(name=f"Other {number:02d}", variant__stock_on_hand=5)
        db.session.commit()
    client.get("/products")
    with count_queries() as without:
        client.get("/products")
    _write(app, cream, S.APPROVED, rating=5)
    _write(app, cream, S.APPROVED, rating=4, email="b@example.com")
    with count_queries() as with_reviews:
        page = client.get("/products").get_data(as_text=True)
    assert with_reviews.count == without.count, with_reviews.statements
    rating = Page(page).one(f'article.product-card:has(a[href="/products/{SLUG}"]) p.rating')
    assert "Rated 4.5 out of 5 (2 reviews)" in text(rating)
    assert [text(hidden) for hidden in rating.select(".visually-hidden")] == [
        "Rated", "out of 5"], "the stars are read out as words"


def test_the_product_page_costs_the_same_queries_with_1_and_50_reviews_and_none_for_0(
        app, client, cream, count_queries, no_page_cache):
    read = {}

    def statements(query=""):
        with count_queries() as counter:
            _page(client, query)
        read[query] = [sql for sql in counter.statements if "FROM review" in sql]
        return counter.count

    client.get(f"/products/{SLUG}")
    _write(app, cream, S.PENDING)  # waiting for an editor: on no page
    counts = {0: statements(), "0 filtered": statements("?review_skin=dry")}
    # No published review (the product's rating counts say so): none is looked for.
    assert read == {"": [], "?review_skin=dry": []}
    _write(app, cream, S.APPROVED, email="first@example.com", concerns=("rosacea",),
           skin_type=SkinType.DRY)
    counts[1] = statements()
    assert len(read[""]) == 1
    for number in range(49):
        _write(app, cream, S.APPROVED, email=f"r{number}@example.com",
               concerns=("rosacea", "dry-skin")[: number % 3], skin_type=SkinType.DRY)
    counts[50] = statements()
    counts["50 filtered"] = statements("?review_skin=dry&review_concern=rosacea"
                                       "&review_sort=helpful&review_page=2")
    assert counts[0] == counts["0 filtered"] == counts[1] - 1, counts
    assert counts[1] == counts[50] == counts["50 filtered"], counts
    assert counts[50] <= 6


def test_publishing_a_review_refreshes_the_cached_page(app, client, cream, make):
    review_id = _write(app, cream, title="Fresh review")
    assert "Fresh review" not in _page(client)
    assert "Fresh review" not in _page(client)  # from the page cache now
    admin = app.test_client()
    login(admin, make(AdminFactory).email)
    _moderate(admin, review_id, "approved")
    assert "Fresh review" in _page(client)
    _moderate(admin, review_id, "rejected", reason="Mentions a person by name.")
    assert "Fresh review" not in _page(client)


# --- Attack strings in every field a reviewer writes --------------------------------------

TAGS = "<script>alert(1)</script><img src=x onerror=alert(2)>{{1234*5678}}"
ATTRIBUTE = "\"><svg onload=alert(3)>' autofocus onfocus=alert(4) x='${1234*5678}"
SHOWN = str(escape("<script>alert(1)</script>"))


def test_attack_strings_in_a_review_are_shown_as_text_everywhere(app, client, cream, make,
                                                                mailbox):
    with app.app_context():
        order = sent_order(db.session.get(Variant, cream["variant"]),
                           email="maya@example.com")
        order.shipping_name = TAGS[:120]
        db.session.commit()
        token, line = links.review_token(order), order.lines[0].id
    form_url = f"/reviews/write/{token}/{line}"
    response = submit(client, form_url, {
        "rating": "3", "title": (TAGS + ATTRIBUTE)[:120], "body": "It stung. " + TAGS + ATTRIBUTE,
        "display_name": (ATTRIBUTE + TAGS)[:60], "skin_type": "dry", "age_range": "25_34",
        "concerns": [str(cream["rosacea"])]})
    assert response.status_code == 303
    with app.app_context():
        review_id = db.session.scalars(select(Review.id)).one()
    admin = app.test_client()
    login(admin, make(AdminFactory).email)
    pages = {"queue": admin.get("/admin/reviews").get_data(as_text=True),
             "detail": admin.get(f"/admin/reviews/{review_id}").get_data(as_text=True),
             "order page": client.get(f"/reviews/write/{token}").get_data(as_text=True),
             "form": client.get(form_url).get_data(as_text=True)}
    _moderate(admin, review_id, "approved")
    pages["product"] = _page(client)
    pages["filtered"] = _page(client, "?review_skin=dry&review_sort=helpful")
    _moderate(admin, review_id, "rejected", reason=TAGS + ATTRIBUTE)
    pages["rejected order page"] = client.get(f"/reviews/write/{token}").get_data(as_text=True)
    pages["audit"] = admin.get("/admin/audit").get_data(as_text=True)
    for where, html in pages.items():
        assert not script_problems(html), (where, script_problems(html))
    for where in ("queue", "detail", "product", "order page", "form"):
        assert SHOWN in pages[where], where
    for mail in mailbox:
        if "review" in mail["Subject"]:
            assert not script_problems(html_part(mail), allow_style=True), mail["Subject"]
            assert SHOWN in html_part(mail), mail["Subject"]


def test_a_prescription_medicine_shows_no_reviews_or_rating(app, client, cream, make):
    """Not sold here, so nobody reviews it; one reviewed before it became prescription-only
    keeps its reviews out of sight."""
    review_id = _write(app, cream, S.APPROVED, title="Bought before the change", rating=5)
    with app.app_context():
        db.session.get(Product, cream["product"]).prescription_only = True
        db.session.commit()
        order = db.session.get(Review, review_id).order_line.order
        token = links.review_token(order)
    page = _page(client)
    assert 'id="reviews"' not in page
    assert 'class="rating"' not in page
    assert "Bought before the change" not in page
    [product, _crumbs] = json_ld(page)
    assert "aggregateRating" not in product
    assert "review" not in product
    assert "Barrier Cream" not in client.get(f"/reviews/write/{token}").get_data(as_text=True)


def test_the_review_query_parameters_are_all_declared():
    """``QUERY_ARGS`` is what the product page's cache key must hold for its reviews."""
    filters = services.ReviewFilters(skin_type=SkinType.DRY, concern=Condition(slug="acne"),
                                     sort="helpful")
    assert set(filters.args(page=3)) == set(services.QUERY_ARGS)
    read = services.parse_filters(dict.fromkeys(services.QUERY_ARGS, "x"), [])
    assert len(read.notes) == len(services.QUERY_ARGS)  # each one was read
