"""The dashboard's figures for a known set of orders, to the cent, and its watch lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from storefront.admin.dashboard.views import build_chart
from storefront.catalog.models import ProductStatus
from storefront.content.models import QuestionStatus
from storefront.db import utcnow
from storefront.extensions import db
from storefront.orders import reports, services
from storefront.orders.models import OrderStatus
from tests.factories import (
    AdminFactory,
    ArticleFactory,
    ConditionFactory,
    DiscountCodeFactory,
    IngredientFactory,
    ProductFactory,
    ReaderQuestionFactory,
    RecommendationFactory,
    VariantFactory,
    placed_order,
)
from tests.helpers import login

D = Decimal


@dataclass(frozen=True)
class Seeded:
    today: object
    articles: dict[str, int]
    numbers: dict[str, str]


def _variant(name: str, price: str):
    return VariantFactory(product=ProductFactory(name=name, variant=False), price=D(price),
                          stock_on_hand=50)


def _order(items, *, articles=(), paid_at=None, code=""):
    """Place an order; ``articles`` gives each line's source article (or None)."""
    order = placed_order(*items, code=code)
    for line, article in zip(order.lines, articles, strict=False):
        line.source_article_id = article.id if article is not None else None
    if paid_at is not None:
        services.payment_succeeded(order, provider="demo", reference=f"demo_{order.number}",
                                   amount=order.total, currency=order.currency)
        order.paid_at = paid_at
    db.session.flush()
    return order


@pytest.fixture
def seeded(app, db) -> Seeded:
    """Orders with known lines, some from articles, some refunded or cancelled.

    today: O1 creamx2 (milia article) + serumx1 (no article) = 57.33, free delivery
    2 days ago: O2 maskx1 (rosacea+acne article) + serumx2 (milia article) = 31.66 + 4.90,
                sent
    5 days ago: O3 creamx1 (rosacea+acne article) = 24.50 + 4.90, then 10.00 refunded
    10 days ago: O4 maskx4 (article without conditions) = 60.00 - 10 % code = 54.00
    3 days ago: O5 creamx1 (milia article) = 29.40, fully refunded -> not a sale
    1 day ago: O6 serumx1 (rosacea+acne article) = 13.23, cancelled -> not a sale
    40 days ago: O7 maskx1 (milia article) = 19.90 (only in the 90-day period)
    never paid: O8 creamx1 (milia article)
    """
    with app.app_context():
        today = utcnow().date()
        midnight = reports.start_of_day(today)
        cream, serum, mask = (_variant("Cream", "24.50"), _variant("Serum", "8.33"),
                              _variant("Mask", "15.00"))
        milia = ConditionFactory(name="Milia", slug="milia")
        rosacea = ConditionFactory(name="Rosacea", slug="rosacea")
        acne = ConditionFactory(name="Acne", slug="acne")
        on_milia = ArticleFactory(title="White bumps around the eyes", conditions=[milia])
        on_both = ArticleFactory(title="Red, bumpy cheeks", conditions=[rosacea, acne])
        general = ArticleFactory(title="How to read a label")
        DiscountCodeFactory(code="TENOFF")

        def days_ago(days, hours=10):
            return midnight - timedelta(days=days) + timedelta(hours=hours)

        numbers = {}
        numbers["O1"] = _order([(cream, 2), serum], articles=[on_milia, None],
                               paid_at=midnight + timedelta(minutes=1)).number
        o2 = _order([mask, (serum, 2)], articles=[on_both, on_milia], paid_at=days_ago(2))
        services.fulfil(o2, "PostNL", "3S0001", actor=None)
        o3 = _order([cream], articles=[on_both], paid_at=days_ago(5))
        services.refund(o3, D("10.00"), actor=None)
        _order([(mask, 4)], articles=[general], paid_at=days_ago(10), code="TENOFF")
        o5 = _order([cream], articles=[on_milia], paid_at=days_ago(3))
        services.refund(o5, o5.total, actor=None)
        o6 = _order([serum], articles=[on_both], paid_at=days_ago(1))
        services.cancel(o6, actor=None)
        _order([mask], articles=[on_milia], paid_at=days_ago(40))
        numbers["O8"] = _order([cream], articles=[on_milia]).number
        statuses = {o.number: o.status for o in (o2, o3, o5, o6)}
        assert statuses == {o2.number: OrderStatus.FULFILLED,
                            o3.number: OrderStatus.PARTIALLY_REFUNDED,
                            o5.number: OrderStatus.REFUNDED, o6.number: OrderStatus.CANCELLED}
        db.session.commit()
        articles = {"milia": on_milia.id, "both": on_both.id, "general": general.id}
        return Seeded(today, articles, numbers)


def test_sales_totals_are_net_of_refunds_and_leave_out_cancelled_orders(app, seeded):
    with app.app_context():
        totals = reports.sales_totals(seeded.today)
    assert [(t.label, t.orders, t.revenue, t.average) for t in totals] == [
        ("Today", 1, D("57.33"), D("57.33")),
        # 57.33 + 36.56 + (29.40 - 10.00)
        ("Last 7 days", 3, D("113.29"), D("37.76")),
        # + 54.00 (after the 10 % code)
        ("Last 30 days", 4, D("167.29"), D("41.82")),
    ]


def test_daily_sales_have_every_day_and_the_right_amounts(app, seeded):
    with app.app_context():
        series = reports.daily_sales(seeded.today)
    assert len(series) == 30
    assert series[0].day == seeded.today - timedelta(days=29)
    assert series[-1].day == seeded.today
    by_age = {(seeded.today - day.day).days: (day.orders, day.revenue)
              for day in series if day.orders}
    assert by_age == {0: (1, D("57.33")), 2: (1, D("36.56")), 5: (1, D("19.40")),
                      10: (1, D("54.00"))}
    chart = build_chart(series)
    assert chart.total == D("167.29")
    assert chart.best.revenue == D("57.33")
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.sales.day == seeded.today
    assert tallest.y == chart.plot_top
    assert [bar.height for bar in chart.bars].count(0.0) == 26


def test_sales_by_article_are_exact(app, seeded):
    since = reports.start_of_day(seeded.today - timedelta(days=29))
    with app.app_context():
        rows = reports.sales_by_article(since)
        share = reports.article_share(since)
    assert [(r.id, r.orders, r.units, r.sales) for r in rows] == [
        (seeded.articles["milia"], 2, 4, D("65.66")),  # O1 creamx2 49.00, O2 serumx2 16.66
        (seeded.articles["general"], 1, 4, D("60.00")),  # O4 maskx4, before its code
        (seeded.articles["both"], 2, 2, D("39.50")),  # O2 mask 15.00, O3 cream 24.50
    ]
    # Every sold line: the above plus O1's serum that came from no article (8.33).
    assert (share.all_sales, share.article_sales, share.percent) == (D("173.49"),
                                                                      D("165.16"), 95)


def test_sales_by_condition_count_a_two_condition_article_under_both(app, seeded):
    since = reports.start_of_day(seeded.today - timedelta(days=29))
    with app.app_context():
        rows = reports.sales_by_condition(since)
    assert [(r.name, r.orders, r.units, r.sales) for r in rows] == [
        ("Milia", 2, 4, D("65.66")),
        ("Acne", 2, 2, D("39.50")),
        ("Rosacea", 2, 2, D("39.50")),
    ]


def test_a_longer_period_reaches_older_orders(app, seeded):
    since = reports.start_of_day(seeded.today - timedelta(days=89))
    with app.app_context():
        rows = {r.id: (r.orders, r.units, r.sales) for r in reports.sales_by_article(since)}
    assert rows[seeded.articles["milia"]] == (3, 5, D("80.66"))


def test_the_dashboard_page_shows_the_figures(app, client, make, seeded):
    login(client, make(AdminFactory).email)
    html = client.get("/admin/").get_data(as_text=True)
    for text in ("€57.33", "€113.29", "€167.29", "€41.82", "€65.66", "€39.50",
                 "White bumps around the eyes", "Red, bumpy cheeks", "Milia", "Rosacea",
                 seeded.numbers["O8"], "(95%)"):
        assert text in html, text
    assert '<svg class="sales-chart"' in html
    assert 'role="img"' in html
    assert '<title id="chart-title">' in html
    assert '<desc id="chart-desc">' in html
    assert html.count('class="chart-bar"') == 30
    assert "The figures as a table" in html
    longer = client.get("/admin/?period=90").get_data(as_text=True)
    assert "€80.66" in longer


def test_a_bad_period_is_explained(client, make):
    login(client, make(AdminFactory).email)
    response = client.get("/admin/?period=12")
    assert response.status_code == 400
    assert "is not a period the dashboard knows" in response.get_data(as_text=True)


def test_the_dashboard_makes_the_same_number_of_queries_however_many_orders(
        app, client, make, seeded, count_queries):
    login(client, make(AdminFactory).email)
    client.get("/admin/")
    with count_queries() as few:
        assert client.get("/admin/").status_code == 200
    with app.app_context():
        variant = _variant("Toner", "12.00")
        for days in range(12):
            article = ArticleFactory(conditions=[ConditionFactory()])
            _order([(variant, 2)], articles=[article],
                   paid_at=reports.start_of_day(seeded.today) - timedelta(days=days))
        db.session.commit()
    with count_queries() as many:
        assert client.get("/admin/").status_code == 200
    assert many.count == few.count
    assert few.count <= 15, few.statements  # 15th: places delivered to without a tax rate


# Watch lists ----------------------------------------------------------------------------------

def test_low_stock_lists_only_variants_on_sale_at_or_under_their_mark(app, client, make):
    low = make(VariantFactory, sku="LOW-1", stock_on_hand=3, low_stock_threshold=5)
    make(VariantFactory, sku="FINE-1", stock_on_hand=30)
    make(VariantFactory, sku="GONE-1", stock_on_hand=0, active=False)
    draft = make(ProductFactory, status=ProductStatus.DRAFT, variant=False)
    make(VariantFactory, product=draft, sku="DRAFT-1", stock_on_hand=0)
    with app.app_context():
        count, rows = reports.low_stock()
    assert count == 1
    assert [(r.variant_id, r.available) for r in rows] == [(low.id, 3)]
    login(client, make(AdminFactory).email)
    html = client.get("/admin/").get_data(as_text=True)
    assert "LOW-1" in html
    assert "FINE-1" not in html
    assert "DRAFT-1" not in html


def test_unanswered_questions_are_counted_and_the_latest_shown(app, client, make):
    make(ReaderQuestionFactory, question="Is retinol safe while breastfeeding?")
    make(ReaderQuestionFactory, question="Why are my cheeks red after running?")
    make(ReaderQuestionFactory, question="Answered one", status=QuestionStatus.ANSWERED)
    with app.app_context():
        count, latest = reports.new_questions()
    assert count == 2
    assert len(latest) == 2
    login(client, make(AdminFactory).email)
    html = client.get("/admin/").get_data(as_text=True)
    assert "Is retinol safe while breastfeeding?" in html
    assert "Answered one" not in html


def test_recommendations_of_products_that_cannot_be_bought_are_listed_with_why(app, client,
                                                                              make):
    with app.app_context():
        condition = ConditionFactory(name="Milia")
        products = [
            ProductFactory(name="Fine Cream"),
            ProductFactory(name="Old Cream", status=ProductStatus.ARCHIVED),
            ProductFactory(name="New Cream", status=ProductStatus.DRAFT),
            ProductFactory(name="Tretinoin", prescription_only=True),
            ProductFactory(name="Sold Out Serum", variant__stock_on_hand=0),
        ]
        for product in products:
            RecommendationFactory(condition=condition, product=product)
        RecommendationFactory(condition=condition, ingredient=IngredientFactory())
        db.session.commit()
        picks = reports.unavailable_recommendations()
    assert {(p.product_name, p.reasons) for p in picks} == {
        ("Old Cream", ("archived",)),
        ("New Cream", ("draft (not on sale)",)),
        ("Tretinoin", ("prescription only",)),
        ("Sold Out Serum", ("out of stock",)),
    }
    login(client, make(AdminFactory).email)
    html = client.get("/admin/").get_data(as_text=True)
    assert "Sold Out Serum" in html
    assert "Fine Cream" not in html
