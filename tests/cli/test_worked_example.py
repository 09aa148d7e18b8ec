"""The README's worked example, command for command: each rule decides one order."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from runners import Cli

ORDERS = Path(__file__).resolve().parents[1] / "fixtures" / "worked" / "orders.csv"


def _plan(cli: Cli, *args: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    result = cli("allocate", *args, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    return {(row["order"], row["sku"]): (row["location"], row["quantity"], row["decision"])
            for row in csv.DictReader(io.StringIO(result.stdout))}


def _setup(cli: Cli) -> None:
    for args in (
        ("location", "add", "west", "--country", "US", "--region", "OR", "--priority", "10"),
        ("location", "add", "east", "--country", "US", "--region", "NJ", "--priority", "10"),
        ("location", "add", "central", "--country", "US", "--region", "TX", "--priority", "20"),
        ("product", "add", "BEANS", "--name", "Beans 500g", "--price", "18.50"),
        ("product", "add", "MUG", "--name", "Mug", "--price", "14"),
        ("product", "add", "GRINDER", "--name", "Grinder", "--price", "49"),
        ("stock", "receive", "BEANS", "5", "-l", "west"),
        ("stock", "receive", "BEANS", "10", "-l", "east"),
        ("stock", "receive", "BEANS", "2", "-l", "central"),
        ("stock", "receive", "GRINDER", "2", "-l", "central"),
        ("stock", "receive", "MUG", "3", "-l", "east"),
        ("import", str(ORDERS)),
    ):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)


def test_each_rule_routes_one_order_as_the_readme_says(cli: Cli) -> None:
    _setup(cli)
    plan = _plan(cli)
    assert plan[("shopify:#1001", "BEANS")] == ("west", "1", "single: west")  # nearest
    assert plan[("shopify:#1002", "BEANS")] == ("east", "1", "single: east")  # most_stock
    assert plan[("shopify:#1003", "GRINDER")] == ("central", "1", "single: central")
    assert plan[("shopify:#1004", "BEANS")] == ("east", "3", "split: east+central")
    assert plan[("shopify:#1004", "GRINDER")] == ("central", "1", "split: east+central")
    assert plan[("shopify:#1005", "MUG")] == ("east", "3", "partial: 1 of 4 backordered")


def test_a_backorder_fills_when_stock_arrives_then_a_return_and_a_cancel_balance(
        cli: Cli) -> None:
    _setup(cli)
    _plan(cli)
    assert cli("stock", "receive", "MUG", "5", "-l", "east").exit_code == 0
    assert _plan(cli) == {("shopify:#1005", "MUG"): ("east", "1", "single: east")}
    for args in (("ship", "shopify:#1001", "--carrier", "UPS", "--tracking", "1Z001"),
                 ("return", "shopify:#1001", "--line", "BEANS=1", "--reason", "bag split",
                  "--condition", "damaged"),
                 ("order", "cancel", "shopify:#1003", "--reason", "customer asked", "--yes")):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)
    statuses = {row["external_id"]: row["status"] for row in csv.DictReader(io.StringIO(
        cli("order", "list", "-f", "csv").stdout))}
    assert statuses == {"#1001": "returned", "#1002": "allocated", "#1003": "cancelled",
                        "#1004": "allocated", "#1005": "allocated"}
    assert cli("db", "check").exit_code == 0
