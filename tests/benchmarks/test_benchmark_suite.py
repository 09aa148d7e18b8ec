"""The benchmark suite runs end to end on 10k orders; timings are printed, never judged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_benchmark_suite_runs_on_ten_thousand_orders() -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--smoke"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    table = done.stdout
    for figure in ("oms --help", "oms stock show", "import 10,000 orders",
                   "import 10,000 orders: peak MB", "allocate 10,000 orders",
                   "report sales", "report status", "report inventory"):
        assert figure in table, f"{figure!r} missing from:\n{table}"
    assert "smoke run: targets not judged" in table
