"""Online backups of a SQLite database, safe while another process writes."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from oms_cli.errors import Conflict, OmsError

if TYPE_CHECKING:
    from oms_cli.store.database import Database


def backup_database(db: Database, target: Path) -> Path:
    """Copy ``db`` to ``target`` with SQLite's online backup API; returns the file written.

    ``target`` may be a folder (a dated file name is chosen in it). An existing file
    is never overwritten, nor is the database itself. The copy is readable by its
    owner only.
    """
    source = db.path
    if source is None:
        raise OmsError("backup works on SQLite files; for a server database use its own tools "
                       "(pg_dump) or `oms db copy`")
    if target.is_dir():
        target = target / f"{source.stem}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.db"
    target = target.expanduser().resolve()
    if target == source:
        raise Conflict(f"{target}: refusing to back the database up onto itself")
    if target.exists():
        raise Conflict(f"{target}: already exists; choose another name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    os.close(os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
    try:
        with _closing(sqlite3.connect(source)) as src, _closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


class _closing:
    """sqlite3 connections' own context manager commits but does not close."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()
