"""Template helpers for the reading pages: the pieces of ``content/_recommendations.html``
that a page repeats for every recommended product.

An article on three conditions shows 24 picks, each a card with its notes, and its
"What helps" box lists a few again. As template macros (a pick, its card or the
prescription card, its notes, each product link) the picks cost about as much as the
cards in them; here each pick is written in one call, every value escaped, with the
whitespace the macros wrote so the pages stay byte for byte the same.
"""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from storefront.catalog.templating import (
    CARD_PICTURE_WIDTHS,
    CardLinks,
    card_links,
    card_picture,
    pick_price,
    picture_data,
    product_card,
    tie_disclosure,
    tie_note,
)
from storefront.content.picks import ConditionPicks, PickState, ProductPick
from storefront.html import escaped, lower_first
from storefront.links import nav_url

GONE = (PickState.OUT_OF_STOCK, PickState.NOT_SOLD)


def product_href(product, article=None) -> str:
    """The product's page, from ``article`` (``?article=<slug>``), as the card links it."""
    return card_links().product_from(product.slug, article)


def product_link(product, article=None) -> str:
    """A link to the product, named, with its brand's tie."""
    return (f'<a href="{escaped(product_href(product, article))}">{escaped(product.name)}</a>'
            f"{tie_note(product.brand)}")


def pick_items(picks: ConditionPicks, article, heading_level: int) -> Markup:
    """The ``<li>`` of each recommended product of ``picks`` (and of what to buy instead),
    after the blank line the list's template line left."""
    listed = {pick.product.id for pick in picks.products if pick.state == PickState.AVAILABLE}
    html, links = ["\n"], card_links()
    for pick in picks.products:
        html.append(_pick_item(pick, article, int(heading_level), listed, links))
    return Markup("".join(html))  # noqa: S704 (escaped)


def _pick_item(pick: ProductPick, article, level: int, listed: set[int],
               links: CardLinks) -> str:
    product, rec, state, instead = pick.product, pick.recommendation, pick.state, pick.instead
    instead_listed = instead is not None and instead.id in listed
    if state == PickState.NOT_SOLD:
        card = _unavailable_card(pick, level)
    elif state == PickState.PRESCRIPTION:
        card = _rx_card(pick, article, level)
    else:
        card = product_card(product, article=article, reason=rec.why,
                            how_to_use=rec.how_to_use, heading_level=level,
                            role=rec.role.label, links=links)
    note = ""
    if state in GONE and instead is None:
        note = ('\n    <p class="pick-note">Nothing similar is in stock right now. Please '
                "check back soon.</p>\n")
    elif instead_listed:
        note = (f'\n    <p class="pick-label">In stock instead of {escaped(product.name)}: '
                f"{product_link(instead, article)}, also recommended here.</p>\n")
    alternatives = _otc_alternatives(pick, article) if state == PickState.PRESCRIPTION else ""
    html = f'\n\n<li class="pick">\n\n    {card}\n\n{note}\n{alternatives}\n</li>\n'
    if instead is not None and not instead_listed:
        html += (f'\n<li class="pick pick-instead">\n  <p class="pick-label">In stock instead '
                 f"of {escaped(product.name)}:</p>\n  "
                 f"{product_card(instead, article=article, heading_level=level, links=links)}"
                 "\n</li>\n")
    return html


def _unavailable_card(pick: ProductPick, level: int) -> str:
    return (f'<article class="card pick-gone">\n  <h{level} class="product-name">'
            f"{escaped(pick.product.name)}</h{level}>\n"
            '  <p class="tag tag-danger">No longer sold here</p>\n'
            f"  <p><strong>Why we recommended it:</strong> {escaped(pick.recommendation.why)}"
            "</p>\n</article>")


def _rx_card(pick: ProductPick, article, level: int) -> str:
    """A prescription medicine: what to ask a doctor about, never something to buy."""
    product, rec = pick.product, pick.recommendation
    image = product.primary_image
    picture = (card_picture(picture_data(image, CARD_PICTURE_WIDTHS, card_links().file))
               if image else "")
    brand_names = (f'\n<p class="brand-names">Brand names: '
                   f'{escaped(", ".join(product.brand_name_list))}</p>'
                   if product.brand_names else "")
    how = (f"\n<p><strong>How to use:</strong> {escaped(rec.how_to_use)}</p>"
           if rec.how_to_use else "")
    return (f'\n<article class="card product-card rx-card">{picture}\n<div class="card-body">\n'
            f'<p class="pick-role">{escaped(rec.role.label)}</p>\n'
            '<p class="tag tag-warn">Prescription only</p>\n'
            f'<h{level} class="product-name">Ask your dermatologist about '
            f'<a href="{escaped(product_href(product, article))}">{escaped(product.name)}</a>'
            f"</h{level}>{brand_names}\n<p><strong>Why it helps:</strong> {escaped(rec.why)}</p>"
            f'{how}\n<p class="hint">Needs a prescription, so it is not sold here.</p>\n'
            f"{tie_disclosure(product.brand)}\n</div>\n</article>")


def _otc_alternatives(pick: ProductPick, article) -> str:
    if not pick.alternatives:
        return ('<div class="pick-note">\n\n  <p>Nothing we sell without a prescription does '
                "the same job just now.</p>\n\n</div>")
    items = "".join(f"<li>{product_link(alternative.product, article)}: "
                    f"{escaped(alternative.reason.why)}</li>"
                    for alternative in pick.alternatives)
    return ('<div class="pick-note">\n\n  <p>Without a prescription, these do the same job:'
            '</p>\n  <ul class="pick-alternatives" aria-label="Over-the-counter alternatives to '
            f'{escaped(pick.product.name)}">\n{items}\n  </ul>\n\n</div>')


def what_helps_items(picks: ConditionPicks, per_condition: int, article) -> Markup:
    """The "What helps" box's ``<li>`` for the first ``per_condition`` products of
    ``picks`` (what to buy instead of one that cannot be bought), each on its own line."""
    html: list[str] = []
    listed: list[int] = []
    for pick in picks.products:
        product = (pick.instead if pick.state in GONE and pick.instead is not None
                   else pick.product)
        if len(listed) < per_condition and product.id not in listed:
            listed.append(product.id)
            html.append(f"\n{_what_helps_item(pick, product, article)}")
    return Markup("".join(html))  # noqa: S704 (escaped)


def _what_helps_item(pick: ProductPick, product, article) -> str:
    state = pick.state
    if state == PickState.PRESCRIPTION:
        shown = (f" Ask your dermatologist about {product_link(product, article)} "
                 '<span class="tag tag-warn">Prescription only</span>')
    elif product is not pick.product:
        shown = (f" {product_link(product, article)} <span class=\"muted\">(instead of "
                 f"{escaped(pick.product.name)})</span>")
    elif state != PickState.AVAILABLE:
        shown = f' {escaped(product.name)} <span class="muted">(not available just now)</span>'
    else:
        shown = f" {product_link(product, article)}"
    price = pick_price(product) if state != PickState.PRESCRIPTION and product.is_active else ""
    return (f'<li><span class="pick-role">{escaped(pick.recommendation.role.label)}</span>'
            f"{shown}{price}</li>")


def ingredient_links(picks: ConditionPicks) -> Markup:
    """The "What helps" box's key ingredients of ``picks``, each a link to the products
    with it (its name alone where the shop has no product list), comma-separated: a
    template loop asking ``nav_url`` for each cost more than the box's products."""
    names = []
    for rec in picks.ingredients:
        name = escaped(rec.ingredient.name)
        url = nav_url("catalog.product_list", ingredient=rec.ingredient.slug)
        names.append(f'<a href="{escaped(url)}">{name}</a>' if url else name)
    return Markup(", ".join(names))  # noqa: S704 (escaped)


def ingredient_picks(picks: ConditionPicks) -> Markup:
    """The ``<div>`` of each key ingredient of ``picks`` (a ``<dl>``'s terms): its name, why
    it helps, how to use it and a link to the products with it (none where the shop has no
    product list). As a template loop each cost about 30,000 instructions more (an article
    on three conditions shows nine)."""
    items = []
    for rec in picks.ingredients:
        name = rec.ingredient.name
        how = (f"<p><strong>How to use:</strong> {escaped(rec.how_to_use)}</p>"
               if rec.how_to_use else "")
        url = nav_url("catalog.product_list", ingredient=rec.ingredient.slug)
        shop = (f'<p><a href="{escaped(url)}">Products with {escaped(lower_first(name))}</a></p>'
                if url else "")
        items.append(f"\n\n    <div>\n      <dt>{escaped(name)}</dt>\n      <dd>\n"
                     f"        <p>{escaped(rec.why)}</p>\n{how}\n{shop}\n      </dd>\n    </div>\n")
    return Markup("".join(items))  # noqa: S704 (escaped)


def register_content_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(pick_items=pick_items, what_helps_items=what_helps_items,
                                 ingredient_links=ingredient_links,
                                 ingredient_picks=ingredient_picks)
