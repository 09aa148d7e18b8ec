"""Planner statistics: an import that adds orders refreshes them, without ever waiting."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from runners import sqlite_only
from sqlalchemy import text

from oms_cli.services.database import build_summaries
from oms_cli.services.importing import ImportSettings, import_file
from oms_cli.store.database import Database

pytestmark = sqlite_only("SQLite's ANALYZE statistics (PostgreSQL's autovacuum keeps its own)")
ORDERS = Path(__file__).parents[2] / "fixtures" / "imports" / "shopify_orders.csv"


def statistics(db: Database) -> set[str]:
    with db.read() as session:
        if not session.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
                               ).first():
            return set()
        return {row[0] for row in session.execute(text("SELECT tbl FROM sqlite_stat1"))}


def busy_timeout(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(text("PRAGMA busy_timeout")).scalar_one())


def test_an_import_that_adds_orders_leaves_statistics_on_the_tables_reports_read(
        db: Database) -> None:
    waited = busy_timeout(db)

    summary = import_file(db, str(ORDERS), settings=ImportSettings())

    assert summary.created > 0
    assert {"orders", "order_line", "customer"} <= statistics(db)
    assert busy_timeout(db) == waited  # the pooled connection waits as before


def test_building_the_report_summaries_leaves_statistics_on_them(db: Database) -> None:
    import_file(db, str(ORDERS), settings=ImportSettings())
    with db.write() as session:
        session.execute(text("DELETE FROM sqlite_stat1"))

    build_summaries(db, "Europe/London")

    assert {"customer_history", "orders"} <= statistics(db)


def test_a_dry_run_leaves_no_statistics(db: Database) -> None:
    import_file(db, str(ORDERS), settings=ImportSettings(), dry_run=True)

    assert "orders" not in statistics(db)


def test_another_writer_holding_the_lock_only_postpones_the_statistics(
        db: Database, db_path: Path) -> None:
    import_file(db, str(ORDERS), settings=ImportSettings())
    holder = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    holder.execute("DELETE FROM sqlite_stat1")
    holder.execute("BEGIN IMMEDIATE")
    try:
        db.refresh_statistics()  # returns at once, no error
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "orders" not in statistics(db)
    db.refresh_statistics()
    assert "orders" in statistics(db)
