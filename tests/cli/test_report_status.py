"""`oms report status` from the command line: sections per format, --alert for cron."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fixtures.reports.book import status_book
from runners import Cli

from oms_cli.store.database import Database

TODAY = ("--today", "2026-03-15")


@pytest.fixture
def book(db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("OMS_TIMEZONE", "Europe/London")
    return status_book(db)


def test_alert_exits_3_when_something_needs_attention(book: Database, cli: Cli) -> None:
    result = cli(*TODAY, "report", "status", "--alert")
    assert result.exit_code == 3
    assert "2 orders on hold" in result.stderr
    assert "2 orders past the 48-hour shipping SLA" in result.stderr


def test_without_alert_the_same_report_exits_0(book: Database, cli: Cli) -> None:
    result = cli(*TODAY, "report", "status")
    assert result.exit_code == 0
    assert "needs attention" in result.stderr


def test_alert_exits_0_on_a_quiet_book(cli: Cli) -> None:
    result = cli("-q", *TODAY, "report", "status", "--alert")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_the_sla_comes_from_the_config(book: Database, cli: Cli,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_REPORTS__SHIPPING_SLA_HOURS", "500")
    monkeypatch.setenv("OMS_REPORTS__LOW_STOCK_ALERT", "false")
    result = cli(*TODAY, "report", "status", "--section", "late", "-f", "json")
    assert json.loads(result.stdout) == {"late": []}
    assert result.exit_code == 0
    assert "SLA" not in result.stderr


def test_json_is_one_object_with_a_key_per_section(book: Database, cli: Cli) -> None:
    result = cli(*TODAY, "report", "status", "-f", "json")
    document = json.loads(result.stdout)
    assert list(document) == ["orders", "late", "holds", "reorder"]
    assert [row["external_id"] for row in document["late"]] == ["#2003", "#2001"]
    assert document["reorder"][0]["sku"] == "MUG"


def test_jsonl_tags_each_row_with_its_section(book: Database, cli: Cli) -> None:
    result = cli(*TODAY, "report", "status", "-f", "jsonl")
    sections = [json.loads(line)["section"] for line in result.stdout.splitlines()]
    assert sections == ["orders"] * 4 + ["late"] * 2 + ["holds"] * 2 + ["reorder"]


def test_csv_needs_one_section(book: Database, cli: Cli) -> None:
    refused = cli(*TODAY, "report", "status", "-f", "csv")
    assert refused.exit_code == 2
    assert "--section" in refused.stderr
    holds = cli(*TODAY, "report", "status", "-f", "csv", "--section", "holds")
    assert list(csv.reader(io.StringIO(holds.stdout))) == [
        ["hold_reason", "orders", "oldest_placed_at", "age_hours"],
        ["awaiting_payment", "1", "2026-03-10T08:00:00+00:00", "136"],
        ["unknown_sku", "1", "2026-03-15T10:00:00+00:00", "14"]]


def test_a_table_titles_each_section(book: Database, cli: Cli) -> None:
    result = cli(*TODAY, "report", "status")
    titles = [line for line in result.stdout.splitlines() if line in
              ("orders", "late", "holds", "reorder")]
    assert titles == ["orders", "late", "holds", "reorder"]


def test_today_makes_ages_repeatable(book: Database, cli: Cli) -> None:
    first = cli(*TODAY, "report", "status", "-f", "json")
    assert first.stdout == cli(*TODAY, "report", "status", "-f", "json").stdout
