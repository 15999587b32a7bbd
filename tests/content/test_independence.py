"""Independence as data: a brand's financial tie to the shop is recorded, and every card,
recommendation, mention and product page of that brand's products discloses it."""

from __future__ import annotations

import pytest
from bs4 import Tag
from sqlalchemy import select

from storefront.catalog.models import Brand, FinancialTie, Product
from storefront.content.models import Article, Condition
from storefront.extensions import db
from tests.factories import AdminFactory, BrandFactory, EditorFactory, ProductFactory
from tests.helpers import login, logout
from tests.helpers.admin import audit_log, post_form
from tests.helpers.content import page, seed_demo
from tests.helpers.pages import Page, product_slug, text


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture
def demo(app, db, media_root, monkeypatch):
    seed_demo(app, media_root, monkeypatch)


TIES = {"marlow-clinical": FinancialTie.AFFILIATE, "brightwater-derm": FinancialTie.OWN_BRAND}


def _presenter(link: Tag) -> Tag:
    """The card, list item or sentence that shows the product a link leads to."""
    card = link.find_parent("article", class_="card")
    return card or link.find_parent(["li", "p"]) or link.parent


def _discloses(element: Tag) -> bool:
    return element.select_one(".disclosure, .disclosure-note") is not None


def shop_pages(app) -> list[str]:
    """Every page a reader can reach that shows products."""
    with app.app_context():
        products = db.session.scalars(select(Product.slug)).all()
        conditions = db.session.scalars(select(Condition.slug)).all()
        articles = db.session.scalars(select(Article.slug).where(Article.visible_clause())).all()
    return (["/", "/products", "/products?page=2", "/products?page=3", "/search?q=retin",
             "/search?q=cream", "/search?q=Renova", "/about"]
            + [f"/products?condition={slug}" for slug in conditions]
            + [f"/conditions/{slug}" for slug in conditions]
            + [f"/articles/{slug}" for slug in articles]
            + [f"/products/{slug}" for slug in products])


def disclosure_check(client, app) -> tuple[list[str], dict[str, int]]:
    """(what is shown without its disclosure, how often each tied brand was disclosed)."""
    with app.app_context():
        tied = {slug: brand for slug, brand in db.session.execute(
            select(Product.slug, Brand.slug).join(Brand)
            .where(Brand.financial_tie != FinancialTie.NONE))}
    missing, disclosed = [], {brand: 0 for brand in set(tied.values())}
    for url in shop_pages(app):
        document = Page(page(client, url))
        own = product_slug(url)
        if own in tied:
            summary = document.one("div.product-summary")
            if not _discloses(summary):
                missing.append(f"{url}: the product page itself")
        for link in document.all("a[href]"):
            slug = product_slug(str(link["href"]))
            if slug not in tied or (slug == own and link.find_parent(class_="product-summary")):
                continue
            if _discloses(_presenter(link)):
                disclosed[tied[slug]] += 1
            else:
                missing.append(f"{url}: {slug} ({text(link)})")
    return missing, disclosed


def test_every_product_of_a_brand_with_a_tie_discloses_it_wherever_it_is_shown(client, demo,
                                                                               app):
    with app.app_context():
        for brand in db.session.scalars(select(Brand).where(Brand.slug.in_(TIES))):
            brand.financial_tie = TIES[brand.slug]
        db.session.commit()
    missing, disclosed = disclosure_check(client, app)
    assert missing == []
    assert min(disclosed.values()) >= 20, disclosed  # recommendations, cards, alternatives
    first = Page(page(client, "/conditions/milia")).text_of("li.pick")
    assert "Disclosure: affiliate. The shop earns a commission from this brand" in first
    author = Page(page(client, "/articles/what-causes-milia")).text_of("section.author-box")
    assert "financial tie to 2 brands" in author
    assert "not affiliated" not in author, "the promise follows the data"
    about = text(Page(page(client, "/about")).one("#how-we-earn").parent)
    assert "Marlow Clinical : affiliate." in about
    assert "Brightwater Derm : our own brand." in about


def test_the_demo_has_no_tie_that_a_page_does_not_disclose(client, demo, app):
    missing, disclosed = disclosure_check(client, app)
    assert missing == [], (missing, disclosed)
    assert all(disclosed.values()), (missing, disclosed)
    with app.app_context():
        assert not db.session.scalars(select(Brand).where(
            Brand.financial_tie != FinancialTie.NONE)).all(), "the seed promises no ties"


@pytest.mark.parametrize("tie", [FinancialTie.PAID_PARTNERSHIP, FinancialTie.NONE])
def test_an_admin_records_a_tie_and_the_change_is_audited(client, make, app, tie):
    product = make(ProductFactory, name="Calm Cream")
    admin = make(AdminFactory)
    login(client, admin.email)
    assert "Calm Cream" not in page(client, "/admin/brands")  # brands, not products
    url = f"/admin/brands/{product.brand_id}/edit"
    response = post_form(client, url, {"name": "Fern & Co", "description": "",
                                       "financial_tie": tie.value})
    assert response.status_code == 303
    with app.app_context():
        brand = db.session.get(Brand, product.brand_id)
        assert (brand.name, brand.financial_tie) == ("Fern & Co", tie)
    [entry] = audit_log(app, "brand.")
    assert entry.actor_id == admin.id
    assert entry.after["name"] == "Fern & Co"
    if tie is FinancialTie.NONE:
        assert "financial_tie" not in entry.after
        assert "Disclosure" not in page(client, f"/products/{product.slug}")
    else:
        assert entry.before["financial_tie"] == "none"
        assert entry.after["financial_tie"] == "paid_partnership"
        assert "Disclosure: paid partnership." in page(client, f"/products/{product.slug}")


def test_brand_input_is_checked_and_editors_cannot_set_ties(client, make, app):
    brand = make(BrandFactory, name="Quiet Fern")
    other = make(BrandFactory, name="Marlow")
    admin = make(AdminFactory)
    login(client, admin.email)
    url = f"/admin/brands/{brand.id}/edit"
    for data, message in (({"name": "marlow", "financial_tie": "none"}, "already called"),
                          ({"name": "", "financial_tie": "none"}, "This field is required"),
                          ({"name": "Fern", "financial_tie": "bribe"}, "Not a valid choice")):
        response = post_form(client, url, {"description": "", **data})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert audit_log(app, "brand.") == []
    assert other.name == "Marlow"
    editor = make(EditorFactory)
    logout(client)
    login(client, editor.email)
    assert client.get(url).status_code in (302, 403)
