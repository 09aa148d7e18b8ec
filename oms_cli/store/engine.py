"""Engines, and the one place where each dialect's connection settings are made.

Every SQLite connection gets foreign keys on and a busy timeout; write
transactions start with BEGIN IMMEDIATE so two writers queue instead of
deadlocking halfway. On PostgreSQL every write transaction first takes one
transaction-scoped advisory lock, the same queue across processes and machines,
waiting at most the busy timeout (``lock_timeout``); ``Database.read`` asks for one
snapshot (REPEATABLE READ), as a SQLite read transaction has.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from oms_cli.errors import OmsError

WRITE_OPTION = "oms_write"

# The advisory lock key every oms writer queues on (any constant will do: "oms" in ASCII).
WRITER_LOCK_KEY = 0x6F6D73
POSTGRES_DRIVER = "postgresql+psycopg"


def is_url(location: str) -> bool:
    return "://" in location


def sqlite_path(location: str) -> Path | None:
    """The database file behind ``location``, or None for a server database."""
    if not is_url(location):
        return Path(location).expanduser().resolve()
    url = make_url(location)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).expanduser().resolve()
    return None


def normalised_url(location: str) -> str:
    """``location`` with a bare ``postgresql://`` (or ``postgres://``) URL given the psycopg
    driver, the one oms installs with its ``postgres`` extra; anything else unchanged."""
    if not is_url(location):
        return location
    scheme, rest = location.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"{POSTGRES_DRIVER}://{rest}"
    return location


def make_engine(location: str, *, busy_timeout: float) -> Engine:
    """An engine for a file path or SQLAlchemy URL; a new SQLite file is made owner-only."""
    path = sqlite_path(location)
    if path is None:
        url = make_url(normalised_url(location))
        if url.get_backend_name() != "postgresql":
            return create_engine(url)
        try:
            # No statements prepared on the server: psycopg would after five runs, and keep
            # the plan made when the tables were still small (an import filling them in one
            # transaction then scans ever longer tables). Without hstore (oms has none): one
            # type lookup less on every new connection.
            engine = create_engine(url, use_native_hstore=False,
                                   connect_args={"prepare_threshold": None})
        except ModuleNotFoundError as exc:
            raise OmsError("PostgreSQL needs its driver: pip install 'oms[postgres]'") from exc
        _install_postgres_settings(engine, busy_timeout)
        return engine
    _create_private_file(path)
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": busy_timeout})
    _install_sqlite_pragmas(engine, busy_timeout)
    return engine


def _create_private_file(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another process created it first
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _install_sqlite_pragmas(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _install_postgres_settings(engine: Engine, busy_timeout: float) -> None:
    timeout_ms = max(1, int(busy_timeout * 1000))

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        _bind_text_without_nul(dbapi_connection)

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(WRITE_OPTION, False):
            # SET LOCAL and the lock both end with the transaction, commit or rollback. The
            # transaction stays READ COMMITTED: each statement after the lock sees what the
            # writer before committed.
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {timeout_ms}; "
                                       f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")


def _bind_text_without_nul(dbapi_connection: Any) -> None:
    """PostgreSQL text cannot hold NUL (SQLite's can): a hostile export's NUL characters
    are bound as U+FFFD instead, rather than failing the whole import."""
    for dumper in _nul_free_dumpers():
        dbapi_connection.adapters.register_dumper(str, dumper)


@functools.cache
def _nul_free_dumpers() -> tuple[type, ...]:
    from psycopg.types.string import StrBinaryDumper, StrDumperUnknown

    class TextDumper(StrDumperUnknown):
        def dump(self, obj: str) -> Any:
            return super().dump(obj.replace("\x00", "\ufffd") if "\x00" in obj else obj)

    class BinaryTextDumper(StrBinaryDumper):
        def dump(self, obj: str) -> Any:
            return super().dump(obj.replace("\x00", "\ufffd") if "\x00" in obj else obj)

    return TextDumper, BinaryTextDumper


# Rows sampled per index when statistics are refreshed: about 30 ms on a million orders,
# and enough for SQLite to pick the covering indexes the reports are written for.
STATISTICS_SAMPLE = 10_000


def refresh_statistics(engine: Engine) -> None:
    """Tell SQLite's query planner how big the tables are and how their indexes spread.

    Without statistics a database grown by imports is planned as if it were empty,
    and reports over a long period miss their indexes. PostgreSQL's autovacuum keeps
    its own statistics, so this does nothing there. Another writer holding the lock is
    not waited for: the statistics are refreshed by the next import instead.
    """
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    cursor = raw.cursor()
    waited = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        cursor.execute("PRAGMA busy_timeout = 0")
        cursor.execute(f"PRAGMA analysis_limit = {STATISTICS_SAMPLE}")
        cursor.execute("ANALYZE")
    except sqlite3.OperationalError as exc:  # busy, or a file we may not write
        if "locked" not in str(exc) and "readonly" not in str(exc):
            raise
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {int(waited)}")
        cursor.close()
        raw.close()


def enable_wal(engine: Engine) -> None:
    """Switch a new SQLite database to write-ahead logging (it persists in the file)."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA journal_mode = WAL")
    finally:
        raw.close()
