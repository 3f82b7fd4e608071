"""The pyoxigraph ORDER BY panic (tests/engine_cases.py), pinned as the engine's current behaviour.

Each case runs in a child interpreter: the panic aborts the process (SIGABRT) and cannot be caught in Python.
When a pyoxigraph release fixes it, test_oxigraph_order_by_panic_still_present fails: then drop the
workaround (the total-order rerun of kg/sparql/ordering.py; client queries keep running in a forked child) and this pin.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import pyoxigraph
import pytest

from kg.config import PROJECT_ROOT
from tests.engine_cases import CHILD_PROGRAM, ORDER_BY_PANIC_ROWS, ORDER_BY_PANIC_TERMS

PANIC = "does not correctly implement a total order"


def run_case(mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CHILD_PROGRAM, mode], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120)


def test_case_is_minimal_in_terms() -> None:
    assert len(ORDER_BY_PANIC_TERMS) == 3
    assert set(ORDER_BY_PANIC_ROWS) == {0, 1, 2}
    assert len(ORDER_BY_PANIC_ROWS) == 21  # 20 rows or fewer are insertion-sorted: no check, no panic


@pytest.mark.parametrize("mode", ["store", "values"])
def test_oxigraph_order_by_panic_still_present(mode: str) -> None:
    result = run_case(mode)
    assert result.returncode != 0, (
        f"pyoxigraph {pyoxigraph.__version__} no longer aborts on the ORDER BY total-order case ({mode}): "
        "the engine is fixed. Drop the workaround (kg/sparql/ordering.py and its call in kg/sparql/worker.py) "
        "and this test.")
    assert result.returncode == -signal.SIGABRT, (result.returncode, result.stderr[-2000:])
    assert PANIC in result.stderr, result.stderr[-2000:]


def test_order_by_str_keys_do_not_abort() -> None:
    result = run_case("safe")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(len(ORDER_BY_PANIC_ROWS))
