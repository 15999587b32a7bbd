"""The seed's answer, read as a reader reads it: the milia article, the milia page and the
tretinoin page of the demo shop carry every point of the page the shop grew from, and the
doctor's promises (no financial ties, hand-picked products) are true of the data."""

from __future__ import annotations

import pytest
from bs4 import Tag
from sqlalchemy import select

from storefront.catalog.models import Brand, FinancialTie, Product, Variant
from storefront.content.models import ReaderQuestion
from storefront.extensions import db
from tests.helpers import SAME_ORIGIN
from tests.helpers.admin import as_editor
from tests.helpers.content import page, seed_demo
from tests.helpers.pages import Page, classes, links, one, product_slug, text

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


def reader(client, url: str) -> Page:
    return Page(page(client, url))


def pick_cards(document: Page) -> list[Tag]:
    """The recommended products' cards, in the order the page recommends them."""
    return document.one("section.recommendations").select("li.pick")


def _to_cart(form: Tag) -> bool:
    return str(form.get("action", "")).startswith("/cart")


def has_buy_button(element: Tag) -> bool:
    forms = [form for form in element.select("form") if _to_cart(form)]
    buttons = [b for b in element.select("button") if "Add to cart" in text(b)]
    return bool(forms or buttons or element.select('input[name="quantity"]'))


def assert_tretinoin_first_for_prevention(document: Page) -> Tag:
    first = pick_cards(document)[0]
    card = one(first, "article.rx-card")
    assert text(one(card, "p.pick-role")) == "Prevention"
    assert "Ask your dermatologist about Tretinoin" in text(one(card, "h3"))
    assert text(one(card, "p.brand-names")) == "Brand names: Renova, Retin-A"
    assert not has_buy_button(first), "a prescription medicine is never for sale"
    alternatives = one(first, "ul.pick-alternatives")
    slugs = [product_slug(href) for href, _text in links(alternatives)]
    assert slugs == ["adapalene-gel", "retinol-night-serum"], "adapalene, then a retinol"
    for item in alternatives.select("li"):
        assert len(text(item).split(":", 1)[1]) > 30, "each alternative says why"
    return first


def tretinoin_variant(app) -> str:
    with app.app_context():
        return str(db.session.scalar(select(Variant.id).join(Product).where(
            Product.slug == "tretinoin-cream")))


def variants_for_sale(document: Page) -> set[str]:
    """The sizes the page's add-to-cart forms would put in the cart."""
    return {str(field.get("value")) for form in document.all("form") if _to_cart(form)
            for field in form.select('input[name="variant_id"]')}


def test_the_milia_article_carries_every_point_of_the_seed(client, demo, app):
    document = reader(client, MILIA_ARTICLE)
    body = document.one("div.article-body")
    words = text(body)
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
    assert ("/articles/moles-lumps-and-bumps", "Moles, lumps and bumps") in links(body)
    assert tretinoin_variant(app) not in variants_for_sale(document), "never for sale"
    assert_tretinoin_first_for_prevention(document)


def test_the_author_box_has_the_photo_the_statements_and_the_ask_button(client, demo):
    box = reader(client, MILIA_ARTICLE).one("section.author-box")
    assert text(one(box, "h2")) == "Dr. Maren Halden"
    assert "MD, board-certified dermatologist" in text(box)
    photo = one(box, "img.author-photo")
    assert photo["alt"] == "Illustrated portrait of Dr. Maren Halden in a white coat"
    assert str(photo["src"]).startswith("/media/authors/")
    picture = client.get(str(photo["src"]))
    assert picture.status_code == 200
    assert picture.mimetype == "image/jpeg"
    statements = [text(item) for item in one(box, "ul.author-statements").select("li")]
    assert len(statements) == 3
    for expected, statement in zip(STATEMENTS, statements, strict=True):
        assert expected in statement
    assert ("/ask?article=what-causes-milia", "Ask me your skincare question!") in links(box)
    assert len(reader(client, "/articles").all("article.article-teaser")) > 1
    assert "Medically reviewed" not in page(client, MILIA_ARTICLE), "one author, no reviewer"


def test_the_milia_page_recommends_tretinoin_first_with_insurance_and_aesthetician(client,
                                                                                    demo, app):
    document = reader(client, "/conditions/milia")
    helps = text(document.one("#helps-title").parent)
    assert "tretinoin, sold as Renova and Retin-A" in helps
    assert "insurance usually counts it as cosmetic and does not pay" in helps
    assert "experienced aesthetician" in helps
    assert "varies between states" in helps
    causes = text(document.one("#causes-title").parent)
    assert "often called clogged pores, which is close but not quite it" in causes
    first = assert_tretinoin_first_for_prevention(document)
    assert "/products/tretinoin-cream" in [href for href, _text in links(first)]
    later = [product_slug(href) for card in pick_cards(document)[1:]
             for href, _text in links(card)]
    assert later[:1] == ["adapalene-gel"]
    assert "retinol-night-serum" in later
    for_sale = variants_for_sale(document)
    assert for_sale
    assert tretinoin_variant(app) not in for_sale


def test_the_tretinoin_page_is_information_with_alternatives_that_do_the_same_job(client,
                                                                                  demo, app):
    document = reader(client, "/products/tretinoin-cream")
    summary = document.one("div.product-summary")
    assert "Prescription only: ask your dermatologist" in text(summary)
    assert text(one(summary, "p.brand-names")) == "Brand names: Renova, Retin-A"
    assert not has_buy_button(summary)
    assert tretinoin_variant(app) not in variants_for_sale(document)
    assert "price" not in {c for p in summary.select("span") for c in classes(p)}
    helps = document.one("#helps-heading").parent
    first = one(helps, "div.helps-with")
    assert text(one(first, "h3")) == "Milia"
    assert "Prevention" in text(first)
    alternatives = document.one("#alternatives-heading").parent
    cards = alternatives.select("article.product-card")
    slugs = [product_slug(str(one(card, "h3 a")["href"])) for card in cards]
    assert set(slugs[:2]) == {"adapalene-gel", "retinol-night-serum"}, "retinoids first"
    assert not set(slugs) & NOT_THE_SAME_JOB, "a sunscreen or vitamin C is not a retinoid"
    for card in cards:
        assert "Why it helps:" in text(card)
    retinol = cards[slugs.index("retinol-night-serum")]
    assert "Milia: A gentler retinoid" in text(retinol), "the reason for the job that matters"


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
    assert "You are asking about What causes milia?" in ask_page.text_of("p.ask-context")
    form = ask_page.one('form[action="/ask"]')
    hidden = {str(field["name"]): str(field.get("value", ""))
              for field in form.select('input[type="hidden"]')}
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
    item = inbox.one("li.question-item")
    assert "Asked from What causes milia?" in text(item)
    assert ("/articles/what-causes-milia", "What causes milia?") in links(item)


@pytest.mark.parametrize("article", ["no-such-article", "starting-a-retinoid-without-irritation",
                                     "x" * 500])
def test_an_unknown_or_unpublished_article_is_not_carried(client, demo, article):
    ask_page = page(client, f"/ask?article={article}")
    assert "You are asking about" not in ask_page
    assert 'name="article"' not in ask_page


def test_the_shop_opens_with_the_doctor_s_introduction(client, demo):
    for url in ("/products", "/"):
        intro = reader(client, url).one("section.shop-introduction")
        assert text(one(intro, "h2")) == "Why I think good skincare is worth paying for"
        assert "picked myself" in text(intro)
        assert "tried it at the clinic" in text(intro)
        assert "in my own morning and evening routine" in text(intro)
        assert "Dr. Maren Halden" in text(one(intro, "p.signature"))
    assert 'class="shop-introduction"' not in page(client, "/products?category=serums")
    assert 'class="shop-introduction"' not in page(client, "/products?page=2")


def test_the_demo_shop_has_no_house_brand_and_says_how_it_earns(client, demo, app):
    with app.app_context():
        brands = list(db.session.scalars(select(Brand)))
        assert {brand.financial_tie for brand in brands} == {FinancialTie.NONE}
        assert not [b.name for b in brands if "halden" in b.name.lower()]
    about = text(reader(client, "/about").one("#how-we-earn").parent)
    assert "by selling the products it recommends" in about
    assert "no brand can pay to be recommended" in about
    assert "We have no financial tie to any brand" in about


@pytest.mark.parametrize("query", ["Renova", "Retin-A"])
def test_the_brand_names_find_tretinoin_and_the_milia_article(client, demo, query):
    document = reader(client, f"/search?q={query}")
    products = document.one("#products-heading").parent
    articles = document.one("#articles-heading").parent
    assert "/products/tretinoin-cream" in [href for href, _text in links(products)]
    assert MILIA_ARTICLE in [href for href, _text in links(articles)]
