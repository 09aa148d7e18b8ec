"""The reports' daily summaries of settled orders: built, kept, checked and repaired.

Whether the reports read the same figures from the summaries as from the orders is
tested report by report (their ``book`` fixtures read both ways); whether every write
keeps them true is tested by the state machine of tests/reliability (``db check`` after
every step). Here: what the merchant sees of them through the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fixtures.reports.book import book_read_by
from runners import Cli, DbLocation, query, sqlite_only
from sqlalchemy import create_engine

from oms_cli.domain.periods import span
from oms_cli.reports.products import products_report
from oms_cli.reports.returns import returns_report
from oms_cli.reports.sales import sales_report
from oms_cli.reports.summarize import drifted_days
from oms_cli.services.database import open_database
from oms_cli.services.reporting import run_report
from oms_cli.store import schema
from oms_cli.store.database import Database

MIGRATIONS = Path(schema.__file__).parent / "migrations"
SALES = ["--today", "2026-05-01", "report", "sales", "-p", "2026", "-f", "csv"]


def sales_csv(cli: Cli, *extra: str) -> str:
    result = cli(*SALES, *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def migrate(location: DbLocation, move: Callable[[Config, str], None], revision: str
            ) -> None:
    """Run alembic's ``move`` (command.upgrade or downgrade) to ``revision`` on the
    database at ``location``, then open it with oms: it upgrades it to the newest."""
    engine = create_engine(str(location) if "://" in str(location)
                           else f"sqlite:///{location}")
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        move(config, revision)
    engine.dispose()
    opened = open_database(str(location), busy_timeout=5)
    try:
        assert opened.report.upgraded_from == revision
        with opened.db.read() as session:
            assert drifted_days(session) == []  # what is kept agrees; the rest is not kept
    finally:
        opened.db.close()


def state(db_path: DbLocation) -> list[tuple[object, ...]]:
    return query(db_path, "SELECT timezone FROM summary_state")


def test_check_finds_a_tampered_summary_and_repair_makes_its_day_again(
        cli: Cli, db: Database, db_path: DbLocation) -> None:
    book_read_by(db, "summaries", timezone="UTC")
    before = sales_csv(cli)
    day = str(query(db_path, "SELECT min(day) FROM sales_summary")[0][0])
    query(db_path, "UPDATE sales_summary SET gross = gross + 100 WHERE day = ?", day)
    query(db_path, "DELETE FROM line_summary WHERE day = ?", day)
    assert sales_csv(cli) != before  # the reports read the summaries

    found = cli("db", "check")
    assert found.exit_code == 1
    # The day, and its month, whose roll-up no longer adds up to its days.
    assert found.stdout.count("summary  day ") == 2, found.stdout
    assert f"day {day[:10]}" in found.stdout and f"day {day[:8]}01" in found.stdout

    repaired = cli("db", "check", "--repair")
    assert repaired.exit_code == 0, repaired.stderr
    assert "the report summaries of day " in repaired.stderr
    assert cli("db", "check").exit_code == 0
    assert sales_csv(cli) == before


def test_a_summary_row_of_a_day_without_orders_is_drift(cli: Cli, db: Database,
                                                       db_path: DbLocation) -> None:
    book_read_by(db, "summaries", timezone="UTC")
    query(db_path, "INSERT INTO sales_summary (day, currency, channel, country, cancelled, "
                   "orders, units, gross, discounts, shipping, tax, refunds, included_tax, "
                   "refunded_tax) VALUES ('2019-01-01 00:00:00.000000', 'USD', 'shopify', "
                   "'US', FALSE, 1, 1, 100, 0, 0, 0, 0, 0, 0)")
    found = cli("db", "check")
    assert found.exit_code == 1 and "day 2019-01-01" in found.stdout
    assert cli("db", "check", "--repair").exit_code == 0
    assert query(db_path, "SELECT count(*) FROM sales_summary "
                          "WHERE day < '2020-01-01'") == [(0,)]


def test_a_writing_command_keeps_the_summaries_in_the_configured_time_zone(
        cli: Cli, db: Database, db_path: DbLocation) -> None:
    book_read_by(db, "summaries", timezone="Europe/London")
    raw = sales_csv(cli)  # a report in UTC (no config) reads the orders themselves...
    assert state(db_path) == [("Europe/London",)]  # ...and a report writes nothing

    moved = cli("location", "add", "spare", "--country", "US")
    assert moved.exit_code == 0, moved.stderr
    assert "summarised" in moved.stderr and "(in UTC)" in moved.stderr
    assert state(db_path) == [("UTC",)]
    assert sales_csv(cli) == raw
    with db.read() as session:
        assert drifted_days(session) == []
    again = cli("location", "add", "spare-2", "--country", "US")
    assert "summarised" not in again.stderr  # kept since: nothing to build


def test_db_summarize_builds_them_afresh(cli: Cli, db: Database, db_path: DbLocation) -> None:
    book_read_by(db, "orders")
    query(db_path, "DELETE FROM summary_state")
    query(db_path, "DELETE FROM sales_summary")
    raw = sales_csv(cli)

    result = cli("db", "summarize")

    assert result.exit_code == 0, result.stderr
    assert "summarised" in result.stderr and "UTC" in result.stderr
    assert state(db_path) == [("UTC",)]
    assert query(db_path, "SELECT count(*) > 0 FROM sales_summary") == [(1,)]
    assert sales_csv(cli) == raw
    assert cli("db", "check").exit_code == 0


@sqlite_only("builds an old SQLite file")
def test_a_database_upgraded_from_before_the_summaries_reads_the_orders_until_built(
        tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "old.db"
    migrate(path, command.upgrade, "0002_report_indexes")
    assert state(path) == []
    assert cli("report", "sales", "-p", "2026", db=path).exit_code == 0
    assert state(path) == []  # reading never builds them
    assert cli("location", "add", "main", db=path).exit_code == 0
    assert state(path) == [("UTC",)]


def test_check_finds_a_monthly_roll_up_that_disagrees_with_its_days(
        cli: Cli, db: Database, db_path: DbLocation) -> None:
    book_read_by(db, "summaries", timezone="UTC")
    before = sales_csv(cli, "-g", "sku")
    assert query(db_path, "SELECT count(*) > 0 FROM line_summary "
                          "WHERE dimension = 'sku@month'") == [(1,)]
    month = query(db_path, "SELECT min(day) FROM line_summary WHERE dimension = 'sku@month'")
    query(db_path, "UPDATE line_summary SET units = units + 5 "
                   "WHERE dimension = 'sku@month' AND day = ?", month[0][0])
    assert sales_csv(cli, "-g", "sku") != before  # a whole year reads the roll-ups

    found = cli("db", "check")
    assert found.exit_code == 1 and f"day {str(month[0][0])[:8]}01" in found.stdout, found.stdout
    assert cli("db", "check", "--repair").exit_code == 0
    assert cli("db", "check").exit_code == 0
    assert sales_csv(cli, "-g", "sku") == before


@pytest.mark.parametrize("timezone", ["UTC", "America/New_York"])
def test_line_reports_over_part_months_read_the_same_from_days_and_roll_ups(
        db: Database, timezone: str) -> None:
    book_read_by(db, "summaries", timezone=timezone)
    for period, by in [(span(date(2026, 1, 15), date(2026, 3, 10)), None),
                       (span(date(2026, 1, 15), date(2026, 3, 10)), "week"),
                       (span(date(2026, 2, 1), date(2026, 4, 1)), None),
                       (span(date(2025, 12, 31), date(2026, 5, 2)), "quarter")]:
        for group_by in ("sku", "location"):
            read = [run_report(db, sales_report, period=period, timezone=timezone, by=by,
                               group_by=group_by, summaries=summaries).rows
                    for summaries in (True, False)]
            assert read[0] == read[1] and read[0], (period, by, group_by)
        read = [run_report(db, products_report, period=period, timezone=timezone,
                           summaries=summaries).rows for summaries in (True, False)]
        assert read[0] == read[1], period
        for group_by in ("reason", "sku", "channel"):
            read = [run_report(db, returns_report, period=period, timezone=timezone, by=by,
                               group_by=group_by, summaries=summaries).rows
                    for summaries in (True, False)]
            assert read[0] == read[1], (period, by, group_by)


RETURNS = ["--today", "2026-05-01", "report", "returns", "-p", "2026", "-f", "csv"]


def test_check_finds_a_tampered_shipped_summary_and_repair_makes_it_again(
        cli: Cli, db: Database, db_path: DbLocation) -> None:
    book_read_by(db, "summaries", timezone="UTC")
    before = {group: cli(*RETURNS, "-g", group).stdout for group in ("sku", "channel")}
    assert "shopify" in before["channel"]
    day = str(query(db_path, "SELECT min(day) FROM shipped_summary "
                             "WHERE dimension = 'channel'")[0][0])
    month = str(query(db_path, "SELECT min(day) FROM shipped_summary "
                               "WHERE dimension = 'sku@month'")[0][0])
    query(db_path, "UPDATE shipped_summary SET units = units + 7 "
                   "WHERE dimension = 'channel' AND day = ?", day)
    query(db_path, "DELETE FROM shipped_summary WHERE dimension = 'sku@month' AND day = ?",
          month)
    assert {group: cli(*RETURNS, "-g", group).stdout for group in before} != before

    found = cli("db", "check")
    assert found.exit_code == 1
    assert f"day {day[:10]}" in found.stdout and f"day {month[:10]}" in found.stdout
    assert cli("db", "check", "--repair").exit_code == 0
    assert cli("db", "check").exit_code == 0
    assert {group: cli(*RETURNS, "-g", group).stdout for group in before} == before


def test_after_an_upgrade_to_the_shipped_summary_the_next_write_builds_it(
        cli: Cli, db: Database, db_path: DbLocation) -> None:
    book_read_by(db, "summaries", timezone="UTC")
    kept = query(db_path, "SELECT dimension, day, currency, key, units FROM shipped_summary "
                          "ORDER BY dimension, day, currency, key")
    assert kept
    rates = {group: cli(*RETURNS, "-g", group).stdout for group in ("sku", "channel")}
    db.close()
    migrate(db_path, command.downgrade, "0003_report_summaries")
    assert query(db_path, "SELECT timezone, shipped FROM summary_state") == [("UTC", False)]
    assert query(db_path, "SELECT count(*) FROM shipped_summary") == [(0,)]
    # Until then the returns report reads the shipments: the same rates.
    assert {group: cli(*RETURNS, "-g", group).stdout for group in rates} == rates

    built = cli("location", "add", "spare", "--country", "US")
    assert built.exit_code == 0, built.stderr
    assert "summarised" in built.stderr
    assert query(db_path, "SELECT timezone, shipped FROM summary_state") == [("UTC", True)]
    assert query(db_path, "SELECT dimension, day, currency, key, units FROM shipped_summary "
                          "ORDER BY dimension, day, currency, key") == kept
    assert cli("db", "check").exit_code == 0
    assert {group: cli(*RETURNS, "-g", group).stdout for group in rates} == rates
