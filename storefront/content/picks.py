"""Recommendations that stay true: each recommended product as it stands today (on sale, in
stock, prescription only) and what to buy instead when it cannot be bought.

No SQL beyond ``load_product_cards`` (or ``load_products``) and ``load_recommendations``,
whose statements are built once per process and keep to a fixed number however many
recommendations a page has. Pages read the products as cards' plain rows
(``storefront.catalog.cards``); a routine, which asks more of them, as models.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from typing import Generic, NamedTuple, TypeVar

from sqlalchemy import BindParameter, and_, bindparam, exists, func, or_, select, union
from sqlalchemy.orm import aliased, joinedload, load_only, selectinload

from storefront.caching import depends_on
from storefront.catalog import cards
from storefront.catalog.cards import CardProduct
from storefront.catalog.models import (
    Ingredient,
    Product,
    ProductStatus,
    StockState,
    Variant,
    product_ingredient,
)
from storefront.catalog.page_tags import STOCK, product_tag
from storefront.catalog.services import card_loader_options
from storefront.content.alternatives import (
    Alternative,
    P,
    Pickable,
    R,
    can_buy_now,
    rank_alternatives,
)
from storefront.content.models import Condition, Recommendation, RecommendationRole
from storefront.content.page_tags import condition_tag
from storefront.extensions import db, read_rows

OTC_LIMIT = 3


class PickState:
    AVAILABLE = "available"
    OUT_OF_STOCK = "out_of_stock"
    NOT_SOLD = "not_sold"
    PRESCRIPTION = "prescription"


def in_stock(product: Pickable) -> bool:
    return product.stock_state is not StockState.OUT


buyable = can_buy_now


def pick_state(product: Pickable) -> str:
    if not product.is_active:
        return PickState.NOT_SOLD
    if product.prescription_only:
        return PickState.PRESCRIPTION
    return PickState.AVAILABLE if in_stock(product) else PickState.OUT_OF_STOCK


@dataclass(frozen=True, slots=True)
class ConditionLink:
    """A condition as an article names it: a link to its page (a plain row)."""

    id: int
    slug: str
    name: str
    position: int


class ConditionRow(NamedTuple):
    """A condition as its page shows it (a plain row: read without the ORM, whose path
    costs a statement 60 to 90 µs more, so the page names its tag itself)."""

    id: int
    slug: str
    name: str
    summary: str
    causes: str
    what_helps: str


@dataclass
class ProductPick(Generic[P, R]):
    """A recommended product as it stands today, with what to buy instead if needed."""

    recommendation: R
    product: P
    state: str
    instead: P | None = None
    alternatives: list[Alternative[P, R]] = field(default_factory=list)


# The condition picks are for: a model, a link to it (an article page's plain row) or
# its page's row.
C = TypeVar("C", Condition, ConditionLink, ConditionRow)


@dataclass
class ConditionPicks(Generic[P, R, C]):
    condition: C
    products: list[ProductPick[P, R]] = field(default_factory=list)
    ingredients: list[R] = field(default_factory=list)
    # The condition's recommended products a page left out (an article shows the first
    # few; the condition's own page shows them all).
    unshown: int = 0

    def __bool__(self) -> bool:
        return bool(self.products or self.ingredients)

    @property
    def recommended(self) -> int:
        """How many products are recommended for the condition, shown here or not."""
        return len(self.products) + self.unshown


def _has_stock(product_id_column):
    return exists().where(
        Variant.product_id == product_id_column, Variant.active.is_(True),
        Variant.stock_on_hand - Variant.stock_reserved > 0,
    )


def _unavailable_among(product_ids):
    """SQL: those of ``product_ids`` that a shopper cannot buy now (not Rx-only ones)."""
    return select(Product.id).where(
        Product.id.in_(product_ids),
        or_(Product.status != ProductStatus.ACTIVE,
            and_(Product.prescription_only.is_(False), ~_has_stock(Product.id))),
    )


def _catalogue_order(product=Product):
    return (product.featured_rank.is_(None), product.featured_rank, func.lower(product.name),
            product.id)


def _unavailable_ingredients(product_ids):
    """SQL: the key ingredients of the unavailable ones of ``product_ids``."""
    links = product_ingredient.alias("unavailable_links")
    return select(links.c.ingredient_id).where(
        links.c.product_id.in_(_unavailable_among(product_ids)))


def _ingredient_substitutes(product_ids, featured_only: bool = False):
    """SQL: for each key ingredient of an unavailable one of these, the first buyable
    product (in catalogue order) that has it; with ``featured_only``, the first featured
    one (if any).

    That is all ``_replacement`` can choose from: the first buyable product sharing any
    ingredient with a given one is the first for one of its ingredients. Loading every
    product that shares an ingredient would grow with the shop (thousands of cards).
    Featured products come first in catalogue order and are few (the status and rank
    index finds them, and ranking them is cheap); ``load_products`` asks for every
    product only when no featured product shares an ingredient with an unavailable one.
    """
    if not featured_only:
        return _first_with_ingredients(product_ids)
    # "IS NOT true", not "IS false" (the same for a column that is never NULL): with two
    # equalities to match, SQLite chose the (status, prescription_only) index and walked
    # every active product instead of the few featured ones (the article at 500 products:
    # 29.07 → 28.42 M instructions a request).
    links = product_ingredient.alias("substitute_links")
    ranked = (
        select(links.c.product_id,
               func.row_number().over(partition_by=links.c.ingredient_id,
                                      order_by=_catalogue_order()).label("place"))
        .join(Product, Product.id == links.c.product_id)
        .where(links.c.ingredient_id.in_(_unavailable_ingredients(product_ids)),
               Product.status == ProductStatus.ACTIVE, Product.prescription_only.is_not(True),
               _has_stock(Product.id), Product.featured_rank.is_not(None))
    ).subquery("ranked_substitutes")
    return select(ranked.c.product_id).where(ranked.c.place == 1)


def _first_with_ingredients(product_ids):
    """SQL: each ingredient's first buyable product, found by walking the products in
    catalogue order (the ``ix_product_featured_order`` index) until one has it and is in
    stock: a few products for a common ingredient. Ranking every product with any of them
    and keeping each ingredient's first read and sorted thousands of rows (55 ms on
    SQLite, 45 ms on PostgreSQL at 5,000 products; this way about 1 ms)."""
    wanted = _unavailable_ingredients(product_ids).distinct().subquery("wanted")
    links = product_ingredient.alias("substitute_links")
    candidate = aliased(Product, name="candidate")
    has_it = (exists().where(links.c.product_id == candidate.id,
                             links.c.ingredient_id == wanted.c.ingredient_id)
              .correlate_except(links))
    first = (
        select(candidate.id)
        .where(candidate.status == ProductStatus.ACTIVE, candidate.prescription_only.is_(False),
               has_it, _has_stock(candidate.id))
        .order_by(*_catalogue_order(candidate))
        .limit(1)
        .correlate(wanted)
        .scalar_subquery()
    )
    return select(first).select_from(wanted)


def _unavailable(product: Pickable) -> bool:
    """What ``_unavailable_among`` says in SQL, for a loaded product."""
    return not product.is_active or (not product.prescription_only and not in_stock(product))


@dataclass
class Catalogue(Generic[P]):
    """Products loaded for their cards, with each one's key ingredients (ids and
    families): what substitutes and alternatives are chosen by."""

    products: list[P] = field(default_factory=list)
    ingredients: dict[int, frozenset[int]] = field(default_factory=dict)
    families: dict[int, frozenset[str]] = field(default_factory=dict)

    def ingredients_of(self, product: Pickable) -> frozenset[int]:
        return self.ingredients.get(product.id, frozenset())

    def families_of(self, product: Pickable) -> frozenset[str]:
        return self.families.get(product.id, frozenset())

    def share_ingredient(self, first: Pickable, second: Pickable) -> bool:
        return bool(self.ingredients_of(first) & self.ingredients_of(second))


def _featured_substitutes_suffice(catalogue: Catalogue[P],
                                  product_ids: AbstractSet[int]) -> bool:
    """Does every unavailable one of ``product_ids`` share a key ingredient with a buyable
    featured product in ``catalogue`` (or have none)? Then the first buyable product with
    any of its ingredients is featured, and loaded: no other could come before it."""
    featured_ingredients = {ingredient for product in catalogue.products
                            if product.featured_rank is not None and buyable(product)
                            for ingredient in catalogue.ingredients_of(product)}
    return all(not catalogue.ingredients_of(product)
               or featured_ingredients & catalogue.ingredients_of(product)
               for product in catalogue.products
               if product.id in product_ids and _unavailable(product))


def load_product_cards(product_ids: AbstractSet[int],
                       slugs: AbstractSet[str] = frozenset()) -> Catalogue[CardProduct]:
    """Recommended products, products named by shortcodes, and in-stock substitutes for
    the recommended ones that cannot be bought, as cards (plain rows, each product a tag
    of the page), with their key ingredients: two statements (again, with every product
    sharing an ingredient ranked, when no featured product can stand in for an
    unavailable one)."""
    return _load(product_ids, slugs, _cards_with)


def load_products(product_ids: AbstractSet[int],
                  slugs: AbstractSet[str] = frozenset()) -> Catalogue[Product]:
    """``load_product_cards`` as models, with their sizes, pictures and key ingredients
    (what a routine reads of them besides their cards)."""
    return _load(product_ids, slugs, _models_with)


def _load(product_ids: AbstractSet[int], slugs: AbstractSet[str],
          read: Callable[[AbstractSet[int], AbstractSet[str], bool], Catalogue[P]],
          ) -> Catalogue[P]:
    if not product_ids and not slugs:
        return Catalogue()
    catalogue = read(product_ids, slugs, True)
    if product_ids and not _featured_substitutes_suffice(catalogue, product_ids):
        catalogue = read(product_ids, slugs, False)
    if any(product.id in product_ids and not product.prescription_only
           and not can_buy_now(product) for product in catalogue.products):
        depends_on(STOCK)  # its substitutes are the first in stock: any sale may change them
    return catalogue


def _parameters(product_ids: AbstractSet[int], slugs: AbstractSet[str]) -> dict:
    return {"product_ids": sorted(product_ids), "slugs": sorted(slugs)}


def _cards_with(product_ids: AbstractSet[int], slugs: AbstractSet[str],
                featured_only: bool) -> Catalogue[CardProduct]:
    products = cards.load_cards(_cards_statement(featured_only),
                                _parameters(product_ids, slugs))
    if not products:
        return Catalogue()
    ingredients: dict[int, set[int]] = {}
    families: dict[int, set[str]] = {}
    for product_id, ingredient_id, family in read_rows(
            _ingredients_statement(), {"product_ids": [p.id for p in products]}):
        ingredients.setdefault(product_id, set()).add(ingredient_id)
        if family:
            families.setdefault(product_id, set()).add(family)
    return Catalogue(products,
                     {key: frozenset(value) for key, value in ingredients.items()},
                     {key: frozenset(value) for key, value in families.items()})


def _models_with(product_ids: AbstractSet[int], slugs: AbstractSet[str],
                 featured_only: bool) -> Catalogue[Product]:
    products = list(db.session.scalars(_models_statement(featured_only),
                                       _parameters(product_ids, slugs)))
    return Catalogue(products,
                     {p.id: frozenset(i.id for i in p.ingredients) for p in products},
                     {p.id: frozenset(p.families) for p in products})


# The page loaders' statements are built once per process (with parameters for what
# changes): building one took longer than running it.

def _wanted(featured_only: bool):
    """SQL: the ids asked for, those named by slug and the substitutes.

    One IN over a UNION of ids (not an OR of three conditions, which makes PostgreSQL
    read the whole product table)."""
    product_ids: BindParameter[int] = bindparam("product_ids", expanding=True)
    return Product.id.in_(union(
        select(Product.id).where(Product.id.in_(product_ids)),
        select(Product.id).where(Product.slug.in_(bindparam("slugs", expanding=True))),
        _ingredient_substitutes(product_ids, featured_only)))


@cache
def _cards_statement(featured_only: bool):
    return cards.cards_statement(_wanted(featured_only), *_catalogue_order())


@cache
def _models_statement(featured_only: bool):
    return (
        select(Product).where(_wanted(featured_only))
        .options(*card_loader_options(), selectinload(Product.ingredients))
        .order_by(*_catalogue_order())
    )


@cache
def _ingredients_statement():
    """Each product's key ingredients as (product id, ingredient id, family) rows: no
    ingredient objects to build, only what picks are chosen by."""
    return (
        select(product_ingredient.c.product_id, product_ingredient.c.ingredient_id,
               Ingredient.family)
        .join(Ingredient, Ingredient.id == product_ingredient.c.ingredient_id)
        .where(product_ingredient.c.product_id.in_(bindparam("product_ids", expanding=True)))
    )


def load_recommendations(condition_ids: list[int]) -> list[Recommendation]:
    if not condition_ids:
        return []
    return list(db.session.scalars(_recommendations_statement(),
                                   {"condition_ids": list(condition_ids)}))


# The rows below are named tuples, not frozen dataclasses: a page builds one per
# recommendation (33 for an article on three conditions), and a frozen dataclass sets each
# field through ``object.__setattr__`` (1.0 µs a row of nine fields; a named tuple 0.3 µs).
class KeyIngredient(NamedTuple):
    """What a page shows of a recommended key ingredient."""

    slug: str
    name: str


class RecommendationRow(NamedTuple):
    """A recommendation as the article and condition pages show it: a plain row."""

    id: int
    condition_id: int
    product_id: int | None
    ingredient_id: int | None
    why: str
    how_to_use: str
    role: RecommendationRole
    position: int
    ingredient: KeyIngredient | None


def load_recommendation_rows(condition_ids: list[int]) -> list[RecommendationRow]:
    """``load_recommendations`` as plain rows (no objects to build), each naming its
    condition and product as tags of the page being rendered, as a loaded
    ``Recommendation`` does."""
    return _tagged(_recommendation_rows(condition_ids))


def load_first_recommendation_rows(condition_ids: list[int], products_per_condition: int,
                                   ) -> tuple[list[RecommendationRow], Counter[int]]:
    """The rows of ``load_recommendation_rows`` an article shows: every key ingredient and
    the first ``products_per_condition`` products of each condition (the editor's order),
    and how many products each condition has beyond those (by condition id). Only the
    rows shown are tags of the page."""
    shown: list[RecommendationRow] = []
    products: Counter[int] = Counter()
    for row in _recommendation_rows(condition_ids):
        if row.product_id is not None:
            products[row.condition_id] += 1
            if products[row.condition_id] > products_per_condition:
                continue
        shown.append(row)
    unshown = Counter({condition_id: count - products_per_condition
                       for condition_id, count in products.items()
                       if count > products_per_condition})
    return _tagged(shown), unshown


def _recommendation_rows(condition_ids: list[int]) -> list[RecommendationRow]:
    if not condition_ids:
        return []
    return [_recommendation_row(*row) for row in read_rows(
        _recommendation_rows_statement(), {"condition_ids": list(condition_ids)})]


def _tagged(rows: list[RecommendationRow]) -> list[RecommendationRow]:
    depends_on(*{condition_tag(row.condition_id) for row in rows},
               *{product_tag(row.product_id) for row in rows if row.product_id is not None})
    return rows


def _recommendation_row(id_, condition_id, product_id, ingredient_id, why, how_to_use, role,
                        position, ingredient_slug, ingredient_name) -> RecommendationRow:
    ingredient = (KeyIngredient(ingredient_slug, ingredient_name)
                  if ingredient_slug is not None else None)
    return RecommendationRow(id_, condition_id, product_id, ingredient_id, why, how_to_use,
                             role, position, ingredient)


@cache
def _recommendation_rows_statement():
    return (
        select(Recommendation.id, Recommendation.condition_id, Recommendation.product_id,
               Recommendation.ingredient_id, Recommendation.why, Recommendation.how_to_use,
               Recommendation.role, Recommendation.position, Ingredient.slug, Ingredient.name)
        .outerjoin(Ingredient, Ingredient.id == Recommendation.ingredient_id)
        .where(Recommendation.condition_id.in_(bindparam("condition_ids", expanding=True)))
        .order_by(Recommendation.condition_id, Recommendation.position, Recommendation.id)
    )


@cache
def _recommendations_statement():
    return (
        select(Recommendation)
        .where(Recommendation.condition_id.in_(bindparam("condition_ids", expanding=True)))
        # What pages show of them and pick by (not their timestamps, nor the
        # ingredients' descriptions).
        .options(load_only(Recommendation.condition_id, Recommendation.product_id,
                           Recommendation.ingredient_id, Recommendation.why,
                           Recommendation.how_to_use, Recommendation.role,
                           Recommendation.position),
                 joinedload(Recommendation.ingredient).load_only(Ingredient.slug,
                                                                 Ingredient.name))
        .order_by(Recommendation.condition_id, Recommendation.position, Recommendation.id)
    )


def _replacement(product: P, condition_products: list[P], catalogue: Catalogue[P],
                 buyable_ids: AbstractSet[int]) -> P | None:
    """The best thing to buy instead of ``product`` (``buyable_ids``: the catalogue's
    products that can be bought now).

    First a product with the same key ingredient (one recommended for this condition
    before others), then the next recommended product for the condition in list order.
    """
    recommended = [p for p in condition_products if p.id != product.id and p.id in buyable_ids]
    others = (p for p in catalogue.products if p.id != product.id and p.id in buyable_ids)
    same_ingredient = next((p for p in chain(recommended, others)
                            if catalogue.share_ingredient(p, product)), None)
    if same_ingredient is not None:
        return same_ingredient
    recommended_ids = {p.id for p in recommended}
    position = next((i for i, p in enumerate(condition_products) if p.id == product.id), 0)
    after = [p for p in condition_products[position + 1:] if p.id in recommended_ids]
    before = [p for p in condition_products[:position] if p.id in recommended_ids]
    found = after + before
    return found[0] if found else None


def _picks_for(condition: C, recommendations: list[R], products: dict[int, P],
               catalogue: Catalogue[P], buyable_ids: AbstractSet[int],
               ) -> ConditionPicks[P, R, C]:
    picks: ConditionPicks[P, R, C] = ConditionPicks(condition)
    for rec in recommendations:
        if rec.ingredient_id is not None:
            picks.ingredients.append(rec)
        elif rec.product_id in products:
            product = products[rec.product_id]
            picks.products.append(ProductPick(rec, product, pick_state(product)))
    listed = [pick.product for pick in picks.products]
    for pick in picks.products:
        if pick.state in (PickState.OUT_OF_STOCK, PickState.NOT_SOLD):
            pick.instead = _replacement(pick.product, listed, catalogue, buyable_ids)
        elif pick.state == PickState.PRESCRIPTION:
            pick.alternatives = rank_alternatives(
                pick.product, recommendations, products, OTC_LIMIT,
                can_buy=lambda other: other.id in buyable_ids, families=catalogue.families_of)
    return picks


def build_picks(conditions: list[C], recommendations: list[R], catalogue: Catalogue[P],
                unshown: Mapping[int, int] | None = None) -> list[ConditionPicks[P, R, C]]:
    """Each condition's recommendations, sorted into products and ingredients (no SQL);
    ``unshown``: how many of a condition's products were left out (by condition id)."""
    products = {product.id: product for product in catalogue.products}
    # Whether each product can be bought, asked once (each asking reads its sizes' stock):
    # substitutes and alternatives asked it of every product for each pick they chose for
    # (168 times for an article's 24 picks; build_picks 3.4 → 1.4 M instructions).
    buyable_ids = {product.id for product in catalogue.products if buyable(product)}
    by_condition: dict[int, list[R]] = {}
    for rec in recommendations:
        by_condition.setdefault(rec.condition_id, []).append(rec)
    unshown = unshown or {}
    picks = [_picks_for(condition, by_condition.get(condition.id, []), products, catalogue,
                        buyable_ids)
             for condition in conditions]
    for each in picks:
        each.unshown = unshown.get(each.condition.id, 0)
    return picks
