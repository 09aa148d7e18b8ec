"""`oms report products` from the command line: ranking, --top, --worst, csv, --chart."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from fixtures.reports.book import sales_book
from runners import Cli

from oms_cli.store.database import Database

RUN = ("--today", "2026-05-01", "report", "products", "-p", "2026")


@pytest.fixture
def book(db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("OMS_TIMEZONE", "Europe/London")
    return sales_book(db)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_lists_every_sku_and_currency_with_numbers(book: Database, cli: Cli) -> None:
    result = cli(*RUN, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    listed = rows(result.stdout)
    assert list(listed[0]) == ["sku", "name", "currency", "units", "revenue", "cogs", "margin",
                               "margin_pct", "returned", "return_rate"]
    assert (listed[0]["sku"], listed[0]["currency"]) == ("TEE", "USD")
    for row in listed:
        Decimal(row["revenue"])
        assert row["margin"] == "" or Decimal(row["margin"]) <= Decimal(row["revenue"])


def test_top_and_worst(book: Database, cli: Cli) -> None:
    top = rows(cli(*RUN, "--top", "2", "-f", "csv").stdout)
    worst = rows(cli(*RUN, "--top", "2", "--worst", "-f", "csv").stdout)
    assert len(top) == len(worst) == 2
    assert int(worst[0]["units"]) <= int(worst[1]["units"]) <= int(top[-1]["units"])


def test_the_chart_follows_a_plain_table_on_stderr_when_piped(book: Database, cli: Cli) -> None:
    result = cli(*RUN, "--top", "3", "--chart")
    assert result.exit_code == 0
    assert "most units sold" in result.stderr
    assert "TEE (USD)" in result.stderr
    assert "█" not in result.stdout


def test_a_bad_top_is_a_usage_error(book: Database, cli: Cli) -> None:
    assert cli(*RUN, "--top", "0").exit_code == 2
