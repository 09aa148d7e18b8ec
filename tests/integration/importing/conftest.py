"""Fixtures for importing through the service.

``db`` (a fresh migrated database) comes from tests/conftest.py. Here: a one-call
``run_import``, ``catalog`` to make skus known, and ``snapshot``, every row of
every table an import may touch, to show that something did not change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from oms_cli.services.catalog import ProductChanges, add_product
from oms_cli.services.importing import ImportSettings, ImportSummary, import_file
from oms_cli.store.database import Database

# Every table an import writes to (import_run aside), or must leave alone.
TOUCHED_TABLES = ("orders", "order_line", "order_event", "customer", "import_error",
                  "stock_level", "stock_movement", "allocation", "product_alias")

RunImport = Callable[..., ImportSummary]
Snapshot = Callable[[], dict[str, list[tuple[Any, ...]]]]
Catalog = Callable[..., None]


@pytest.fixture
def run_import(db: Database) -> RunImport:
    """``run_import(path, **options)``: ``import_file`` on ``db`` with default settings."""

    def run(path: object, **options: Any) -> ImportSummary:
        settings = options.pop("settings", ImportSettings())
        return import_file(db, str(path), settings=settings, **options)

    return run


@pytest.fixture
def snapshot(db: Database) -> Snapshot:
    """Every row of every table an import touches, in a comparable form."""

    def take() -> dict[str, list[tuple[Any, ...]]]:
        with db.read() as session:
            return {table: [tuple(row) for row in session.execute(
                        text(f"SELECT * FROM {table} ORDER BY 1, 2"))]
                    for table in TOUCHED_TABLES}

    return take


@pytest.fixture
def catalog(db: Database) -> Catalog:
    """``catalog("MUG-01", "TEE-01")``: make those skus known products."""

    def add(*skus: str) -> None:
        for sku in skus:
            add_product(db, sku, ProductChanges(name=f"Product {sku}"), currency="USD")

    return add
