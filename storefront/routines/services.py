"""Every rule that turns a reader's answers into a routine, in one place; and what a routine
can be used for (the cart, an account).

The rules, in the order they are applied:

1. **Steps.** The editors' steps, in their order, make the morning and the evening routine.
   The essential routine has the steps marked essential, the complete one every step.
2. **Treatments** are the concerns' recommended products from the treatment step's
   categories. The essential routine covers each concern once (a product recommended for
   two concerns covers both); the complete one adds a second where there is one.
3. **Pregnancy**: nothing with a key ingredient of a class avoided in pregnancy (retinoids),
   prescription products included.
4. **Already on a prescription retinoid**: it is part of the evening routine; no second
   retinoid is added.
5. **Prescription-only** products are never sold: they are listed as "ask your
   dermatologist" information, and the next recommended product takes the step.
6. **Out of stock**: the substitute the condition pages offer (same key ingredient first,
   then the next recommended product), if it fits the same step; otherwise it is left out.
7. **Actives**: no two products of the same active class, and at most ``MAX_ACTIVES``.
8. **Conflicts** (editors' rules): two classes in the same routine go on alternate days,
   and the reader is told why.
9. **The other steps** hold one product that suits the skin type (sensitive skin: one made
   for sensitive skin) with no active ingredient, a recommended one first.
10. **Sunscreen** of SPF ``MIN_SPF`` or more every morning, whatever the other answers.
11. **Budget**: the least expensive basics; treatments are left out, the last chosen
    first, until the routine fits, and the reader is told.

Everything the reader is told about a rule that changed their routine is in
``Routine.notes`` (or on the product it changed). Services flush; the view commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import parse_qsl

from flask import current_app
from sqlalchemy import ColumnElement, exists, func, or_, select, true, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from storefront.caching import depends_on
from storefront.cart import services as cart_services
from storefront.cart.models import Cart
from storefront.catalog import services as catalog_services
from storefront.catalog.models import (
    Product,
    ProductSkinType,
    ProductStatus,
    SkinType,
    Variant,
    product_ingredient,
)
from storefront.catalog.page_tags import PRICES, STOCK
from storefront.content import catalog_pages
from storefront.content.alternatives import can_buy_now, rank_alternatives
from storefront.content.models import Article, Condition, Recommendation, article_condition
from storefront.content.picks import (
    ConditionPicks,
    PickState,
    build_picks,
    buyable,
    load_products,
    load_recommendations,
)
from storefront.content.reading import teaser_only
from storefront.extensions import db
from storefront.money import format_money
from storefront.routines.answers import AnswerProblems, Answers, read_answers
from storefront.routines.models import (
    ConflictRule,
    IngredientClass,
    RoutineStep,
    SavedRoutine,
    StepKind,
    TimeOfDay,
    ingredient_class_member,
)

MAX_ACTIVES = 3
MIN_SPF = 30
# The class the answer "I already use a prescription retinoid" is about.
RETINOID = "retinoid"
FALLBACK_PER_CATEGORY = 8  # basics looked at per category when no recommendation fits
TIMES = (TimeOfDay.MORNING, TimeOfDay.EVENING)
ZERO = Decimal("0.00")


class RoutineNotReady(Exception):
    """The shop has no routine steps yet (see ``defaults.seed_default_rules``)."""


# --- What editors manage, loaded once per routine ---------------------------------------

@dataclass
class Rules:
    steps: list[RoutineStep]
    classes: list[IngredientClass]
    conflicts: list[ConflictRule]
    step_for_category: dict[int, RoutineStep] = field(default_factory=dict)
    class_for_ingredient: dict[int, IngredientClass] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for step in self.steps:
            for category in step.categories:
                self.step_for_category[category.id] = step
        for kind in self.classes:
            for ingredient in kind.ingredients:
                self.class_for_ingredient[ingredient.id] = kind

    def step_of(self, product: Product) -> RoutineStep | None:
        return self.step_for_category.get(product.category_id)

    def classes_of(self, product: Product) -> list[IngredientClass]:
        found = {self.class_for_ingredient[i.id].id: self.class_for_ingredient[i.id]
                 for i in product.ingredients if i.id in self.class_for_ingredient}
        return sorted(found.values(), key=lambda kind: (kind.position, kind.name))

    @property
    def retinoid(self) -> IngredientClass | None:
        return next((kind for kind in self.classes if kind.slug == RETINOID), None)


def load_rules() -> Rules:
    """The steps with their categories, the classes with their ingredients, the conflicts."""
    step_rows = db.session.scalars(select(RoutineStep).options(
        selectinload(RoutineStep.categories)).order_by(RoutineStep.position, RoutineStep.id))
    class_rows = db.session.scalars(select(IngredientClass).options(
        selectinload(IngredientClass.ingredients))
        .order_by(IngredientClass.position, IngredientClass.name))
    steps, classes = list(step_rows), list(class_rows)
    # Their classes are loaded above, so reaching them needs no further statement.
    conflicts = list(db.session.scalars(select(ConflictRule).order_by(ConflictRule.id)))
    return Rules(steps, classes, conflicts)


def in_routine(step: RoutineStep, answers: Answers) -> bool:
    """Rule 1 (and 10: the sunscreen step is in every routine)."""
    return step.essential or answers.complete or step.kind == StepKind.SUNSCREEN


def used_at(step: RoutineStep, time: TimeOfDay) -> bool:
    """Rule 10: sunscreen is a morning step, whatever else it says."""
    if step.kind == StepKind.SUNSCREEN:
        return time == TimeOfDay.MORNING
    return step.used_at(time)


# --- What a routine is made of ------------------------------------------------------------

def cheapest_size(product: Product) -> Variant | None:
    """The size a routine puts in the cart: the least expensive one on sale and in stock."""
    if not product.is_sold:
        return None
    sizes = [variant for variant in product.sold_variants if variant.available > 0]
    return min(sizes, key=lambda v: (v.price, v.position, v.id)) if sizes else None


def _price(product: Product) -> Decimal:
    variant = cheapest_size(product)
    return variant.price if variant else ZERO


@dataclass(frozen=True)
class Reason:
    why: str
    how_to_use: str = ""
    condition: Condition | None = None


@dataclass(eq=False)
class Item:
    """A product in the routine, or (``product`` None) the reader's own prescription."""

    step: RoutineStep
    product: Product | None
    reasons: list[Reason]
    classes: list[IngredientClass]
    times: tuple[TimeOfDay, ...]
    instead_of: Product | None = None
    article: Article | None = None
    alternations: list[Alternation] = field(default_factory=list)
    # The size the one-press add puts in the cart, chosen when the routine is built.
    variant: Variant | None = field(init=False)

    def __post_init__(self) -> None:
        self.variant = cheapest_size(self.product) if self.product is not None else None

    @property
    def own_prescription(self) -> bool:
        return self.product is None

    @property
    def active(self) -> bool:
        return any(kind.active for kind in self.classes)

    @property
    def class_ids(self) -> set[int]:
        return {kind.id for kind in self.classes}

    @property
    def concerns(self) -> set[str]:
        return {reason.condition.slug for reason in self.reasons if reason.condition}

    @property
    def name(self) -> str:
        return self.product.name if self.product else "Your prescription retinoid"

    @property
    def price(self) -> Decimal:
        variant = self.variant
        return variant.price if variant else ZERO


@dataclass(eq=False)
class Alternation:
    """Rule 8: two sides of a conflict used on alternate days at ``time``."""

    time: TimeOfDay
    rule: ConflictRule
    first: list[Item]
    second: list[Item]

    def others(self, item: Item) -> list[Item]:
        return self.second if item in self.first else self.first


@dataclass
class Advice:
    """Rule 5: a prescription product, as "ask your dermatologist" information."""

    product: Product
    reasons: list[Reason]


@dataclass
class Line:
    step: RoutineStep
    item: Item | None  # None: nothing suitable is in stock for this step
    alternations: list[Alternation] = field(default_factory=list)


@dataclass
class Routine:
    answers: Answers
    conditions: list[Condition]
    morning: list[Line]
    evening: list[Line]
    advice: list[Advice]
    notes: list[str]
    alternations: list[Alternation]
    items: list[Item]

    @property
    def to_buy(self) -> list[Item]:
        """Each product the one-press add puts in the cart, once (never a prescription)."""
        return [item for item in self.items if item.variant is not None]

    @property
    def total(self) -> Decimal:
        return sum((item.price for item in self.to_buy), ZERO)


# --- Building it --------------------------------------------------------------------------

@dataclass(eq=False)
class Candidate:
    """A recommended product with its reasons, by concern, and its place in each list."""

    product: Product
    state: str
    instead: Product | None
    reasons: dict[str, Reason] = field(default_factory=dict)
    rank: dict[str, int] = field(default_factory=dict)


def _add_reason(candidate: Candidate, rec: Recommendation, condition: Condition) -> None:
    candidate.reasons.setdefault(condition.slug, Reason(rec.why, rec.how_to_use, condition))
    candidate.rank.setdefault(condition.slug, rec.position)


def _candidates(picks: list[ConditionPicks]) -> dict[int, Candidate]:
    """Rule 2: the recommended products, each once, with every concern it is for."""
    found: dict[int, Candidate] = {}
    for condition_picks in picks:
        for pick in condition_picks.products:
            candidate = found.setdefault(pick.product.id, Candidate(
                pick.product, pick.state, pick.instead))
            _add_reason(candidate, pick.recommendation, condition_picks.condition)
    return found


def names(items) -> str:
    """“A”, “A and B”, “A, B and C”."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def a_class(kind: IngredientClass) -> str:
    """“a retinoid”, “an antioxidant”."""
    name = kind.name.lower()
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


def _catalogue_order():
    return (Product.featured_rank.is_(None), Product.featured_rank, func.lower(Product.name),
            Product.id)


def _has_stock():
    return exists().where(Variant.product_id == Product.id, Variant.active.is_(True),
                          Variant.stock_on_hand - Variant.stock_reserved > 0)


def wanted_skin(answers: Answers) -> SkinType:
    """Rule 9: sensitive skin first; otherwise the reader's skin type."""
    return SkinType.SENSITIVE if answers.sensitive else answers.skin


def _basic_ids(rules: Rules, answers: Answers):
    """Rules 9 and 10 in SQL: for each category of the basic and sunscreen steps, the first
    few products on sale and in stock that suit the skin and have no active ingredient (nor
    one avoided in pregnancy, when that applies); the least expensive first with a budget.
    None when those steps have no categories."""
    steps = [s for s in rules.steps if s.kind != StepKind.TREATMENTS and in_routine(s, answers)]
    categories = [c.id for s in steps for c in s.categories]
    if not categories:
        return None
    sunscreen = [c.id for s in steps if s.kind == StepKind.SUNSCREEN for c in s.categories]
    avoided: ColumnElement[bool] = IngredientClass.active.is_(True)
    if answers.pregnant:
        avoided = or_(avoided, IngredientClass.avoid_in_pregnancy.is_(True))
    unwanted = select(ingredient_class_member.c.ingredient_id).join(
        IngredientClass, IngredientClass.id == ingredient_class_member.c.class_id).where(avoided)
    has_unwanted = exists().where(product_ingredient.c.product_id == Product.id,
                                  product_ingredient.c.ingredient_id.in_(unwanted))
    typed = exists().where(ProductSkinType.product_id == Product.id)
    suits = exists().where(ProductSkinType.product_id == Product.id,
                           ProductSkinType.skin_type == wanted_skin(answers))
    spf = (or_(Product.category_id.not_in(sunscreen), Product.spf >= MIN_SPF) if sunscreen
           else true())
    order = _catalogue_order()
    if answers.budget is not None:
        order = (select(func.min(Variant.price)).where(
            Variant.product_id == Product.id, Variant.active.is_(True),
            Variant.stock_on_hand - Variant.stock_reserved > 0).scalar_subquery(), *order)
    ranked = (
        select(Product.id, func.row_number().over(partition_by=Product.category_id,
                                                  order_by=order).label("place"))
        .where(Product.category_id.in_(categories), Product.status == ProductStatus.ACTIVE,
               Product.prescription_only.is_(False), _has_stock(), ~has_unwanted,
               or_(~typed, suits), spf)
        .subquery("ranked_basics"))
    return select(ranked.c.id).where(ranked.c.place <= FALLBACK_PER_CATEGORY)


def _treatment_ids(rules: Rules, ingredient_ids: set[int]):
    """Rule 2 for recommended key ingredients in SQL: the first few treatments on sale and
    in stock with each of them. None when there are none to look for."""
    step = next((s for s in rules.steps if s.kind == StepKind.TREATMENTS), None)
    categories = [category.id for category in step.categories] if step else []
    if not ingredient_ids or not categories:
        return None
    ranked = (
        select(Product.id, func.row_number().over(
            partition_by=product_ingredient.c.ingredient_id,
            order_by=_recommended_first()).label("place"))
        .join(product_ingredient, product_ingredient.c.product_id == Product.id)
        .where(product_ingredient.c.ingredient_id.in_(sorted(ingredient_ids)),
               Product.category_id.in_(categories), Product.status == ProductStatus.ACTIVE,
               Product.prescription_only.is_(False), _has_stock())
        .subquery("ranked_treatments"))
    return select(ranked.c.id).where(ranked.c.place <= FALLBACK_PER_CATEGORY)


def _recommended_first():
    """Products the dermatologists recommend for something first (a face serum, say,
    before a body lotion with the same acid), then the catalogue's order."""
    return (~exists().where(Recommendation.product_id == Product.id), *_catalogue_order())


@dataclass
class CatalogueProducts:
    """Products from the catalogue beyond the recommended ones: basics to fall back on,
    and treatments with a recommended key ingredient."""

    basics: list[Product]
    with_ingredients: list[Product]


def _catalogue_products(rules: Rules, answers: Answers,
                        recommendations: list[Recommendation]) -> CatalogueProducts:
    """One statement (and its loaders) for the basics, the treatments with a recommended
    ingredient, and the skin types of the recommended products, which the rules read."""
    wanted = [select(Product.id).where(Product.id.in_(sorted(
        {r.product_id for r in recommendations if r.product_id})))]
    for found in (_basic_ids(rules, answers), _treatment_ids(
            rules, {r.ingredient_id for r in recommendations if r.ingredient_id})):
        if found is not None:
            wanted.append(found)
    statement = (select(Product).where(Product.id.in_(union(*wanted)))
                 .options(*catalog_services.card_loader_options(),
                          selectinload(Product.ingredients),
                          selectinload(Product.skin_type_links))
                 .order_by(*_recommended_first()))
    products = list(db.session.scalars(statement))
    if answers.budget is not None:
        products.sort(key=_price)
    treatments = [p for p in products if (step := rules.step_of(p)) is not None
                  and step.kind == StepKind.TREATMENTS and buyable(p)]
    return CatalogueProducts([p for p in products if p not in treatments], treatments)


def _latest_articles(condition_ids: list[int]) -> dict[int, Article]:
    """The newest visible article on each condition (one statement)."""
    if not condition_ids:
        return {}
    rows = db.session.execute(
        select(article_condition.c.condition_id, Article)
        .join(Article, Article.id == article_condition.c.article_id)
        .where(article_condition.c.condition_id.in_(condition_ids), Article.visible_clause())
        .options(teaser_only())
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(20 * len(condition_ids)))
    latest: dict[int, Article] = {}
    for condition_id, article in rows:
        latest.setdefault(condition_id, article)
    return latest


class _Builder:
    """Applies the rules in order; each method is one rule or part of one."""

    def __init__(self, answers: Answers, rules: Rules, conditions: list[Condition],
                 picks: list[ConditionPicks], products: CatalogueProducts):
        self.answers, self.rules, self.conditions = answers, rules, conditions
        self.fallback = products.basics
        self.steps = [step for step in rules.steps if in_routine(step, answers)]
        self.treatments: list[Item] = []
        self.basics: dict[int, Item] = {}
        self.advice: dict[int, Advice] = {}
        self.notes: list[str] = []
        self.left_out: dict[str, list[str]] = {}  # why -> what, in the order met
        self.alternations: list[Alternation] = []
        self.tried: set[int] = set()
        found = _candidates(picks)
        self._ingredient_candidates(picks, products.with_ingredients, found)
        self.candidates = list(found.values())

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def leave_out(self, product_name: str, why: str) -> None:
        left = self.left_out.setdefault(why, [])
        if product_name not in left:
            left.append(product_name)

    def _ingredient_candidates(self, picks: list[ConditionPicks],
                               products: list[Product], found: dict[int, Candidate]) -> None:
        """Rule 2 for a recommended key ingredient: the first product in stock with it
        that this reader may use (a recommended product if there is one)."""
        for condition_picks in picks:
            for rec in condition_picks.ingredients:
                having = [p for p in products
                          if rec.ingredient_id in {i.id for i in p.ingredients}]
                having.sort(key=lambda p: (p.id not in found, not self._suits(p)))
                product = next((p for p in having if self.excluded(p) is None), None)
                if product is None:
                    continue
                candidate = found.setdefault(product.id, Candidate(
                    product, PickState.AVAILABLE, None))
                _add_reason(candidate, rec, condition_picks.condition)

    # Rules 3 and 4: who may use what ---------------------------------------------------

    def excluded(self, product: Product) -> str | None:
        """Why ``product`` cannot be in this reader's routine (rules 3 and 4), or None."""
        classes = self.rules.classes_of(product)
        if self.answers.pregnant:
            avoided = [kind for kind in classes if kind.avoid_in_pregnancy]
            if avoided:
                return (f"{a_class(avoided[0])} is avoided in pregnancy, while "
                        "breastfeeding and when trying for a baby")
        if self.answers.uses_rx_retinoid and any(k.slug == RETINOID for k in classes):
            return ("you already use a prescription retinoid, and a second retinoid adds "
                    "irritation, not results")
        return None

    # Rules 5 and 6: prescriptions and stock -------------------------------------------

    def _reasons(self, candidate: Candidate) -> list[Reason]:
        """The candidate's reasons in the order of the reader's concerns."""
        return [candidate.reasons[slug] for slug in self.answers.concerns
                if slug in candidate.reasons]

    def _advise(self, candidate: Candidate) -> None:
        self.advice.setdefault(candidate.product.id, Advice(
            candidate.product, self._reasons(candidate)))

    def _fits(self, product: Product, step: RoutineStep) -> bool:
        return (self.rules.step_of(product) is step and buyable(product)
                and self.excluded(product) is None)

    def _substitute(self, candidate: Candidate, step: RoutineStep) -> Product | None:
        if candidate.instead is not None and self._fits(candidate.instead, step):
            return candidate.instead
        # Among the reader's own concerns, what does the same job (rank_alternatives).
        condition_ids = {c.id for c in self.conditions if c.slug in candidate.reasons}
        around = [rec for rec in catalog_pages.recommendations_around(candidate.product)
                  if rec.condition_id in condition_ids]
        best = rank_alternatives(
            candidate.product, around, {rec.product.id: rec.product for rec in around
                                        if rec.product is not None}, 1,
            can_buy=lambda other: can_buy_now(other) and self._fits(other, step))
        return best[0].product if best else None

    def _resolve(self, candidate: Candidate,
                 step: RoutineStep) -> tuple[Product, Product | None] | None:
        """(what to use, the out-of-stock product it replaces) or None, saying why."""
        product = candidate.product
        why_not = self.excluded(product)
        if why_not:
            self.leave_out(product.name, why_not)
            return None
        if candidate.state == PickState.PRESCRIPTION:
            self._advise(candidate)
            return None
        if candidate.state == PickState.AVAILABLE:
            return product, None
        substitute = self._substitute(candidate, step)
        if substitute is None:
            gone = ("out of stock" if candidate.state == PickState.OUT_OF_STOCK
                    else "no longer sold")
            self.leave_out(product.name, f"{gone}, and nothing similar is in stock right now")
            return None
        return substitute, product

    # Rule 2 and 7: treatments ---------------------------------------------------------

    def _times(self, step: RoutineStep, classes: list[IngredientClass]) -> tuple:
        allowed = [time for time in TIMES if used_at(step, time)]
        wanted = set(allowed)
        fixed: list[TimeOfDay] = [kind.time_of_day for kind in classes
                                  if kind.time_of_day != TimeOfDay.BOTH]
        for time in fixed:
            wanted &= {time}
        if not wanted and fixed:
            wanted = {fixed[0]} & set(allowed) or set(allowed)
        return tuple(time for time in allowed if time in wanted)

    def _too_many(self, product: Product, classes: list[IngredientClass]) -> str | None:
        """Rule 7: a second product of an active class, or a fourth active."""
        for item in self.treatments:
            same = [k for k in classes if k.active and k.id in item.class_ids]
            if same:
                return (f"{item.name} already brings {a_class(same[0])}, and a second "
                        "adds irritation, not results")
        actives = [item for item in self.treatments if item.active]
        if any(kind.active for kind in classes) and len(actives) >= MAX_ACTIVES:
            return (f"a routine has at most {MAX_ACTIVES} active treatments, and yours has "
                    f"{names(item.name for item in actives)}")
        return None

    def _try_treatment(self, candidate: Candidate, step: RoutineStep) -> Item | None:
        self.tried.add(candidate.product.id)
        resolved = self._resolve(candidate, step)
        if resolved is None:
            return None
        product, instead_of = resolved
        existing = next((i for i in self.treatments if i.product is product), None)
        if existing is not None:  # a substitute that is already in: one more reason for it
            existing.reasons += [r for r in self._reasons(candidate)
                                 if r not in existing.reasons]
            return existing
        classes = self.rules.classes_of(product)
        too_many = self._too_many(product, classes)
        if too_many:
            self.leave_out(product.name, too_many)
            return None
        item = Item(step, product, self._reasons(candidate), classes,
                    self._times(step, classes), instead_of=instead_of)
        self.treatments.append(item)
        return item

    def _best_for(self, slug: str, step: RoutineStep, needing: set[str]) -> Item | None:
        """The first usable treatment for ``slug``, those covering most concerns first."""
        options = sorted((c for c in self.candidates if slug in c.reasons
                          and c.product.id not in self.tried
                          and self.rules.step_of(c.product) is step),
                         key=lambda c: (-len(needing & c.reasons.keys()), c.rank[slug]))
        for candidate in options:
            item = self._try_treatment(candidate, step)
            if item is not None:
                return item
        return None

    def _own_prescription(self, step: RoutineStep) -> None:
        """Rule 4: the reader's prescription retinoid, in the evening."""
        if not self.answers.uses_rx_retinoid:
            return
        if self.answers.pregnant:
            self.note("Retinoids are avoided in pregnancy, while breastfeeding and when "
                      "trying for a baby: please talk to your dermatologist before you use "
                      "your prescription retinoid again.")
            return
        retinoid = self.rules.retinoid
        classes = [retinoid] if retinoid else []
        times = (TimeOfDay.EVENING,) if used_at(step, TimeOfDay.EVENING) else self._times(
            step, classes)
        self.treatments.append(Item(step, None, [Reason(
            "Your dermatologist prescribed it: keep using it exactly as they told you.")],
            classes, times))

    def choose_treatments(self) -> None:
        step = next((s for s in self.steps if s.kind == StepKind.TREATMENTS), None)
        if step is None:
            return
        self._own_prescription(step)
        concerns = self.answers.concerns
        covered: Counter[str] = Counter()
        for round_ in range(2 if self.answers.complete else 1):
            for slug in concerns:
                if covered[slug] > round_:
                    continue
                needing = {other for other in concerns if covered[other] <= round_}
                item = self._best_for(slug, step, needing)
                if item is not None:
                    covered.update(item.concerns)
        for candidate in self.candidates:  # prescriptions not reached are still worth asking
            if (candidate.state == PickState.PRESCRIPTION
                    and self.rules.step_of(candidate.product) is step
                    and candidate.product.id not in self.tried):
                self._resolve(candidate, step)

    # Rules 9, 10 and 6: one product per other step ------------------------------------

    def _suits(self, product: Product) -> bool:
        types = product.skin_types
        return not types or wanted_skin(self.answers) in types

    def _basic_fits(self, product: Product, step: RoutineStep) -> bool:
        if step.kind == StepKind.SUNSCREEN and (product.spf or 0) < MIN_SPF:
            return False
        return (self._suits(product) and self.excluded(product) is None
                and not any(k.active for k in self.rules.classes_of(product)))

    def _basic_reason(self, product: Product, step: RoutineStep) -> Reason:
        if step.kind == StepKind.SUNSCREEN:
            return Reason(f"SPF {product.spf}: daily sun protection is part of every "
                          "routine, and it keeps your treatments from making skin "
                          "sun-sensitive.", "Every morning as the last step; reapply "
                          "outdoors.")
        skin = wanted_skin(self.answers).label.lower()
        return Reason(f"Suits {skin} skin, with no active ingredient to add to your "
                      "treatments.")

    def _choose_basic(self, step: RoutineStep) -> Item | None:
        recommended = sorted(
            (c for c in self.candidates if self.rules.step_of(c.product) is step
             and self._basic_fits(c.product, step)),
            key=lambda c: min(c.rank.values()))
        first_choice = recommended[0].product if recommended else None
        options = [c.product for c in recommended] + [
            p for p in self.fallback if self.rules.step_of(p) is step and self._basic_fits(p, step)]
        options = [p for p in options if buyable(p)]
        if self.answers.budget is not None:
            options.sort(key=_price)
        if not options:
            return None
        chosen = options[0]
        candidate = next((c for c in recommended if c.product is chosen), None)
        reasons = (self._reasons(candidate) if candidate
                   else [self._basic_reason(chosen, step)])
        instead_of = (first_choice if first_choice is not None and first_choice is not chosen
                      and not buyable(first_choice) else None)
        return Item(step, chosen, reasons, self.rules.classes_of(chosen),
                    tuple(time for time in TIMES if used_at(step, time)),
                    instead_of=instead_of)

    def choose_basics(self) -> None:
        for step in self.steps:
            if step.kind != StepKind.TREATMENTS:
                item = self._choose_basic(step)
                if item is not None:
                    self.basics[step.id] = item

    # Rule 11: budget -------------------------------------------------------------------

    def _total(self) -> Decimal:
        return sum((item.price for item in self.items()), ZERO)

    def fit_budget(self) -> None:
        budget = self.answers.budget_amount
        if budget is None:
            return
        currency = current_app.config["SHOP_CURRENCY"]
        left_out: list[str] = []
        while self._total() > budget:
            removable = [item for item in self.treatments if not item.own_prescription]
            if not removable:
                break
            self.treatments.remove(removable[-1])
            left_out.insert(0, removable[-1].name)
        if left_out:
            self.note(f"To stay within your budget of {format_money(budget, currency)}, we "
                      f"left out {names(left_out)}.")
        if self._total() > budget:
            self.note(f"The least expensive products that suit you come to "
                      f"{format_money(self._total(), currency)}, above your budget of "
                      f"{format_money(budget, currency)}.")

    # Rule 8: conflicts ----------------------------------------------------------------

    def split_conflicts(self) -> None:
        for time in TIMES:
            at_time = [item for item in self.treatments if time in item.times]
            for rule in self.rules.conflicts:
                first = [i for i in at_time if rule.first_class_id in i.class_ids]
                second = [i for i in at_time if rule.second_class_id in i.class_ids]
                if not first or not second or any(i in second for i in first):
                    continue
                alternation = Alternation(time, rule, first, second)
                self.alternations.append(alternation)
                for item in first + second:
                    item.alternations.append(alternation)

    # The routine ----------------------------------------------------------------------

    def items(self) -> list[Item]:
        ordered = []
        for step in self.steps:
            if step.kind == StepKind.TREATMENTS:
                ordered += self.treatments
            elif step.id in self.basics:
                ordered.append(self.basics[step.id])
        return ordered

    def lines(self, time: TimeOfDay) -> list[Line]:
        lines = []
        for step in self.steps:
            if not used_at(step, time):
                continue
            if step.kind == StepKind.TREATMENTS:
                lines += [Line(step, item, [a for a in item.alternations if a.time == time])
                          for item in self.treatments if time in item.times]
            else:
                lines.append(Line(step, self.basics.get(step.id)))
        return lines

    def routine(self, articles: dict[int, Article]) -> Routine:
        items = self.items()
        for item in items:
            first = next((r.condition for r in item.reasons if r.condition), None)
            item.article = articles.get(first.id) if first else None
        notes = [f"We left out {names(left)}: {why}." for why, left in self.left_out.items()]
        return Routine(self.answers, self.conditions, self.lines(TimeOfDay.MORNING),
                       self.lines(TimeOfDay.EVENING), list(self.advice.values()),
                       notes + self.notes, self.alternations, items)


def build_routine(answers: Answers, conditions: list[Condition],
                  rules: Rules | None = None) -> Routine:
    """The routine for ``answers``; ``conditions`` are the chosen ones, in order.

    A fixed number of statements, whatever the answers: the rules, the recommendations
    with their products, the basics to fall back on and the articles (plus one for each
    out-of-stock treatment whose substitute is not among the recommended products).
    """
    depends_on(STOCK, PRICES)  # it picks the first products in stock, by price with a budget
    rules = rules or load_rules()
    if not rules.steps:
        raise RoutineNotReady
    condition_ids = [condition.id for condition in conditions]
    recommendations = load_recommendations(condition_ids)
    catalogue = load_products({r.product_id for r in recommendations if r.product_id})
    picks = build_picks(conditions, recommendations, catalogue)
    builder = _Builder(answers, rules, conditions, picks,
                       _catalogue_products(rules, answers, recommendations))
    builder.choose_treatments()
    builder.choose_basics()
    builder.fit_budget()
    builder.split_conflicts()
    return builder.routine(_latest_articles(condition_ids))


# --- Reading answers against the shop's conditions ----------------------------------------

def condition_order(conditions: list[Condition]) -> dict[str, int]:
    return {condition.slug: place for place, condition in enumerate(conditions)}


def chosen_conditions(answers: Answers, conditions: list[Condition]) -> list[Condition]:
    by_slug = {condition.slug: condition for condition in conditions}
    return [by_slug[slug] for slug in answers.concerns if slug in by_slug]


def answers_from(args, conditions: list[Condition]) -> Answers:
    """Answers from a query string or a form; AnswerProblems when they can't be used."""
    return read_answers(args, condition_order(conditions))


# --- The one-press add ----------------------------------------------------------------------

@dataclass
class CartResult:
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def add_to_cart(cart: Cart, routine: Routine) -> CartResult:
    """Put one of every product of ``routine`` in ``cart`` (those already there stay as
    they are), each line remembering the routine. Prescriptions are never added; stock is
    checked line by line, and what could not be added is said. Flushes only."""
    result = CartResult()
    for item in routine.to_buy:
        assert item.variant is not None  # to_buy holds only items with a size
        try:
            change = cart_services.add_from_routine(cart, item.variant.id,
                                                    routine.answers.attribution)
        except cart_services.CartError as error:
            result.problems.append(f"{error.message} It was left out.")
            continue
        (result.added if change.added else result.already).append(
            cart_services.describe(change.line.variant))
    return result


# --- Saved in an account -------------------------------------------------------------------

def saved_routine(user_id: int) -> SavedRoutine | None:
    return db.session.scalar(select(SavedRoutine).where(SavedRoutine.user_id == user_id))


def save_routine(user_id: int, answers: Answers) -> SavedRoutine:
    """Keep ``answers`` as the account's routine (replacing any earlier one). Flushes."""
    saved = saved_routine(user_id)
    if saved is None:
        saved = SavedRoutine(user_id=user_id, answers=answers.query_string())
        try:
            with db.session.begin_nested():
                db.session.add(saved)
        except IntegrityError:  # saved a moment ago in another tab: update that one
            saved = saved_routine(user_id)
            if saved is None:
                raise
    saved.answers = answers.query_string()
    db.session.flush()
    return saved


def forget_routine(user_id: int) -> bool:
    saved = saved_routine(user_id)
    if saved is None:
        return False
    db.session.delete(saved)
    db.session.flush()
    return True


def saved_answers(saved: SavedRoutine, conditions: list[Condition]) -> Answers | None:
    """The saved answers as they read today, or None when they no longer make a routine
    (a concern the shop has since removed)."""
    try:
        return answers_from(MultiDict(parse_qsl(saved.answers)), conditions)
    except AnswerProblems:
        return None
