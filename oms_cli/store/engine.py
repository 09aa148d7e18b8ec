"""Engines, and the one place where SQLite's pragmas are set.

Every SQLite connection gets foreign keys on and a busy timeout; write
transactions start with BEGIN IMMEDIATE so two writers queue instead of
deadlocking halfway. Other dialects get plain engines.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

WRITE_OPTION = "oms_write"


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


def make_engine(location: str, *, busy_timeout: float) -> Engine:
    """An engine for a file path or SQLAlchemy URL; a new SQLite file is made owner-only."""
    path = sqlite_path(location)
    if path is None:
        return create_engine(location)
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


def enable_wal(engine: Engine) -> None:
    """Switch a new SQLite database to write-ahead logging (it persists in the file)."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA journal_mode = WAL")
    finally:
        raw.close()
