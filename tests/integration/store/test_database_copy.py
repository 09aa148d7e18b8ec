"""`oms db copy`: a whole shop moved to another database, SQLite to PostgreSQL and back.

The suite's own database is the source (SQLite, or PostgreSQL under
OMS_TEST_POSTGRES_URL); the copy goes to the other kind where a server is at hand,
and comes back again, row for row with the same ids.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fixtures.reports_b.shop import build_file, opened, returns_book
from runners import ON_POSTGRES, Cli, DbLocation, copy_database, empty_database
from sqlalchemy import select

from oms_cli.errors import Conflict, InvalidInput
from oms_cli.services.database_copy import copy_database as copy_shop
from oms_cli.services.locations import LocationChanges, add_location
from oms_cli.store.database import Database
from oms_cli.store.tables import METADATA


@pytest.fixture(scope="module")
def book(template_db: DbLocation, tmp_path_factory: pytest.TempPathFactory) -> DbLocation:
    """A shop with orders, allocations, shipments, returns, events and import runs."""
    return build_file(returns_book, template_db, tmp_path_factory.mktemp("book"))


@pytest.fixture
def shop(book: DbLocation, tmp_path: Path) -> DbLocation:
    return copy_database(book, tmp_path / "shop.db")


def every_row(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.read() as session:
        return {table.name: [tuple(row) for row in session.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in METADATA.sorted_tables}


def other_kind(folder: Path) -> DbLocation:
    """An empty database of the other kind than the suite's: a SQLite file when the
    suite runs on PostgreSQL, and on SQLite another file (no server is at hand)."""
    return folder / "copy.db" if ON_POSTGRES else empty_database(folder)


def test_a_copy_holds_every_row_with_the_same_ids_and_checks_clean(shop: DbLocation,
                                                                   tmp_path: Path) -> None:
    target = other_kind(tmp_path)
    with opened(shop) as source:
        report = copy_shop(source, str(target), busy_timeout=2.0)
        rows = every_row(source)
    with opened(target) as copy:
        assert every_row(copy) == rows
    assert report.drifts == []
    assert report.rows == {name: len(found) for name, found in rows.items()}
    assert report.rows["orders"] > 0 and report.rows["return_line"] > 0


def test_a_copy_copied_back_is_the_same_shop(shop: DbLocation, tmp_path: Path) -> None:
    there, back = other_kind(tmp_path), empty_database(tmp_path / "back")
    with opened(shop) as source:
        copy_shop(source, str(there), busy_timeout=2.0)
        rows = every_row(source)
    with opened(there) as copy:
        report = copy_shop(copy, str(back), busy_timeout=2.0)
    with opened(back) as returned:
        assert every_row(returned) == rows
    assert report.drifts == []


def test_new_rows_in_the_copy_get_ids_after_the_copied_ones(shop: DbLocation,
                                                            tmp_path: Path) -> None:
    target = empty_database(tmp_path)
    with opened(shop) as source:
        copy_shop(source, str(target), busy_timeout=2.0)
    with opened(target) as copy:
        before = max(row[0] for row in every_row(copy)["location"])
        add_location(copy, "overflow", LocationChanges(priority=30, country="US"))
        assert max(row[0] for row in every_row(copy)["location"]) == before + 1


def test_a_target_that_holds_data_is_refused_and_left_alone(shop: DbLocation,
                                                            db_path: DbLocation) -> None:
    with opened(db_path) as target:
        add_location(target, "only", LocationChanges(priority=1, country="US"))
        before = every_row(target)
    with opened(shop) as source, pytest.raises(Conflict, match="already holds data"):
        copy_shop(source, str(db_path), busy_timeout=2.0)
    with opened(db_path) as target:
        assert every_row(target) == before


def test_an_empty_oms_database_is_a_fine_target(shop: DbLocation, db_path: DbLocation) -> None:
    with opened(shop) as source:
        report = copy_shop(source, str(db_path), busy_timeout=2.0)
    assert report.rows["orders"] > 0 and report.drifts == []


def test_copying_a_database_onto_itself_is_refused(shop: DbLocation) -> None:
    with opened(shop) as source, pytest.raises(InvalidInput, match="itself"):
        copy_shop(source, str(shop), busy_timeout=2.0)


def test_db_copy_from_the_command_line_reports_the_rows_and_the_check(
        cli: Cli, shop: DbLocation, tmp_path: Path) -> None:
    target = other_kind(tmp_path)
    result = cli("db", "copy", "--to", str(target), db=shop)

    assert (result.exit_code, result.stdout) == (0, "")
    assert f"rows in {len(METADATA.tables)} tables to" in result.stderr
    assert "checked: every stock level matches" in result.stderr
    assert cli("order", "list", "-f", "csv", db=target).stdout == cli(
        "order", "list", "-f", "csv", db=shop).stdout


def test_db_copy_onto_a_database_with_orders_exits_with_a_conflict(cli: Cli, shop: DbLocation,
                                                                   db_path: DbLocation) -> None:
    with opened(db_path) as target:
        add_location(target, "only", LocationChanges(priority=1, country="US"))
    result = cli("db", "copy", "--to", str(db_path), db=shop)

    assert result.exit_code != 0
    assert "already holds data" in result.stderr
