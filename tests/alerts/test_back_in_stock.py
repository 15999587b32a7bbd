""""E-mail me when it is back": asked on a sold-out product's page or card, by guests (who
confirm from an e-mail first) and customers; answered by one e-mail when stock returns,
through a job and the outbox; a link in every e-mail deletes the request. The race of two
restocks on PostgreSQL is in tests/concurrency/test_concurrency.py."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from storefront.alerts import services as alerts
from storefront.alerts.models import StockAlert
from storefront.catalog.models import Variant
from storefront.db import utcnow
from storefront.extensions import db
from storefront.jobs import tasks
from storefront.orders import services as orders
from storefront.orders.models import Order
from tests.factories import (
    AdminFactory,
    ConditionFactory,
    ProductFactory,
    RecommendationFactory,
    UserFactory,
    VariantFactory,
    placed_order,
)
from tests.helpers import (
    SAME_ORIGIN,
    csrf_from,
    first_link,
    html_part,
    login,
    submit,
    text_part,
    token_of,
)
from tests.helpers.pages import Page, named, one, text

BACK = "Retinol Night Serum is back in stock"
CONFIRM = "Confirm: e-mail me when Retinol Night Serum is back"


@pytest.fixture
def serum(make):
    """A sold-out serum in one size."""
    product = make(ProductFactory, name="Retinol Night Serum", slug="retinol-night-serum",
                   variant=False)
    return make(VariantFactory, product=product, price=Decimal("32.00"), size_label="30 ml",
                stock_on_hand=0)


def _ask(client, variant, email: str | None = "maya@example.com", url=None):
    page = client.get(url or "/products/retinol-night-serum").get_data(as_text=True)
    data = {**token_of(page), "variant_id": str(variant.id),
            "next": "/products/retinol-night-serum"}
    if email is not None:
        data["email"] = email
    return client.post("/stock-alerts/", data=data, headers=SAME_ORIGIN)


def _alerts(app) -> list[tuple[str, bool, bool]]:
    """(e-mail, confirmed, notified) of every request."""
    with app.app_context():
        return [(alert.email, alert.confirmed_at is not None, alert.notified_at is not None)
                for alert in db.session.scalars(select(StockAlert).order_by(StockAlert.id))]


def _restock(app, variant, quantity: int = 5) -> None:
    """An admin receives stock, through the stock page (so the request's end runs the job)."""
    browser = app.test_client()
    with app.app_context():
        admin = AdminFactory()
        db.session.commit()
        email = admin.email
    login(browser, email)
    url = f"/admin/products/variants/{variant.id}/stock"
    response = submit(browser, url, {"reason": "received", "quantity": str(quantity),
                                     "note": "delivery"})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def _subjects(mailbox, to: str | None = None) -> list[str]:
    return [m["Subject"] for m in mailbox if to is None or m["To"] == to]


def _path(url: str) -> str:
    return urlsplit(url).path


def _press(client, url: str):
    """Open a link from an e-mail and press its page's button."""
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={"csrf_token": csrf_from(page.get_data(as_text=True))})


def test_a_guest_confirms_and_gets_one_e_mail_when_it_is_back(app, client, serum, mailbox):
    form = Page(client.get("/products/retinol-night-serum").get_data(as_text=True)) \
        .one("form.back-in-stock")
    assert text(one(form, "button")).startswith("E-mail me when it is back")
    assert one(form, 'input[type="email"]')["autocomplete"] == "email"

    response = _ask(client, serum, "Maya@Example.com")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/products/retinol-night-serum")
    assert "Follow its link to confirm" in client.get(response.headers["Location"]) \
        .get_data(as_text=True)
    assert _alerts(app) == [("maya@example.com", False, False)]
    [confirm] = mailbox
    assert (confirm["To"], confirm["Subject"]) == ("maya@example.com", CONFIRM)
    link = first_link(text_part(confirm), "/stock-alerts/confirm/")
    assert link.startswith("http://shop.test/")  # made from SHOP_URL, not the request
    assert "/stock-alerts/confirm/" in html_part(confirm)

    _restock(app, serum, 1)  # not confirmed yet: not e-mailed
    assert _subjects(mailbox) == [CONFIRM]
    with app.app_context():  # sold out again
        db.session.execute(update(Variant).where(Variant.id == serum.id)
                           .values(stock_on_hand=0))
        db.session.commit()

    opened = Page(client.get(_path(link)).get_data(as_text=True))
    assert "Send one e-mail to maya@example.com" in opened.text_of("main")
    assert _alerts(app) == [("maya@example.com", False, False)]  # opening changes nothing
    assert "You're on the list" in _press(client, _path(link)).get_data(as_text=True)
    assert _alerts(app) == [("maya@example.com", True, False)]

    mailbox.clear()
    _restock(app, serum, 5)
    [back] = mailbox
    assert (back["To"], back["Subject"]) == ("maya@example.com", BACK)
    plain = text_part(back)
    assert "Retinol Night Serum (30 ml) is back in stock" in plain
    assert f"http://shop.test/products/retinol-night-serum?variant={serum.id}" in plain
    assert _alerts(app) == [("maya@example.com", True, True)]
    _restock(app, serum, 5)
    with app.app_context():
        assert tasks.notify_back_in_stock() == 0  # the sweep finds nobody left either
        db.session.commit()
    assert _subjects(mailbox) == [BACK]

    leave = first_link(plain, "/stock-alerts/leave/")
    assert "off the list" in _press(client, _path(leave)).get_data(as_text=True)
    assert _alerts(app) == []
    assert "off the list" in client.get(_path(leave)).get_data(as_text=True)  # again: fine


def test_a_customer_with_a_confirmed_address_is_not_asked_for_it(app, client, serum, make,
                                                                 mailbox):
    user = make(UserFactory, email="ines@example.com")
    login(client, user.email)
    form = Page(client.get("/products/retinol-night-serum").get_data(as_text=True)) \
        .one("form.back-in-stock")
    assert not form.select('input[type="email"]')
    assert "We'll write to ines@example.com once" in text(form)
    response = _ask(client, serum, email=None)
    assert response.status_code == 303
    assert "we&#39;ll e-mail ines@example.com once" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert _alerts(app) == [("ines@example.com", True, False)]
    assert "already on the list" in client.get(
        _ask(client, serum, email=None).headers["Location"]).get_data(as_text=True)
    assert mailbox == []  # no confirmation needed
    _restock(app, serum)
    assert _subjects(mailbox) == [BACK]


def test_asking_twice_before_confirming_sends_the_link_again_and_keeps_one_request(
        app, client, serum, mailbox):
    _ask(client, serum)
    _ask(client, serum, "MAYA@example.com")
    assert _subjects(mailbox) == [CONFIRM, CONFIRM]
    assert _alerts(app) == [("maya@example.com", False, False)]


def test_what_cannot_be_asked_for_is_refused_with_a_reason(app, client, serum, make):
    response = _ask(client, serum, "not an address")
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert "Enter an e-mail address like" in page.text_of("#email-error")
    assert page.one("input#email")["value"] == "not an address"
    in_stock = make(VariantFactory, product=make(ProductFactory, variant=False),
                    stock_on_hand=3)
    response = _ask(client, in_stock)
    assert response.status_code == 303
    assert "is in stock now" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    rx = make(VariantFactory, product=make(ProductFactory, prescription_only=True,
                                            variant=False), stock_on_hand=0)
    for variant_id in (rx.id, 2**31 - 1, 2**40):
        response = _ask(client, type("V", (), {"id": variant_id}))
        assert response.status_code in (303, 422)
    assert _alerts(app) == []


def test_links_that_are_forged_or_old_change_nothing(app, client, serum, mailbox,
                                                    monkeypatch):
    _ask(client, serum)
    link = _path(first_link(text_part(mailbox[0]), "/stock-alerts/confirm/"))
    for bad in (link[:-3] + "xyz", "/stock-alerts/confirm/x",
                link.replace("/confirm/", "/leave/")):
        assert client.get(bad).status_code == 400, bad
    with app.app_context():
        db.session.execute(update(StockAlert).values(created_at=utcnow() - timedelta(days=4)))
        db.session.commit()
    with monkeypatch.context() as patch:
        patch.setitem(app.config, "EMAIL_CONFIRM_MAX_AGE", -1)  # the link is too old now
        assert client.get(link).status_code == 400
    assert _alerts(app) == [("maya@example.com", False, False)]
    with app.app_context():
        assert alerts.forget_old() == 1  # never confirmed: forgotten after the link's time
        db.session.commit()
    assert _alerts(app) == []


def test_cards_of_sold_out_recommendations_offer_it_too(app, client, serum, make, mailbox):
    with app.app_context():
        condition = ConditionFactory(slug="milia", name="Milia")
        RecommendationFactory(condition=condition, product=db.session.get(Variant, serum.id)
                              .product)
        db.session.commit()
    for url in ("/conditions/milia", "/products"):
        page = Page(client.get(url).get_data(as_text=True))
        [link] = [a for a in page.all("a")
                  if text(a).startswith("E-mail me when it is back")]
        assert text(one(link, "span.visually-hidden")) == ": Retinol Night Serum"
        assert link["href"] == f"/stock-alerts/new?variant={serum.id}&next={url}"
    page = client.get(f"/stock-alerts/new?variant={serum.id}&next=/conditions/milia")
    form = Page(page.get_data(as_text=True)).one('form[action="/stock-alerts/"]')
    assert text(one(form, 'label[for="email"]')) == "Your e-mail"
    assert "csrf_token" not in page.get_data(as_text=True)  # a guest form (origin.py)
    response = client.post("/stock-alerts/", data={
        "variant_id": str(serum.id), "email": "maya@example.com",
        "next": "/conditions/milia"}, headers=SAME_ORIGIN)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/conditions/milia")
    assert _subjects(mailbox) == [CONFIRM]
    for bad in ("", "?variant=x", "?variant=99999999999", f"?variant={serum.id}&next=//evil"):
        assert client.get(f"/stock-alerts/new{bad}").status_code in (200, 404), bad
    assert "//evil" not in client.get(f"/stock-alerts/new?variant={serum.id}&next=//evil") \
        .get_data(as_text=True)


def test_a_cached_product_page_carries_nobody_s_state(app, client, serum, count_queries):
    first = client.get("/products/retinol-night-serum").get_data(as_text=True)
    other = app.test_client()
    other.get("/products/retinol-night-serum")
    with count_queries() as counter:
        again = other.get("/products/retinol-night-serum").get_data(as_text=True)
    assert counter.count == 0  # served from the page cache
    assert 'class="back-in-stock' in again
    assert again == first
    assert "csrf_token" not in again
    assert "maya@example.com" not in again


def test_stock_given_back_by_a_cancelled_order_or_an_expired_hold_is_announced(
        app, client, make, mailbox):
    product = make(ProductFactory, name="Retinol Night Serum", slug="retinol-night-serum",
                   variant=False)
    serum = make(VariantFactory, product=product, stock_on_hand=1, size_label="30 ml")
    with app.app_context():
        order = placed_order(db.session.get(Variant, serum.id))  # holds the last one
        db.session.commit()
        number = order.number
    user = make(UserFactory, email="ines@example.com")
    login(client, user.email)
    _ask(client, serum, email=None)
    assert _alerts(app) == [("ines@example.com", True, False)]
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert orders.payment_failed(order, reason="Card declined.")
        db.session.commit()
    # The job ran at the end of that app context; its e-mail went through the outbox.
    assert _subjects(mailbox) == [BACK]


def test_the_low_stock_page_shows_how_many_wait_for_each_size(app, client, serum, make):
    for number in range(3):
        with app.app_context():
            db.session.add(StockAlert(variant_id=serum.id, email=f"p{number}@example.com",
                                      confirmed_at=utcnow() if number else None))
            db.session.commit()
    login(client, make(AdminFactory).email)
    page = Page(client.get("/admin/stock/low").get_data(as_text=True))
    row = named(page.soup, "td", serum.sku).parent
    headers = [text(th) for th in page.one("thead").select("th")]
    cells = [text(td) for td in row.select("td")]
    waiting = headers.index("Waiting for a back-in-stock e-mail")
    assert cells[waiting] == "2"  # the unconfirmed one does not count


def test_only_confirmed_unanswered_requests_of_sizes_back_in_stock_are_picked(app, serum):
    with app.app_context():
        db.session.add_all([
            StockAlert(variant_id=serum.id, email="a@example.com", confirmed_at=utcnow()),
            StockAlert(variant_id=serum.id, email="b@example.com"),
            StockAlert(variant_id=serum.id, email="c@example.com", confirmed_at=utcnow(),
                       notified_at=utcnow() - timedelta(days=91))])
        db.session.commit()
        assert alerts.notify_back_in_stock() == 0  # still sold out
        db.session.execute(update(Variant).where(Variant.id == serum.id)
                           .values(stock_on_hand=2))
        assert alerts.notify_back_in_stock([serum.id]) == 1
        assert alerts.notify_back_in_stock([serum.id]) == 0
        assert alerts.forget_old() == 1  # answered 91 days ago
        remaining = db.session.scalar(select(func.count()).select_from(StockAlert))
        db.session.rollback()
    assert remaining == 2
