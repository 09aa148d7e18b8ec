"""`oms report sales` from the command line: formats, periods, --today, charts, locations."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from fixtures.reports.book import HERE, sales_book
from runners import Cli

from oms_cli.store.database import Database

FIXED = ("period", "currency", "orders", "units", "gross", "discounts", "shipping", "tax",
         "net", "refunds", "aov")


@pytest.fixture
def book(db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("OMS_TIMEZONE", "Europe/London")
    return sales_book(db)


def test_csv_loads_back_with_numbers_as_numbers(book: Database, cli: Cli) -> None:
    result = cli("--today", "2026-05-01", "report", "sales", "-p", "2026", "--by", "month",
                 "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0])[:len(FIXED)] == FIXED
    for row in rows:
        for name in FIXED[2:]:
            Decimal(row[name])  # a plain number: no separators, no currency signs
    jpy = next(row for row in rows if row["currency"] == "JPY")
    assert (jpy["gross"], jpy["net"]) == ("3500", "3500")
    march = next(row for row in rows if (row["period"], row["currency"]) == ("2026-03", "USD"))
    assert march["gross"] == "232.50"  # #1005 is in April in London


def test_json_holds_numbers_and_the_output_file_picks_the_format(book: Database, cli: Cli,
                                                                 tmp_path: Path) -> None:
    target = tmp_path / "sales.json"
    result = cli("--today", "2026-05-01", "report", "sales", "-p", "2026Q1", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    rows = json.loads(target.read_text(), parse_float=Decimal)
    assert {row["currency"] for row in rows} == {"USD", "EUR", "GBP", "JPY"}
    assert all(isinstance(row["gross"], int | Decimal) for row in rows)


def test_today_fixes_the_default_period_so_runs_repeat(book: Database, cli: Cli) -> None:
    first = cli("--today", "2026-03-20", "report", "sales", "-f", "csv")
    again = cli("--today", "2026-03-20", "report", "sales", "-f", "csv")
    named = cli("--today", "2026-03-20", "report", "sales", "-p", "2026-03", "-f", "csv")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == again.stdout == named.stdout
    assert "2026-03,USD" in first.stdout


def test_begin_and_end_make_the_period_with_the_end_excluded(book: Database, cli: Cli) -> None:
    result = cli("report", "sales", "-b", "2026-01-01", "-e", "2026-02-01", "-f", "csv",
                 "--no-headers")
    assert result.exit_code == 0, result.stderr
    assert {line.split(",")[0] for line in result.stdout.splitlines()} == {"2026-01"}


@pytest.mark.parametrize("arguments", [
    ["-p", "someday"], ["-e", "2026-01-01"], ["--by", "fortnight"], ["--group-by", "colour"],
    ["-p", "2026", "-b", "2026-01-01"],
])
def test_bad_periods_and_choices_are_usage_errors(book: Database, cli: Cli,
                                                  arguments: list[str]) -> None:
    result = cli("report", "sales", *arguments)
    assert result.exit_code == 2
    assert result.stdout == ""


def test_the_chart_keeps_off_stdout_when_the_data_is_csv(book: Database, cli: Cli) -> None:
    plain = cli("--today", "2026-05-01", "report", "sales", "-p", "2026", "--by", "month",
                "-f", "csv")
    charted = cli("--today", "2026-05-01", "report", "sales", "-p", "2026", "--by", "month",
                  "-f", "csv", "--chart")
    assert charted.stdout == plain.stdout
    assert "net sales, USD" in charted.stderr
    assert "█" in charted.stderr


def test_groups_add_a_column_after_currency(book: Database, cli: Cli) -> None:
    result = cli("--today", "2026-05-01", "report", "sales", "-p", "2026", "-g", "channel",
                 "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[:3] == ["period", "currency", "channel"]
    assert {(row["channel"], row["currency"]) for row in rows} == {
        ("shopify", "USD"), ("shopify", "GBP"), ("shopify", "JPY"), ("eu-store", "EUR")}


def test_lines_count_where_they_are_allocated_or_shipped_from(cli: Cli) -> None:
    for command in (["product", "add", "MUG", "--name", "Mug"],
                    ["product", "add", "TEE", "--name", "Tee"],
                    ["location", "add", "east", "--country", "US", "--priority", "1"],
                    ["location", "add", "west", "--country", "US", "--priority", "2"],
                    ["stock", "receive", "MUG", "5", "-l", "east"],
                    ["stock", "receive", "TEE", "5", "-l", "west"],
                    ["import", str(HERE / "split_order.csv")],
                    ["allocate"],
                    ["ship", "shopify:#3001", "-l", "east"]):
        assert cli(*command).exit_code == 0, (command, cli(*command).stderr)
    result = cli("report", "sales", "-p", "2026-03", "-g", "location", "-f", "json")
    rows = {row["location"]: row for row in json.loads(result.stdout)}
    assert {name: (row["units"], row["gross"]) for name, row in rows.items()} == {
        "east": (1, 12.5), "west": (1, 20.0)}
    assert rows["east"]["shipping"] + rows["west"]["shipping"] == 5.0
