"""`oms report customers` from the command line: buckets, --segments, --segment NAME."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.reports_b.shop import build_file, copy_of, customers_book
from runners import Cli

from oms_cli.cli.reports.customers import SEGMENT_NAMES
from oms_cli.reports.customers import SEGMENTS

TODAY = ("--today", "2024-03-31")


@pytest.fixture(scope="module")
def built(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_file(customers_book, template_db, tmp_path_factory.mktemp("book"))


@pytest.fixture
def book(built: Path, db_path: Path) -> Path:
    return copy_of(built, db_path)


def test_buckets_as_csv(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "report", "customers", "-p", "2024Q1", "--by", "month", "-f", "csv")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "period,currency,customers,new,returning,repeat_rate_pct,orders,revenue,"
        "orders_per_customer,revenue_per_customer",
        "2024-01,USD,2,1,1,50.0,2,120.00,1.00,60.00",
        "2024-02,USD,4,2,2,50.0,4,185.00,1.00,46.25",
        "2024-03,EUR,1,1,0,0.0,1,25.00,1.00,25.00",
        "2024-03,USD,3,1,2,100.0,4,170.00,1.33,56.67"]
    assert result.stderr == "left out: 1 order(s) without a customer (no email)\n"


def test_the_default_period_is_this_month(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "-q", "report", "customers", "-f", "csv", "--no-headers")

    assert [line.split(",")[:3] for line in result.stdout.splitlines()] == [
        ["2024-03", "EUR", "1"], ["2024-03", "USD", "3"]]
    assert result.stderr == ""


def test_segments_as_json(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "report", "customers", "--segments", "-f", "json")

    rows = json.loads(result.stdout)
    assert [(row["segment"], row["currency"], row["customers"]) for row in rows] == [
        ("new", "EUR", 1), ("all", "EUR", 1), ("champions", "USD", 1), ("loyal", "USD", 1),
        ("promising", "USD", 1), ("new", "USD", 2), ("at_risk", "USD", 1),
        ("hibernating", "USD", 1), ("all", "USD", 7)]
    assert rows[-1]["lifetime_value"] == 89.29
    assert "RFM as of 2024-04-01 00:00 UTC" in result.stderr


def test_one_segments_members(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "report", "customers", "--segment", "at_risk", "-f", "csv")

    assert result.stdout.splitlines() == [
        "email,name,currency,segment,r,f,m,orders,revenue,last_order",
        "gus@example.com,Pat Doe,USD,at_risk,2,2,3,2,40.00,2023-06-15T10:00:00+00:00"]


def test_every_customer_with_segment_all(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "report", "customers", "--segment", "all", "-f", "jsonl")

    assert len(result.stdout.splitlines()) == 8


@pytest.mark.parametrize("args", [("--segment", "vip"), ("--segments", "-p", "2024"),
                                  ("--segments", "--by", "month"), ("--by", "fortnight")])
def test_bad_choices_are_bad_usage(book: Path, cli: Cli, args: tuple[str, ...]) -> None:
    result = cli("report", "customers", *args)

    assert result.exit_code == 2
    assert result.stdout == ""


def test_the_command_knows_the_reports_segments() -> None:
    assert SEGMENT_NAMES == SEGMENTS


def test_help_states_every_formula_and_rule(cli: Cli) -> None:
    text = " ".join(cli("report", "customers", "--help").stdout.split())

    for rule in ("customers with 2+ orders by the bucket's end / customers x 100",
                 "order totals (shipping and tax included: what the customer paid) - refunds",
                 "first order ever", "revenue / customers, over all time",
                 "<= 30: 5, <= 90: 4, <= 180: 3, <= 365: 2, else 1",
                 "6+: 5, 4-5: 4, 3: 3, 2: 2, 1: 1", "by quintile",
                 "champions R >= 4 and F >= 4 and M >= 4", "loyal R >= 3 and F >= 3",
                 "promising R >= 3 and F = 2", "new R >= 4 and F = 1", "at_risk F >= 2",
                 "hibernating the rest"):
        assert rule in text, rule
