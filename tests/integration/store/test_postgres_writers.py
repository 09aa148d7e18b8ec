"""Two writers meeting on one PostgreSQL database: the second waits for the first, at
most the busy timeout, then gives up with DatabaseBusy; readers never wait."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from runners import ON_POSTGRES, SCRATCH, Cli, DbLocation
from sqlalchemy import text

from oms_cli.errors import DatabaseBusy
from oms_cli.services.database import open_database
from oms_cli.store.engine import WRITER_LOCK_KEY, normalised_url

psycopg = pytest.importorskip("psycopg")  # the `postgres` extra

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only (OMS_TEST_POSTGRES_URL)")


@pytest.fixture
def other_writer(db_path: DbLocation) -> Iterator[psycopg.Connection]:
    """Another oms process's write transaction, open: it holds the writers' lock and has
    written a row it has not committed."""
    connection = psycopg.connect(SCRATCH.libpq_url(str(db_path)))
    connection.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK_KEY,))
    connection.execute("INSERT INTO run (command, started_at) "
                       "VALUES ('uncommitted', '2026-01-01 00:00:00+00')")
    yield connection
    connection.rollback()
    connection.close()


def test_a_second_writer_gets_database_busy_within_the_timeout(
        db_path: DbLocation, other_writer: psycopg.Connection) -> None:
    db = open_database(str(db_path), busy_timeout=0.2).db
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="retry later"), db.write() as session:
            session.execute(text("SELECT 1"))
        assert 0.15 <= time.monotonic() - started < 3
    finally:
        db.close()


def test_a_second_writer_waits_for_the_first_to_commit_then_sees_its_rows(
        db_path: DbLocation) -> None:
    db = open_database(str(db_path), busy_timeout=5).db
    first = psycopg.connect(SCRATCH.libpq_url(str(db_path)))
    try:
        first.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK_KEY,))
        first.execute("INSERT INTO run (command, started_at) "
                      "VALUES ('first', '2026-01-01 00:00:00+00')")
        threading.Timer(0.3, first.commit).start()
        started = time.monotonic()
        with db.write() as session:
            commands = session.execute(text("SELECT command FROM run")).scalars().all()
        assert time.monotonic() - started >= 0.25
        assert commands == ["first"]
    finally:
        first.close()
        db.close()


def test_readers_are_not_blocked_and_see_only_what_is_committed(
        db_path: DbLocation, other_writer: psycopg.Connection) -> None:
    db = open_database(str(db_path), busy_timeout=0.2).db
    try:
        with db.read() as session:
            assert session.execute(text("SELECT count(*) FROM run")).scalar() == 0
    finally:
        db.close()


def test_a_bare_postgresql_url_gets_the_psycopg_driver() -> None:
    assert normalised_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalised_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalised_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalised_url("shop.db") == "shop.db"


def test_a_server_that_does_not_answer_is_one_plain_error(cli: Cli) -> None:
    result = cli("location", "list", db="postgresql://postgres@127.0.0.1:1/oms")
    assert result.exit_code == 1
    assert result.stderr.startswith("oms: error: cannot reach the database server: ")
    assert "Traceback" not in result.stderr


def test_a_database_missing_on_the_server_is_named_with_what_to_do(cli: Cli) -> None:
    result = cli("location", "list", db=SCRATCH.url("oms_no_such_database"))
    assert (result.exit_code, result.stderr) == (
        1, 'oms: error: the server has no database "oms_no_such_database": create it first '
           "(`createdb NAME`), then use its URL\n")
