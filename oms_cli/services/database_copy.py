"""Copying a merchant's whole database to another one: SQLite to PostgreSQL and back.

The use case of `oms db copy --to URL`: every table, row for row with the same ids,
read in one snapshot of the source and written in one transaction on the target, which
gets the current schema first and must hold no orders, stock or anything else yet.
The target is then checked as `oms db check` checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Table, delete, func, inspect, select, text
from sqlalchemy.engine import make_url

from oms_cli.errors import Conflict, InvalidInput, SchemaMismatch
from oms_cli.services.database import Drift, check
from oms_cli.store import schema
from oms_cli.store.bulk import insert_rows
from oms_cli.store.database import Database, connect
from oms_cli.store.engine import enable_wal, normalised_url, sqlite_path
from oms_cli.store.tables import METADATA, SummaryState

SUMMARY_STATE = SummaryState.__table__  # type: ignore[attr-defined]

BATCH_ROWS = 5000


@dataclass(frozen=True)
class CopyReport:
    """What `copy_database` wrote, table by table, and what the check found on the target."""

    target: str
    rows: dict[str, int] = field(default_factory=dict)
    drifts: list[Drift] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def copy_database(source: Database, target_location: str, *, busy_timeout: float) -> CopyReport:
    """Copy every row of ``source`` (at the current schema) to the database at
    ``target_location``, keeping ids, then check the target.

    The target (a file path or URL) may be missing (a SQLite file), empty, or an oms
    database at the current revision with no rows. Raises InvalidInput for the source
    itself, Conflict for a target that holds data or other tables, SchemaMismatch for
    a target at another revision; then nothing is written.
    """
    if _same_database(source.location, target_location):
        raise InvalidInput("the target is the database itself: name another one")
    target = connect(target_location, busy_timeout=busy_timeout)
    try:
        rows = _copy_rows(source, target)
        return CopyReport(target=target_location, rows=rows, drifts=check(target))
    finally:
        target.close()


def _copy_rows(source: Database, target: Database) -> dict[str, int]:
    enable_wal(target.engine)
    with source.read() as reading, target.write() as writing:
        source_connection = reading.connection()
        revision = schema.current_revision(source_connection)
        if revision != schema.HEAD:
            raise SchemaMismatch(f"the source database is at {revision}, this oms needs "
                                 f"{schema.HEAD}: run `oms db upgrade` on it first")
        connection = writing.connection()
        _prepare_target(connection)
        rows = {table.name: _copy_table(source_connection, connection, table)
                for table in METADATA.sorted_tables}
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection)
    return rows


def _prepare_target(connection: Connection) -> None:
    """Create the schema on an empty target, or accept an oms one that holds no rows."""
    revision = schema.current_revision(connection)
    if revision is None:
        if inspect(connection).get_table_names():
            raise Conflict("the target has tables but is not an oms database: "
                           "copy into an empty database")
        schema.create_schema(connection)
    elif revision != schema.HEAD:
        raise SchemaMismatch(f"the target is an oms database at {revision}, not {schema.HEAD}: "
                             "copy into an empty database")
    else:
        filled = [table.name for table in METADATA.sorted_tables
                  if table.name != SUMMARY_STATE.name
                  and connection.execute(select(select(table).exists())).scalar()]
        if filled:
            raise Conflict(f"the target already holds data ({', '.join(filled)}): "
                           "copy into an empty database")
    connection.execute(delete(SUMMARY_STATE))  # the source's is copied


def _copy_table(source: Connection, target: Connection, table: Table) -> int:
    columns = [column.name for column in table.columns]
    order = list(table.primary_key.columns) or list(table.columns)
    result = source.execution_options(yield_per=BATCH_ROWS).execute(
        select(*table.columns).order_by(*order))
    copied = 0
    for batch in result.partitions():
        copied += insert_rows(target, table, columns, batch)
    return copied


def _advance_sequences(connection: Connection) -> None:
    """Move each serial id's sequence past the copied ids (inserting them explicitly
    leaves it at the start)."""
    for table in METADATA.sorted_tables:
        if len(table.primary_key.columns) != 1:
            continue  # a composite key has no sequence
        [column] = table.primary_key.columns
        top = connection.execute(select(func.max(column))).scalar()
        # setval(NULL, ...) does nothing: a key without a sequence is passed over.
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, :column), :value, :called)"),
            {"table": table.name, "column": column.name, "value": top or 1,
             "called": top is not None})


def shown_location(location: str) -> str:
    """``location`` fit to print: a URL's password is masked."""
    if "://" not in location:
        return location
    return make_url(location).render_as_string(hide_password=True)


def _same_database(source: str, target: str) -> bool:
    source_file, target_file = sqlite_path(source), sqlite_path(target)
    if source_file is not None or target_file is not None:
        return source_file == target_file
    return normalised_url(source) == normalised_url(target)
