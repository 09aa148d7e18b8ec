"""Creating, checking and upgrading the schema of an oms database."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from runners import DbLocation, empty_database, query, sqlite_only
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from oms_cli.errors import OmsError, SchemaMismatch
from oms_cli.services.database import open_database
from oms_cli.store import schema
from oms_cli.store.database import Database, connect
from oms_cli.store.engine import make_engine
from oms_cli.store.tables import METADATA

MIGRATIONS = Path(schema.__file__).parent / "migrations"
BUSY_TIMEOUT = 2.0


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def set_revision(path: DbLocation, revision: str) -> None:
    query(path, "UPDATE alembic_version SET version_num = ?", revision)


def test_a_new_database_is_created_at_the_newest_revision(tmp_path: Path) -> None:
    opened = open_database(str(tmp_path / "new.db"), busy_timeout=BUSY_TIMEOUT)
    try:
        assert opened.report.created
        with opened.db.read() as session:
            assert schema.current_revision(session.connection()) == schema.HEAD
    finally:
        opened.db.close()


def test_a_new_database_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "new.db"
    open_database(str(path), busy_timeout=BUSY_TIMEOUT).db.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_new_database_uses_write_ahead_logging(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_database(str(path), busy_timeout=BUSY_TIMEOUT).db.close()
    with raw(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_every_connection_enforces_foreign_keys(db: Database) -> None:
    if db.dialect == "sqlite":  # PostgreSQL always does
        with db.read() as session:
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with pytest.raises(IntegrityError), db.write() as session:
        session.execute(text("INSERT INTO stock_level (product_id, location_id, on_hand, "
                             "reserved, damaged) VALUES (999, 999, 1, 0, 0)"))


@sqlite_only("compares the file's bytes")
def test_opening_a_current_database_again_changes_nothing(db_path: Path) -> None:
    before = db_path.read_bytes()
    for _ in range(2):
        opened = open_database(str(db_path), busy_timeout=BUSY_TIMEOUT)
        assert opened.report == schema.SchemaReport()
        opened.db.close()
    assert db_path.read_bytes() == before


def test_ensure_schema_is_idempotent(db: Database) -> None:
    assert schema.ensure_schema(db) == schema.SchemaReport()
    assert schema.ensure_schema(db, upgrade=False) == schema.SchemaReport()


def test_a_database_from_a_newer_oms_is_refused(db_path: Path) -> None:
    set_revision(db_path, "0099_from_the_future")
    with pytest.raises(SchemaMismatch, match=r"0099_from_the_future\) is newer than this oms"):
        open_database(str(db_path), busy_timeout=BUSY_TIMEOUT)


def test_a_database_from_a_newer_oms_is_refused_for_checks_too(db_path: Path) -> None:
    set_revision(db_path, "0099_from_the_future")
    db = connect(str(db_path), busy_timeout=BUSY_TIMEOUT)
    try:
        with pytest.raises(SchemaMismatch):
            schema.ensure_usable(db)
        with pytest.raises(SchemaMismatch):
            schema.upgrade_schema(db)
    finally:
        db.close()


def test_a_sqlite_file_of_another_program_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with raw(path) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(SchemaMismatch, match="not an oms database"):
        open_database(str(path), busy_timeout=BUSY_TIMEOUT)
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused_with_a_plain_message(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("id,total\n" * 200, encoding="utf-8")
    with pytest.raises(OmsError, match=r"not an oms database \(not SQLite\)"):
        open_database(str(path), busy_timeout=BUSY_TIMEOUT)


def test_the_check_constraints_make_impossible_levels_unstorable(db: Database) -> None:
    with db.write() as session:
        session.execute(text("INSERT INTO product (sku, name, currency, reorder_point, "
                             "reorder_qty, safety_stock, active, created_at, updated_at) "
                             "VALUES ('A', 'A', 'USD', 0, 0, 0, TRUE, '2026-01-01', '2026-01-01')"))
        session.execute(text("INSERT INTO location (code, name, kind, priority, ships_to, "
                             "active, created_at, updated_at) VALUES ('main', 'Main', "
                             "'warehouse', 1, '', TRUE, '2026-01-01', '2026-01-01')"))
    for on_hand, reserved, damaged in [(-1, 0, 0), (2, 3, 0), (2, 1, 2), (2, 0, -1)]:
        with pytest.raises(IntegrityError), db.write() as session:
            session.execute(text(
                "INSERT INTO stock_level VALUES (1, 1, :on_hand, :reserved, :damaged)"),
                {"on_hand": on_hand, "reserved": reserved, "damaged": damaged})


def alembic_config(connection: object) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def test_the_revisions_oms_knows_are_alembics_in_order() -> None:
    scripts = ScriptDirectory.from_config(alembic_config(None))
    in_order = tuple(script.revision for script in reversed(list(scripts.walk_revisions())))
    assert in_order == schema.REVISIONS
    assert scripts.get_heads() == [schema.HEAD]


def test_the_migrations_from_empty_build_exactly_the_models_schema(tmp_path: Path) -> None:
    engine = make_engine(str(empty_database(tmp_path)), busy_timeout=BUSY_TIMEOUT)
    try:
        with engine.begin() as connection:
            schema._run_migrations(connection)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, METADATA) == []
            assert schema.current_revision(connection) == schema.HEAD
    finally:
        engine.dispose()


def shape(path: Path) -> dict[str, object]:
    """Every table's columns, indexes, constraints and foreign keys, order-independent."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        inspector = inspect(engine)
        return {
            table: (
                [(c["name"], str(c["type"]), c["nullable"], c["primary_key"])
                 for c in inspector.get_columns(table)],
                sorted(repr(sorted(i.items())) for i in inspector.get_indexes(table)),
                sorted(repr(sorted(u.items())) for u in inspector.get_unique_constraints(table)),
                sorted(repr(sorted(c.items())) for c in inspector.get_check_constraints(table)),
                sorted(repr(sorted(f.items())) for f in inspector.get_foreign_keys(table)),
            )
            for table in inspector.get_table_names()
        }
    finally:
        engine.dispose()


@sqlite_only("compares SQLite files")
def test_a_migrated_database_and_a_created_one_are_the_same(tmp_path: Path,
                                                            template_db: Path) -> None:
    migrated = tmp_path / "migrated.db"
    engine = create_engine(f"sqlite:///{migrated}")
    with engine.begin() as connection:
        schema._run_migrations(connection)
    engine.dispose()
    assert shape(migrated) == shape(template_db)


def test_upgrading_a_current_database_is_a_no_op_without_a_backup(db: Database,
                                                                   tmp_path: Path) -> None:
    assert schema.upgrade_schema(db) == schema.SchemaReport()
    assert not list(tmp_path.glob("*.bak"))


class TestAnOlderDatabase:
    """The machinery an upgrade goes through, with this oms pretending to be one revision on."""

    @pytest.fixture
    def newer_oms(self, monkeypatch: pytest.MonkeyPatch) -> str:
        future = f"{len(schema.REVISIONS) + 1:04d}_pretend"
        monkeypatch.setattr(schema, "REVISIONS", (*schema.REVISIONS, future))
        monkeypatch.setattr(schema, "HEAD", future)
        return future

    def test_it_is_not_upgraded_without_being_asked(self, db: Database, newer_oms: str) -> None:
        with pytest.raises(SchemaMismatch, match="run `oms db upgrade`"):
            schema.ensure_schema(db, upgrade=False)

    @sqlite_only("the backup before an upgrade is a SQLite file")
    def test_an_upgrade_takes_a_readable_backup_first(self, db: Database, db_path: Path,
                                                      newer_oms: str) -> None:
        current = schema.REVISIONS[-2]
        report = schema.upgrade_schema(db)
        assert report.upgraded_from == current
        assert report.backup is not None and report.backup.parent == db_path.parent
        assert report.backup.name.startswith(f"oms.db.before-{newer_oms}.{current}.")
        assert stat.S_IMODE(report.backup.stat().st_mode) == 0o600
        with raw(report.backup) as copy:
            assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (
                current,)
        copy.close()


@sqlite_only("the backup is a SQLite file")
def test_the_backup_before_an_upgrade_is_a_readable_copy(db: Database, db_path: Path) -> None:
    with db.write() as session:
        session.execute(text("INSERT INTO run (command, started_at) "
                             "VALUES ('marker', '2026-01-01 00:00:00')"))
    backup = schema._backup_before_upgrade(db, "0001_initial")
    assert backup is not None and backup.exists() and backup != db_path
    with raw(backup) as copy:
        assert copy.execute("SELECT command FROM run").fetchall() == [("marker",)]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()


@sqlite_only("reads sqlite_master")
def test_a_database_at_the_initial_revision_upgrades_to_the_report_indexes(
        tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001_initial")
        connection.execute(text("INSERT INTO run (command, started_at) "
                                "VALUES ('marker', '2026-01-01 00:00:00')"))
    engine.dispose()
    opened = open_database(str(path), busy_timeout=BUSY_TIMEOUT)
    try:
        assert opened.report.upgraded_from == "0001_initial"
        assert opened.report.backup is not None and opened.report.backup.exists()
    finally:
        opened.db.close()
    with raw(path) as connection:
        indexes = {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert connection.execute("SELECT command FROM run").fetchall() == [("marker",)]
    connection.close()
    assert {"orders_report_groups", "orders_customer_placed_at", "order_line_order_units",
            "allocation_line_location_created", "shipment_order_shipped",
            "order_event_order_to_status"} <= indexes
