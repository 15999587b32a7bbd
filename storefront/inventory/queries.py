"""Reading the catalog and the stock ledger for the back office's lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from storefront.accounts.models import User
from storefront.catalog.models import Category, Product, ProductStatus, Variant
from storefront.extensions import db
from storefront.inventory.models import StockMovement
from storefront.slugs import is_slug

PRODUCTS_PER_PAGE = 50
LOW_STOCK_PER_PAGE = 100
LEDGER_PER_PAGE = 50
AVAILABLE = Variant.stock_on_hand - Variant.stock_reserved


@dataclass(frozen=True)
class ProductFilters:
    search: str = ""
    status: ProductStatus | None = None
    category: str = ""

    @classmethod
    def from_args(cls, args) -> ProductFilters:
        status = args.get("status", "")
        category = args.get("category", "").strip()
        return cls(
            search=args.get("q", "").replace("\x00", "").strip()[:200],
            status=ProductStatus(status) if status in set(ProductStatus) else None,
            category=category if is_slug(category) else "",
        )

    def url_args(self) -> dict[str, str]:
        """The filters as query arguments (empty ones left out), for links and redirects."""
        values = {"q": self.search, "status": self.status.value if self.status else "",
                  "category": self.category}
        return {key: value for key, value in values.items() if value}


def _product_query(filters: ProductFilters) -> Select:
    query = (select(Product).join(Product.category)
             .options(contains_eager(Product.category))
             .order_by(func.lower(Product.name), Product.id))
    if filters.search:
        matching_skus = select(Variant.product_id).where(
            Variant.sku.icontains(filters.search, autoescape=True))
        query = query.where(or_(Product.name.icontains(filters.search, autoescape=True),
                                Product.slug.icontains(filters.search, autoescape=True),
                                Product.id.in_(matching_skus)))
    if filters.status:
        query = query.where(Product.status == filters.status)
    if filters.category:
        query = query.where(Category.slug == filters.category)
    return query


@dataclass(frozen=True)
class ProductStock:
    sizes: int = 0
    on_sale: int = 0
    available: int = 0


def stock_by_product(product_ids: list[int]) -> dict[int, ProductStock]:
    """Each product's number of sizes, sizes on sale and units available in those."""
    if not product_ids:
        return {}
    on_sale = Variant.active.is_(True)
    rows = db.session.execute(
        select(Variant.product_id, func.count(Variant.id),
               func.count(Variant.id).filter(on_sale),
               func.coalesce(func.sum(AVAILABLE).filter(on_sale), 0))
        .where(Variant.product_id.in_(product_ids))
        .group_by(Variant.product_id))
    return {product_id: ProductStock(sizes, selling, int(available))
            for product_id, sizes, selling, available in rows}


def product_page(filters: ProductFilters):
    """One page of products for the filters (``db.paginate``'s pagination)."""
    return db.paginate(_product_query(filters), per_page=PRODUCTS_PER_PAGE, error_out=False,
                       max_per_page=PRODUCTS_PER_PAGE)


def categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position,
                                                             Category.name)))


def low_stock_page():
    """Sizes on sale, of products not archived, with at most their threshold available."""
    query = (select(Variant).join(Variant.product)
             .where(Variant.active.is_(True), Product.status != ProductStatus.ARCHIVED,
                    Variant.low_stock_threshold >= AVAILABLE)
             .options(contains_eager(Variant.product))
             .order_by(AVAILABLE, func.lower(Product.name), Variant.position, Variant.id))
    return db.paginate(query, per_page=LOW_STOCK_PER_PAGE, error_out=False,
                       max_per_page=LOW_STOCK_PER_PAGE)


@dataclass(frozen=True)
class LedgerRow:
    movement: StockMovement
    actor_email: str | None
    order_id: int | None
    order_number: str | None


def _pairs(query: Select, wanted: set) -> dict:
    return dict(db.session.execute(query).all()) if wanted else {}


def ledger_page(variant: Variant, order_numbers: Callable[[set[int]], dict[int, str]]):
    """The variant's stock movements, newest first, with who made them and for which order
    (``order_numbers``: the numbers of these order ids, ``orders.services.order_numbers``;
    orders sit above inventory)."""
    query = (select(StockMovement).where(StockMovement.variant_id == variant.id)
             .order_by(StockMovement.created_at.desc(), StockMovement.id.desc()))
    page = db.paginate(query, per_page=LEDGER_PER_PAGE, error_out=False,
                       max_per_page=LEDGER_PER_PAGE)
    movements = page.items
    actor_ids = {m.actor_id for m in movements if m.actor_id}
    order_ids = {m.order_id for m in movements if m.order_id}
    emails = _pairs(select(User.id, User.email).where(User.id.in_(actor_ids)), actor_ids)
    numbers = order_numbers(order_ids) if order_ids else {}
    page.items = [LedgerRow(m, emails.get(m.actor_id), m.order_id, numbers.get(m.order_id))
                  for m in movements]
    return page


def variant_with_product(variant_id: int) -> Variant | None:
    return db.session.scalar(select(Variant).where(Variant.id == variant_id)
                             .options(joinedload(Variant.product)))


def product_for_edit(product_id: int) -> Product | None:
    return db.session.scalar(
        select(Product).where(Product.id == product_id)
        .options(selectinload(Product.variants), selectinload(Product.images),
                 selectinload(Product.ingredients), selectinload(Product.skin_type_links)))
