"""Every real channel export in ../shared/samples goes in whole: orders, lines, units, money.

The expected figures are computed here from the raw file with the csv and json
modules, independently of the parsers, and the concrete numbers are asserted too.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from importing_support import count_rows, lines_of, orders_by_key, sample
from sqlalchemy import text

from oms_cli.domain.money import from_minor
from oms_cli.store.database import Database


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def stored_figures(db: Database, channel: str) -> dict[str, Any]:
    """What the order book holds for a channel: orders, lines, units, totals per currency."""
    with db.read() as session:
        orders, lines, units = session.execute(text(
            "SELECT count(DISTINCT o.id), count(l.id), coalesce(sum(l.quantity), 0) "
            "FROM orders o LEFT JOIN order_line l ON l.order_id = o.id "
            "WHERE o.channel = :channel"), {"channel": channel}).one()
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for currency, total in session.execute(text(
                "SELECT currency, total FROM orders WHERE channel = :channel"),
                {"channel": channel}):
            totals[currency] += from_minor(total, currency)
    return {"orders": orders, "lines": lines, "units": units, "totals": dict(totals)}


def shopify_csv_figures(path: Path) -> dict[str, Any]:
    """Orders are distinct Names; each row is a line; money is on an order's first row."""
    rows = csv_rows(path)
    first: dict[str, dict[str, str]] = {}
    for row in rows:
        first.setdefault(row["Name"], row)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in first.values():
        totals[row["Currency"]] += Decimal(row["Total"])
    return {"orders": len(first), "lines": len(rows),
            "units": sum(int(row["Lineitem quantity"]) for row in rows),
            "totals": dict(totals)}


def test_shopify_devstore_export_imports_every_order_line_unit_and_rupee(db, run_import):
    path = sample("shopify__orders_export_1__devstore_INR.csv")
    expected = shopify_csv_figures(path)

    summary = run_import(path)

    assert expected == {"orders": 51, "lines": 121, "units": 258,
                        "totals": {"INR": Decimal("590683.29")}}
    assert stored_figures(db, "shopify") == expected
    assert (summary.read, summary.created, summary.rejected) == (51, 51, 0)
    first_rows = {row["Name"]: row for row in reversed(csv_rows(path))}
    for key, order in orders_by_key(db).items():
        assert from_minor(order.total, "INR") == Decimal(first_rows[key]["Total"])
        assert order.currency == "INR"


def test_shopify_teststore_export_enters_as_shipped_history(db, run_import):
    path = sample("shopify__orders_export_1__teststore_bogus_gateway.csv")
    expected = shopify_csv_figures(path)

    run_import(path)

    assert expected == {"orders": 2, "lines": 2, "units": 2,
                        "totals": {"INR": Decimal("250.70")}}
    assert stored_figures(db, "shopify") == expected
    orders = orders_by_key(db)
    assert {order.status for order in orders.values()} == {"shipped"}
    # The address cell holds commas inside quotes: it stays one field.
    assert orders["#1002"].ship_line1 == ("TESTING GROUND, PLOT NO 2288, SUNDARPUR, "
                                          "PS-CHANDAKA,BBSR to Chandaka Rd Sikharchandi")


def test_shopify_api_order_json_imports_its_lines_and_refund(db, run_import):
    path = sample("shopify__api_order_get.json")
    order_json = json.loads(path.read_text(encoding="utf-8"))["order"]
    refunded_units = sum(item["quantity"] for refund in order_json["refunds"]
                         for item in refund["refund_line_items"])

    run_import(path)

    assert stored_figures(db, "shopify") == {
        "orders": 1, "lines": len(order_json["line_items"]),
        "units": sum(line["quantity"] for line in order_json["line_items"]),
        "totals": {order_json["currency"]: Decimal(order_json["total_price"])}}
    order = orders_by_key(db)[order_json["name"]]
    assert (order.external_id, order.currency, from_minor(order.total, "USD")) == (
        "#1001", "USD", Decimal("409.94"))
    refunded = sum(Decimal(t["amount"]) for refund in order_json["refunds"]
                   for t in refund["transactions"])
    assert from_minor(order.refunded, "USD") == refunded == Decimal("209.00")
    assert sum(line.cancelled for line in lines_of(db, order.id)) == refunded_units == 2


def test_woocommerce_rest_json_imports_both_orders(db, run_import):
    path = sample("woocommerce__rest_v3_orders_list__docs_example.json")
    documents = json.loads(path.read_text(encoding="utf-8"))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for document in documents:
        totals[document["currency"]] += Decimal(document["total"])

    run_import(path)

    assert stored_figures(db, "woocommerce") == {
        "orders": len(documents),
        "lines": sum(len(document["line_items"]) for document in documents),
        "units": sum(line["quantity"] for document in documents
                     for line in document["line_items"]),
        "totals": dict(totals)}
    assert totals == {"USD": Decimal("68.35")}
    orders = orders_by_key(db, "woocommerce")
    assert set(orders) == {str(document["number"]) for document in documents}
    assert orders["723"].status == "shipped"  # completed on the channel: history


def test_etsy_sold_orders_file_imports_347_orders_without_lines(db, run_import):
    path = sample("etsy__EtsySoldOrders2020__excel_resaved_no_names.csv")
    rows = csv_rows(path)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row["Currency"]] += Decimal(row["Order Total"])

    summary = run_import(path)

    assert stored_figures(db, "etsy") == {"orders": len({row["Order ID"] for row in rows}),
                                          "lines": 0, "units": 0, "totals": dict(totals)}
    assert (summary.created, summary.rejected) == (347, 0)
    assert totals == {"USD": Decimal("11359.35")}


def test_etsy_sold_orders_with_a_ship_date_enter_as_shipped_history(db, run_import):
    path = sample("etsy__EtsySoldOrders2020__excel_resaved_no_names.csv")
    shipped = {row["Order ID"] for row in csv_rows(path) if row["Date Shipped"]}

    run_import(path)

    orders = orders_by_key(db, "etsy")
    assert len(shipped) == 345
    assert {orders[key].status for key in shipped} == {"shipped"}
    assert {orders[key].hold_reason for key in shipped} == {None}
    assert count_rows(db, "stock_movement") == 0


def test_etsy_sold_order_items_file_imports_4_orders_with_their_lines(db, run_import):
    path = sample("etsy__EtsySoldOrderItems2023__anonymised.csv")
    rows = csv_rows(path)

    run_import(path)

    figures = stored_figures(db, "etsy")
    assert {key: figures[key] for key in ("orders", "lines", "units")} == {
        "orders": len({row["Order ID"] for row in rows}), "lines": len(rows),
        "units": sum(int(row["Quantity"]) for row in rows)}
    assert (figures["orders"], figures["lines"]) == (4, 4)
    orders = orders_by_key(db, "etsy")
    for row in rows:
        order = orders[row["Order ID"]]
        assert from_minor(order.subtotal, "USD") == Decimal(row["Item Total"])
        [line] = lines_of(db, order.id)
        assert (line.channel_key, line.quantity) == (row["Listing ID"], int(row["Quantity"]))
        assert from_minor(line.unit_price, "USD") == Decimal(row["Price"])
