"""Writing many rows in one statement, at about the driver's own speed.

``connection.execute(insert(table), list_of_dicts)`` runs every value of every row
through SQLAlchemy's parameter processing: for a command that writes a few hundred
thousand rows that costs more than the database's own work. These helpers compile the
statement once for the connection's dialect (``?`` for SQLite, ``%(name)s`` for
psycopg), bind each column's values in one pass, and hand the rows to the driver's
executemany through ``exec_driver_sql``: the transaction, events and error wrapping
stay SQLAlchemy's. On PostgreSQL an INSERT goes through COPY instead, the server's own
bulk path, in the same transaction.

Values are bound as their column's type binds them (a datetime as UTC text on SQLite,
a dict as JSON), with two differences: ``constants`` (the same value in every row,
such as a timestamp or a run id) are bound once, and None is always SQL NULL (where
SQLAlchemy writes a JSON column's None as the text ``null``). Columns named in
``as_is`` go to the driver untouched: JSON text serialised by the caller, for one.
An inserted column left out gets its scalar default, as with SQLAlchemy; one whose
default is a function raises ValueError (name it instead).

``select_rows`` is the same for reading: a Core SELECT runs as SQLAlchemy runs it, and
its rows come back as the driver's tuples, converted only in the columns whose type
reads values differently from the driver (a UTCDateTime, say), column by column.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from itertools import repeat
from typing import Any, cast

from sqlalchemy import Connection, Select, Table, and_, bindparam, insert, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement

Processor = Callable[[Any], Any]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a bulk job, and restore it after.

    A job that loads, plans and writes a hundred thousand orders makes millions of
    small objects, none in a cycle: the collector would rescan all of them again and
    again as they pile up (a tenth of an allocation run's time), finding nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def insert_rows(connection: Connection, table: Table, columns: Sequence[str],
                rows: Iterable[Sequence[Any]], *, constants: Mapping[str, Any] | None = None,
                as_is: Collection[str] = ()) -> int:
    """INSERT one row into ``table`` per item of ``rows`` (values in ``columns`` order),
    each with ``constants`` too; returns the number of rows."""
    constants = dict(constants or {})
    compiled = _compiled_insert(table, (*columns, *constants), connection.dialect)
    # Columns left out but compiled in are those with a default SQLAlchemy would bind.
    binds = {name: name for name in compiled.binds}
    for name in binds.keys() - {*columns, *constants}:
        constants[name] = _scalar_default(table, name)
    return _execute(connection, table, compiled, binds, columns, rows, constants, as_is)


@lru_cache(maxsize=64)
def _compiled_insert(table: Table, column_keys: tuple[str, ...], dialect: Any) -> SQLCompiler:
    """The INSERT of ``column_keys`` compiled once: a bulk job inserts into the same few
    tables batch after batch, and compiling a wide INSERT costs a millisecond."""
    return cast(SQLCompiler, insert(table).compile(
        dialect=dialect, for_executemany=True, column_keys=list(column_keys)))


def update_rows(connection: Connection, table: Table, *, keys: Sequence[str],
                columns: Sequence[str], rows: Iterable[Sequence[Any]],
                constants: Mapping[str, Any] | None = None, add: bool = False,
                as_is: Collection[str] = ()) -> int:
    """UPDATE ``table`` once per item of ``rows``: (key values..., column values...).

    Sets each of ``columns`` to its value (with ``add``: adds the value to it) and each
    of ``constants``, where every one of ``keys`` matches; returns the number of rows.
    """
    constants = dict(constants or {})
    where = and_(*(table.c[key] == bindparam(f"key_{key}", type_=table.c[key].type)
                   for key in keys))
    values: dict[str, ColumnElement[Any]] = {}
    for name in columns:
        given = bindparam(f"new_{name}", type_=table.c[name].type)
        values[name] = table.c[name] + given if add else given
    for name in constants:
        values[name] = bindparam(f"new_{name}", type_=table.c[name].type)
    compiled = cast(SQLCompiler, update(table).where(where).values(values).compile(
        dialect=connection.dialect, for_executemany=True))
    binds = {f"key_{key}": key for key in keys} | {f"new_{name}": name
                                                   for name in (*columns, *constants)}
    return _execute(connection, table, compiled, binds, [*keys, *columns], rows, constants,
                    as_is)


def select_rows(connection: Connection, statement: Select[Any], *,
                batch: int = 10_000) -> Iterator[tuple[Any, ...]]:
    """The rows of ``statement`` as plain tuples, each value as its column's type reads it.

    For a query of a hundred thousand rows SQLAlchemy's Row objects cost more than
    the database's own work; these are the driver's rows, fetched ``batch`` at a
    time so that they need not all be held at once. The result stays open until
    the rows run out (or the iterator is closed).
    """
    dialect = connection.dialect
    processors: list[Processor | None] = [
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in statement.selected_columns]
    result = connection.execute(statement)
    try:
        while rows := result.cursor.fetchmany(batch):
            if any(processors):
                rows = _converted(rows, processors)
            yield from rows
    finally:
        result.close()


def _converted(rows: Sequence[Sequence[Any]],
               processors: list[Processor | None]) -> list[tuple[Any, ...]]:
    """``rows`` with each column that has a processor run through it, column by column."""
    columns = [values if process is None
               else [None if value is None else process(value) for value in values]
               for values, process in zip(zip(*rows, strict=True), processors, strict=True)]
    return list(zip(*columns, strict=True))


def _execute(connection: Connection, table: Table, compiled: SQLCompiler,
             binds: Mapping[str, str], columns: Sequence[str], rows: Iterable[Sequence[Any]],
             constants: Mapping[str, Any], as_is: Collection[str]) -> int:
    """Bind ``rows`` column by column, in the order the compiled statement names its
    parameters (``binds`` maps each parameter to its column), and execute them all."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return 0
    dialect = connection.dialect
    given = dict(zip(columns, zip(*rows, strict=True), strict=True))
    order = compiled.positiontup if compiled.positional else list(compiled.binds)
    assert order is not None and set(order) == set(binds)
    values: list[Iterable[Any]] = []
    for parameter in order:
        column = binds[parameter]
        process = None if column in as_is else _processor(table, column, dialect)
        if column in constants:
            constant = constants[column]
            values.append(repeat(process(constant) if process and constant is not None
                                 else constant, len(rows)))
        elif process is None:
            values.append(given[column])
        else:
            values.append([None if value is None else process(value)
                           for value in given[column]])
    if compiled.isinsert and dialect.name == "postgresql":
        _copy_in(connection, table, [binds[parameter] for parameter in order],
                 zip(*values, strict=True))
        return len(rows)
    if compiled.positional:
        parameters: list[Any] = list(zip(*values, strict=True))
    else:
        names = [compiled.escaped_bind_names.get(name, name) for name in order]
        parameters = [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
    connection.exec_driver_sql(compiled.string, parameters)
    return len(rows)


def _copy_in(connection: Connection, table: Table, columns: Sequence[str],
             rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL's fastest way in: COPY FROM STDIN, in the connection's transaction.

    The values are already bound as the columns' types bind them; the driver's own
    adapters (the connection's, so NUL-free text too) write them in COPY's format.
    A server error is raised as SQLAlchemy raises it from a statement.
    """
    import psycopg
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns)))
    raw = connection.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement.as_string(raw), None, exc, psycopg.Error) from exc


def _scalar_default(table: Table, column: str) -> Any:
    default = table.c[column].default
    if default is None or not default.is_scalar:
        raise ValueError(f"{table.name}.{column} has no constant default: give its values")
    return default.arg  # type: ignore[attr-defined]


def _processor(table: Table, column: str, dialect: Any) -> Processor | None:
    column_type = table.c[column].type
    return column_type.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[no-any-return]
