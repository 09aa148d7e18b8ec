"""`oms report returns` from the command line, and the CSV formula guard on its reasons."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from fixtures.reports_b.shop import build_file, copy_of, return_at, returns_book
from runners import Cli

from oms_cli.store.database import Database

TODAY = ("--today", "2024-03-31")
MEASURES = "returns,units,restocked,damaged,refund,shipped_units,return_rate_pct"


def with_a_formula_reason(db: Database) -> Database:
    returns_book(db)
    return_at(db, "2024-03-20 10:00", "shopify:#402", [("MUG", 1)], reason="=HYPERLINK()",
              refund=Decimal("1.00"))
    return db


@pytest.fixture(scope="module")
def built(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_file(with_a_formula_reason, template_db, tmp_path_factory.mktemp("book"))


@pytest.fixture
def book(built: Path, db_path: Path) -> Path:
    return copy_of(built, db_path)


def test_by_reason_by_default(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "report", "returns", "-f", "csv")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"period,reason,currency,{MEASURES}",
        "2024-03,(none),USD,1,2,2,0,20.00,16,12.5",
        "2024-03,'=HYPERLINK(),USD,1,1,1,0,1.00,16,6.3",
        "2024-03,broken,USD,1,2,0,2,28.00,16,12.5",
        "2024-03,too small,USD,3,3,3,0,33.00,16,18.8"]


def test_raw_leaves_text_as_it_is(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "report", "returns", "-f", "csv", "--raw", "--no-headers")

    assert result.stdout.splitlines()[1].startswith("2024-03,=HYPERLINK(),")


def test_by_sku_and_channel(book: Path, cli: Cli) -> None:
    sku = cli(*TODAY, "report", "returns", "-g", "sku", "-f", "csv", "--no-headers")
    channel = cli(*TODAY, "report", "returns", "--group-by", "channel", "-f", "csv",
                  "--no-headers")

    assert sku.stdout.splitlines() == ["2024-03,MUG,USD,5,6,4,2,68.91,6,100.0",
                                       "2024-03,TEA,USD,2,2,2,0,13.09,10,20.0"]
    assert channel.stdout.splitlines() == ["2024-03,eu-store,USD,1,1,1,0,5.00,4,25.0",
                                           "2024-03,shopify,USD,5,7,5,2,77.00,12,58.3"]


def test_another_period(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "report", "returns", "-b", "2024-04-01", "-e", "2024-05-01", "-f",
                 "csv", "--no-headers")

    assert result.stdout.splitlines() == ["2024-04,changed mind,USD,1,1,1,0,9.50,0,"]


@pytest.mark.parametrize("args", [("-g", "country"), ("-e", "2024-04-01")])
def test_bad_choices_are_bad_usage(book: Path, cli: Cli, args: tuple[str, ...]) -> None:
    assert cli("report", "returns", *args).exit_code == 2


def test_help_states_every_formula(cli: Cli) -> None:
    text = " ".join(cli("report", "returns", "--help").stdout.split())

    for formula in ("units returned resaleable", "units returned damaged",
                    "shares its refund by the lines' unit_price x units",
                    "units / shipped_units x 100", "--group-by reason|sku|channel"):
        assert formula in text, formula


@pytest.mark.parametrize(("report", "choices"), [("returns", "reason, sku, channel"),
                                                 ("fulfillment", "channel, location")])
def test_an_unknown_group_is_bad_usage_naming_the_choices(cli: Cli, report: str,
                                                          choices: str) -> None:
    result = cli("report", report, "-g", "Weather")

    assert result.exit_code == 2
    assert "'Weather': give one of" in result.stderr and choices in result.stderr


def test_a_group_is_read_whatever_its_case(book: Path, cli: Cli) -> None:
    upper = cli(*TODAY, "report", "returns", "-g", " SKU ", "-f", "csv")
    lower = cli(*TODAY, "report", "returns", "-g", "sku", "-f", "csv")

    assert upper.exit_code == 0, upper.output
    assert upper.stdout == lower.stdout and len(lower.stdout.splitlines()) > 1
