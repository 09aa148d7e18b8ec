"""`oms order list` and `oms order show` over imported orders: columns, filters, references."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "imports"
LIST_COLUMNS = ["id", "channel", "external_id", "status", "placed_at", "currency", "total",
                "lines", "units"]
LINE_KEYS = {"sku", "quantity", "unit_price", "allocated", "shipped", "returned", "cancelled"}


@pytest.fixture
def book(cli):
    """Shopify orders #1001-#1005 (2024-03-01..05, all held: their skus are unknown),
    the history file #3001-#3003 (Feb 2024), and the Etsy pair."""
    result = cli("import", FIXTURES / "shopify_orders.csv", FIXTURES / "shopify_history.csv",
                 FIXTURES / "etsy_sold_orders.csv", FIXTURES / "etsy_sold_order_items.csv")
    assert result.exit_code == 0, result.stderr
    return cli


def listed(result) -> list[dict]:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_order_list_has_the_documented_columns_in_order(book):
    result = book("order", "list", "-f", "csv")

    header = next(csv.reader(io.StringIO(result.stdout)))
    assert header[:9] == LIST_COLUMNS


def test_order_list_shows_each_order_newest_first_with_its_money_lines_and_units(book):
    rows = listed(book("order", "list", "-f", "json"))

    assert [row["external_id"] for row in rows] == [
        "#1005", "#1004", "#1003", "#1002", "#1001", "#3003", "#3002", "#3001",
        "3000000002", "3000000001"]
    first = next(row for row in rows if row["external_id"] == "#1001")
    assert {key: first[key] for key in LIST_COLUMNS[1:]} == {
        "channel": "shopify", "external_id": "#1001", "status": "on_hold",
        "placed_at": "2024-03-01T14:00:00+00:00", "currency": "USD", "total": 50.0,
        "lines": 2, "units": 3}


def test_order_list_total_is_exact_text_in_csv(book):
    rows = list(csv.DictReader(io.StringIO(book("order", "list", "-f", "csv").stdout)))

    assert {row["external_id"]: row["total"] for row in rows}["#1001"] == "50.00"


def test_order_list_filters_by_status(book):
    rows = listed(book("order", "list", "--status", "shipped", "-f", "json"))

    assert sorted(row["external_id"] for row in rows) == ["#3001", "3000000002"]


def test_order_list_filters_by_channel(book):
    rows = listed(book("order", "list", "--channel", "ETSY", "-f", "json"))

    assert {row["channel"] for row in rows} == {"etsy"}
    assert len(rows) == 2


def test_order_list_filters_by_placement_date(book):
    rows = listed(book("order", "list", "--since", "2024-03-04", "-f", "json"))

    assert [row["external_id"] for row in rows] == ["#1005", "#1004"]


def test_order_list_limits_the_count(book):
    rows = listed(book("order", "list", "--limit", "2", "--channel", "shopify", "-f", "json"))

    assert [row["external_id"] for row in rows] == ["#1005", "#1004"]


def test_order_list_filters_combine(book):
    rows = listed(book("order", "list", "-s", "on_hold", "-c", "shopify", "--since",
                       "2024-02-01", "-n", "10", "-f", "json"))

    assert sorted(row["external_id"] for row in rows) == [
        "#1001", "#1002", "#1003", "#1004", "#1005", "#3003"]


def test_an_empty_order_book_lists_nothing(cli):
    assert listed(cli("order", "list", "-f", "json")) == []


@pytest.mark.parametrize("args, message", [
    (("--status", "onhold"), "is not a status"),
    (("--since", "last tuesday"), "is not a date"),
    (("--limit", "0"), "--limit"),
])
def test_order_list_rejects_bad_filters_as_usage_errors(book, args, message):
    result = book("order", "list", *args)

    assert result.exit_code == 2
    assert message in result.stderr


def test_order_show_by_id_and_by_channel_reference_is_the_same_order(book):
    by_id = listed(book("order", "show", "1", "-f", "json"))
    by_reference = listed(book("order", "show", "shopify:#1001", "-f", "json"))

    assert by_id == by_reference
    assert (by_id["id"], by_id["external_id"], by_id["total"]) == (1, "#1001", 50.0)


def test_order_show_json_has_lines_and_events(book):
    order = listed(book("order", "show", "shopify:#1001", "-f", "json"))

    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in order["lines"]] == [
        ("MUG-01", 2, 12.5), ("TEE-01", 1, 20.0)]
    assert set(order["lines"][0]) >= LINE_KEYS
    assert [event["type"] for event in order["events"]] == ["imported"]
    assert order["events"][0]["detail"]["hold"] == "unknown_sku"


def test_order_show_tells_where_the_units_of_history_are(book):
    partly = listed(book("order", "show", "shopify:#3003", "-f", "json"))
    cancelled = listed(book("order", "show", "shopify:#3002", "-f", "json"))

    assert [(line["sku"], line["shipped"], line["cancelled"]) for line in partly["lines"]] == [
        ("MUG-01", 1, 0), ("TEE-01", 0, 0)]
    assert [(line["shipped"], line["cancelled"]) for line in cancelled["lines"]] == [(0, 1)]


def test_order_show_finds_an_order_of_a_named_channel(cli):
    cli("import", "--channel", "eu-store", FIXTURES / "shopify_orders.csv")

    order = listed(cli("order", "show", "EU-Store:#1002", "-f", "json"))

    assert (order["channel"], order["external_id"]) == ("eu-store", "#1002")


def test_order_show_as_a_table_goes_to_stdout(book):
    result = book("order", "show", "shopify:#1001")

    assert result.exit_code == 0
    assert "#1001" in result.stdout and "MUG-01" in result.stdout


@pytest.mark.parametrize("reference, message", [
    ("999", "no order '999'"),
    ("shopify:#9999", "no order 'shopify:#9999'"),
    ("#1001", "CHANNEL:EXTERNAL_ID"),
])
def test_order_show_of_an_unknown_order_fails_clearly(book, reference, message):
    result = book("order", "show", reference)

    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""
