"""The import contracts of pyproject.toml (docs/architecture.md): they hold, and they fail
as soon as a module imports upwards or a rule imports a page.

The failing cases edit a copy of the package in a temporary folder and run the same
``lint-imports`` on it with the project's own contracts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

# The project folder, wherever this file sits under tests/.
ROOT = next(folder for folder in Path(__file__).resolve().parents
            if (folder / "pyproject.toml").exists())
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(),
                                reason="import-linter is not installed (pip install -e '.[test]')")


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the ``storefront`` package found in ``project``."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def project_copy(tmp_path):
    """The package and its contracts, copied to change one import."""
    shutil.copytree(ROOT / "storefront", tmp_path / "storefront",
                    ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(project: Path, module: str, line: str) -> None:
    path = project / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")


def test_the_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_only_the_pages_are_let_off_the_layers():
    """No debt is left in ``ignore_imports``: only the web layer's pages may import any
    feature (a lower package needing an answer from above gets it from its caller)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [layers] = [contract for contract in config["contracts"] if contract["id"] == "layers"]
    assert {entry.split(" -> ")[1] for entry in layers["ignore_imports"]} == {"storefront.**"}


def test_an_upward_import_breaks_the_layers(project_copy):
    # The catalog sits below orders: a product knowing about orders would be a cycle.
    add_import(project_copy, "storefront.catalog.models", "from storefront.orders import services")
    result = lint_imports(project_copy)
    assert result.returncode == 1
    assert "storefront.catalog is not allowed to import storefront.orders" in result.stdout
    assert "storefront.catalog.models -> storefront.orders.services" in result.stdout


def test_a_shared_module_importing_a_feature_breaks_the_layers(project_copy):
    add_import(project_copy, "storefront.money", "import storefront.cart.models")
    result = lint_imports(project_copy)
    assert result.returncode == 1
    assert "storefront.money is not allowed to import storefront.cart" in result.stdout


def test_a_rule_importing_a_page_breaks_the_contracts(project_copy):
    # Pages may import any feature; the rules never import a page.
    add_import(project_copy, "storefront.orders.services", "from storefront.cart import views")
    result = lint_imports(project_copy)
    assert result.returncode == 1
    assert "Rules and models never import a page BROKEN" in result.stdout


def test_a_page_importing_the_admin_breaks_the_contracts(project_copy):
    # Pages are not layered, but the shop's own never reach into the back office.
    add_import(project_copy, "storefront.catalog.views", "from storefront.admin import common")
    result = lint_imports(project_copy)
    assert result.returncode == 1
    assert "storefront.catalog.views is not allowed to import storefront.admin" in result.stdout


def test_the_queue_importing_the_jobs_breaks_the_layers(project_copy):
    # The queue sits below every feature (any may enqueue); the jobs calling them, above.
    add_import(project_copy, "storefront.queue.runner", "from storefront.jobs import tasks")
    result = lint_imports(project_copy)
    assert result.returncode == 1
    assert "storefront.queue is not allowed to import storefront.jobs" in result.stdout
