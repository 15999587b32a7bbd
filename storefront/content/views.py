"""Articles, skin conditions, "Ask a dermatologist", the feed, the sitemap and robots.txt."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape

from storefront.caching import cached_page
from storefront.catalog.listing import page_numbers
from storefront.catalog.templating import product_card, tie_note
from storefront.content import pages, pictures, questions, reading, seo, shop
from storefront.content.errors import ContentError
from storefront.content.forms import AskForm
from storefront.content.rendering import (
    Shortcode,
    cached_markdown,
    fill_shortcodes,
    plain_text,
)
from storefront.errors import render_error
from storefront.extensions import db, limiter
from storefront.forms import attach_error, render_invalid
from storefront.links import route_link
from storefront.origin import guest_form
from storefront.shipping.services import delivery_zones

bp = Blueprint("content", __name__)

PER_PAGE = 12
MAX_PAGE = 10_000
AUTHOR_PHOTO_WIDTH = 200


def _ask_limit():
    return current_app.config["ASK_RATE_LIMIT"]


def _question_accepted(response) -> bool:
    """Only accepted questions count towards the limit, so typos don't lock a reader out."""
    return response.status_code < 400


# --- Articles --------------------------------------------------------------------------

def _page_number() -> int | None:
    """``?page=`` as a whole number from 1, or None when it is not one."""
    raw = request.args.get("page", "1").strip()
    if not raw.isdigit() or len(raw) > 5:
        return None
    page = int(raw)
    return page if 1 <= page <= MAX_PAGE else None


@bp.get("/articles")
@cached_page(args=("page", "condition"))
def article_list():
    page = _page_number()
    if page is None:
        return render_error(400, "Page numbers are whole numbers, starting from 1.")
    condition = None
    condition_slug = request.args.get("condition", "").strip()
    if condition_slug:
        condition = reading.condition_by_slug(condition_slug)
        if condition is None:
            return render_error(404, "We have no articles on that skin condition. See all "
                                     "articles or the list of conditions.")
    articles = reading.visible_teasers(condition, page, PER_PAGE)
    if page > 1 and page > articles.pages:
        return render_error(404, f"There are only {articles.pages} page(s) of articles.")
    return render_template("content/article_list.html", articles=articles,
                           condition=condition, conditions=reading.condition_teasers(),
                           page_numbers=page_numbers(page, articles.pages))


def _shortcode_renderer(page: reading.ArticlePage):
    def render(code: Shortcode) -> str | None:
        if code.kind == "article":
            target = page.articles_by_slug.get(code.slug)
            if target is None:
                return None
            if not target.visible:
                return str(escape(target.title))
            href = url_for("content.article_detail", slug=target.slug)
            return str(Markup('<a href="{}">{}</a>').format(href, target.title))
        product = page.products_by_slug.get(code.slug)
        if product is None:
            return None
        if not product.is_active:
            return str(escape(product.name))
        if code.block:
            return str(product_card(product, article=page.article, heading_level=3))
        href = url_for("catalog.product_detail", slug=product.slug, article=page.article.slug)
        link = Markup('<a href="{}">{}</a>').format(href, product.name)
        return str(link + tie_note(product.brand))

    return render


def _shortcode_labels(page: reading.ArticlePage) -> dict[Shortcode, str]:
    labels = {}
    for code in page.body.shortcodes:
        if code.kind == "article":
            article = page.articles_by_slug.get(code.slug)
            label = article.title if article is not None else None
        else:
            product = page.products_by_slug.get(code.slug)
            label = product.name if product is not None else None
        if label is not None:
            labels[code] = label
    return labels


@bp.get("/articles/<slug>")
@cached_page
def article_detail(slug: str):
    page = reading.article_page(slug)
    if page is None:
        return render_error(404, "We can't find that article. It may have moved, or it "
                                 "may not be published yet.")
    body = fill_shortcodes(page.body, _shortcode_renderer(page))
    answer = plain_text(page.body, _shortcode_labels(page))
    return render_template(
        "content/article_detail.html", page=page, article=page.article, body=body,
        json_ld=seo.article_json_ld(page.article, answer),
        author_photo=pictures.picture_url(page.article.author.photo_key, AUTHOR_PHOTO_WIDTH),
        independence=shop.independence(),
    )


# --- Conditions ------------------------------------------------------------------------

@bp.get("/conditions")
@cached_page
def condition_list():
    return render_template("content/condition_list.html",
                           conditions=reading.condition_teasers())


def _condition_texts(condition) -> dict[str, Markup]:
    """The condition's Markdown sections as safe HTML. Shortcodes are not used on
    condition pages (their products are the recommendations), so any show as words.
    """
    return {
        name: fill_shortcodes(
            cached_markdown(f"condition:{condition.id}:{name}", getattr(condition, name)),
            lambda code: None)
        for name in ("causes", "what_helps")
    }


@bp.get("/conditions/<slug>")
@cached_page
def condition_detail(slug: str):
    page = reading.condition_page(slug)
    if page is None:
        return render_error(404, "We don't have a page on that skin condition. The list "
                                 "of conditions shows the ones we cover.")
    return render_template(
        "content/condition_detail.html", page=page, condition=page.condition,
        texts=_condition_texts(page.condition),
        json_ld=seo.breadcrumbs_json_ld([
            ("Conditions", url_for("content.condition_list", _external=True)),
            (page.condition.name,
             route_link("content.condition_detail", "slug", external=True)(slug)),
        ]),
    )


# --- Ask a dermatologist ---------------------------------------------------------------

@bp.route("/ask", methods=["GET", "POST"])
@guest_form
@limiter.limit(_ask_limit, methods=["POST"], deduct_when=_question_accepted)
def ask():
    form = AskForm()
    if request.method == "GET":
        form.article.data = request.args.get("article", "", type=str)[:120]
    # The article the reader came from, if readers can see it (anything else is ignored).
    context = questions.article_for_question(form.article.data)
    form.article.data = context.slug if context else ""
    if form.validate_on_submit():
        try:
            questions.receive_question(
                form.name.data, form.email.data, form.question.data,
                form.chosen_skin_type(), looks_automated=form.looks_automated,
                asked_from=context)
        except ContentError as error:
            attach_error(form, error.message, error.field)
        else:
            db.session.commit()
            return redirect(url_for("content.ask_thanks"))
    if request.method == "POST":
        return render_invalid("content/ask.html", form=form, context=context)
    return render_template("content/ask.html", form=form, context=context)


@bp.get("/ask/thanks")
def ask_thanks():
    return render_template("content/ask_thanks.html")


# --- The shop's own pages ----------------------------------------------------------------

def _written(key: str):
    """The page's text and its HTML, or (None, None) when it is not written yet."""
    text = shop.shop_text(key)
    return (text, shop.text_html(text)) if text is not None else (None, None)


@bp.get("/about")
@cached_page
def about():
    text, html = _written("about")
    # Until the owner writes the about page, their introduction tells who runs the shop.
    introduction = shop.shown_text(shop.SHOP_INTRODUCTION) if text is None else None
    return render_template(
        "content/about.html", independence=shop.independence(), page=pages.PAGES["about"],
        text=text, text_html=html, introduction=introduction,
        introduction_html=shop.text_html(introduction) if introduction else None)


def _page_data(key: str) -> dict:
    """What a page shows besides the owner's words."""
    if key == "shipping":
        return {"zones": delivery_zones()}
    if key == "returns":
        return {"withdrawal": pages.withdrawal_applies(current_app.config["SHOP_PRESET"])}
    return {}


def shop_page(key: str):
    page = pages.PAGES[key]
    text, html = _written(key)
    if not pages.is_shown(page, text is not None, current_app.config["SHOP_PRESET"]):
        return render_error(404, "This page has not been written yet. The contact page "
                                 "says how to reach us.")
    return render_template("content/shop_page.html", page=page, text=text, text_html=html,
                           **_page_data(key))


def _shop_page_view(key: str):
    """The view of one page, at its own address and endpoint (``content.<key>``)."""

    def view():
        return shop_page(key)

    view.__name__ = view.__qualname__ = f"shop_page_{key}"
    return cached_page(view)


for _page in pages.SHOP_PAGES:
    if _page.key != "about":
        bp.add_url_rule(_page.path, _page.key, _shop_page_view(_page.key), methods=["GET"])


# --- Feed, sitemap, robots -------------------------------------------------------------

@bp.get("/articles/feed.xml")
def feed():
    xml = render_template("content/feed.xml", **seo.feed_context())
    return Response(xml, mimetype="application/atom+xml")


@bp.get("/sitemap.xml")
def sitemap():
    xml = render_template("content/sitemap.xml", entries=seo.sitemap_entries())
    return Response(xml, mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    text = render_template("content/robots.txt", disallowed=seo.ROBOTS_DISALLOW,
                           sitemap_url=url_for("content.sitemap", _external=True))
    return Response(text, mimetype="text/plain")
