"""Etsy's two downloads describe one order each: they merge on Order ID, in either order.

Sold Orders has the money and no lines; Sold Order Items has the lines. The
fixtures disagree on purpose about the sales tax (the items file says 0), so the
test shows that order-level money comes from the Sold Orders file whatever came first.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from importing_support import FIXTURES, lines_of, orders_by_key, rewritten
from runners import copy_database

from oms_cli.domain.money import from_minor
from oms_cli.store.database import Database

ORDERS = FIXTURES / "etsy_sold_orders.csv"
ITEMS = FIXTURES / "etsy_sold_order_items.csv"

ORDER_FIELDS = ("placed_at", "currency", "subtotal", "shipping", "tax", "discount", "total",
                "refunded", "financial_status", "channel_fulfillment", "status",
                "hold_reason", "ship_name", "ship_line1", "ship_city", "ship_region",
                "ship_postcode", "ship_country")
LINE_FIELDS = ("line_key", "sku", "channel_key", "name", "quantity", "unit_price",
               "allocated", "shipped", "cancelled")


def order_book(db: Database) -> dict[str, Any]:
    book = {}
    for key, order in orders_by_key(db, "etsy").items():
        book[key] = ({name: getattr(order, name) for name in ORDER_FIELDS},
                     [tuple(getattr(line, name) for name in LINE_FIELDS)
                      for line in lines_of(db, order.id)])
    return book


@pytest.mark.parametrize("first, second", [(ORDERS, ITEMS), (ITEMS, ORDERS)],
                         ids=["orders-then-items", "items-then-orders"])
def test_the_two_etsy_files_merge_into_one_order_each(db, run_import, first, second):
    run_import(first)
    summary = run_import(second)

    assert (summary.created, summary.updated) == (0, 2)
    orders = orders_by_key(db, "etsy")
    assert set(orders) == {"3000000001", "3000000002"}
    amber = orders["3000000001"]
    assert [(line.channel_key, line.quantity) for line in lines_of(db, amber.id)] == [
        ("856132624", 2), ("826037724", 1)]
    # Money is the Sold Orders file's, tax included, even when the items came last.
    assert [from_minor(getattr(amber, name), "USD") for name in
            ("subtotal", "shipping", "tax", "total")] == [
        Decimal("9.30"), Decimal("4.50"), Decimal("0.80"), Decimal("14.60")]
    assert from_minor(orders["3000000002"].total, "USD") == Decimal("4.25")


def test_the_merged_order_is_the_same_whichever_file_came_first(db_path, tmp_path):
    from oms_cli.services.database import open_database
    from oms_cli.services.importing import ImportSettings, import_file

    books = []
    for order in ((ORDERS, ITEMS), (ITEMS, ORDERS)):
        target = copy_database(db_path, tmp_path / f"{order[0].stem}-first.db")
        opened = open_database(str(target), busy_timeout=2.0)
        try:
            for path in order:
                import_file(opened.db, str(path), settings=ImportSettings())
            books.append(order_book(opened.db))
        finally:
            opened.db.close()

    assert books[0] == books[1]
    shipped, waiting = books[0]["3000000002"], books[0]["3000000001"]
    assert (shipped[0]["status"], [line[7] for line in shipped[1]]) == ("shipped", [1])
    assert (waiting[0]["status"], waiting[0]["hold_reason"]) == ("on_hold", "unknown_sku")


def test_importing_both_etsy_files_again_changes_nothing(db, run_import, snapshot):
    run_import(ORDERS)
    run_import(ITEMS)
    before = snapshot()

    again = [run_import(ITEMS), run_import(ORDERS)]

    assert [(s.created, s.updated, s.unchanged) for s in again] == [(0, 0, 2), (0, 0, 2)]
    assert snapshot() == before


@pytest.mark.parametrize("orders_first", [True, False], ids=["orders-then-items",
                                                             "items-then-orders"])
def test_an_order_cancelled_in_sold_orders_stays_cancelled_when_its_items_arrive(
        db, run_import, tmp_path, orders_first):
    cancelled = rewritten(ORDERS, tmp_path / "orders.csv",
                          {"3000000001": {"Status": "Cancelled"}}, key="Order ID")

    for path in ((cancelled, ITEMS) if orders_first else (ITEMS, cancelled)):
        run_import(path)

    order = orders_by_key(db, "etsy")["3000000001"]
    assert order.status == "cancelled"
    assert [(line.quantity, line.cancelled) for line in lines_of(db, order.id)] == [
        (2, 2), (1, 1)]
