"""The back office's front page: sales, where they come from, and what needs looking at.

The figures and their definitions are in ``storefront.orders.reports``; this module picks the
period, lays out the daily-sales chart (inline SVG drawn on the server, no JavaScript) and
renders the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import render_template, request

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.db import utcnow
from storefront.orders import reports
from storefront.security import roles_required
from storefront.shipping import services as shipping

# Periods the "where sales come from" tables can cover, in days.
PERIODS = (7, 30, 90, 365)
DEFAULT_PERIOD = 30

# The chart's drawing area inside its viewBox (SVG user units).
CHART_WIDTH, CHART_HEIGHT = 640, 220
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 72, 632, 14, 186


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    sales: reports.DaySales


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    top: Decimal  # the value at the top of the plot
    total: Decimal
    best: reports.DaySales | None
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = PLOT_LEFT
    right: int = PLOT_RIGHT
    plot_top: int = PLOT_TOP
    bottom: int = PLOT_BOTTOM


def build_chart(series: list[reports.DaySales]) -> Chart:
    """Bars for a day-by-day series, scaled so the best day reaches the top."""
    top = max((day.revenue for day in series), default=Decimal(0))
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(len(series), 1)
    plot_height = PLOT_BOTTOM - PLOT_TOP
    bars = []
    for index, day in enumerate(series):
        height = float(day.revenue / top) * plot_height if top > 0 else 0.0
        if day.revenue > 0:
            height = max(height, 1.0)  # a small day stays visible
        bars.append(Bar(x=round(PLOT_LEFT + index * slot + slot * 0.15, 2),
                        y=round(PLOT_BOTTOM - height, 2), width=round(slot * 0.7, 2),
                        height=round(height, 2), sales=day))
    best = max(series, key=lambda day: day.revenue) if top > 0 else None
    total = sum((day.revenue for day in series), Decimal("0.00"))
    return Chart(bars=bars, top=top, total=total, best=best)


def _period() -> tuple[int, str | None]:
    raw = request.args.get("period", "")
    if not raw:
        return DEFAULT_PERIOD, None
    if raw.isdigit() and int(raw) in PERIODS:
        return int(raw), None
    choices = ", ".join(str(days) for days in PERIODS)
    return DEFAULT_PERIOD, (f"“{raw[:20]}” is not a period the dashboard knows ({choices} "
                            f"days); showing the last {DEFAULT_PERIOD} days.")


@bp.get("/")
@roles_required(Role.ADMIN)
def dashboard():
    period, problem = _period()
    today = utcnow().date()
    since = reports.start_of_day(today - timedelta(days=period - 1))
    low_stock_count, low_stock = reports.low_stock()
    question_count, questions = reports.new_questions()
    html = render_template(
        "admin/dashboard.html",
        today=today, totals=reports.sales_totals(today),
        chart=build_chart(reports.daily_sales(today)),
        period=period, periods=PERIODS, problem=problem,
        by_article=reports.sales_by_article(since),
        by_condition=reports.sales_by_condition(since),
        share=reports.article_share(since),
        by_routine=reports.sales_by_routine(since),
        low_stock_count=low_stock_count, low_stock=low_stock,
        question_count=question_count, questions=questions,
        recent_orders=reports.recent_orders(),
        broken_picks=reports.unavailable_recommendations(),
        untaxed=shipping.untaxed_places(),
    )
    return html, 400 if problem else 200
