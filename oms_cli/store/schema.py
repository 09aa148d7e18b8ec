"""Schema versions: create, check and upgrade an oms database.

Versions are alembic revisions (``store/migrations/versions``), recorded in the
``alembic_version`` table. A new database is created from the models and stamped
at the newest revision; an older one is upgraded by alembic after a backup; a
newer one (written by a later oms) is refused rather than misread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, insert, inspect, text

from oms_cli.errors import OmsError, SchemaMismatch
from oms_cli.store.backup import backup_database
from oms_cli.store.database import Database, translate_errors
from oms_cli.store.engine import WRITE_OPTION, enable_wal
from oms_cli.store.tables import METADATA, SummaryState

# Every revision in order, oldest first; the last is the schema these models describe.
REVISIONS: tuple[str, ...] = ("0001_initial", "0002_report_indexes",
                               "0003_report_summaries", "0004_shipped_summary")
HEAD = REVISIONS[-1]
VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class SchemaReport:
    """What opening the database did to its schema."""

    created: bool = False
    upgraded_from: str | None = None
    backup: Path | None = None


def current_revision(connection: Connection) -> str | None:
    """The stored revision, or None when the database has no oms schema yet."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return _stored_revision(connection)


def _stored_revision(connection: Connection) -> str | None:
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def ensure_schema(db: Database, *, upgrade: bool = True) -> SchemaReport:
    """Make ``db`` hold the current schema: create it, upgrade it, or refuse it.

    Raises SchemaMismatch for a database newer than this code, a non-oms database,
    or (with ``upgrade=False``) one that needs an upgrade.
    """
    with translate_errors(), db.engine.connect() as connection:
        tables = inspect(connection).get_table_names()  # one look at the catalog: every command
        revision = _stored_revision(connection) if VERSION_TABLE in tables else None
        has_tables = bool(tables)
        connection.rollback()
    if revision == HEAD:
        return SchemaReport()
    if revision is None:
        if has_tables:
            raise SchemaMismatch("this database has tables but no oms schema version: "
                                 "it is not an oms database")
        return _create(db)
    _refuse_unknown(revision)
    if not upgrade:
        raise SchemaMismatch(f"the database schema is at {revision}, this oms needs {HEAD}: "
                             "run `oms db upgrade` (it takes a backup first)")
    return upgrade_schema(db)


def upgrade_schema(db: Database) -> SchemaReport:
    """Back the database up, then apply every migration it lacks, in one transaction."""
    with translate_errors(), db.engine.connect() as connection:
        revision = current_revision(connection)
        connection.rollback()
    if revision is None:
        return ensure_schema(db)
    _refuse_unknown(revision)
    if revision == HEAD:
        return SchemaReport()
    backup = _backup_before_upgrade(db, revision)
    with translate_errors(), db.engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            if current_revision(connection) != HEAD:  # another process may have upgraded it
                _run_migrations(connection)
    return SchemaReport(upgraded_from=revision, backup=backup)


def _create(db: Database) -> SchemaReport:
    enable_wal(db.engine)
    with translate_errors(), db.engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            if current_revision(connection) is not None:  # created meanwhile by another process
                return SchemaReport()
            create_schema(connection)
    return SchemaReport(created=True)


def create_schema(connection: Connection) -> None:
    """Create every table, stamped at the newest revision, in ``connection``'s transaction."""
    METADATA.create_all(connection)
    connection.execute(text(f"CREATE TABLE {VERSION_TABLE} "
                            "(version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
    connection.execute(text(f"INSERT INTO {VERSION_TABLE} VALUES (:v)"), {"v": HEAD})
    # No order yet: the (empty) report summaries are kept, in UTC days until a command
    # configured for another time zone builds them again in its own.
    connection.execute(insert(SummaryState).values(timezone="UTC", built_at=datetime.now(UTC),
                                                   shipped=True))


def _refuse_unknown(revision: str) -> None:
    if revision not in REVISIONS:
        raise SchemaMismatch(f"the database schema ({revision}) is newer than this oms "
                             f"(which knows up to {HEAD}): upgrade oms to use it")


def _backup_before_upgrade(db: Database, revision: str) -> Path | None:
    path = db.path
    if path is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.before-{HEAD}.{revision}.{stamp}.bak")
    backup_database(db, target)
    return target


def _run_migrations(connection: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def ensure_usable(db: Database) -> None:
    """Raise unless ``db`` exists with exactly the current schema (for read-only checks)."""
    with translate_errors(), db.engine.connect() as connection:
        revision = current_revision(connection)
        connection.rollback()
    if revision is None:
        raise OmsError("the database has no oms schema yet: run `oms init`")
    _refuse_unknown(revision)
