"""The benchmark suite runs end to end on 10k orders; timings are printed, never judged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from runners import POSTGRES_URL

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


@pytest.mark.skipif(POSTGRES_URL is None, reason="needs OMS_TEST_POSTGRES_URL")
def test_the_postgresql_column_times_import_and_allocation_on_both_databases() -> None:
    server = str(POSTGRES_URL).replace("+psycopg", "")
    done = subprocess.run([sys.executable, "-c",
                           "import benchmarks.__main__ as suite; print(suite.render("
                           f"suite.postgres_rows(300, {server!r}), judged=True))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "PostgreSQL: import 300 orders" in done.stdout
    assert "PostgreSQL: allocate 300 orders" in done.stdout
