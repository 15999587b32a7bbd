"""Build my routine: every rule, whole routines for several answer sets, the one-press add,
the routine in the dashboard's figures, the shareable address, the routine saved in an
account, the questions' accessibility, and the editors' side. On SQLite and PostgreSQL.

The shop below has the default rules (``seed_default_rules``: cleanse, treat, moisturise,
sunscreen; retinoids, strong acids, ...; retinoid and strong acid on alternate evenings)
and four concerns:

    milia:             Retinol Serum, Adapalene Gel, glycolic acid (an ingredient)
    acne:              Adapalene Gel, BHA Cleanser, Tretinoin Cream (Rx), Niacinamide Serum,
                       azelaic acid (an ingredient)
    hyperpigmentation: Mineral SPF 50, Azelaic Cream, Vitamin C Serum, Glycolic Toner
    rosacea:           Cream Cleanser, Azelaic Cream, Barrier Cream
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import func, select, update
from werkzeug.datastructures import MultiDict

from storefront.audit.models import AuditEntry
from storefront.cart import services as cart_services
from storefront.cart.models import Cart, CartLine
from storefront.catalog import editing as inventory_services
from storefront.catalog.models import Product, Variant
from storefront.content import reading as content
from storefront.db import utcnow
from storefront.demo.routines import seed_routines
from storefront.extensions import db
from storefront.orders import reports
from storefront.orders.models import Order, OrderLine
from storefront.routines import services
from storefront.routines.defaults import seed_default_rules
from storefront.routines.models import (
    ConflictRule,
    IngredientClass,
    RoutineStep,
    SavedRoutine,
    StepKind,
)
from tests.factories import (
    AdminFactory,
    CategoryFactory,
    ConditionFactory,
    EditorFactory,
    ProductFactory,
    RecommendationFactory,
    UserFactory,
    fill_checkout,
    pay_with_demo,
)
from tests.helpers import csrf_from, login, submit
from tests.helpers.content import build, page
from tests.helpers.pages import Page
from tests.helpers.routines import ACNE_AND_MILIA, ALL, DRY_ONES, D, make_product, shop_setup


@pytest.fixture
def shop(app, db):
    return build(app, shop_setup)


# -- Looking at a routine --------------------------------------------------------------------

@dataclass
class Seen:
    """A routine as plain values (usable outside the app context)."""

    morning: list[tuple[str, str | None]]
    evening: list[tuple[str, str | None]]
    advice: list[str]
    notes: list[str]
    to_buy: list[str]
    total: Decimal
    alternating: list[tuple[str, list[str], list[str], str]]
    reasons: dict[str, list[str]]
    instead_of: dict[str, str]


def _line(line: services.Line) -> tuple[str, str | None]:
    return (line.step.name, line.item.name if line.item else None)


def _answers(query: str):
    conditions = content.all_conditions()
    answers = services.answers_from(MultiDict(parse_qsl(query)), conditions)
    return answers, services.chosen_conditions(answers, conditions)


def routine_of(app, query: str) -> Seen:
    with app.app_context():
        routine = services.build_routine(*_answers(query))
        return Seen(
            morning=[_line(line) for line in routine.morning],
            evening=[_line(line) for line in routine.evening],
            advice=[advice.product.name for advice in routine.advice],
            notes=list(routine.notes),
            to_buy=[item.name for item in routine.to_buy], total=routine.total,
            alternating=[(a.time.value, [i.name for i in a.first], [i.name for i in a.second],
                          a.rule.explanation) for a in routine.alternations],
            reasons={item.name: [r.condition.slug if r.condition else r.why
                                 for r in item.reasons] for item in routine.items},
            instead_of={item.name: item.instead_of.name for item in routine.items
                        if item.instead_of})


def set_stock(app, product_id: int, stock: int) -> None:
    with app.app_context():
        db.session.execute(update(Variant).where(Variant.product_id == product_id)
                           .values(stock_on_hand=stock, stock_reserved=0))
        db.session.commit()


def sunscreen_every_morning(seen: Seen) -> None:
    """Rule 10, checked on every routine below."""
    assert seen.morning[-1] == ("Sunscreen", "Mineral SPF 50"), seen.morning
    assert all(step != "Sunscreen" for step, _ in seen.evening), seen.evening
    assert "Tinted Day Cream SPF 15" not in seen.to_buy


# -- Whole routines for several answer sets ------------------------------------------------------

def test_oily_skin_with_milia_and_acne_gets_one_treatment_for_both(app, shop):
    seen = routine_of(app, "skin=oily&concern=milia&concern=acne&steps=essential")
    assert seen.morning == [("Cleanse", "Gel Cleanser"), ("Moisturise", "Gel Moisturiser"),
                            ("Sunscreen", "Mineral SPF 50")]
    assert seen.evening == [("Cleanse", "Gel Cleanser"), ("Treat", "Adapalene Gel"),
                            ("Moisturise", "Gel Moisturiser")]
    assert seen.reasons["Adapalene Gel"] == ["milia", "acne"]
    assert seen.advice == ["Tretinoin Cream"]
    assert seen.notes == []
    assert seen.alternating == []
    assert seen.to_buy == ["Gel Cleanser", "Adapalene Gel", "Gel Moisturiser", "Mineral SPF 50"]
    assert seen.total == D("69.00")
    sunscreen_every_morning(seen)


def test_a_complete_routine_for_milia_puts_retinoid_and_acid_on_alternate_evenings(app, shop):
    seen = routine_of(app, "skin=normal&concern=milia&steps=complete")
    assert seen.evening == [("Cleanse", "Cream Cleanser"), ("Treat", "Retinol Serum"),
                            ("Treat", "Glycolic Toner"), ("Moisturise", "Barrier Cream")]
    assert seen.morning == [("Cleanse", "Cream Cleanser"), ("Moisturise", "Barrier Cream"),
                            ("Sunscreen", "Mineral SPF 50")]
    [(time, first, second, explanation)] = seen.alternating
    assert (time, first, second) == ("evening", ["Retinol Serum"], ["Glycolic Toner"])
    assert "alternate evenings" in explanation
    assert seen.notes == ["We left out Adapalene Gel: Retinol Serum already brings a retinoid, "
                          "and a second adds irritation, not results."]
    sunscreen_every_morning(seen)


def test_pregnancy_leaves_out_every_retinoid_prescription_included(app, shop):
    seen = routine_of(app, "skin=dry&concern=milia&concern=acne&steps=essential"
                           "&sensitivity=pregnant")
    names = [name for _, name in seen.morning + seen.evening]
    assert not {"Adapalene Gel", "Retinol Serum", "Tretinoin Cream"} & set(names)
    assert seen.evening == [("Cleanse", "Cream Cleanser"), ("Treat", "Glycolic Toner"),
                            ("Treat", "Niacinamide Serum"), ("Moisturise", "Barrier Cream")]
    assert seen.advice == []  # not even as something to ask about
    assert seen.notes == ["We left out Adapalene Gel, Retinol Serum and Tretinoin Cream: a "
                          "retinoid is avoided in pregnancy, while breastfeeding and when "
                          "trying for a baby."]
    sunscreen_every_morning(seen)


def test_a_prescription_retinoid_user_keeps_it_gets_no_second_and_at_most_three_actives(
        app, shop):
    seen = routine_of(app, "skin=combination&concern=milia&concern=acne"
                           "&concern=hyperpigmentation&steps=complete&sensitivity=rx-retinoid")
    assert seen.evening == [
        ("Cleanse", "Gel Cleanser"), ("Treat", "Your prescription retinoid"),
        ("Treat", "Glycolic Toner"), ("Treat", "Niacinamide Serum"), ("Treat", "Azelaic Cream"),
        ("Moisturise", "Gel Moisturiser")]
    assert seen.morning == [
        ("Cleanse", "Gel Cleanser"), ("Treat", "Niacinamide Serum"), ("Treat", "Azelaic Cream"),
        ("Moisturise", "Gel Moisturiser"), ("Sunscreen", "Mineral SPF 50")]
    [(time, first, second, _)] = seen.alternating
    assert (time, first, second) == ("evening", ["Your prescription retinoid"],
                                     ["Glycolic Toner"])
    assert seen.notes == [
        "We left out Adapalene Gel, Tretinoin Cream and Retinol Serum: you already use a "
        "prescription retinoid, and a second retinoid adds irritation, not results."]
    assert "Your prescription retinoid" not in seen.to_buy
    # One product can cover two concerns: the toner milia and dark spots, the cream acne
    # (its key ingredient is recommended) and dark spots.
    assert seen.reasons["Glycolic Toner"] == ["milia", "hyperpigmentation"]
    assert seen.reasons["Azelaic Cream"] == ["acne", "hyperpigmentation"]
    sunscreen_every_morning(seen)


def test_a_fourth_active_is_left_out_and_said(app, shop):
    def three_concerns():
        for place, (slug, key) in enumerate([("dullness", "vitamin_c"), ("redness", "azelaic"),
                                             ("texture", "glycolic")]):
            RecommendationFactory(condition=ConditionFactory(slug=slug, position=10 + place),
                                  product=db.session.get(Product, shop[key]))
    build(app, three_concerns)
    seen = routine_of(app, "skin=normal&concern=dullness&concern=redness&concern=texture"
                           "&steps=essential&sensitivity=rx-retinoid")
    assert seen.notes == [
        "We left out Glycolic Toner: a routine has at most 3 active treatments, and yours has "
        "Your prescription retinoid, Vitamin C Serum and Azelaic Cream."]
    assert [name for step, name in seen.morning if step == "Treat"] == [
        "Vitamin C Serum", "Azelaic Cream"]


def test_sensitive_skin_gets_basics_made_for_sensitive_skin(app, shop):
    seen = routine_of(app, "skin=oily&concern=rosacea&steps=essential&sensitivity=sensitive")
    assert seen.morning == [("Cleanse", "Cream Cleanser"), ("Treat", "Azelaic Cream"),
                            ("Moisturise", "Barrier Cream"), ("Sunscreen", "Mineral SPF 50")]
    assert seen.reasons["Cream Cleanser"] == ["rosacea"]
    sunscreen_every_morning(seen)


def test_never_more_than_three_actives_however_many_concerns(app, shop):
    for query in ("skin=normal&concern=milia&concern=acne&concern=hyperpigmentation"
                  "&steps=complete", "skin=oily&concern=acne&concern=hyperpigmentation"
                  "&concern=rosacea&steps=complete"):
        with app.app_context():
            routine = services.build_routine(*_answers(query))
            actives = [item.name for item in routine.items if item.active]
            assert len(actives) <= services.MAX_ACTIVES, (query, actives)
            classes = [kind.id for item in routine.items for kind in item.classes if kind.active]
            assert len(classes) == len(set(classes)), (query, "two of one active class")


# -- Prescriptions, stock, budget, sunscreen -----------------------------------------------------

def test_a_prescription_product_is_information_and_is_never_sold(app, shop):
    with app.app_context():
        routine = services.build_routine(*_answers("skin=oily&concern=acne&steps=complete"))
        [advice] = routine.advice
        assert advice.product.name == "Tretinoin Cream"
        assert "Tretinoin Cream" not in [item.name for item in routine.items]
        tretinoin = db.session.get(Product, shop["tretinoin"])
        cart = Cart()
        db.session.add(cart)
        db.session.flush()
        with pytest.raises(cart_services.NotForSale):
            cart_services.add_from_routine(cart, tretinoin.variants[0].id, "acne")
    html = page(app.test_client(), "/routine?concern=acne&skin=oily&steps=complete")
    advice_section = Page(html).text_of('section[aria-labelledby="advice-title"]')
    assert "Tretinoin Cream" in advice_section
    assert "ask your dermatologist" in advice_section
    buying = Page(html).text_of('section[aria-labelledby="buy-title"]')
    assert "Tretinoin" not in buying
    assert "Prescription products are never added" in buying


def test_an_out_of_stock_treatment_is_replaced_by_its_substitute(app, shop):
    def starter():
        retinol = db.session.scalar(select(Product).where(Product.slug == "retinol-serum"))
        make_product("Retinol Starter", retinol.category, retinol.ingredients, price="24.00")
    build(app, starter)
    set_stock(app, shop["retinol"], 0)
    seen = routine_of(app, "skin=normal&concern=milia&steps=essential")
    assert ("Treat", "Retinol Starter") in seen.evening
    assert seen.instead_of == {"Retinol Starter": "Retinol Serum"}
    assert "Retinol Serum" not in seen.to_buy
    assert "Retinol Starter" in seen.to_buy
    html = page(app.test_client(), "/routine?concern=milia&skin=normal&steps=essential")
    assert "Retinol Serum is out of stock, so this takes its place." in html


def test_without_a_substitute_an_out_of_stock_product_is_left_out_and_said(app, shop):
    set_stock(app, shop["retinol"], 0)
    set_stock(app, shop["adapalene"], 0)
    seen = routine_of(app, "skin=normal&concern=milia&steps=essential")
    assert ("Treat", "Glycolic Toner") in seen.evening
    assert seen.notes == ["We left out Retinol Serum and Adapalene Gel: out of stock, and "
                          "nothing similar is in stock right now."]


def test_an_out_of_stock_basic_gives_way_to_the_next_that_suits(app, shop):
    def second_cream():
        moisturisers = db.session.scalar(select(Product).where(
            Product.slug == "barrier-cream")).category
        make_product("Rich Cream", moisturisers, skin=DRY_ONES, price="26.00")
    build(app, second_cream)
    set_stock(app, shop["barrier"], 0)
    seen = routine_of(app, "skin=dry&concern=rosacea&steps=essential")
    assert ("Moisturise", "Rich Cream") in seen.morning
    assert seen.instead_of["Rich Cream"] == "Barrier Cream"


def test_sunscreen_of_spf_30_or_more_is_in_every_morning_whatever_editors_tick(app, shop):
    def untick():
        step = db.session.scalar(select(RoutineStep).where(RoutineStep.slug == "sunscreen"))
        step.essential, step.evening, step.morning = False, True, False
    build(app, untick)
    for query in ("skin=dry&concern=rosacea&steps=essential",
                  "skin=oily&concern=acne&steps=complete&budget=60",
                  "skin=normal&concern=milia&steps=essential&sensitivity=pregnant"):
        sunscreen_every_morning(routine_of(app, query))
    set_stock(app, shop["spf50"], 0)  # only the SPF 15 cream is left: not enough
    seen = routine_of(app, "skin=dry&concern=rosacea&steps=essential")
    assert seen.morning[-1] == ("Sunscreen", None)
    html = page(app.test_client(), "/routine?concern=rosacea&skin=dry&steps=essential")
    assert "Use any broad-spectrum sunscreen of SPF 30 or more, every morning" in html


def test_a_budget_takes_the_least_expensive_basics_and_drops_treatments_to_fit(app, shop):
    seen = routine_of(app, "skin=oily&concern=milia&concern=acne&steps=essential&budget=60")
    assert seen.to_buy == ["Gel Cleanser", "Gel Moisturiser", "Mineral SPF 50"]
    assert seen.total == D("53.00")
    assert seen.notes == ["To stay within your budget of €60.00, we left out Adapalene Gel."]
    roomy = routine_of(app, "skin=oily&concern=milia&concern=acne&steps=essential&budget=100")
    assert "Adapalene Gel" in roomy.to_buy
    assert roomy.notes == []


def test_building_a_routine_takes_the_same_number_of_statements_for_a_bigger_shop(
        app, shop, count_queries):
    def measure():
        with app.app_context(), count_queries() as counter:
            services.build_routine(*_answers("skin=normal&concern=milia&concern=acne"
                                             "&concern=hyperpigmentation&steps=complete"))
        return counter.count

    few = measure()

    def more():
        milia = content.condition_by_slug("milia")
        serums = db.session.scalar(select(Product).where(Product.slug == "retinol-serum"))
        for n in range(12):
            product = make_product(f"Extra Serum {n}", serums.category)
            RecommendationFactory(condition=milia, product=product, position=10 + n)
    build(app, more)
    assert measure() == few
    assert few <= 17


# -- The questions and the shareable address -----------------------------------------------------

class Outline(HTMLParser):
    """Headings, form controls, labels and fieldsets of a page."""

    def __init__(self):
        super().__init__()
        self.headings, self.inputs, self.labels = [], [], set()
        self.fieldsets = self.legends = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "input" and attrs.get("type") not in ("hidden", "submit"):
            self.inputs.append(attrs)
        elif tag == "label" and "for" in attrs:
            self.labels.add(attrs["for"])
        elif tag == "fieldset":
            self.fieldsets += 1
        elif tag == "legend":
            self.legends += 1


def outline(html: str) -> Outline:
    parsed = Outline()
    parsed.feed(Page(html).html_of("main"))
    return parsed


def headings_never_skip(levels: list[int]) -> None:
    assert levels.count(1) == 1, levels
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels


def test_the_questions_are_labelled_grouped_and_headed(app, shop, client):
    parsed = outline(page(client, "/routine"))
    assert parsed.fieldsets == parsed.legends == 5
    assert parsed.inputs
    assert all(i.get("id") in parsed.labels for i in parsed.inputs)
    names = {i["name"] for i in parsed.inputs}
    assert names == {"skin", "concern", "sensitivity", "steps", "budget"}
    headings_never_skip(parsed.headings)
    routine = outline(page(client, "/routine?concern=milia&skin=normal&steps=complete"))
    headings_never_skip(routine.headings)
    assert routine.fieldsets == 5
    assert all(i.get("id") in routine.labels for i in routine.inputs)


@pytest.mark.parametrize(("query", "field", "message"), [
    ("steps=essential&concern=milia", "skin", "Choose your skin type."),
    ("skin=dry&steps=essential", "concern", "Choose at least one concern."),
    ("skin=dry&concern=milia&concern=acne&concern=rosacea&concern=hyperpigmentation"
     "&steps=essential", "concern", "Choose up to 3 concerns"),
    ("skin=dry&concern=warts&steps=essential", "concern", "a page on one of those concerns"),
    ("skin=dry&concern=milia&steps=lots", "steps", "Choose an essential or a complete"),
    ("skin=dry&concern=milia&steps=essential&budget=5", "budget", "Choose one of the budgets"),
    ("skin=greasy&concern=milia&sensitivity=vegan&steps=complete", "sensitivity",
     "Tick only the sensitivities"),
])
def test_wrong_answers_are_explained_beside_their_question(app, shop, client, query, field,
                                                            message):
    html = page(client, f"/routine?{query}", status=400)
    assert 'role="alert"' in html
    assert message in html
    assert f'id="q-{field}" aria-describedby="q-{field}-error"' in html
    assert f'href="#q-{field}"' in html


def test_a_condition_link_ticks_its_concern_without_complaining(app, shop, client):
    html = page(client, "/routine?concern=milia")
    assert 'value="milia" checked' in html
    assert 'role="alert"' not in html


def _without_tokens(html: str) -> str:
    """The page's main part with every CSRF token blanked (they differ per visitor)."""
    main = Page(html).one("main")
    for token in main.select('input[name="csrf_token"]'):
        token["value"] = ""
    return str(main)


def test_the_shareable_address_shows_the_same_routine_to_anyone(app, shop, count_queries):
    first = page(app.test_client(), ACNE_AND_MILIA)
    assert ('<link rel="canonical" href="http://shop.test/routine?concern=acne&amp;'
            'concern=milia&amp;skin=oily&amp;steps=essential">') in first
    assert 'value="http://shop.test/routine?concern=acne&amp;concern=milia' in first
    share = Page(_without_tokens(first)).html_of('section[aria-labelledby="share-title"]')
    assert "@" not in share
    reordered = ("/routine?steps=essential&concern=milia&utm_source=mail&skin=oily"
                 "&concern=acne&concern=milia")
    with count_queries() as counter:
        second = page(app.test_client(), reordered)
    assert counter.count == 0, "the same answers in another order are the same stored page"
    assert _without_tokens(second) == _without_tokens(first)


def test_entry_points_on_home_conditions_and_articles(app, shop, client):
    assert 'href="/routine"' in page(client, "/")
    assert 'href="/routine?concern=milia"' in page(client, "/conditions/milia")
    assert 'href="/routine?concern=milia"' in page(client, "/articles/what-causes-milia")
    assert "<loc>http://shop.test/routine</loc>" in page(client, "/sitemap.xml")


# -- The one-press add -----------------------------------------------------------------------------

def _press_add(client, url: str = ACNE_AND_MILIA):
    html = page(client, url)
    fields = Page(html).form_items('form[method="post"][action="/routine/cart"]')
    assert not [name for name, _ in fields if "variant" in name or "product" in name]
    return client.post("/routine/cart", data=MultiDict(fields))


def cart_lines(app) -> list[tuple[str, int, str | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(Product.name, CartLine.quantity, CartLine.source_routine)
            .join(Variant, Variant.id == CartLine.variant_id)
            .join(Product, Product.id == Variant.product_id).order_by(CartLine.id))
        return [tuple(row) for row in rows]


def test_one_press_puts_the_whole_routine_in_the_cart_attributed(app, shop, client):
    response = _press_add(client)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/cart/")
    expected = [("Gel Cleanser", 1, "milia+acne"), ("Adapalene Gel", 1, "milia+acne"),
                ("Gel Moisturiser", 1, "milia+acne"), ("Mineral SPF 50", 1, "milia+acne")]
    assert cart_lines(app) == expected
    cart = page(client, "/cart/")
    assert "Added 4 products from your routine to your cart" in cart
    assert "Tretinoin" not in cart
    again = _press_add(client)  # pressing twice adds nothing twice
    assert again.status_code == 303
    assert cart_lines(app) == expected
    assert "Already in your cart, so left as they were" in page(client, "/cart/")


def test_one_press_checks_stock_at_the_moment_of_adding(app, shop):
    with app.app_context():
        routine = services.build_routine(*_answers(
            "skin=oily&concern=milia&concern=acne&steps=essential"))
        db.session.execute(update(Variant).where(Variant.product_id == shop["adapalene"])
                           .values(stock_on_hand=0))
        db.session.expire_all()  # another shopper bought the last one meanwhile
        cart = Cart()
        db.session.add(cart)
        db.session.flush()
        result = services.add_to_cart(cart, routine)
        assert result.problems == ["Sorry, Adapalene Gel (30 ml) is out of stock. It was "
                                   "left out."]
        assert len(result.added) == 3
        assert len(cart.lines) == 3


def test_one_press_rebuilds_the_routine_so_stock_gone_since_is_replaced(app, shop, client):
    page(client, ACNE_AND_MILIA)
    set_stock(app, shop["adapalene"], 0)
    _press_add(client)
    names = [name for name, _, _ in cart_lines(app)]
    assert "Adapalene Gel" not in names
    assert "Retinol Serum" in names


def test_one_press_with_answers_that_make_no_routine_is_refused(app, shop, client):
    token = csrf_from(page(client, "/account/login"))
    for data in ({}, {"skin": "oily", "steps": "essential"},
                 {"skin": "oily", "steps": "essential", "concern": "nope"}):
        response = client.post("/routine/cart", data={"csrf_token": token, **data})
        assert response.status_code == 400
        assert "read that routine&#39;s answers" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(CartLine.id))) == 0


def test_a_guests_routine_lines_keep_their_routine_when_they_log_in(app, shop, client, make):
    user = make(UserFactory)
    _press_add(client)
    login(client, user.email)
    with app.app_context():
        lines = db.session.scalars(select(CartLine).join(Cart).where(
            Cart.user_id == user.id)).all()
        assert {line.source_routine for line in lines} == {"milia+acne"}
        assert len(lines) == 4


def test_routine_sales_are_attributed_in_the_dashboard(app, shop, client, make):
    _press_add(client)
    fill_checkout(client)
    assert pay_with_demo(client).status_code in (302, 303)
    since = reports.start_of_day(utcnow().date() - timedelta(days=29))
    with app.app_context():
        sources = db.session.scalars(select(OrderLine.source_routine)).all()
        assert sources == ["milia+acne"] * 4
        share = reports.article_share(since)
        assert share.routine_sales == share.all_sales == D("69.00")
        assert share.routine_percent == 100
        [row] = reports.sales_by_routine(since)
        assert (row.concerns, row.orders, row.units, row.sales) == (
            ("Milia", "Acne"), 1, 4, D("69.00"))
    admin = app.test_client()
    login(admin, make(AdminFactory).email)
    html = page(admin, "/admin/")
    by_routine = Page(html).text_of('section[aria-labelledby="by-routine"]')
    assert "Milia + Acne" in by_routine
    assert "€69.00" in by_routine
    assert "(100%) was put in the cart with “Add the whole routine”" in html
    with app.app_context():
        number = db.session.scalar(select(Order.number))
    assert "A routine for milia, acne" in page(admin, f"/admin/orders/{number}")


# -- Saved in an account ---------------------------------------------------------------------------

def test_an_account_saves_its_routine_and_sees_it_there(app, shop, client, make):
    maya, ines = make(UserFactory), make(UserFactory)
    login(client, maya.email)
    html = page(client, ACNE_AND_MILIA)
    response = client.post("/routine/save", data=MultiDict(
        Page(html).form_items('form[method="post"][action="/routine/save"]')))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        "/account/routine")
    saved = page(client, "/account/routine")
    assert "Adapalene Gel" in saved
    assert "Mineral SPF 50" in saved
    assert 'href="/routine?concern=acne&amp;concern=milia&amp;skin=oily&amp;steps=essential"' \
        in saved
    assert 'href="/account/routine"' in page(client, "/account/")
    with app.app_context():
        kept = db.session.scalar(select(SavedRoutine).where(SavedRoutine.user_id == maya.id))
        assert kept.answers == "concern=acne&concern=milia&skin=oily&steps=essential"
    other = app.test_client()
    login(other, ines.email)
    assert "You haven't saved a routine yet" in page(other, "/account/routine")
    forget = submit(client, "/account/routine/forget", {}, form_url="/account/routine")
    assert forget.status_code == 303
    assert "You haven't saved a routine yet" in page(client, "/account/routine")


def test_saving_needs_an_account(app, shop, client):
    assert "csrf_token" not in page(client, ACNE_AND_MILIA)  # a guest's page: no token
    token = csrf_from(page(client, "/account/login"))
    response = client.post("/routine/save", data={"csrf_token": token, "skin": "oily",
                                                  "concern": "milia", "steps": "essential"})
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
    assert "Log in</a> to save it in your account" in page(client, ACNE_AND_MILIA)


# -- The editors' side ---------------------------------------------------------------------------

def _editor(app, make):
    browser = app.test_client()
    login(browser, make(EditorFactory).email)
    return browser


def _step_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(RoutineStep.id).where(RoutineStep.slug == slug))


def test_editors_reorder_the_steps_and_the_routine_follows(app, shop, make):
    editor = _editor(app, make)
    assert "Moisturise" in page(editor, "/admin/routine")
    moved = submit(editor, f"/admin/routine/steps/{_step_id(app, 'moisturise')}/move",
                   {"direction": "up"}, form_url="/admin/routine")
    assert moved.status_code == 303
    seen = routine_of(app, "skin=oily&concern=milia&concern=acne&steps=essential")
    assert [step for step, _ in seen.evening] == ["Cleanse", "Moisturise", "Treat"]
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "routine_step.moved")) == 1


def test_editors_change_a_conflict_and_readers_see_it(app, shop, make):
    editor = _editor(app, make)
    with app.app_context():
        rule_id = db.session.scalar(select(ConflictRule.id))
    url = f"/admin/routine/conflicts/{rule_id}/edit"
    assert "Retinoids and strong exfoliating acids" in page(editor, url)
    with app.app_context():
        rule = db.session.get(ConflictRule, rule_id)
        data = {"first": rule.first_class_id, "second": rule.second_class_id,
                "explanation": "Take turns: one evening each."}
    assert submit(editor, url, data).status_code == 303
    seen = routine_of(app, "skin=normal&concern=milia&steps=complete")
    assert seen.alternating[0][3] == "Take turns: one evening each."
    delete = submit(editor, f"/admin/routine/conflicts/{rule_id}/delete", {},
                    form_url="/admin/routine")
    assert delete.status_code == 303
    assert routine_of(app, "skin=normal&concern=milia&steps=complete").alternating == []


def test_classes_come_from_ingredients_editors_manage(app, shop, make):
    editor = _editor(app, make)
    with app.app_context():
        acid = db.session.scalar(select(IngredientClass).where(
            IngredientClass.slug == "strong-acid"))
        url = f"/admin/routine/classes/{acid.id}/edit"
        kept = [i.id for i in acid.ingredients if i.slug != "glycolic-acid"]
        data = [("name", acid.name), ("active", "y"), ("time_of_day", "evening"),
                ("note", ""), *[("ingredients", i) for i in kept]]
    token = csrf_from(page(editor, url))
    response = editor.post(url, data=MultiDict([("csrf_token", token), *data]))
    assert response.status_code == 303
    # Glycolic acid is no longer a strong acid: no alternate evenings with the retinoid.
    assert routine_of(app, "skin=normal&concern=milia&steps=complete").alternating == []


def test_the_rules_editors_cannot_break(app, shop, make):
    editor = _editor(app, make)
    sunscreen = _step_id(app, "sunscreen")
    refused = submit(editor, f"/admin/routine/steps/{sunscreen}/delete", {},
                     form_url="/admin/routine", follow_redirects=True)
    assert "The sunscreen step can&#39;t be removed" in refused.get_data(as_text=True)
    with app.app_context():
        serums = db.session.scalar(select(Product).where(
            Product.slug == "retinol-serum")).category_id
        retinoid = db.session.scalar(select(IngredientClass.id).where(
            IngredientClass.slug == "retinoid"))
        retinol = db.session.scalar(select(Product).where(
            Product.slug == "retinol-serum")).ingredients[0].id
    twice = submit(editor, "/admin/routine/steps/new", {
        "name": "Serum", "kind": "basic", "morning": "y", "categories": serums})
    assert twice.status_code == 422
    assert "already fills the step" in twice.get_data(as_text=True)
    second_sunscreen = submit(editor, "/admin/routine/steps/new", {
        "name": "More sun", "kind": "sunscreen", "morning": "y"})
    assert second_sunscreen.status_code == 422
    in_two = submit(editor, "/admin/routine/classes/new", {
        "name": "Vitamin A", "time_of_day": "evening", "ingredients": retinol})
    assert in_two.status_code == 422
    assert "is already in the class" in in_two.get_data(
        as_text=True)
    keep = submit(editor, f"/admin/routine/classes/{retinoid}/delete", {},
                  form_url="/admin/routine", follow_redirects=True)
    assert "The retinoid class can&#39;t be removed" in keep.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(RoutineStep.id))) == 4
        assert db.session.scalar(select(RoutineStep.kind).where(
            RoutineStep.id == sunscreen)) == StepKind.SUNSCREEN


def test_a_new_step_goes_last_and_fills_from_its_categories(app, shop, make):
    editor = _editor(app, make)
    with app.app_context():
        masks = CategoryFactory(slug="masks", name="Masks")
        make_product("Clay Mask", masks, skin=ALL, price="11.00")
        db.session.commit()
        masks_id = masks.id
    added = submit(editor, "/admin/routine/steps/new", {
        "name": "Mask", "kind": "basic", "evening": "y", "essential": "y",
        "categories": masks_id})
    assert added.status_code == 303
    essential = routine_of(app, "skin=normal&concern=milia&steps=essential")
    assert essential.evening[-1] == ("Mask", "Clay Mask")
    assert all(step != "Mask" for step, _ in essential.morning)


def test_an_admin_gives_a_sunscreen_its_spf_and_the_routine_takes_it(app, shop, make):
    admin_user = make(AdminFactory)
    admin = app.test_client()
    login(admin, admin_user.email)
    form = page(admin, f"/admin/products/{shop['spf15']}")
    assert 'name="spf"' in form
    assert "Sun protection factor (SPF)" in form
    set_stock(app, shop["spf50"], 0)
    with app.app_context():
        tinted = db.session.get(Product, shop["spf15"])
        diff = inventory_services.update_product(tinted, {"spf": 30}, admin_user)
        db.session.commit()
        assert diff == {"spf": (15, 30)}
    seen = routine_of(app, "skin=dry&concern=rosacea&steps=essential")
    assert seen.morning[-1] == ("Sunscreen", "Tinted Day Cream SPF 15")


# -- Defaults, demo and page without rules -------------------------------------------------------

def test_the_default_rules_are_made_once(app, shop):
    with app.app_context():
        assert seed_default_rules() == ["Routines: the default steps, classes and conflicts "
                                        "exist"]
        assert db.session.scalar(select(func.count(RoutineStep.id))) == 4
        assert db.session.scalar(select(func.count(IngredientClass.id))) == 6
        assert db.session.scalar(select(func.count(ConflictRule.id))) == 1


def test_the_demo_gives_its_sunscreens_their_spf(app, db):
    with app.app_context():
        product = ProductFactory(slug="mineral-sunscreen-spf50", name="Mineral Sunscreen")
        lines = seed_routines()
        assert product.spf == 50
        assert "Routines: set the SPF of 1 sunscreens" in lines
        assert "Routines: set the SPF" not in " ".join(seed_routines())


def test_without_steps_the_builder_says_it_is_not_open_yet(app, db, client):
    build(app, lambda: ConditionFactory(slug="milia", name="Milia"))
    html = page(client, "/routine?concern=milia&skin=dry&steps=essential")
    assert "still setting up the routine builder" in html
