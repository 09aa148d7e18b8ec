"""Online backups, and two writers meeting on one database file."""

from __future__ import annotations

import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from runners import sqlite_only
from sqlalchemy import text

from oms_cli.errors import Conflict, DatabaseBusy
from oms_cli.services.database import open_database
from oms_cli.store.backup import backup_database
from oms_cli.store.database import Database

# PostgreSQL's writers meet in tests/integration/store/test_postgres_writers.py.
pytestmark = sqlite_only("SQLite's backup API and its file lock")


def add_run(db: Database, command: str) -> None:
    with db.write() as session:
        session.execute(text("INSERT INTO run (command, started_at) "
                             "VALUES (:c, '2026-01-01 00:00:00')"), {"c": command})


def commands_in(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT command FROM run ORDER BY id")]
    finally:
        connection.close()


@pytest.fixture
def other_writer(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's connection, holding a write transaction open (BEGIN IMMEDIATE)."""
    connection = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO run (command, started_at) "
                       "VALUES ('uncommitted', '2026-01-01 00:00:00')")
    yield connection
    connection.execute("ROLLBACK")
    connection.close()


def test_a_backup_is_a_readable_copy_of_everything_committed(db: Database,
                                                             tmp_path: Path) -> None:
    add_run(db, "first")
    written = backup_database(db, tmp_path / "copy.db")
    assert written == (tmp_path / "copy.db").resolve()
    assert commands_in(written) == ["first"]


def test_a_backup_is_readable_by_its_owner_only(db: Database, tmp_path: Path) -> None:
    written = backup_database(db, tmp_path / "copy.db")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_a_backup_never_overwrites_a_file(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "precious.db"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(Conflict, match="already exists"):
        backup_database(db, target)
    assert target.read_text(encoding="utf-8") == "keep me"


def test_a_backup_onto_the_database_itself_is_refused(db: Database, db_path: Path) -> None:
    before = db_path.read_bytes()
    with pytest.raises(Conflict, match="onto itself"):
        backup_database(db, db_path)
    assert db_path.read_bytes() == before


def test_a_backup_into_a_folder_gets_a_dated_name(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    written = backup_database(db, folder)
    assert written.parent == folder.resolve()
    assert written.name.startswith("oms-") and written.suffix == ".db"
    assert written.name[4:8].isdigit()


def test_a_backup_leaves_no_partial_file_behind(db: Database, tmp_path: Path) -> None:
    backup_database(db, tmp_path / "copy.db")
    assert not list(tmp_path.glob("*.partial"))


def test_a_backup_works_while_another_process_is_writing(db: Database, db_path: Path,
                                                         tmp_path: Path) -> None:
    add_run(db, "committed")
    writer = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO run (command, started_at) "
                       "VALUES ('uncommitted', '2026-01-01 00:00:00')")
        written = backup_database(db, tmp_path / "copy.db")
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert commands_in(written) == ["committed"]
    assert commands_in(db_path) == ["committed", "uncommitted"]


def test_a_second_writer_gets_database_busy_within_the_timeout(
        db_path: Path, other_writer: sqlite3.Connection) -> None:
    db = open_database(str(db_path), busy_timeout=0.2).db
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="retry later"), db.write() as session:
            session.execute(text("SELECT 1"))
        assert 0.15 <= time.monotonic() - started < 3
    finally:
        db.close()


def test_readers_are_not_blocked_by_a_writer(db_path: Path,
                                             other_writer: sqlite3.Connection) -> None:
    db = open_database(str(db_path), busy_timeout=0.2).db
    try:
        with db.read() as session:
            assert session.execute(text("SELECT count(*) FROM run")).scalar() == 0
    finally:
        db.close()


def test_database_busy_carries_exit_code_75() -> None:
    assert DatabaseBusy("x").exit_code == 75


def test_a_write_block_that_raises_stores_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as session:
        session.execute(text("INSERT INTO run (command, started_at) "
                             "VALUES ('lost', '2026-01-01 00:00:00')"))
        raise RuntimeError("stop")
    assert commands_in(Path(str(db.path))) == []


def test_a_dry_run_write_stores_nothing(db: Database) -> None:
    with db.write(dry_run=True) as session:
        session.execute(text("INSERT INTO run (command, started_at) "
                             "VALUES ('dry', '2026-01-01 00:00:00')"))
    assert commands_in(Path(str(db.path))) == []
