"""Orders the channel already shipped or cancelled are history: they never touch today's stock."""

from __future__ import annotations

import pytest
from importing_support import (
    FIXTURES,
    count_rows,
    events_of,
    lines_of,
    orders_by_key,
    rewritten,
    stock_levels,
)

from oms_cli.services.locations import LocationChanges, add_location
from oms_cli.services.stock import receive
from oms_cli.store.database import Database

HISTORY = FIXTURES / "shopify_history.csv"


@pytest.fixture
def stocked(db: Database, catalog) -> Database:
    """MUG-01 and TEE-01 are products with 10 units each on hand at `main`."""
    catalog("MUG-01", "TEE-01")
    add_location(db, "main", LocationChanges(country="US"))
    receive(db, "MUG-01", 10, "main")
    receive(db, "TEE-01", 10, "main")
    return db


def test_fulfilled_and_cancelled_orders_enter_as_shipped_and_cancelled(stocked, run_import):
    run_import(HISTORY)

    orders = orders_by_key(stocked)
    assert {key: order.status for key, order in orders.items()} == {
        "#3001": "shipped", "#3002": "cancelled", "#3003": "partially_shipped"}
    assert [(line.quantity, line.shipped, line.cancelled)
            for line in lines_of(stocked, orders["#3001"].id)] == [(2, 2, 0)]
    assert [(line.quantity, line.shipped, line.cancelled)
            for line in lines_of(stocked, orders["#3002"].id)] == [(1, 0, 1)]
    assert [(line.sku, line.shipped) for line in lines_of(stocked, orders["#3003"].id)] == [
        ("MUG-01", 1), ("TEE-01", 0)]


def test_history_moves_no_stock(stocked, run_import):
    levels = stock_levels(stocked)
    movements = count_rows(stocked, "stock_movement")

    run_import(HISTORY)

    assert stock_levels(stocked) == levels
    assert count_rows(stocked, "stock_movement") == movements == 2  # the two receipts
    assert count_rows(stocked, "allocation") == 0


def test_history_is_not_held_even_when_its_skus_are_unknown(db, run_import):
    run_import(HISTORY)

    orders = orders_by_key(db)
    assert (orders["#3001"].status, orders["#3001"].hold_reason) == ("shipped", None)
    assert (orders["#3002"].status, orders["#3002"].hold_reason) == ("cancelled", None)
    assert count_rows(db, "stock_movement") == 0
    assert count_rows(db, "stock_level") == 0


def test_an_order_fulfilled_on_the_channel_later_is_shipped_without_moving_stock(
        stocked, run_import, tmp_path):
    before = FIXTURES / "shopify_orders.csv"
    run_import(before)
    levels = stock_levels(stocked)

    summary = run_import(rewritten(before, tmp_path / "later.csv", {
        "#1004": {"Fulfillment Status": "fulfilled", "Lineitem fulfillment status": "fulfilled"}}))

    assert summary.updated == 1
    order = orders_by_key(stocked)["#1004"]
    assert order.status == "shipped"
    assert [(line.shipped, line.allocated) for line in lines_of(stocked, order.id)] == [(1, 0)]
    assert "fulfilled_on_channel" in [kind for kind, _ in events_of(stocked, order.id)]
    assert stock_levels(stocked) == levels
    assert count_rows(stocked, "stock_movement") == 2


def test_units_the_channel_ships_later_are_never_left_to_ship_again(stocked, run_import,
                                                                    tmp_path):
    before = FIXTURES / "shopify_orders.csv"
    run_import(before)
    levels = stock_levels(stocked)

    run_import(rewritten(before, tmp_path / "later.csv", {"#1001": {
        "Financial Status": "paid", "Fulfillment Status": "partial",
        "Lineitem fulfillment status": "fulfilled"}}))

    order = orders_by_key(stocked)["#1001"]
    assert [(line.sku, line.quantity, line.shipped) for line in lines_of(stocked, order.id)] == [
        ("MUG-01", 2, 2), ("TEE-01", 1, 0)]
    assert order.status == "partially_shipped"
    assert stock_levels(stocked) == levels


def test_an_order_partly_shipped_and_cancelled_in_one_export_cancels_only_the_rest(
        stocked, run_import, tmp_path):
    before = FIXTURES / "shopify_orders.csv"
    run_import(before)

    run_import(rewritten(before, tmp_path / "later.csv", {"#1001": {
        "Financial Status": "paid", "Fulfillment Status": "partial",
        "Lineitem fulfillment status": "fulfilled",
        "Cancelled at": "2024-03-08 10:00:00 -0500"}}))

    order = orders_by_key(stocked)["#1001"]
    assert [(line.sku, line.shipped, line.cancelled)
            for line in lines_of(stocked, order.id)] == [("MUG-01", 2, 0), ("TEE-01", 0, 1)]
    assert order.status == "shipped"


def test_an_amazon_item_cancelled_with_no_units_is_left_out_and_its_order_cancelled(
        db: Database) -> None:
    from oms_cli.services.importing import ImportSettings, import_file

    report = FIXTURES.parents[0] / "channels" / "amazon" / "all_orders_report.txt"
    summary = import_file(db, str(report), settings=ImportSettings())
    assert summary.rejected == 0
    orders = orders_by_key(db, "amazon")
    cancelled = orders["112-3333333-4444444"]
    assert cancelled.status == "cancelled"
    assert lines_of(db, cancelled.id) == []
    assert all(line.quantity > 0 for order in orders.values()
               for line in lines_of(db, order.id))
