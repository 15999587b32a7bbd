"""A large, throwaway shop for the benchmark, written with bulk inserts.

Rows are built in Python from the demo shop's words (so pages look and weigh like the real
thing) and written with SQLAlchemy Core ``executemany``: no ORM objects, no per-row round
trips. The search index is dropped while loading and rebuilt once at the end, rather than
refreshed by its triggers row by row.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Engine, insert, text

from storefront import (
    install_database_listeners,
    models,  # noqa: F401  (every table, for create_all)
)
from storefront.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductImage,
    ProductSkinType,
    ProductStatus,
    SkinType,
    Variant,
    product_ingredient,
)
from storefront.config import DEFAULT_PRESET, PRESETS
from storefront.content.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    Author,
    Condition,
    Recommendation,
    article_condition,
)
from storefront.db import utcnow
from storefront.demo import catalog as demo_catalog
from storefront.demo import content as demo_content
from storefront.extensions import db
from storefront.search import schema
from storefront.search.models import SearchSynonym
from storefront.search.synonyms import DEFAULT_SYNONYMS
from storefront.slugs import SLUG_PATTERN, slugify

LINES = ("Classic", "Plus", "Light", "Rich", "Sensitive", "Intense", "Daily", "Night",
         "Barrier", "Clear", "Calm", "Bright", "Repair", "Pure", "Active", "Soft")
EXTRA_CONDITIONS = (
    "Eczema", "Psoriasis", "Seborrhoeic dermatitis", "Perioral dermatitis", "Melasma",
    "Keratosis pilaris", "Blackheads", "Oily skin", "Sensitive skin", "Dark circles",
    "Puffy eyes", "Chapped lips", "Hand eczema", "Body acne", "Ingrown hairs", "Stretch marks",
    "Scars", "Redness", "Dull skin", "Uneven texture", "Large freckles", "Sunburn",
)
# The demo's catalog and words are the templates of the benchmark's rows.
DEMO_CATALOG = demo_catalog.load()
DEMO_CONTENT = demo_content.load()
SIZES = (("15 ml", "0.6"), ("30 ml", "1.0"), ("50 ml", "1.5"), ("100 ml", "2.4"))
BENCH_SEARCH_WORD = "retinol"
# What shoppers type, in turn: exact words, misspellings, synonyms (the default rules),
# British/American spellings, a phrase, and a search that finds nothing.
BENCH_SEARCH_MIX = (
    "retinol", "niacinamide serum", "vitamin c", "sunscreen for oily skin",
    "niacinimide", "tretinon cream", "sunscren", "hyularonic acid",
    "sunblock", "Retin-A", "chicken skin", "wrinkles", "moisturizer", "zzyzx qwerty",
)
_SHORTCODE = re.compile(rf"\[\[(product|article):{SLUG_PATTERN}\]\]")


@dataclass
class Seeded:
    """What was written, and addresses the benchmark can use."""

    products: int = 0
    variants: int = 0
    articles: int = 0
    conditions: int = 0
    recommendations: int = 0
    seconds: float = 0.0
    product_slug: str = ""
    article_slug: str = ""
    condition_slug: str = ""
    category_slug: str = ""
    sold_variant_ids: list[int] = field(default_factory=list)


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _lookups(rng: random.Random):
    categories = [{"id": i, **row, "position": i}
                  for i, row in enumerate(DEMO_CATALOG.categories, 1)]
    brands = [{"id": i, **row} for i, row in enumerate(DEMO_CATALOG.brands, 1)]
    for n in range(len(brands) + 1, 41):
        word = rng.choice(LINES)
        brands.append({"id": n, "slug": f"{word.lower()}-lab-{n}", "name": f"{word} Lab {n}",
                       "description": "An independent skincare brand."})
    ingredients = [{"id": i, **row} for i, row in enumerate(DEMO_CATALOG.ingredients, 1)]
    return categories, brands, ingredients


def _products(count: int, rng: random.Random, categories, brands, ingredients, now):
    templates = DEMO_CATALOG.products
    category_ids = {row["slug"]: row["id"] for row in categories}
    ingredient_ids = {row["slug"]: row["id"] for row in ingredients}
    rows, variants, images, links, skin = [], [], [], [], []
    variant_id = 0
    for product_id in range(1, count + 1):
        template = templates[(product_id - 1) % len(templates)]
        line = LINES[(product_id // len(templates)) % len(LINES)]
        roll = rng.random()
        status = (ProductStatus.DRAFT if roll < 0.03 else ProductStatus.ARCHIVED
                  if roll < 0.05 else ProductStatus.ACTIVE)
        rows.append({
            "id": product_id,
            "slug": f"{template.slug}-{line.lower()}-{product_id}",
            "name": f"{template.name} {line} {product_id}",
            "brand_id": rng.choice(brands)["id"],
            "category_id": category_ids[template.category],
            "short_description": template.short_description,
            "description": template.description,
            "ingredients_list": template.ingredients_list,
            "how_to_use": template.how_to_use,
            "status": status,
            "prescription_only": template.prescription_only,
            "brand_names": template.brand_names,
            "featured_rank": product_id if product_id <= 24 else None,
            "created_at": now - timedelta(minutes=product_id),
            "updated_at": now,
        })
        base = float(template.sizes[0].amount)
        for position in range(rng.choice((1, 1, 2, 2, 3))):
            variant_id += 1
            label, factor = SIZES[position + (product_id % 2)]
            price = _money(base * float(factor))
            stock = rng.choice((0, 3, 12, 40, 80, 150)) if rng.random() < 0.9 else 0
            variants.append({
                "id": variant_id, "product_id": product_id,
                "sku": f"B{product_id:05d}-{position}", "size_label": label,
                "price": price,
                "compare_at_price": price + Decimal("5.00") if rng.random() < 0.1 else None,
                "currency": CURRENCY, "stock_on_hand": stock, "stock_reserved": 0,
                "low_stock_threshold": 5, "position": position, "active": True,
                "created_at": now, "updated_at": now,
            })
        images.append({"id": product_id, "product_id": product_id,
                       "key": f"bench-{product_id}", "alt_text": f"{template.name} pack shot",
                       "width": 800, "height": 800, "position": 0, "created_at": now})
        chosen = {ingredient_ids[slug] for slug in template.key_ingredients}
        chosen |= {rng.choice(ingredients)["id"] for _ in range(rng.randint(0, 2))}
        links += [{"product_id": product_id, "ingredient_id": i} for i in sorted(chosen)]
        kinds = rng.sample(list(SkinType), rng.randint(1, 3))
        skin += [{"product_id": product_id, "skin_type": kind} for kind in kinds]
    return rows, variants, images, links, skin


def _conditions(count: int, now):
    rows = []
    for position in range(count):
        if position < len(DEMO_CONTENT.conditions):
            data = dict(DEMO_CONTENT.conditions[position])
        else:
            name = EXTRA_CONDITIONS[(position - len(DEMO_CONTENT.conditions))
                                    % len(EXTRA_CONDITIONS)]
            base = DEMO_CONTENT.conditions[position % len(DEMO_CONTENT.conditions)]
            data = {"slug": f"{slugify(name)}-{position}", "name": name, "summary": base["summary"],
                    "causes": base["causes"], "what_helps": base["what_helps"]}
        rows.append({"id": position + 1, "position": position, "created_at": now,
                     "updated_at": now, **data})
    return rows


def _recommendations(conditions, products, ingredients, rng: random.Random, now):
    sellable = [p["id"] for p in products
                if p["status"] == ProductStatus.ACTIVE and not p["prescription_only"]]
    others = [p["id"] for p in products if p["id"] not in set(sellable)]
    rows, rec_id = [], 0
    for condition in conditions:
        picks = rng.sample(sellable, 7) + rng.sample(others, min(1, len(others)))
        for position, product_id in enumerate(picks):
            rec_id += 1
            rows.append({"id": rec_id, "condition_id": condition["id"],
                         "product_id": product_id, "ingredient_id": None,
                         "why": "It works on the cause and is gentle enough to use daily.",
                         "how_to_use": "Once a day, on clean skin.", "position": position,
                         "created_at": now, "updated_at": now})
        for offset, ingredient in enumerate(rng.sample(ingredients, 3)):
            rec_id += 1
            rows.append({"id": rec_id, "condition_id": condition["id"], "product_id": None,
                         "ingredient_id": ingredient["id"],
                         "why": "The evidence for this ingredient is good.",
                         "how_to_use": "Start two or three times a week.",
                         "position": len(picks) + offset, "created_at": now,
                         "updated_at": now})
    return rows


def _articles(count: int, conditions, products, rng: random.Random, now):
    templates = DEMO_CONTENT.articles
    sellable = [p["slug"] for p in products
                if p["status"] == ProductStatus.ACTIVE and not p["prescription_only"]]
    rows, links = [], []
    for article_id in range(1, count + 1):
        template = templates[(article_id - 1) % len(templates)]
        slug = f"{template['slug']}-{article_id}"
        others = [f"{t['slug']}-{n}" for n, t in
                  ((article_id - 1 - k, templates[(article_id - 2 - k) % len(templates)])
                   for k in range(2)) if n >= 1]

        def replace(match, others=others):
            if match.group(1) == "product":
                return f"[[product:{rng.choice(sellable)}]]"
            return f"[[article:{others[0]}]]" if others else ""

        roll = rng.random()
        if roll < 0.03:
            status, published_at = ArticleStatus.DRAFT, None
        elif roll < 0.05:
            status, published_at = ArticleStatus.SCHEDULED, now + timedelta(days=30 + article_id)
        else:
            status, published_at = (ArticleStatus.PUBLISHED,
                                    now - timedelta(hours=article_id * 7 + 1))
        rows.append({
            "id": article_id, "slug": slug,
            "title": f"{template['title']} ({article_id})",
            "question": template["question"], "summary": template["summary"],
            "body": _SHORTCODE.sub(replace, template["body"]),
            "kind": ArticleKind(template["kind"]), "status": status,
            "published_at": published_at,
            "reviewed_on": (now - timedelta(days=article_id % 400 + 2)).date(),
            "author_id": 1, "reviewer_id": None, "hero_image_key": None, "hero_image_alt": "",
            "version": 1, "created_at": now, "updated_at": now,
        })
        for condition in rng.sample(conditions, rng.randint(1, 3)):
            links.append({"article_id": article_id, "condition_id": condition["id"]})
    return rows, links


def _authors(now):
    return [{"id": n, "slug": data["slug"], "name": data["name"],
             "credentials": data["credentials"], "bio": data["bio"], "photo_key": None,
             "photo_alt": "", "statements": data["statements"],
             "user_id": None, "created_at": now, "updated_at": now}
            for n, data in enumerate(DEMO_CONTENT.authors, 1)]


def _synonyms(now):
    return [{"kind": kind, "terms": terms, "targets": targets, "created_at": now,
             "updated_at": now} for kind, terms, targets in DEFAULT_SYNONYMS]


def _reset_sequences(connection, tables) -> None:
    """PostgreSQL hands out ids from sequences: move them past the ids written here."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT coalesce(max(id), 1) FROM {table}))"))


# The bench shop runs with the default settings, so it sells in the default shop's currency.
CURRENCY = PRESETS[DEFAULT_PRESET]["SHOP_CURRENCY"]


def seed(engine: Engine, *, products: int = 5000, articles: int = 1000, conditions: int = 30,
         random_seed: int = 20261129) -> Seeded:
    """Create the schema on an empty database behind ``engine`` and fill it."""
    started = time.perf_counter()
    rng = random.Random(random_seed)  # noqa: S311 (repeatable data, not secrets)
    now = utcnow()
    # No app here: the listeners create_app installs (SQLite's settings, the search tables
    # made by create_all) are installed by name.
    install_database_listeners()
    db.metadata.create_all(engine)
    categories, brands, ingredients = _lookups(rng)
    product_rows, variants, images, links, skin = _products(
        products, rng, categories, brands, ingredients, now)
    condition_rows = _conditions(conditions, now)
    recommendations = _recommendations(condition_rows, product_rows, ingredients, rng, now)
    article_rows, article_links = _articles(articles, condition_rows, product_rows, rng, now)
    with engine.begin() as connection:
        schema.uninstall(connection)  # rebuilt once below instead of row by row
        for target, rows in (
            (Category, categories), (Brand, brands), (Ingredient, ingredients),
            (Product, product_rows), (Variant, variants), (ProductImage, images),
            (product_ingredient, links), (ProductSkinType, skin), (Author, _authors(now)),
            (Condition, condition_rows), (Recommendation, recommendations),
            (Article, article_rows), (article_condition, article_links),
            (SearchSynonym, _synonyms(now)),
        ):
            connection.execute(insert(target), rows)
        schema.install(connection)
        _reset_sequences(connection, ("category", "brand", "ingredient", "product", "variant",
                                      "product_image", "author", "condition",
                                      "recommendation", "article", "search_synonym"))
        if connection.dialect.name == "postgresql":
            # Statistics, as autovacuum gathers them soon after a bulk load in production;
            # without them the planner guesses and some pages take seconds.
            connection.exec_driver_sql("ANALYZE")
    return _summary(product_rows, variants, article_rows, condition_rows, recommendations,
                    categories, started)


def _summary(product_rows, variants, article_rows, condition_rows, recommendations,
             categories, started) -> Seeded:
    stocked = {v["product_id"] for v in variants if v["stock_on_hand"] >= 12}
    sold = {p["id"] for p in product_rows
            if p["status"] == ProductStatus.ACTIVE and not p["prescription_only"]}
    # A recommended product that can be bought: its page has the add-to-cart form.
    recommended = [r["product_id"] for r in recommendations
                   if r["product_id"] in sold and r["product_id"] in stocked]
    by_id = {p["id"]: p for p in product_rows}
    with_shortcodes = next(a for a in article_rows
                           if a["status"] == ArticleStatus.PUBLISHED and "[[product:" in a["body"])
    in_stock = [v["id"] for v in variants
                if v["product_id"] in sold and v["stock_on_hand"] >= 12]
    return Seeded(
        products=len(product_rows), variants=len(variants), articles=len(article_rows),
        conditions=len(condition_rows), recommendations=len(recommendations),
        seconds=time.perf_counter() - started,
        product_slug=by_id[recommended[0]]["slug"],
        article_slug=with_shortcodes["slug"],
        condition_slug=condition_rows[1]["slug"],
        category_slug=next(c["slug"] for c in categories if c["slug"] == "serums"),
        sold_variant_ids=in_stock[:3],
    )
