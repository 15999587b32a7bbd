"""Products a shopper can buy that do the same job as one they cannot (a prescription
medicine, usually), ranked from the shop's own data rather than by hand.

Two products do the same job when a condition recommends both for the same role
(prevention, treatment, ...). Among those, products of the same ingredient family
("retinoid") come first, then those sharing more jobs, then those recommended higher up
where the medicine itself is recommended highest, then the catalogue's order. A sunscreen
recommended to protect never stands in for a retinoid recommended to treat: they share a
condition, not a job. Each alternative carries its reason: why it is recommended for the
job that matters most for the medicine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from storefront.catalog.cards import CardProduct
from storefront.catalog.models import Product, StockState
from storefront.content.models import RecommendationRole

# What choosing among products reads of one: a model, or a card's plain row.
Pickable = Product | CardProduct
P = TypeVar("P", Product, CardProduct)


class Recommends(Protocol):
    """What choosing reads of a recommendation: a model, or a page's plain row."""

    @property
    def condition_id(self) -> int: ...

    @property
    def product_id(self) -> int | None: ...

    @property
    def ingredient_id(self) -> int | None: ...

    @property
    def role(self) -> RecommendationRole: ...

    @property
    def position(self) -> int: ...


R = TypeVar("R", bound=Recommends)


@dataclass(frozen=True)
class Alternative(Generic[P, R]):
    product: P
    reason: R  # why it helps with a job the other product does
    shared_jobs: int
    same_family: bool


def can_buy_now(product: Pickable) -> bool:
    """On sale without a prescription and in stock right now."""
    return product.is_sold and product.stock_state is not StockState.OUT


def _sort_key(alternative: Alternative[Any, Any], relevance: tuple[int, int]) -> tuple:
    product = alternative.product
    return (not alternative.same_family, -alternative.shared_jobs, relevance,
            product.featured_rank is None, product.featured_rank or 0, product.name.lower(),
            product.id)


def _model_families(product: Any) -> AbstractSet[str]:
    return product.families  # a model's, its ingredients loaded


def rank_alternatives(product: P, recommendations: Iterable[R],
                      products: Mapping[int, P], limit: int,
                      can_buy: Callable[[P], bool] = can_buy_now,
                      families: Callable[[P], AbstractSet[str]] = _model_families,
                      ) -> list[Alternative[P, R]]:
    """Up to ``limit`` buyable products doing a job ``recommendations`` give ``product``.

    ``recommendations`` are those of the conditions to compare within (a condition page
    passes its own; a product page those of every condition recommending the product);
    ``products`` maps their product ids to loaded products: models with their
    ingredients, or any products with ``families`` telling each one's ingredient families.
    """
    recommendations = list(recommendations)
    # Each job of the product, with how highly the condition recommends the product for it.
    jobs = {(rec.condition_id, rec.role): rec.position for rec in recommendations
            if rec.product_id == product.id}
    shared: dict[int, list[R]] = {}
    for rec in recommendations:
        if rec.product_id is None:  # a key ingredient's recommendation
            continue
        other = products.get(rec.product_id)
        if (other is None or other.id == product.id
                or (rec.condition_id, rec.role) not in jobs or not can_buy(other)):
            continue
        shared.setdefault(other.id, []).append(rec)

    def relevance(rec: R) -> tuple[int, int]:
        return jobs[(rec.condition_id, rec.role)], rec.position

    own_families = families(product)
    ranked = []
    for product_id, recs in shared.items():
        reason = min(recs, key=relevance)
        other = products[product_id]
        alternative = Alternative(other, reason, len(recs),
                                  bool(own_families & families(other)))
        ranked.append((_sort_key(alternative, relevance(reason)), alternative))
    ranked.sort(key=lambda pair: pair[0])
    return [alternative for _key, alternative in ranked[:limit]]
