"""A test module never imports another test module (docs/development.md): what tests share
lives in tests/helpers/ or tests/factories/ (fixtures: a conftest.py or ``pytest_plugins``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SHARED = ("tests.helpers", "tests.factories")


def imported_modules(path: Path) -> Iterator[str]:
    """Every module ``path`` imports by absolute name (``from tests import x``: ``tests.x``)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "tests":
            yield from (f"tests.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_tests_import_only_the_shared_helpers_and_factories():
    reaching = sorted(
        f"{path.relative_to(TESTS.parent)}: {module}"
        for path in TESTS.rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] == "tests"
        and not any(module == shared or module.startswith(f"{shared}.") for shared in SHARED))
    assert reaching == []


def test_no_test_imports_relatively():
    relative = sorted(str(path.relative_to(TESTS.parent)) for path in TESTS.rglob("*.py")
                      if any(isinstance(node, ast.ImportFrom) and node.level
                             for node in ast.walk(ast.parse(path.read_text()))))
    assert relative == []
