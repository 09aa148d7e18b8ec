"""The import floor writes what `oms import` writes, so the ratio compares like with like."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import write_catalog, write_shopify_orders

ROOT = Path(__file__).resolve().parents[2]
# Columns that hold the moment of the run (or that run's own id), which always differ.
OF_THE_RUN = {"id", "created_at", "updated_at", "validated_at", "at", "started_at",
              "finished_at", "file_name"}


def _oms(db: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "oms_cli", "--no-config", "--db", str(db), "-q",
                    *args], cwd=ROOT, check=True, capture_output=True)


def _rows(db: Path, table: str) -> list[dict[str, object]]:
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        rows = connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        connection.close()
    return [{key: (json.loads(value) if key == "detail" else value)
             for key, value in dict(row).items() if key not in OF_THE_RUN} for row in rows]


@pytest.mark.slow
def test_the_floor_writes_the_same_rows_as_oms_import(tmp_path: Path) -> None:
    export, catalog = tmp_path / "orders.csv", tmp_path / "products.csv"
    write_shopify_orders(export, 60)
    write_catalog(catalog)
    oms_db, floor_db = tmp_path / "oms.db", tmp_path / "floor.db"
    for db in (oms_db, floor_db):
        _oms(db, "product", "import", str(catalog))
    _oms(oms_db, "import", str(export))
    subprocess.run([sys.executable, "-m", "benchmarks.floor_import", str(export),
                    str(floor_db)], cwd=ROOT, check=True)
    for table in ("orders", "order_line", "order_event", "customer", "import_run"):
        assert _rows(floor_db, table) == _rows(oms_db, table), table
