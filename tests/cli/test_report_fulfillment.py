"""`oms report fulfillment` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.reports_b.shop import build_file, copy_of, fulfillment_book
from runners import Cli

TODAY = ("--today", "2024-03-31")
HEADER = ("orders,allocated,median_hours_to_allocate,p90_hours_to_allocate,shipped,"
          "median_hours_to_ship,p90_hours_to_ship,split,split_rate_pct,backordered,"
          "backorder_rate_pct")


@pytest.fixture(scope="module")
def built(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_file(fulfillment_book, template_db, tmp_path_factory.mktemp("book"))


@pytest.fixture
def book(built: Path, db_path: Path) -> Path:
    return copy_of(built, db_path)


def test_this_month_as_csv(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "report", "fulfillment", "-f", "csv")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"period,{HEADER}",
                                          "2024-03,6,6,3.0,48.0,4,24.0,72.0,1,25.0,1,16.7"]


def test_per_channel(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "report", "fulfillment", "-g", "channel", "-f", "csv")

    assert result.stdout.splitlines() == [
        f"period,channel,{HEADER}",
        "2024-03,eu-store,2,2,3.0,10.0,0,,,0,,0,0.0",
        "2024-03,shopify,4,4,2.0,48.0,4,24.0,72.0,1,25.0,1,25.0"]


def test_per_location_by_week(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "report", "fulfillment", "--group-by", "location", "--by", "week",
                 "-f", "csv", "--no-headers")

    # W09 ends on Sunday 03-03: #301, #302, #303 (main and annex); W10: #304 (main),
    # #305 and #306 (annex).
    assert [line.split(",")[:3] for line in result.stdout.splitlines()] == [
        ["2024-W09", "annex", "1"], ["2024-W09", "main", "3"], ["2024-W10", "annex", "2"],
        ["2024-W10", "main", "1"]]


@pytest.mark.parametrize("args", [("-g", "sku"), ("-p", "someday")])
def test_bad_choices_are_bad_usage(book: Path, cli: Cli, args: tuple[str, ...]) -> None:
    assert cli("report", "fulfillment", *args).exit_code == 2


def test_help_states_every_formula(cli: Cli) -> None:
    text = " ".join(cli("report", "fulfillment", "--help").stdout.split())

    for formula in ("hours from placed_at to the order's first allocation",
                    "hours from placed_at to the order's first shipment",
                    "split / shipped x 100", "backordered / orders x 100",
                    "nearest-rank", "ceil(n x 0.5) and ceil(n x 0.9)"):
        assert formula in text, formula
