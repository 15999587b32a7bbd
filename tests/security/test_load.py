"""A small run of scripts/stress.py (``make stress``) in the test suite: 40 shoppers race for
5 units, and 8 for a code limited to 3 uses, against one store process (gunicorn, two
workers) on a throwaway PostgreSQL database, paying through the fake Stripe.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.helpers.apps import create_postgres_database

pytestmark = [pytest.mark.postgres_only,
              pytest.mark.filterwarnings("ignore:Bare functions are deprecated")]
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "stress.py"


def _stress_module():
    name = "scripts_stress"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SCRIPT)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # its dataclasses look their module up while being made
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_forty_shoppers_for_five_units_and_eight_for_a_code_of_three(database_url,
                                                                       stripe_server):
    if database_url.startswith("sqlite"):
        pytest.skip("many store processes on one database need PostgreSQL")
    stress = _stress_module()
    url, drop = create_postgres_database("sf_stress")
    lines: list[str] = []
    try:
        result = stress.run(url, stripe_server, attempts=40, units=5, code_attempts=8,
                            code_limit=3, processes=1, workers=2, report=lines.append)
    finally:
        drop()
    # run() checks every promise itself; these say what was checked.
    assert result["stock"].outcomes == {"paid": 5, "sold out": 35}, lines
    assert result["stock_state"] == {"paid": 5, "on_hand": 0, "reserved": 0}
    assert result["code_state"]["paid_with_code"] == 3
    assert result["stock"].server_errors == [] == result["code"].server_errors


def test_the_checks_fail_when_a_promise_is_broken():
    stress = _stress_module()
    figures = stress.Figures("stock", 4, {"paid": 3, "sold out": 1}, [], 10, 1.0, 0.1, 0.2)
    code = stress.Figures("code", 4, {"paid": 3, "code used up": 1}, [], 10, 1.0, 0.1, 0.2)
    result = {"stock": figures, "code": code, "webhooks": {200: 6},
              "stock_state": {"paid": 3, "on_hand": 0, "reserved": 0},
              "code_state": {"paid": 3, "paid_with_code": 3, "code_used": 3, "reserved": 0,
                             "on_hand": 1}}
    stress.check(result, attempts=4, units=3, code_attempts=4, code_limit=3)
    oversold = {**result, "stock_state": {"paid": 4, "on_hand": -1, "reserved": 0}}
    with pytest.raises(AssertionError):
        stress.check(oversold, attempts=4, units=3, code_attempts=4, code_limit=3)
    errors = {**result, "stock": stress.Figures("stock", 4, {"paid": 3, "sold out": 1},
                                                ["POST /checkout/pay 500"], 10, 1, 0.1, 0.2)}
    with pytest.raises(AssertionError):
        stress.check(errors, attempts=4, units=3, code_attempts=4, code_limit=3)
