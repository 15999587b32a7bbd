"""The demo shop's data files: every one reads, and the shop itself never imports the demo."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import storefront
from storefront.demo import catalog, content, files, reviews, routines, shipping

PACKAGE = Path(storefront.__file__).parent


def test_every_data_file_reads_and_the_parts_fit_together():
    demo_catalog, demo_content = catalog.load(), content.load()
    products = {product.slug for product in demo_catalog.products}
    ingredients = {row["slug"] for row in demo_catalog.ingredients}
    conditions = {row["slug"] for row in demo_content.conditions}
    assert len(products) == len(demo_catalog.products) >= 30
    assert [page.name for page in demo_content.pages][:2] == ["about", "contact"]
    assert demo_content.articles[1]["slug"] == "what-causes-milia"
    assert set(demo_content.recommendations) <= conditions
    for entries in demo_content.recommendations.values():
        for entry in entries:
            assert entry["slug"] in (products if entry["kind"] == "product" else ingredients)
    assert {review.product for review in reviews.load().reviews} <= products
    assert set(routines.load_spf()) <= products
    assert set(shipping.load_presets()) == {"us", "eu"}
    assert {row["role"] for row in files.table("staff")["staff"]} == {"admin", "editor"}


def test_a_markdown_file_without_front_matter_is_refused(tmp_path):
    page = tmp_path / "01-about.md"
    page.write_text("About us, with no front matter\n")
    with pytest.raises(files.DemoDataError, match=r"01-about\.md"):
        files.document(page)
    page.write_text('+++\nheading = "About"\n+++\n\nAbout us.\n')
    assert files.document(page) == files.Document("about", {"heading": "About"}, "About us.")


def test_only_the_cli_imports_the_demo():
    importers = set()
    for path in PACKAGE.rglob("*.py"):
        if (PACKAGE / "demo") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [f"{node.module}.{alias.name}" for alias in node.names]
                     + [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name == "storefront.demo" or name.startswith("storefront.demo.")
                   for name in names):
                importers.add(path.relative_to(PACKAGE).as_posix())
    assert importers == {"cli.py"}
