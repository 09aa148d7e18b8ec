"""Types and settings the fixtures in conftest.py share with the tests (import from here).

The suite runs on SQLite files, or on PostgreSQL when ``OMS_TEST_POSTGRES_URL`` names a
server (any database on it: the suite makes its own scratch databases there and drops
them at the end). A test database is then a *location*: a file Path on SQLite, a URL
on PostgreSQL; ``str(location)`` is what ``--db`` and ``open_database`` take either way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

# Short, so a test about a busy database fails fast; still long enough for a quiet machine.
BUSY_TIMEOUT = 2.0

Cli = Callable[..., Result]
RunOms = Callable[..., subprocess.CompletedProcess[str]]
WriteFile = Callable[..., Path]

POSTGRES_URL = os.environ.get("OMS_TEST_POSTGRES_URL") or None
ON_POSTGRES = POSTGRES_URL is not None

DbLocation = Path | str


def sqlite_only(reason: str) -> pytest.MarkDecorator:
    """Skip a test that is about SQLite itself (its file, pragmas, backup API) on PostgreSQL."""
    return pytest.mark.skipif(ON_POSTGRES, reason=f"SQLite only: {reason}")


def copy_database(source: DbLocation, target: DbLocation) -> DbLocation:
    """A private copy of the database at ``source``: the file ``target`` on SQLite
    (owner-only, like every oms database), a scratch database on PostgreSQL (``target``
    itself when it is one already, e.g. a test's ``db_path``)."""
    if isinstance(source, str) and source.startswith("postgresql"):
        if isinstance(target, str):
            return SCRATCH.copy_into(source, target)
        return SCRATCH.copy(source)
    assert isinstance(target, Path)
    shutil.copyfile(source, target)
    target.chmod(0o600)
    return target


def query(location: DbLocation, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Run one SQL statement (``?`` placeholders) straight on the database, committed;
    returns its rows (none for an UPDATE)."""
    if isinstance(location, str) and location.startswith("postgresql"):
        import psycopg

        with psycopg.connect(SCRATCH.libpq_url(location)) as server:
            cursor = server.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
    with contextlib.closing(sqlite3.connect(location)) as connection, connection:
        return connection.execute(sql, params).fetchall()


@dataclass
class _Snapshot:
    """A database's rows (binary COPY data per table) and its sequences' positions."""

    shape: tuple[tuple[str, str], ...]
    tables: dict[str, bytes]
    sequences: dict[str, int | None]


@dataclass
class PostgresScratch:
    """Scratch databases on the test server, reused between tests.

    Making and dropping a PostgreSQL database costs a tenth of a second and more, so a
    test's database comes from a pool: emptied (TRUNCATE) and filled with a copy of its
    template's rows. Databases made while a session- or module-scoped fixture runs
    (templates) are kept; those of a test go back to the pool when it ends. All are
    dropped when the session ends.
    """

    server_url: str = ""
    prefix: str = f"oms_test_{os.getpid()}_"
    made: list[str] = field(default_factory=list)
    free: list[str] = field(default_factory=list)
    borrowed: list[str] = field(default_factory=list)
    snapshots: dict[str, _Snapshot] = field(default_factory=dict)
    empty: str = ""
    fixture_scopes: list[str] = field(default_factory=list)
    admin: Any = None

    def url(self, name: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.server_url).set(database=name).render_as_string(
            hide_password=False)

    def libpq_url(self, url: str) -> str:
        """``url`` as psycopg itself takes it (without SQLAlchemy's driver name)."""
        return "postgresql://" + url.split("://", 1)[1]

    @contextlib.contextmanager
    def _admin(self) -> Iterator[Any]:
        """The one connection to the server's own database that makes and drops others."""
        import psycopg

        if self.admin is None or self.admin.closed:
            self.admin = psycopg.connect(self.libpq_url(self.server_url), autocommit=True)
        yield self.admin

    def start(self, server_url: str) -> str:
        """Drop what a killed earlier run left behind; return the new, empty database's URL."""
        self.server_url = server_url
        with self._admin() as admin:
            for (name,) in admin.execute("SELECT datname FROM pg_database "
                                         "WHERE datname LIKE 'oms\\_test\\_%'").fetchall():
                if not _process_alive(int(name.split("_")[2])):
                    with contextlib.suppress(Exception):  # e.g. being dropped by its own run
                        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.empty = self._create(admin, "template", None)
        return self.url(self.empty)

    def finish(self) -> None:
        """Drop every database made, in a process of its own: each DROP DATABASE waits for
        a checkpoint, which writes out all the run left in the server's buffers first and
        can take a minute on a busy machine. The session need not wait for that."""
        if self.admin is not None:
            self.admin.close()
        subprocess.Popen([sys.executable, "-c", _DROP_DATABASES,
                          self.libpq_url(self.server_url), *self.made],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
        self.made.clear()

    def _create(self, admin: Any, suffix: str, template: str | None) -> str:
        name = f"{self.prefix}{suffix}"
        if template is not None:
            _disconnect_others(admin, template)
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            admin.execute(f'CREATE DATABASE "{name}"')
        # Test databases need no durability: commits without waiting for the disk. Text
        # timestamps a test writes by hand are UTC, as on SQLite.
        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        admin.execute(f"ALTER DATABASE \"{name}\" SET timezone = 'UTC'")
        self.made.append(name)
        return name

    def copy(self, source_url: str) -> str:
        """A database holding what ``source_url``'s holds, and its URL."""
        source = source_url.rsplit("/", 1)[1]
        snapshot = self.snapshots.get(source) or self._snapshot(source_url)
        if source not in self.borrowed and source not in self.free:
            self.snapshots[source] = snapshot  # a template: it no longer changes
        with self._admin() as admin:
            if snapshot.shape != self._empty_shape():
                # Another schema than the pool's: a database copied whole, never pooled.
                return self.url(self._create(admin, str(len(self.made)), source))
            keep = bool(self.fixture_scopes) and self.fixture_scopes[-1] != "function"
            name = self.free.pop() if self.free else self._create(
                admin, str(len(self.made)), self.empty)
            _disconnect_others(admin, name)
        if not keep:
            self.borrowed.append(name)
        self._restore(self.url(name), snapshot)
        return self.url(name)

    def blank(self) -> str:
        """A new database without any table (kept until the session ends)."""
        with self._admin() as admin:
            return self.url(self._create(admin, str(len(self.made)), None))

    def copy_into(self, source_url: str, target_url: str) -> str:
        """``target_url``'s database (a scratch one) made to hold what ``source_url``'s holds."""
        source = source_url.rsplit("/", 1)[1]
        snapshot = self.snapshots.get(source) or self._snapshot(source_url)
        with self._admin() as admin:
            _disconnect_others(admin, target_url.rsplit("/", 1)[1])
        self._restore(target_url, snapshot)
        return target_url

    def give_back(self) -> None:
        """Return the databases the test that just ended borrowed to the pool."""
        self.free.extend(self.borrowed)
        self.borrowed.clear()

    def _empty_shape(self) -> tuple[tuple[str, str], ...]:
        if self.empty not in self.snapshots:
            self.snapshots[self.empty] = self._snapshot(self.url(self.empty))
        return self.snapshots[self.empty].shape

    def _snapshot(self, url: str) -> _Snapshot:
        import psycopg

        with psycopg.connect(self.libpq_url(url)) as connection:
            shape = tuple(connection.execute(
                "SELECT table_name, string_agg(column_name || ' ' || data_type, ',' "
                "ORDER BY ordinal_position) FROM information_schema.columns "
                "WHERE table_schema = 'public' GROUP BY table_name ORDER BY table_name"))
            tables: dict[str, bytes] = {}
            for table, _columns in shape:
                with connection.cursor().copy(
                        f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                    data = b"".join(bytes(block) for block in copy)
                found = connection.execute(f'SELECT EXISTS (SELECT FROM "{table}")').fetchone()
                if found and found[0]:
                    tables[table] = data
            sequences: dict[str, int | None] = dict(connection.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"))
        return _Snapshot(shape, tables, sequences)

    def _restore(self, url: str, snapshot: _Snapshot) -> None:
        import psycopg

        # One round trip empties every table and sets every sequence; DELETE, not
        # TRUNCATE: on tables this small it is several times faster.
        reset = ["SET session_replication_role = replica"]  # no FK checks while it is refilled
        reset += [f'DELETE FROM "{table}"' for table, _columns in snapshot.shape]
        reset += [f"SELECT setval('\"{sequence}\"', {value or 1}, {value is not None})"
                  for sequence, value in snapshot.sequences.items()]
        with psycopg.connect(self.libpq_url(url)) as connection:
            connection.execute("; ".join(reset).encode())
            for table, data in snapshot.tables.items():
                with connection.cursor().copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
                    copy.write(data)


_DROP_DATABASES = """
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as admin:
    for name in sys.argv[2:]:
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error:
            pass
"""


def _disconnect_others(admin: Any, name: str) -> None:
    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


SCRATCH = PostgresScratch()


def empty_database(folder: Path) -> DbLocation:
    """Where a new, empty database can be made: a file in ``folder`` not yet there on
    SQLite; on PostgreSQL a new database without any table."""
    if ON_POSTGRES:
        return SCRATCH.blank()
    return folder / "empty.db"


@contextlib.contextmanager
def write_lock_held(location: DbLocation) -> Iterator[None]:
    """Another process's connection holding the write lock every oms writer queues on:
    BEGIN IMMEDIATE on SQLite, the writers' advisory lock on PostgreSQL."""
    if isinstance(location, str) and location.startswith("postgresql"):
        import psycopg

        from oms_cli.store.engine import WRITER_LOCK_KEY

        with psycopg.connect(SCRATCH.libpq_url(location)) as server:
            server.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK_KEY,))
            yield
            server.rollback()
        return
    connection = sqlite3.connect(location, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
        connection.execute("ROLLBACK")
    finally:
        connection.close()
