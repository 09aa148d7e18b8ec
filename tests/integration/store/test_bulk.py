"""Bulk inserts and updates: the values SQLAlchemy would bind, at the driver's speed.

Run on SQLite; set OMS_TEST_POSTGRES_URL (postgresql+psycopg://...) to run the same
tests against a PostgreSQL database too (they create and drop one table of their own).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    select,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

from oms_cli.store.bulk import collector_paused, insert_rows, select_rows, update_rows
from oms_cli.store.engine import make_engine
from oms_cli.store.types import UTCDateTime

POSTGRES_URL = os.environ.get("OMS_TEST_POSTGRES_URL")  # read before tests clear OMS_*
NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

metadata = MetaData()
SAMPLE = Table(
    "bulk_sample", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String, nullable=False, unique=True),
    Column("units", Integer, nullable=False, default=7),
    Column("at", UTCDateTime, nullable=True),
    Column("detail", JSON, nullable=True),
    Column("made", Integer, nullable=True, default=lambda: 1),
)


def engines() -> list[Any]:
    return ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
        POSTGRES_URL is None, reason="OMS_TEST_POSTGRES_URL is not set"))]


@pytest.fixture(params=engines())
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    made = make_engine(str(tmp_path / "bulk.db") if request.param == "sqlite"
                       else str(POSTGRES_URL), busy_timeout=2.0)
    metadata.create_all(made)
    yield made
    metadata.drop_all(made)
    made.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as opened:
        yield opened


def rows(connection: Connection) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(
        select(SAMPLE.c.code, SAMPLE.c.units, SAMPLE.c.at, SAMPLE.c.detail)
        .order_by(SAMPLE.c.code))]


def test_inserted_rows_read_back_as_sqlalchemy_would_have_written_them(
        connection: Connection) -> None:
    count = insert_rows(connection, SAMPLE, ("code", "units", "detail"),
                        [("a", 1, {"why": ["near"]}), ("b", 2, [1, 2])],
                        constants={"at": NOON.astimezone(timezone(timedelta(hours=2))),
                                   "made": 0})
    assert count == 2
    assert rows(connection) == [("a", 1, NOON, {"why": ["near"]}), ("b", 2, NOON, [1, 2])]


def test_a_timestamp_is_stored_as_sqlalchemy_stores_it(connection: Connection,
                                                       engine: Engine) -> None:
    insert_rows(connection, SAMPLE, ("code", "at"), [("bulk", NOON)], constants={"made": 0})
    connection.execute(SAMPLE.insert().values(code="core", at=NOON, made=0))
    stored = connection.execute(text(
        "SELECT code, CAST(at AS VARCHAR) FROM bulk_sample ORDER BY code")).all()
    assert stored[0][1] == stored[1][1], engine.dialect.name


def test_none_is_sql_null_even_in_a_json_column(connection: Connection) -> None:
    insert_rows(connection, SAMPLE, ("code", "detail", "at"), [("a", None, None)],
                constants={"made": 0})
    assert connection.execute(select(SAMPLE.c.code).where(
        SAMPLE.c.detail.is_(None), SAMPLE.c.at.is_(None))).scalars().all() == ["a"]


def test_json_text_named_as_is_is_stored_without_encoding_it_again(
        connection: Connection) -> None:
    detail = {"decision": 'single: ber"lin', "units": [1, 2], "zürich": None}
    insert_rows(connection, SAMPLE, ("code", "detail"), [("a", json.dumps(detail))],
                constants={"made": 0}, as_is=("detail",))
    assert rows(connection)[0][3] == detail


def test_a_column_left_out_gets_its_constant_default(connection: Connection) -> None:
    insert_rows(connection, SAMPLE, ("code", "made"), [("a", 3)])
    assert rows(connection)[0][1] == 7


def test_a_column_left_out_whose_default_is_a_function_is_refused(
        connection: Connection) -> None:
    with pytest.raises(ValueError, match=r"bulk_sample\.made"):
        insert_rows(connection, SAMPLE, ("code",), [("a",)])


def test_no_rows_write_nothing(connection: Connection) -> None:
    assert insert_rows(connection, SAMPLE, ("code", "made"), []) == 0
    assert update_rows(connection, SAMPLE, keys=("code",), columns=("units",), rows=[]) == 0
    assert rows(connection) == []


def test_rows_of_the_wrong_width_are_refused(connection: Connection) -> None:
    with pytest.raises(ValueError):
        insert_rows(connection, SAMPLE, ("code", "units"), [("a", 1), ("b",)],
                    constants={"made": 0})


def test_updates_set_or_add_by_key_with_constants(connection: Connection) -> None:
    insert_rows(connection, SAMPLE, ("code", "units"), [("a", 1), ("b", 2), ("c", 3)],
                constants={"made": 0})
    assert update_rows(connection, SAMPLE, keys=("code",), columns=("units",),
                       rows=[("a", 10), ("c", 30)], add=True, constants={"at": NOON}) == 2
    update_rows(connection, SAMPLE, keys=("code", "units"), columns=("detail",),
                rows=[("b", 2, {"set": True}), ("b", 99, {"set": False})])
    assert rows(connection) == [("a", 11, NOON, None), ("b", 2, None, {"set": True}),
                                ("c", 33, NOON, None)]


def test_a_broken_constraint_raises_sqlalchemys_own_error(connection: Connection) -> None:
    with pytest.raises(IntegrityError):
        insert_rows(connection, SAMPLE, ("code",), [("a",), ("a",)], constants={"made": 0})


class RecordingConnection:
    """A stand-in Connection for a dialect with no server here: records what it runs."""

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect
        self.executed: list[tuple[str, list[Any]]] = []

    def exec_driver_sql(self, statement: str, parameters: list[Any]) -> None:
        self.executed.append((statement, parameters))


def test_for_psycopg_an_update_names_its_parameters_and_rows_are_mappings() -> None:
    # (Inserts on PostgreSQL go through COPY: the tests above run them on a real server
    # when OMS_TEST_POSTGRES_URL is set.)
    recorder = RecordingConnection(postgresql.psycopg.dialect())
    update_rows(recorder, SAMPLE, keys=("code",), columns=("units",),  # type: ignore[arg-type]
                rows=[("a", 2)], add=True)
    (update, updated), = recorder.executed
    assert "units=(bulk_sample.units + %(new_units)s::INTEGER)" in update
    assert updated == [{"key_code": "a", "new_units": 2}]


def test_the_collector_is_paused_inside_and_restored_after() -> None:
    import gc

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_selected_rows_read_each_value_as_sqlalchemy_reads_it_a_batch_at_a_time(
        connection: Connection) -> None:
    insert_rows(connection, SAMPLE, ("code", "units", "at", "detail"),
                [(f"c{n}", n, NOON + timedelta(hours=n) if n % 2 else None, {"n": n})
                 for n in range(5)], constants={"made": 0})
    query = select(SAMPLE.c.code, SAMPLE.c.units, SAMPLE.c.at, SAMPLE.c.detail).order_by(
        SAMPLE.c.code)
    assert list(select_rows(connection, query, batch=2)) == rows(connection)
