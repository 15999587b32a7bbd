"""The shop's own pages (about, contact, shipping, returns, privacy, terms, legal notice) and
its particulars (name, contact e-mail, postal address): written in the admin with a preview
and an audit trail, shown in the footer of every page and e-mail, listed in the sitemap."""

from __future__ import annotations

import re

from bs4 import Tag
from sqlalchemy import select

from storefront.content.models import ShopText, ShopTextRevision
from storefront.demo.seeder import seed
from storefront.extensions import db
from storefront.mail import queue_mail
from storefront.settings import services as settings
from tests.factories import AdminFactory, EditorFactory, ProductFactory, UserFactory
from tests.helpers import login
from tests.helpers.admin import as_editor, audit_log, field_error, form_values, post_form
from tests.helpers.apps import make_test_app
from tests.helpers.content import PAYLOADS, assert_harmless, page
from tests.helpers.pages import Page, one, text

TERMS = {"heading": "Terms of sale", "body": "## Who we are\n\nWe sell **skincare**.",
         "author": "", "action": "save"}
SETTINGS = {"name": "Halden Skin Clinic", "email": "Hello@Halden.example",
            "address": "1200 Example Ave, Suite 4\nSeattle, WA 98101\n\nUnited States"}


def footer(html: str) -> Tag:
    return Page(html).one("footer")


def footer_links(html: str) -> dict[str, str]:
    nav = one(footer(html), 'nav[aria-label="About the shop"]')
    return {text(link): str(link["href"]) for link in nav.select("a")}


def sitemap_urls(client) -> set[str]:
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    return set(re.findall(r"<loc>([^<]+)</loc>", xml))


def revisions(app, key: str) -> list[tuple[int, str]]:
    with app.app_context():
        return [(row.version, row.body) for row in db.session.scalars(
            select(ShopTextRevision).join(ShopText, ShopText.id == ShopTextRevision.shop_text_id)
            .where(ShopText.key == key).order_by(ShopTextRevision.version))]


# --- Pages -------------------------------------------------------------------------------

def test_a_page_is_hidden_until_written_then_in_the_footer_and_the_sitemap(app, client,
                                                                          make):
    assert client.get("/terms").status_code == 404
    assert "/terms" not in footer_links(page(client, "/"))
    assert "http://shop.test/terms" not in sitemap_urls(client)
    editor = as_editor(client, make)
    listing = Page(page(client, "/admin/shop-pages"))
    assert "Hidden until written" in text(
        listing.one('a[href="/admin/shop-pages/terms"]').parent.parent)

    response = post_form(client, "/admin/shop-pages/terms", TERMS)
    assert response.status_code == 303
    shown = Page(page(client, "/terms"))
    assert shown.text_of("h1") == "Terms of sale"
    assert shown.text_of("strong") == "skincare"
    assert "Version 1" in shown.text_of("main")
    for url in ("/", "/products", "/about", "/terms"):
        assert footer_links(page(client, url))["Terms and conditions"] == "/terms"
    assert "http://shop.test/terms" in sitemap_urls(client)
    [created] = audit_log(app, "shop_text.")
    assert (created.action, created.actor_id) == ("shop_text.created", editor.id)
    assert "version 1" in created.summary


def test_each_change_of_wording_is_a_new_version_kept_as_it_was(app, client, make):
    as_editor(client, make)
    post_form(client, "/admin/shop-pages/terms", TERMS)
    values = form_values(page(client, "/admin/shop-pages/terms"))
    assert values["heading"] == "Terms of sale"
    post_form(client, "/admin/shop-pages/terms", {**values, "body": "New terms.",
                                                   "action": "save"})
    post_form(client, "/admin/shop-pages/terms", {**values, "body": "New terms.",
                                                   "action": "save"})  # unchanged
    assert revisions(app, "terms") == [(1, TERMS["body"]), (2, "New terms.")]
    assert "Version 2" in page(client, "/terms")
    _created, updated = audit_log(app, "shop_text.")
    assert updated.before == {"body": TERMS["body"]}
    assert updated.after == {"body": "New terms."}


def test_the_preview_shows_the_page_and_saves_nothing(app, client, make):
    as_editor(client, make)
    response = post_form(client, "/admin/shop-pages/privacy",
                         {**TERMS, "heading": "Privacy", "action": "preview"})
    assert response.status_code == 200
    preview = Page(response.get_data(as_text=True))
    assert "Preview, not saved" in preview.text_of("#preview")
    assert preview.text_of("#preview strong") == "skincare"
    assert client.get("/privacy").status_code == 404
    assert audit_log(app, "shop_text.") == []


def test_bad_input_is_refused_and_kept(app, client, make):
    as_editor(client, make)
    response = post_form(client, "/admin/shop-pages/legal", {**TERMS, "heading": ""})
    assert response.status_code == 422
    assert "Give the page a heading." in field_error(response.get_data(as_text=True),
                                                     "heading")
    assert TERMS["body"] in response.get_data(as_text=True)
    response = post_form(client, "/admin/shop-pages/legal", {**TERMS, "body": "x" * 40_001})
    assert response.status_code == 422
    assert client.get("/admin/shop-pages/nonsense").status_code == 404
    assert audit_log(app, "shop_text.") == []


def test_markup_in_a_page_is_harmless(app, client, make):
    as_editor(client, make)
    post_form(client, "/admin/shop-pages/privacy", {
        **TERMS, "heading": "<script>alert(1)</script>", "body": "\n\n".join(PAYLOADS)})
    post_form(client, "/admin/shop-pages/privacy", {**TERMS, "body": "\n\n".join(PAYLOADS),
                                                    "action": "preview"})
    for url in ("/privacy", "/", "/admin/shop-pages", "/admin/shop-pages/privacy"):
        assert_harmless(page(client, url))


def test_contact_shipping_and_about_show_the_shops_data_before_anything_is_written(
        app, client, make):
    assert "How to reach us" in Page(page(client, "/contact")).text_of("main")
    shipping = Page(page(client, "/shipping")).text_of("main")
    assert "Netherlands" in shipping
    assert "Standard delivery" in shipping
    assert Page(page(client, "/about")).has("#how-we-earn")
    links = footer_links(page(client, "/"))
    assert {"About us", "Contact", "Shipping"} <= set(links)
    assert {"http://shop.test/contact", "http://shop.test/shipping",
            "http://shop.test/about"} <= sitemap_urls(client)
    as_editor(client, make)
    post_form(client, "/admin/shop-pages/about",
              {**TERMS, "heading": "Who we are", "body": "A *small* practice."})
    about = Page(page(client, "/about"))
    assert about.text_of("h1") == "Who we are"
    assert about.text_of("em") == "small"
    assert about.has("#how-we-earn")


def test_an_eu_shops_returns_page_gives_the_right_of_withdrawal(app, client):
    withdrawal = text(Page(page(client, "/returns")).one("#withdrawal").parent)
    assert "within 14 days without giving any reason" in withdrawal
    assert "Model withdrawal form" in withdrawal
    assert footer_links(page(client, "/"))["Returns"] == "/returns"


def test_a_us_shop_has_no_withdrawal_text_and_shows_its_own_returns_policy(
        us_shop, client, make):
    assert client.get("/returns").status_code == 404
    as_editor(client, make)
    post_form(client, "/admin/shop-pages/returns",
              {**TERMS, "heading": "Returns", "body": "Send it back within 30 days."})
    html = page(client, "/returns")
    assert "30 days" in html
    assert "right of withdrawal" not in html.lower()
    assert "United States" in page(client, "/shipping")


def test_customers_cannot_edit_pages_and_editors_cannot_change_settings(app, client, make):
    login(client, make(UserFactory).email)
    assert client.get("/admin/shop-pages").status_code == 403
    editor = app.test_client()
    login(editor, make(EditorFactory).email)
    assert editor.get("/admin/shop-pages/terms").status_code == 200
    assert editor.get("/admin/settings").status_code == 403


# --- The shop's particulars ------------------------------------------------------------------

def test_the_environment_gives_the_particulars_until_the_admin_sets_them(app, client, make,
                                                                        monkeypatch, mailbox):
    monkeypatch.setitem(app.config, "SHOP_EMAIL", "shop@env.example")
    monkeypatch.setitem(app.config, "SHOP_ADDRESS", "1 Env Street; 98101 Seattle")
    shown = footer(page(client, "/"))
    assert "Halden Skin" in text(shown)
    assert "1 Env Street 98101 Seattle" in text(shown)
    assert shown.select_one('a[href="mailto:shop@env.example"]')

    admin = make(AdminFactory)
    login(client, admin.email)
    assert post_form(client, "/admin/settings", SETTINGS).status_code == 303
    for url in ("/", "/contact", "/products"):
        shown = footer(page(client, url))
        assert "Halden Skin Clinic" in text(shown)
        assert "1200 Example Ave, Suite 4 Seattle, WA 98101 United States" in text(shown)
        assert shown.select_one('a[href="mailto:hello@halden.example"]')
    contact = Page(page(client, "/contact")).text_of("address.shop-address")
    assert "Seattle, WA 98101" in contact
    [entry] = audit_log(app, "shop_settings.")
    assert entry.actor_id == admin.id
    assert entry.after["address"].count("\n") == 2

    with app.app_context():
        queue_mail("maya@example.com", "Hello", "confirm_email", user=admin, url="http://x")
        db.session.commit()
    [message] = mailbox
    plain = message.get_payload()[0].get_payload(decode=True).decode()
    assert "Halden Skin Clinic, 1200 Example Ave, Suite 4, Seattle, WA 98101" in plain
    assert "Questions? Write to hello@halden.example" in plain

    values = form_values(page(client, "/admin/settings"))
    post_form(client, "/admin/settings", {**values, "name": "", "email": "", "address": ""})
    shown = footer(page(client, "/"))
    assert "Halden Skin Clinic" not in text(shown)
    assert "1 Env Street" in text(shown)


def test_a_bad_settings_email_is_refused(app, client, make):
    login(client, make(AdminFactory).email)
    response = post_form(client, "/admin/settings", {**SETTINGS, "email": "not an address"})
    assert response.status_code == 422
    assert "Enter an e-mail address" in field_error(response.get_data(as_text=True), "email")
    assert audit_log(app, "shop_settings.") == []


def test_pages_read_the_particulars_without_a_query_each(app, client, count_queries,
                                                         monkeypatch, make):
    """Read once, then kept until they change: a sale or an article does not make them be
    read again. (The page cache is off, so each page is rendered and what is measured is
    the settings' own cache.)"""
    monkeypatch.delitem(app.extensions, "storefront.page_cache")
    client.get("/contact")
    with count_queries() as counter:
        client.get("/contact")
    make(ProductFactory)  # the catalog changes
    with count_queries() as after_a_change:
        client.get("/contact")
    assert after_a_change.count == counter.count
    with app.app_context():
        settings.save_settings("New name", "", "", actor=None)
        db.session.commit()
    with count_queries() as reread:
        assert "New name" in client.get("/contact").get_data(as_text=True)
    assert reread.count == counter.count + 2  # the settings' row and the pages written


def test_another_process_sees_a_change_on_its_next_page(tmp_path):
    """Two apps on one database file and instance folder stand for two workers (page cache
    off, so only the settings' own cache is at work): the one that did not save shows the
    new values on its next page, and reads them only then."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    saver, reader = (make_test_app(url, tmp_path, PAGE_CACHE_ENABLED=False)
                     for _ in range(2))
    with saver.app_context():
        db.create_all()
    browser = reader.test_client()
    try:
        assert "Halden Skin" in text(footer(browser.get("/").get_data(as_text=True)))
        with saver.app_context():
            settings.save_settings("Halden Skin Clinic", "", "1 Pine St", actor=None)
            db.session.commit()
        shown = text(footer(browser.get("/").get_data(as_text=True)))
        assert "Halden Skin Clinic" in shown
        assert "1 Pine St" in shown
    finally:
        for app in (saver, reader):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


# --- The demo shop ---------------------------------------------------------------------------

def test_the_demo_shop_has_plain_text_for_every_page_and_its_particulars(us_shop, client):
    with us_shop.app_context():
        seed()
        db.session.commit()
    home = page(client, "/")
    assert set(footer_links(home)) == {"About us", "Contact", "Shipping", "Returns",
                                       "Privacy", "Terms and conditions", "Legal notice"}
    assert "hello@haldenskin.example" in text(footer(home))
    assert "2150 Example Avenue, Suite 300" in text(footer(home))
    for label, url in footer_links(home).items():
        assert len(Page(page(client, url)).text_of("main")) > 600, label
        assert_harmless(page(client, url))
    returns = page(client, "/returns")
    assert "30 days" in returns
    assert "withdrawal" not in returns.lower()  # a US shop
    assert "Version 1" in page(client, "/terms")
    about = Page(page(client, "/about"))
    assert about.text_of("p.signature").startswith("Dr. Maren Halden")
    assert about.has("#how-we-earn")
    shipping = Page(page(client, "/shipping")).text_of("main")
    assert "Alaska and Hawaii" in shipping
    assert "Canada" in shipping
    assert "hello@haldenskin.example" in text(
        Page(page(client, "/contact")).one("address.shop-address").parent)
