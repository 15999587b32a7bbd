"""The review step asks for acceptance of the shop's terms; the order keeps the version
accepted and when; a change of the terms makes a new version the next order accepts."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from storefront.content import shop
from storefront.db import utcnow
from storefront.extensions import db
from storefront.orders.models import Order
from tests.factories import (
    ProductFactory,
    VariantFactory,
    add_to_cart,
    fill_checkout,
    pay_with_demo,
    press_pay,
)
from tests.helpers import text_part
from tests.helpers.pages import Page, one


def _cart(client, make):
    product = make(ProductFactory, name="Barrier Cream", variant=False)
    variant = make(VariantFactory, product=product, price=Decimal("24.50"), stock_on_hand=10)
    assert add_to_cart(client, variant.id).status_code == 302


def _write_terms(app, body: str = "We sell skincare.") -> int:
    with app.app_context():
        if shop.shop_text("terms") is None:
            text = shop.add_shop_text("terms", "Terms of sale", body)
        else:
            text = shop.save_shop_text("terms", "Terms of sale", body, None, actor=None,
                                       body_max=shop.PAGE_BODY_MAX)
        db.session.commit()
        return text.version


def _orders(app) -> list[Order]:
    with app.app_context():
        orders = list(db.session.scalars(select(Order).order_by(Order.id)))
        for order in orders:
            order.events  # noqa: B018 (loaded before the context closes)
        db.session.expunge_all()
        return orders


def test_without_terms_nothing_is_asked_and_nothing_recorded(app, client, make):
    _cart(client, make)
    review = fill_checkout(client)
    assert 'name="accept_terms"' not in review.get_data(as_text=True)
    assert press_pay(client).status_code == 303
    [order] = _orders(app)
    assert order.terms_version is None
    assert order.terms_accepted_at is None


def test_the_order_records_the_version_of_the_terms_accepted_and_when(app, client, make,
                                                                      mailbox):
    assert _write_terms(app) == 1
    _cart(client, make)
    review = Page(fill_checkout(client).get_data(as_text=True))
    assert review.one("input#accept_terms").has_attr("required")
    assert review.text_of('label[for="accept_terms"]') == "I accept the terms and conditions"
    assert "version 1" in review.text_of("#accept_terms-hint")
    assert one(review.one("#accept_terms-hint"), "a")["href"] == "/terms"

    before = utcnow()
    assert pay_with_demo(client).status_code == 302
    [order] = _orders(app)
    assert order.terms_version == 1
    assert before <= order.terms_accepted_at <= utcnow()
    assert "terms and conditions version 1 accepted" in order.events[0].note
    [confirmation] = mailbox
    assert "You accepted our terms and conditions (version 1)" in text_part(confirmation)
    assert "http://shop.test/terms" in text_part(confirmation)


def test_paying_without_ticking_the_box_is_refused_and_places_nothing(app, client, make):
    _write_terms(app)
    _cart(client, make)
    fill_checkout(client)
    response = press_pay(client, accept_terms=False)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert "tick that you accept them" in page.text_of("#accept_terms-error")
    assert page.one("input#accept_terms")["aria-invalid"] == "true"
    assert _orders(app) == []
    assert press_pay(client, read_again(client)).status_code == 303  # ticked this time


def read_again(client):
    return client.get("/checkout/review")


def test_terms_changed_after_the_review_are_accepted_again_before_paying(app, client, make):
    _write_terms(app)
    _cart(client, make)
    review = fill_checkout(client)
    assert _write_terms(app, "New terms: we also sell sunscreen.") == 2
    response = press_pay(client, review)  # ticked, but for version 1
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/review")
    assert "terms and conditions changed after you reviewed" in client.get(
        "/checkout/review").get_data(as_text=True)
    assert _orders(app) == []
    assert press_pay(client).status_code == 303
    [order] = _orders(app)
    assert order.terms_version == 2
    with app.app_context():
        assert shop.revision("terms", 1).body == "We sell skincare."
        assert shop.revision("terms", 2).body == "New terms: we also sell sunscreen."


def test_a_forged_version_is_not_accepted(app, client, make):
    _write_terms(app)
    _write_terms(app, "Second version.")
    _cart(client, make)
    html = fill_checkout(client).get_data(as_text=True)
    forged = html.replace('name="terms_version" type="hidden" value="2"',
                          'name="terms_version" type="hidden" value="1"')
    assert forged != html

    class Page:
        def get_data(self, as_text=True):
            return forged

    assert press_pay(client, Page()).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
