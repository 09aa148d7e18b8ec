"""`oms report inventory` from the command line: columns, formats, options, --help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.reports_b.shop import build_file, copy_of, inventory_book
from runners import Cli

TODAY = ("--today", "2024-03-31")  # velocity over 2024-03-02..2024-03-31


@pytest.fixture(scope="module")
def built(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_file(inventory_book, template_db, tmp_path_factory.mktemp("book"))


@pytest.fixture
def book(built: Path, db_path: Path) -> Path:
    return copy_of(built, db_path)


def test_csv_has_the_contract_columns_first_and_plain_numbers(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "report", "inventory", "-f", "csv")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("sku,location,on_hand,reserved,available,velocity,days_of_cover,"
                               "reorder_qty,value_at_cost,currency,below_reorder_point,")
    assert lines[1:] == ["CUP,all,0,0,0,0.00,,10,,USD,true,14,0,2,0",
                         "MUG,all,4,1,1,0.37,2.7,20,20.00,USD,true,10,0,5,11",
                         "TEA,all,36,0,36,0.30,120.0,0,108.00,USD,false,14,0,0,9"]
    assert "30 days 2024-03-02..2024-03-31" in result.stderr


def test_json_numbers_are_numbers_and_empty_is_null(book: Path, cli: Cli) -> None:
    rows = json.loads(cli(*TODAY, "report", "inventory", "-f", "json").stdout)

    assert rows[1]["velocity"] == 0.37 and rows[1]["below_reorder_point"] is True
    assert rows[0]["days_of_cover"] is None


def test_by_location_and_one_location(book: Path, cli: Cli) -> None:
    split = cli(*TODAY, "report", "inventory", "--by-location", "-f", "csv", "--no-headers")
    one = cli(*TODAY, "report", "inventory", "-l", "annex", "-f", "tsv", "--no-headers")

    assert [line.split(",")[:2] for line in split.stdout.splitlines()] == [
        ["MUG", "annex"], ["MUG", "main"], ["TEA", "annex"], ["TEA", "main"]]
    assert [line.split("\t")[:2] for line in one.stdout.splitlines()] == [
        ["MUG", "annex"], ["TEA", "annex"]]


def test_low_keeps_what_is_at_or_below_its_reorder_point(book: Path, cli: Cli) -> None:
    result = cli(*TODAY, "report", "inventory", "--low", "-f", "csv", "--no-headers")

    assert [line.split(",")[0] for line in result.stdout.splitlines()] == ["CUP", "MUG"]


def test_the_window_comes_from_the_option_or_the_config(book: Path, cli: Cli,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def mug_velocity(*options: str) -> str:
        result = cli(*TODAY, "report", "inventory", *options, "-f", "csv", "--no-headers")
        return result.stdout.splitlines()[1].split(",")[5]

    # 03-22..03-31: #102's 2 MUG (03-22) and #105's 6 (03-26), 8 in 10 days.
    assert mug_velocity("--window", "10") == "0.80"
    monkeypatch.setenv("OMS_REPORTS__VELOCITY_DAYS", "10")
    assert mug_velocity() == "0.80"


def test_output_file_takes_its_format_from_the_extension(book: Path, cli: Cli,
                                                        tmp_path: Path) -> None:
    target = tmp_path / "stock.tsv"
    result = cli(*TODAY, "report", "inventory", "-o", str(target))

    assert (result.exit_code, result.stdout) == (0, "")
    assert target.read_text().startswith("sku\tlocation\ton_hand\t")


def test_an_unknown_location_fails_with_one_line(book: Path, cli: Cli) -> None:
    result = cli("report", "inventory", "-l", "nowhere")

    assert result.exit_code == 1
    assert result.stderr == "oms: error: unknown location 'nowhere' (see `oms location list`)\n"


def test_a_window_of_no_days_is_bad_usage(book: Path, cli: Cli) -> None:
    assert cli("report", "inventory", "--window", "0").exit_code == 2


def test_help_states_every_formula(cli: Cli) -> None:
    text = " ".join(cli("report", "inventory", "--help").stdout.split())

    for formula in ("available / velocity", "on_hand - reserved - damaged - safety_stock",
                    "ceil(velocity x (lead_time_days + reports.cover_days) + safety_stock - "
                    "(on_hand - reserved - damaged) - on order)",
                    "at least the product's reorder_qty when below its reorder point",
                    "on_hand x cost", "available <= reorder_point",
                    "units shipped / window days"):
        assert formula in text, formula
