"""Getting back to sound books: backups, upgrades, repairs and undoing an import.

- `oms db backup` while another process writes gives a sound copy of what was committed.
- A database at every earlier schema revision, with data, upgrades to the newest
  after an automatic backup, keeping its data.
- `oms db check --repair` fixes drift with compensating ledger movements; the
  history already written is never edited.
- `oms import undo RUN` after allocation leaves sound books and releases every unit.
"""

from __future__ import annotations

import shutil
import sqlite3
import stat
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from reliability_support import (
    assert_sound,
    build_shop,
    orders_csv,
    rows,
    scalar,
    start_oms,
)
from sqlalchemy import create_engine

from oms_cli.services.database import REPAIR_REFERENCE, check, open_database
from oms_cli.store import schema

MIGRATIONS = Path(schema.__file__).parent / "migrations"
ORDERS = 1000


# Backup --------------------------------------------------------------------------------------

def test_a_backup_taken_while_an_import_writes_is_a_sound_copy_of_what_was_committed(
        cli, tmp_path: Path) -> None:
    db = build_shop(tmp_path / "oms.db")
    orders = orders_csv(tmp_path / "orders.csv", 1, ORDERS)
    writer = start_oms(db, "import", str(orders))
    copies: list[Path] = []
    deadline = time.monotonic() + 60
    while writer.poll() is None and time.monotonic() < deadline and len(copies) < 4:
        result = cli("db", "backup", str(tmp_path / f"copy-{len(copies)}.db"), db=db)
        assert result.exit_code == 0, result.stderr
        copies.append(Path(result.stdout.strip()))
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    copies.append(Path(cli("db", "backup", str(tmp_path / "after.db"), db=db).stdout.strip()))

    assert len(copies) >= 2
    for copy in copies:
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert scalar(copy, "PRAGMA integrity_check") == "ok"
        assert scalar(copy, "SELECT count(*) FROM orders") in (0, ORDERS)  # all or nothing
        assert_sound(copy)
    assert scalar(copies[-1], "SELECT count(*) FROM orders") == ORDERS


def test_a_backup_restores_by_copying_it_back(cli, tmp_path: Path) -> None:
    db = build_shop(tmp_path / "oms.db")
    backup = Path(cli("db", "backup", str(tmp_path / "safe.db"), db=db).stdout.strip())
    cli("stock", "receive", "W-1", "5", "-l", "a", db=db)
    shutil.copyfile(backup, db)  # the README's restore: stop oms, copy the backup back
    for companion in ("-wal", "-shm"):
        Path(f"{db}{companion}").unlink(missing_ok=True)
    assert cli("db", "check", db=db).exit_code == 0
    assert scalar(db, "SELECT sum(on_hand) FROM stock_level") == 3 * 1100


# Upgrades ------------------------------------------------------------------------------------

def create_at(path: Path, revision: str) -> None:
    """A database built by alembic's migrations up to ``revision`` (not from the models)."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            config = AlembicConfig()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


SEED_ROWS: dict[str, list[dict[str, object]]] = {
    "location": [{"id": 1, "code": "main", "name": "Main", "kind": "warehouse", "priority": 1,
                  "country": "US", "active": 1}],
    "product": [{"id": 1, "sku": "MUG", "name": "Mug", "price": 1400, "currency": "USD",
                 "active": 1}, {"id": 2, "sku": "TEA", "name": "Tea", "price": 950,
                                "currency": "USD", "active": 1}],
    "stock_movement": [{"id": 1, "product_id": 1, "location_id": 1, "quantity": 10,
                        "damaged": 0, "reason": "receive", "at": "2026-01-01 00:00:00"},
                       {"id": 2, "product_id": 2, "location_id": 1, "quantity": 4,
                        "damaged": 1, "reason": "receive", "at": "2026-01-02 00:00:00"}],
    "stock_level": [{"product_id": 1, "location_id": 1, "on_hand": 10, "reserved": 0,
                     "damaged": 0}, {"product_id": 2, "location_id": 1, "on_hand": 4,
                                     "reserved": 0, "damaged": 1}],
    "customer": [{"id": 1, "email": "ann@example.com", "name": "Ann"}],
    "orders": [{"id": 1, "channel": "shopify", "external_id": "#1001", "currency": "USD",
                "placed_at": "2026-01-03 10:00:00", "total": 2800, "status": "ready",
                "financial_status": "paid", "customer_id": 1, "ship_country": "US"}],
    "order_line": [{"id": 1, "order_id": 1, "line_key": "1", "sku": "MUG", "product_id": 1,
                    "name": "Mug", "quantity": 2, "unit_price": 1400}],
}


def _filler(declared: str) -> object:
    declared = declared.upper()
    if "INT" in declared or "BOOL" in declared or "NUMERIC" in declared:
        return 0
    if "DATE" in declared or "TIME" in declared:
        return "2026-01-01 00:00:00"
    return ""


def seed(path: Path) -> dict[str, int]:
    """Insert SEED_ROWS using whichever columns the revision has (filling other required
    ones by type); the row count of each table."""
    connection = sqlite3.connect(path)
    try:
        for table, table_rows in SEED_ROWS.items():
            columns = connection.execute(f"PRAGMA table_info({table})").fetchall()
            for wanted in table_rows:
                row = {name: wanted[name] for _, name, *_ in columns if name in wanted}
                row |= {name: _filler(declared) for _, name, declared, notnull, default, pk
                        in columns if notnull and default is None and not pk
                        and name not in row}
                names = ", ".join(row)
                marks = ", ".join("?" for _ in row)
                connection.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                                   list(row.values()))
        connection.commit()
    finally:
        connection.close()
    return {table: int(str(scalar(path, f"SELECT count(*) FROM {table}"))) for table in SEED_ROWS}


@pytest.mark.parametrize("revision", schema.REVISIONS)
def test_a_database_at_any_earlier_revision_upgrades_with_its_data_after_a_backup(
        tmp_path: Path, revision: str) -> None:
    path = tmp_path / "old.db"
    create_at(path, revision)
    seeded = seed(path)

    opened = open_database(str(path), busy_timeout=5)
    try:
        assert check(opened.db) == []
    finally:
        opened.db.close()

    assert scalar(path, "SELECT version_num FROM alembic_version") == schema.HEAD
    assert {table: scalar(path, f"SELECT count(*) FROM {table}") for table in seeded} == seeded
    assert rows(path, "SELECT sku FROM product ORDER BY sku") == [("MUG",), ("TEA",)]
    backups = sorted(tmp_path.glob(f"old.db.before-{schema.HEAD}.{revision}.*.bak"))
    if revision == schema.HEAD:
        assert opened.report.upgraded_from is None and backups == []
    else:
        assert opened.report.upgraded_from == revision and backups == [opened.report.backup]
        assert scalar(backups[0], "SELECT version_num FROM alembic_version") == revision
        assert scalar(backups[0], "SELECT count(*) FROM orders") == 1
        assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600


# Repair --------------------------------------------------------------------------------------

def drift(db: Path) -> None:
    """Damage the caches the way a bug (or a hand-edited file) would."""
    connection = sqlite3.connect(db)
    try:
        connection.execute("UPDATE stock_level SET on_hand = on_hand + 7 WHERE product_id = "
                           "(SELECT id FROM product WHERE sku = 'W-1') AND location_id = "
                           "(SELECT id FROM location WHERE code = 'a')")
        connection.execute("UPDATE stock_level SET reserved = reserved + 3 WHERE product_id = "
                           "(SELECT id FROM product WHERE sku = 'W-2') AND location_id = "
                           "(SELECT id FROM location WHERE code = 'b')")
        connection.execute("UPDATE order_line SET allocated = 0 WHERE id = "
                           "(SELECT min(id) FROM order_line WHERE allocated > 0)")
        connection.commit()
    finally:
        connection.close()


def test_check_repair_compensates_drift_in_the_ledger_without_editing_history(
        cli, tmp_path: Path) -> None:
    db = build_shop(tmp_path / "oms.db", orders_csv(tmp_path / "o.csv", 1, 30), allocated=True)
    drift(db)
    history = rows(db, "SELECT * FROM stock_movement ORDER BY id")
    assert cli("db", "check", db=db).exit_code == 1

    result = cli("db", "check", "--repair", db=db)

    assert result.exit_code == 0, result.stderr
    assert "W-1@a: on_hand: a ledger adjustment of +7" in result.stderr
    assert rows(db, "SELECT * FROM stock_movement ORDER BY id")[: len(history)] == history
    assert rows(db, "SELECT quantity, reason, reference FROM stock_movement "
                    f"WHERE id > {len(history)}") == [(7, "adjust", REPAIR_REFERENCE)]
    assert_sound(db)
    assert scalar(db, "SELECT on_hand FROM stock_level WHERE product_id = 1 AND location_id = 1"
                  ) == 707  # the level every command has used is kept
    assert cli("db", "check", "--repair", db=db).exit_code == 0  # nothing left to do
    assert len(rows(db, "SELECT id FROM stock_movement")) == len(history) + 1


def test_check_repair_as_a_dry_run_changes_nothing(cli, tmp_path: Path) -> None:
    db = build_shop(tmp_path / "oms.db")
    drift(db)
    before = rows(db, "SELECT * FROM stock_level ORDER BY 1, 2")
    result = cli("db", "check", "--repair", "--dry-run", db=db)
    assert result.exit_code == 1
    assert "dry run" in result.stderr
    assert rows(db, "SELECT * FROM stock_level ORDER BY 1, 2") == before


# Undo ----------------------------------------------------------------------------------------

def test_undoing_an_allocated_import_releases_every_unit_and_keeps_the_books_sound(
        cli, tmp_path: Path) -> None:
    db = build_shop(tmp_path / "oms.db", orders_csv(tmp_path / "o.csv", 1, 40), allocated=True)
    assert scalar(db, "SELECT sum(reserved) FROM stock_level") != 0
    cli("ship", "shopify:#1", db=db)

    result = cli("import", "undo", "1", "--yes", db=db)

    assert result.exit_code == 0, result.stderr
    assert_sound(db)
    assert scalar(db, "SELECT sum(reserved) FROM stock_level") == 0
    assert rows(db, "SELECT status, count(*) FROM orders GROUP BY status ORDER BY 1") == [
        ("cancelled", 39), ("shipped", 1)]
    assert cli("import", "undo", "1", "--yes", db=db).exit_code == 1  # once only
