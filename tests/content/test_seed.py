"""The seed's answer, read as a reader reads it: the milia article, the milia page and the
tretinoin page of the demo shop carry every point of the page the shop grew from, and the
doctor's promises (no financial ties, hand-picked products) are true of the data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.catalog.models import Brand, FinancialTie, Product, Variant
from storefront.content.models import ReaderQuestion
from storefront.extensions import db
from tests.helpers import SAME_ORIGIN
from tests.helpers.admin import as_editor
from tests.helpers.content import page, seed_demo
from tests.helpers.html_reader import Element, product_slug, read

MILIA_ARTICLE = "/articles/what-causes-milia"
RETINOIDS = {"tretinoin-cream", "adapalene-gel", "retinol-night-serum", "retinol-starter-serum"}
NOT_THE_SAME_JOB = {"mineral-sunscreen-spf50", "tinted-mineral-sunscreen-spf30",
                    "oil-control-fluid-spf50", "family-body-sunscreen-spf30",
                    "vitamin-c-serum", "vitamin-c-brightening-moisturiser"}
STATEMENTS = ("research and write every article on this site myself",
              "clinic in Seattle has looked after thousands of patients for more than fifteen "
              "years",
              "not affiliated with, or financially tied to, any product, treatment or device")


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture
def demo(app, db, media_root, monkeypatch):
    seed_demo(app, media_root, monkeypatch)


def reader(client, url: str) -> Element:
    return read(page(client, url))


def pick_cards(document: Element) -> list[Element]:
    """The recommended products' cards, in the order the page recommends them."""
    picks = document.find("section", cls="recommendations")
    return [item for item in picks.find_all("li", cls="pick")]


def has_buy_button(element: Element) -> bool:
    forms = [form for form in element.find_all("form")
             if form.attrs.get("action", "").startswith("/cart")]
    buttons = [b for b in element.find_all("button") if "Add to cart" in b.text]
    return bool(forms or buttons or element.find_all("input", name="quantity"))


def assert_tretinoin_first_for_prevention(document: Element) -> Element:
    first = pick_cards(document)[0]
    card = first.find("article", cls="rx-card")
    assert card.find("p", cls="pick-role").text == "Prevention"
    assert "Ask your dermatologist about Tretinoin" in card.find("h3").text
    assert card.find("p", cls="brand-names").text == "Brand names: Renova, Retin-A"
    assert not has_buy_button(first), "a prescription medicine is never for sale"
    alternatives = first.find("ul", cls="pick-alternatives")
    slugs = [product_slug(href) for href, _text in alternatives.links()]
    assert slugs == ["adapalene-gel", "retinol-night-serum"], "adapalene, then a retinol"
    for item in alternatives.find_all("li"):
        assert len(item.text.split(":", 1)[1]) > 30, "each alternative says why"
    return first


def tretinoin_variant(app) -> str:
    with app.app_context():
        return str(db.session.scalar(select(Variant.id).join(Product).where(
            Product.slug == "tretinoin-cream")))


def variants_for_sale(document: Element) -> set[str]:
    """The sizes the page's add-to-cart forms would put in the cart."""
    return {field.attrs.get("value") for form in document.find_all("form")
            if form.attrs.get("action", "").startswith("/cart")
            for field in form.find_all("input", name="variant_id")}


def test_the_milia_article_carries_every_point_of_the_seed(client, demo, app):
    document = reader(client, MILIA_ARTICLE)
    body = document.find("div", cls="article-body")
    words = body.text
    assert "clogged pores" in words, "the common name, corrected"
    assert "not quite it" in words, "the common name, corrected"
    assert "no opening at all" in words
    assert "keratin" in words
    assert "too deep" in words
    assert "tretinoin" in words
    assert "Renova" in words
    assert "Retin-A" in words
    assert words.index("tretinoin") < words.index("adapalene") < words.index("retinol")
    assert "insurance usually counts this as cosmetic and doesn't pay" in words
    assert "aesthetician" in words
    assert "varies between states" in words
    assert "Phone first and check that milia removal is something they offer" in words
    assert ("/articles/moles-lumps-and-bumps", "Moles, lumps and bumps") in body.links()
    assert tretinoin_variant(app) not in variants_for_sale(document), "never for sale"
    assert_tretinoin_first_for_prevention(document)


def test_the_author_box_has_the_photo_the_statements_and_the_ask_button(client, demo):
    box = reader(client, MILIA_ARTICLE).find("section", cls="author-box")
    assert box.find("h2").text == "Dr. Maren Halden"
    assert "MD, board-certified dermatologist" in box.text
    photo = box.find("img", cls="author-photo")
    assert photo.attrs["alt"] == "Illustrated portrait of Dr. Maren Halden in a white coat"
    assert photo.attrs["src"].startswith("/media/authors/")
    picture = client.get(photo.attrs["src"])
    assert picture.status_code == 200
    assert picture.mimetype == "image/jpeg"
    statements = [item.text for item in box.find("ul", cls="author-statements").find_all("li")]
    assert len(statements) == 3
    for expected, statement in zip(STATEMENTS, statements, strict=True):
        assert expected in statement
    assert ("/ask?article=what-causes-milia", "Ask me your skincare question!") in box.links()
    assert len(read(page(client, "/articles")).find_all("article", cls="article-teaser")) > 1
    assert "Medically reviewed" not in page(client, MILIA_ARTICLE), "one author, no reviewer"


def test_the_milia_page_recommends_tretinoin_first_with_insurance_and_aesthetician(client,
                                                                                    demo, app):
    document = reader(client, "/conditions/milia")
    helps = document.by_id("helps-title").parent.text
    assert "tretinoin, sold as Renova and Retin-A" in helps
    assert "insurance usually counts it as cosmetic and does not pay" in helps
    assert "experienced aesthetician" in helps
    assert "varies between states" in helps
    causes = document.by_id("causes-title").parent.text
    assert "often called clogged pores, which is close but not quite it" in causes
    first = assert_tretinoin_first_for_prevention(document)
    assert "/products/tretinoin-cream" in [href for href, _text in first.links()]
    later = [product_slug(href) for card in pick_cards(document)[1:]
             for href, _text in card.links()]
    assert later[:1] == ["adapalene-gel"]
    assert "retinol-night-serum" in later
    for_sale = variants_for_sale(document)
    assert for_sale
    assert tretinoin_variant(app) not in for_sale


def test_the_tretinoin_page_is_information_with_alternatives_that_do_the_same_job(client,
                                                                                  demo, app):
    document = reader(client, "/products/tretinoin-cream")
    summary = document.find("div", cls="product-summary")
    assert "Prescription only: ask your dermatologist" in summary.text
    assert summary.find("p", cls="brand-names").text == "Brand names: Renova, Retin-A"
    assert not has_buy_button(summary)
    assert tretinoin_variant(app) not in variants_for_sale(document)
    assert "price" not in {c for p in summary.find_all("span") for c in p.classes}
    helps = document.by_id("helps-heading").parent
    first = helps.find("div", cls="helps-with")
    assert first.find("h3").text == "Milia"
    assert "Prevention" in first.text
    alternatives = document.by_id("alternatives-heading").parent
    cards = alternatives.find_all("article", cls="product-card")
    slugs = [product_slug(card.find("h3").find("a").attrs["href"]) for card in cards]
    assert set(slugs[:2]) == {"adapalene-gel", "retinol-night-serum"}, "retinoids first"
    assert not set(slugs) & NOT_THE_SAME_JOB, "a sunscreen or vitamin C is not a retinoid"
    for card in cards:
        assert "Why it helps:" in card.text
    retinol = cards[slugs.index("retinol-night-serum")]
    assert "Milia: A gentler retinoid" in retinol.text, "the reason for the job that matters"


def test_the_cart_refuses_tretinoin_with_a_clear_message(client, demo, app):
    variant_id = tretinoin_variant(app)
    page(client, "/products/adapalene-gel")
    response = client.post("/cart/add", data={"variant_id": variant_id, "quantity": "1"},
                           headers=SAME_ORIGIN)
    assert response.status_code == 422
    assert "prescription-only, so it can&#39;t be bought online" in response.get_data(
        as_text=True)
    assert client.get("/cart").get_data(as_text=True).count("Tretinoin") == 0


def test_the_ask_button_carries_the_article_to_the_inbox(client, demo, app, make):
    ask_page = reader(client, "/ask?article=what-causes-milia")
    context = ask_page.find("p", cls="ask-context")
    assert "You are asking about What causes milia?" in context.text
    form = ask_page.find("form", action="/ask")
    hidden = {field.attrs["name"]: field.attrs.get("value", "")
              for field in form.find_all("input", type="hidden")}
    assert hidden["article"] == "what-causes-milia"
    response = client.post("/ask", data={
        **hidden, "name": "Ines", "email": "ines@example.com", "skin_type": "",
        "question": "The bumps came back after I stopped the retinol. Should I restart?",
        "website": ""})
    assert response.status_code == 302
    with app.app_context():
        question = db.session.scalar(select(ReaderQuestion))
        assert question.asked_from.slug == "what-causes-milia"
        assert question.article is None, "asked from it, not answered by it"
    as_editor(client, make)
    inbox = reader(client, "/admin/questions")
    item = inbox.find("li", cls="question-item")
    assert "Asked from What causes milia?" in item.text
    assert ("/articles/what-causes-milia", "What causes milia?") in item.links()


@pytest.mark.parametrize("article", ["no-such-article", "starting-a-retinoid-without-irritation",
                                     "x" * 500])
def test_an_unknown_or_unpublished_article_is_not_carried(client, demo, article):
    ask_page = page(client, f"/ask?article={article}")
    assert "You are asking about" not in ask_page
    assert 'name="article"' not in ask_page


def test_the_shop_opens_with_the_doctor_s_introduction(client, demo):
    for url in ("/products", "/"):
        intro = reader(client, url).find("section", cls="shop-introduction")
        assert intro.find("h2").text == "Why I think good skincare is worth paying for"
        assert "picked myself" in intro.text
        assert "tried it at the clinic" in intro.text
        assert "in my own morning and evening routine" in intro.text
        assert "Dr. Maren Halden" in intro.find("p", cls="signature").text
    assert 'class="shop-introduction"' not in page(client, "/products?category=serums")
    assert 'class="shop-introduction"' not in page(client, "/products?page=2")


def test_the_demo_shop_has_no_house_brand_and_says_how_it_earns(client, demo, app):
    with app.app_context():
        brands = list(db.session.scalars(select(Brand)))
        assert {brand.financial_tie for brand in brands} == {FinancialTie.NONE}
        assert not [b.name for b in brands if "halden" in b.name.lower()]
    about = reader(client, "/about").by_id("how-we-earn").parent.text
    assert "by selling the products it recommends" in about
    assert "no brand can pay to be recommended" in about
    assert "We have no financial tie to any brand" in about


@pytest.mark.parametrize("query", ["Renova", "Retin-A"])
def test_the_brand_names_find_tretinoin_and_the_milia_article(client, demo, query):
    document = reader(client, f"/search?q={query}")
    products = document.by_id("products-heading").parent
    articles = document.by_id("articles-heading").parent
    assert "/products/tretinoin-cream" in [href for href, _text in products.links()]
    assert MILIA_ARTICLE in [href for href, _text in articles.links()]
