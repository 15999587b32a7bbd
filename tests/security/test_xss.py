"""Attack strings in every field a shopper or an editor writes are shown as text: on the shop's
pages, in the back office and in e-mails. Nothing typed runs as script or as a template.

The pages checked come from the URL map (tests/helpers/security/site.py walks every GET route), so
a new page that shows one of these fields is checked too.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from urllib.parse import quote

from markupsafe import escape

from tests.factories import (
    ADDRESS,
    ProductFactory,
    VariantFactory,
    add_to_cart,
    delivery_choice,
    press_pay,
)
from tests.helpers import html_part, login, submit
from tests.helpers.security.markup import script_problems
from tests.helpers.security.site import Texts, seed_site, walk

# A tag, an image with a handler and a template expression; then ways out of an attribute.
TAGS = "<script>alert(1)</script><img src=x onerror=alert(2)>{{1234*5678}}"
ATTRIBUTE = "\"><svg onload=alert(3)>' autofocus onfocus=alert(4) x='${1234*5678}"
FULL = TAGS + ATTRIBUTE
MARKDOWN = ("\n\n<script>alert(5)</script>\n\n[click](javascript:alert(6)) "
            "<img src=x onerror=alert(7)> <a href=\"javascript:alert(8)\">x</a> "
            "<iframe src=\"/\"></iframe>\n\n{{1234*5678}} {% if 1 %}shown{% endif %}")
CODE = "\"><SVG ONLOAD=ALERT(9)>{{1234*5678}}"
PAYLOADS = Texts(short=TAGS, other=ATTRIBUTE, long=FULL, code=CODE, markdown=MARKDOWN)
SHOWN = str(escape("<script>alert(1)</script>"))  # how the text must appear


def harmless(html: str, where: str, *, email: bool = False) -> None:
    problems = script_problems(html, allow_style=email)
    assert not problems, (where, problems)


def test_stored_text_is_harmless_on_every_page_for_every_role(app, client, make):
    site = seed_site(app, PAYLOADS, picture_seed=7)
    shown_on = set()
    for who in ("visitor", "customer", "admin", "editor"):
        browser = app.test_client()
        if who != "visitor":
            login(browser, getattr(site, f"{who}_email"))
        for url, response in walk(browser, app, site, admin_routes=who in ("admin", "editor")):
            if response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            harmless(html, f"{who} {url}")
            if SHOWN in html:
                shown_on.add(url)
    # The text is really there, escaped, on the pages that show it.
    expected = {f"/products/{site.product_slug}", f"/articles/{site.article_slug}",
                f"/conditions/{site.condition_slug}", f"/orders/view/{site.guest_token}",
                f"/account/orders/{site.order_number}", "/products",
                f"/reviews/write/{site.review_token}", f"/admin/reviews/{site.ids['review']}",
                "/account/routine", "/admin/routine",
                "/privacy", "/account/addresses/",
                f"/account/addresses/{site.ids['address']}/edit"}
    assert expected <= shown_on, expected - shown_on
    admin_pages = {url for url in shown_on if url.startswith("/admin")}
    assert len(admin_pages) >= 3, admin_pages


def test_markdown_bodies_keep_no_script_or_script_urls(app, client):
    site = seed_site(app, PAYLOADS, picture_seed=8)
    for url in (f"/articles/{site.article_slug}", f"/conditions/{site.condition_slug}"):
        html = client.get(url).get_data(as_text=True)
        harmless(html, url)
        assert "javascript:" not in html.replace(str(escape("javascript:")), ""), url
        assert "{% if 1 %}shown{% endif %}" in html or url.startswith("/conditions"), url


def test_feeds_and_sitemap_stay_well_formed(app, client):
    seed_site(app, PAYLOADS, picture_seed=9)
    for url in ("/articles/feed.xml", "/sitemap.xml"):
        response = client.get(url)
        assert response.status_code == 200
        ElementTree.fromstring(response.get_data())  # noqa: S314  (ours; raises if broken)
        assert "<script>" not in response.get_data(as_text=True)


def test_text_typed_into_forms_is_harmless_on_pages_and_in_emails(app, client, make,
                                                                    mailbox):
    # A display name.
    password = "gentle cleanser daily"
    registered = submit(client, "/account/register", {
        "name": TAGS, "email": "maya@example.com", "password": password,
        "confirm": password})
    assert registered.status_code == 302
    profile = client.get("/account/", follow_redirects=True).get_data(as_text=True)
    harmless(profile, "profile")
    assert SHOWN in profile
    [confirm] = mailbox
    harmless(html_part(confirm), "confirmation e-mail", email=True)
    assert SHOWN in html_part(confirm)

    # An address, with an order, its pages and its e-mail.
    variant = make(VariantFactory, product=make(ProductFactory, name="Barrier Cream",
                                                variant=False))
    add_to_cart(client, variant.id)
    submit(client, "/checkout/email", {"email": "maya@example.com"})
    address = {**ADDRESS, "name": TAGS, "line1": FULL, "line2": ATTRIBUTE, "city": TAGS}
    assert submit(client, "/checkout/address", address).status_code == 302
    delivery = client.get("/checkout/delivery").get_data(as_text=True)
    submit(client, "/checkout/delivery", {"method": delivery_choice(delivery, "standard")})
    refused = submit(client, "/checkout/discount", {"code": CODE, "action": "apply"})
    assert refused.status_code == 422
    harmless(refused.get_data(as_text=True), "refused discount code")
    assert str(escape(CODE.upper()))[:20] in refused.get_data(as_text=True)
    submit(client, "/checkout/discount", {"code": "", "action": "skip"})
    review = client.get("/checkout/review").get_data(as_text=True)
    harmless(review, "review")
    assert SHOWN in review
    mailbox.clear()
    paid = press_pay(client)
    demo = submit(client, paid.headers["Location"], {"action": "approve"})
    confirmation = client.get(demo.headers["Location"]).get_data(as_text=True)
    harmless(confirmation, "confirmation")
    assert SHOWN in confirmation
    [order_mail] = [m for m in mailbox if "confirmed" in m["Subject"]]
    harmless(html_part(order_mail), "order e-mail", email=True)
    assert SHOWN in html_part(order_mail)

    # A question to the dermatologist, and its acknowledgement.
    mailbox.clear()
    asked = submit(client, "/ask", {"name": TAGS[:120], "email": "ines@example.com",
                                    "question": "Why do my cheeks sting? " + FULL})
    assert asked.status_code == 302
    [ack] = mailbox
    harmless(html_part(ack), "ask e-mail", email=True)
    assert SHOWN in html_part(ack)


def test_a_search_query_is_harmless_in_the_results_and_the_search_box(client):
    for query in (FULL, "\"><script>alert(1)</script>", "javascript:alert(1)"):
        response = client.get(f"/search?q={quote(query)}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        harmless(html, f"search {query}")
        assert str(escape(query))[:30] in html


def test_an_editors_preview_and_saved_article_are_harmless(app, make):
    site = seed_site(app, Texts(), picture_seed=10)
    editor = app.test_client()
    login(editor, site.editor_email)
    fields = {"title": FULL[:200], "slug": "attack-article", "kind": "qa",
              "status": "published", "question": FULL, "summary": FULL,
              "body": MARKDOWN + f"\n\n[[product:{site.product_slug}]]",
              "hero_image_alt": FULL[:200], "author": str(site.ids["author"])}
    preview = submit(editor, "/admin/articles/new", {**fields, "action": "preview"})
    assert preview.status_code < 500
    harmless(preview.get_data(as_text=True), "article preview")
    saved = submit(editor, "/admin/articles/new", {**fields, "action": "save"})
    assert saved.status_code in (302, 303), saved.get_data(as_text=True)[-3000:]
    for url in ("/articles/attack-article", "/admin/articles", "/articles"):
        page = editor.get(url)
        assert page.status_code == 200, url
        harmless(page.get_data(as_text=True), url)
        assert SHOWN in page.get_data(as_text=True), url
