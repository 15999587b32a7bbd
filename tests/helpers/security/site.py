"""A small shop with one of everything, and a walk over every page of it.

``seed_site`` fills every text a customer or editor can write with ``texts`` (plain words
for the markup checks, attack strings for the XSS checks); ``walk`` opens every GET route
of the URL map, with path parameters taken from the seeded rows, and returns the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PIL import Image

from storefront.accounts import address_book
from storefront.accounts import services as account_services
from storefront.accounts.models import Role
from storefront.catalog.images import create_product_image
from storefront.catalog.models import SkinType
from storefront.content import shop
from storefront.content.models import QuestionStatus
from storefront.extensions import db
from storefront.orders import links
from storefront.orders import services as order_services
from storefront.reviews import links as review_links
from storefront.reviews import services as review_services
from storefront.reviews.models import AgeRange, ReviewStatus
from storefront.routines.models import (
    ConflictRule,
    IngredientClass,
    RoutineStep,
    SavedRoutine,
    StepKind,
)
from storefront.settings.models import ShopSettings
from tests.factories import (
    AdminFactory,
    ArticleFactory,
    AuthorFactory,
    BrandFactory,
    CategoryFactory,
    ConditionFactory,
    DiscountCodeFactory,
    EditorFactory,
    IngredientFactory,
    ProductFactory,
    ReaderQuestionFactory,
    RecommendationFactory,
    UserFactory,
    VariantFactory,
    placed_order,
)
from tests.helpers.security.routes import FILE_ENDPOINTS, Route, routes


@dataclass(frozen=True)
class Texts:
    """What goes into the fields: ``short`` where at most 80 characters fit, ``long`` else."""

    short: str = ""
    other: str = ""  # a second short text, so both kinds appear in short fields
    long: str = ""
    code: str = ""  # a discount code (upper-cased, at most 40 characters)
    markdown: str = ""


@dataclass(frozen=True)
class Site:
    ids: dict[str, int]
    product_slug: str
    article_slug: str
    condition_slug: str
    order_number: str
    guest_order_number: str
    guest_token: str
    review_token: str
    customer_email: str
    admin_email: str
    editor_email: str
    code: str


def _picture(seed: int) -> Image.Image:
    image = Image.new("RGB", (64, 48), (seed * 37 % 256, seed * 91 % 256, 120))
    image.putpixel((seed % 64, 3), (1, 2, 3))
    return image


def seed_site(app, texts: Texts = Texts(), picture_seed: int = 1) -> Site:
    """One of everything, committed (inside the test's rolled-back transaction)."""
    t = texts
    with app.app_context():
        brand = BrandFactory(name=f"Halden{t.short}"[:80])
        category = CategoryFactory(name=f"Serums{t.other}"[:80])
        ingredient = IngredientFactory(name=f"Niacinamide{t.short}"[:160])
        product = ProductFactory(
            name=f"Barrier Cream{t.long}"[:160], brand=brand, category=category,
            short_description=f"Calms{t.long}", description=f"Rich{t.long}",
            ingredients_list=f"Aqua{t.long}", how_to_use=f"Twice daily{t.long}",
            ingredients=[ingredient], skin_types=[SkinType.DRY], variant=False)
        variant = VariantFactory(product=product, size_label=f"50 ml{t.other}"[:40],
                                 price=Decimal("24.50"), stock_on_hand=30)
        db.session.flush()
        image = create_product_image(product, _picture(picture_seed),
                                     f"A jar{t.long}"[:200])
        author = AuthorFactory(name=f"Dr. Lena{t.short}"[:120], credentials=f"MD{t.long}",
                               bio=f"Sees patients{t.long}")
        condition = ConditionFactory(name=f"Milia{t.other}"[:80], summary=f"Tiny cysts{t.long}",
                                     causes=f"Keratin{t.markdown}",
                                     what_helps=f"Retinoids{t.markdown}")
        recommendation = RecommendationFactory(condition=condition, product=product,
                                               why=f"Works{t.long}",
                                               how_to_use=f"Nightly{t.long}"[:300])
        article = ArticleFactory(title=f"What causes milia?{t.long}"[:200],
                                 question=f"Why the bumps?{t.long}",
                                 summary=f"Keratin trapped{t.long}"[:500],
                                 body=f"An answer{t.markdown}\n\n[[product:{product.slug}]]",
                                 hero_image_alt=f"Skin{t.long}"[:200], author=author,
                                 conditions=[condition])
        question = ReaderQuestionFactory(name=f"Ines{t.short}"[:120],
                                         question=f"Why do I get bumps?{t.long}",
                                         status=QuestionStatus.NEW)
        customer = UserFactory(name=f"Maya{t.short}"[:120])
        admin = AdminFactory(name=f"Boss{t.other}"[:120])
        editor = EditorFactory(name=f"Ed{t.short}"[:120])
        code = DiscountCodeFactory(code=(t.code or "WELCOME10")[:40],
                                   description=f"Ten off{t.long}"[:200])
        db.session.flush()
        order = placed_order((variant, 2), email=customer.email, user_id=customer.id)
        order.discount_code_id, order.discount_code = code.id, code.code  # shown, not priced
        guest_order = placed_order(variant, email="guest@example.com")
        for placed in (order, guest_order):
            placed.shipping_name = f"Maya Rossi{t.short}"[:120]
            placed.shipping_line1 = f"Keizersgracht 1{t.long}"[:200]
            placed.shipping_line2 = f"Floor 2{t.other}"[:200]
            placed.shipping_city = f"Amsterdam{t.short}"[:100]
        order_services.payment_succeeded(order, provider="demo", reference="demo_seed_1",
                                         amount=order.total, currency=order.currency)
        order_services.add_note(order, f"Called her{t.long}", actor=admin)  # staff only
        review = _reviewed_order(variant, condition, t, editor)
        routine_ids = _routine_rules(category, ingredient, condition, customer, t)
        saved_address = address_book.add_address(customer.id, {
            "name": f"Maya Rossi{t.short}"[:120], "line1": f"Keizersgracht 1{t.long}"[:200],
            "line2": f"Floor 2{t.other}"[:200], "city": f"Amsterdam{t.short}"[:100],
            "postcode": "1015 CJ", "country": "NL"})
        shop.add_shop_text("privacy", f"Privacy{t.short}"[:120],
                           f"We keep little.{t.markdown}")
        db.session.add(ShopSettings(name=f"Halden Skin{t.other}"[:80], email="hi@example.com",
                                    address=f"1 Main St{t.other}\nSeattle"))
        if t.short:  # the audit log shows who changed what
            account_services.set_role(customer, Role.EDITOR, actor=admin)
            account_services.set_role(customer, Role.CUSTOMER, actor=admin)
        db.session.commit()
        ids = {"product": product.id, "variant": variant.id, "image": image.id,
               "brand": brand.id, "category": category.id, "ingredient": ingredient.id,
               "author": author.id, "condition": condition.id, "article": article.id,
               "recommendation": recommendation.id, "question": question.id,
               "user": customer.id, "code": code.id, "discount": code.id,
               "order": order.id, "guest_order": guest_order.id, "rec": recommendation.id,
               "review": review.id, "line": review.order_line_id,
               "address": saved_address.id, **routine_ids}
        return Site(
            ids=ids, product_slug=product.slug, article_slug=article.slug,
            condition_slug=condition.slug, order_number=order.number,
            guest_order_number=guest_order.number,
            guest_token=links.guest_order_token(guest_order),
            review_token=review_links.review_token(review.order_line.order),
            customer_email=customer.email,
            admin_email=admin.email, editor_email=editor.email, code=code.code,
        )


def _reviewed_order(variant, condition, t: Texts, editor):
    """A guest's sent order with a published review whose every field holds ``t``."""
    order = placed_order(variant, email="reviewer@example.com")
    order_services.payment_succeeded(order, provider="demo", reference="demo_seed_review",
                                     amount=order.total, currency=order.currency)
    order_services.fulfil(order, f"PostNL{t.short}"[:60], "3S0001", actor=None)
    item = review_services.line_to_review(order, order.lines[0].id)
    review = review_services.write_review(order, item, review_services.ReviewFields(
        rating=4, title=f"Calmed my skin{t.long}"[:120],
        body=f"After two weeks the redness had gone.{t.long}",
        display_name=f"Maya R.{t.other}"[:60], skin_type=SkinType.DRY,
        age_range=AgeRange.FROM_35, concern_ids=[condition.id]))
    review_services.moderate(review, ReviewStatus.APPROVED, actor=editor)
    return review


def _routine_rules(category, ingredient, condition, customer, t: Texts) -> dict[str, int]:
    """Routine steps, an ingredient class, a conflict and the customer's saved routine,
    their texts holding ``t``."""
    treat = RoutineStep(slug="treat", name=f"Treat{t.short}"[:60], hint=f"Actives{t.long}"[:300],
                        kind=StepKind.TREATMENTS, position=0, categories=[category])
    sunscreen = RoutineStep(slug="sunscreen", name=f"Sunscreen{t.other}"[:60],
                            kind=StepKind.SUNSCREEN, position=1, evening=False)
    retinoid = IngredientClass(slug="retinoid", name=f"Retinoid{t.short}"[:80],
                               note=f"At night{t.long}"[:300], ingredients=[ingredient])
    acid = IngredientClass(slug="strong-acid", name=f"Acid{t.other}"[:80], position=1)
    conflict = ConflictRule(first=retinoid, second=acid, explanation=f"Alternate{t.long}"[:500])
    saved = SavedRoutine(user_id=customer.id,
                         answers=f"concern={condition.slug}&skin=dry&steps=essential")
    db.session.add_all([treat, sunscreen, retinoid, acid, conflict, saved])
    db.session.flush()
    return {"step": treat.id, "class": retinoid.id, "conflict": conflict.id}


# Which seeded row a path parameter names, read from its name (``product_id`` -> product).
_ID_HINTS = ("variant", "image", "product", "brand", "category", "ingredient", "author",
             "condition", "article", "recommendation", "question", "user", "code",
             "discount", "review", "line", "order", "rec", "step", "class", "conflict",
             "address")


def parameter_values(site: Site):
    """``Route.url`` values: the seeded row each parameter most likely names."""
    slugs = {"catalog.product_detail": site.product_slug,
             "content.article_detail": site.article_slug,
             "content.condition_detail": site.condition_slug}

    def value(route: Route, name: str):
        endpoint = route.endpoint
        if route.converter(name) == "IntegerConverter":
            key = (next((hint for hint in _ID_HINTS if hint in name), None)
                   or next((hint for hint in _ID_HINTS if hint in endpoint), None))
            return site.ids.get(key, 1) if key else 1
        if name == "slug":
            if endpoint in slugs:
                return slugs[endpoint]
            for word, slug in (("article", site.article_slug), ("condition",
                               site.condition_slug), ("product", site.product_slug)):
                if word in endpoint:
                    return slug
        if name == "number":
            return site.order_number
        if name == "token" and endpoint == "orders.guest_order":
            return site.guest_token
        if name == "token" and endpoint.startswith("reviews."):
            return site.review_token
        return None

    return value


def walk(client, app, site: Site, *, admin_routes: bool):
    """GET every page (following redirects); yields ``(url, response)``."""
    values = parameter_values(site)
    for route in routes(app, admin=None if admin_routes else False):
        if "GET" not in route.methods or route.endpoint in FILE_ENDPOINTS:
            continue
        url = route.url(values)
        yield url, client.get(url, follow_redirects=True)
