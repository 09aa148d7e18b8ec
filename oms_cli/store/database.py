"""The unit of work: one transaction per command, and database errors made plain.

Services ask for ``db.write()`` (whole or nothing, one writer at a time: BEGIN
IMMEDIATE on SQLite, the writers' advisory lock on PostgreSQL, see store.engine) or
``db.read()`` and get a Session; they never commit themselves. Driver errors a
merchant can meet (locked, disk full, read-only file, server unreachable) become
OmsError kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from oms_cli.errors import DatabaseBusy, OmsError
from oms_cli.store.engine import (
    WRITE_OPTION,
    make_engine,
    refresh_statistics,
    sqlite_path,
)


@dataclass
class Database:
    """An opened oms database: where it is, and how to work in it."""

    engine: Engine
    location: str

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None when the database is a server."""
        return sqlite_path(self.location)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self, *, dry_run: bool = False) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back if it raises.

        With ``dry_run`` everything runs and is then rolled back.
        """
        with translate_errors(), self.engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: True})
            transaction = connection.begin()
            session = Session(bind=connection, autoflush=False, expire_on_commit=False)
            try:
                yield session
                session.flush()
                run_before_commit(session)
            except BaseException:
                session.close()
                transaction.rollback()
                raise
            session.close()
            if dry_run:
                transaction.rollback()
            else:
                transaction.commit()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot for queries."""
        with translate_errors(), self.engine.connect() as connection:
            if self.dialect == "postgresql":  # as SQLite's read transactions are
                connection.execution_options(isolation_level="REPEATABLE READ")
            session = Session(bind=connection, autoflush=False)
            try:
                yield session
            finally:
                session.close()
                connection.rollback()

    def refresh_statistics(self) -> None:
        """After a write that grew the tables a lot (an import): let the planner know."""
        with translate_errors():
            refresh_statistics(self.engine)

    def close(self) -> None:
        self.engine.dispose()


BEFORE_COMMIT = "oms.before_commit"


def before_commit(session: Session, key: str, hook: Callable[[Session], None]) -> None:
    """Run ``hook(session)`` once at the end of this write transaction, before it commits
    (and inside it: what the hook writes is committed or rolled back with the rest).

    ``key`` names the hook: asking again under the same key does not add it twice.
    """
    session.info.setdefault(BEFORE_COMMIT, {}).setdefault(key, hook)


def run_before_commit(session: Session) -> None:
    """The hooks registered by ``before_commit``, in the order they were first asked for."""
    while hooks := session.info.pop(BEFORE_COMMIT, None):
        for hook in hooks.values():
            hook(session)
        session.flush()


def connect(location: str, *, busy_timeout: float) -> Database:
    """A Database over ``location`` (a file path or URL), without touching its schema."""
    return Database(engine=make_engine(location, busy_timeout=busy_timeout), location=location)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn driver errors a merchant can meet into one clear OmsError."""
    try:
        yield
    except OperationalError as exc:
        raise _plain_error(exc) from exc
    except DBAPIError as exc:
        # sqlite3 raises its plain DatabaseError for a file that is not a database at all.
        if _is_lock_error(str(exc.orig)) or _is_damaged(str(exc.orig)):
            raise _plain_error(exc) from exc
        raise


BUSY_MESSAGE = "database busy, retry later: another oms command is writing to it"


def _is_lock_error(text: str) -> bool:
    text = text.lower()
    # SQLite: "database is locked"; PostgreSQL: "canceling statement due to lock timeout".
    return any(sign in text for sign in ("database is locked", "database is busy",
                                         "lock timeout", "deadlock detected"))


def _is_unreachable(text: str) -> bool:
    return any(sign in text for sign in ("connection refused", "could not connect",
                                         "connection failed", "could not translate host name",
                                         "authentication failed"))


def _is_damaged(text: str) -> bool:
    text = text.lower()
    return "file is not a database" in text or "database disk image is malformed" in text


def _plain_error(exc: DBAPIError) -> OmsError:
    text = str(exc.orig).lower()
    if _is_lock_error(text):
        return DatabaseBusy(BUSY_MESSAGE)
    if "disk is full" in text or "disk i/o error" in text:
        return OmsError("the disk is full or failing: nothing was written; free space and retry")
    if "readonly" in text or "read-only" in text:
        return OmsError("the database is read-only here: nothing was written; "
                        "check its permissions")
    if "unable to open database" in text:
        return OmsError("cannot open the database file: "
                        "check the path and its folder's permissions")
    if "file is not a database" in text:
        return OmsError("that file is not an oms database (not SQLite)")
    if "database" in text and "does not exist" in text:
        name = text.split('database "', 1)[-1].split('"', 1)[0]
        return OmsError(f'the server has no database "{name}": create it first '
                        "(`createdb NAME`), then use its URL")
    if _is_unreachable(text):
        first_line = str(exc.orig).strip().splitlines()[0]
        return OmsError(f"cannot reach the database server: {first_line}")
    if "malformed" in text:
        return OmsError("the database file is damaged: restore it from a backup "
                        "(`oms db backup` makes them)")
    return OmsError(f"database error: {exc.orig}")
