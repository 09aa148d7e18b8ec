"""Real exports from ../shared/samples (skipped when the folder is absent).

Each expectation is counted independently from the file with the csv or json
module, and the numbers verified that way are also written down here.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

from channel_exports import read_export, sample

from oms_cli.domain.orders import ChannelFulfillment, FinancialStatus

DEVSTORE = "shopify__orders_export_1__devstore_INR.csv"


def csv_rows(name: str) -> list[dict[str, str]]:
    with sample(name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_devstore_export_is_51_orders_in_121_rows() -> None:
    rows = csv_rows(DEVSTORE)
    names = Counter(row["Name"] for row in rows)
    units = sum(int(row["Lineitem quantity"]) for row in rows)
    totals = sum(Decimal(row["Total"]) for row in rows if row["Total"])
    assert (len(rows), len(names), units, totals) == (121, 51, 258, Decimal("590683.29"))

    export = read_export(sample(DEVSTORE))
    assert export.rejects == []
    assert len(export.orders) == 51
    assert sum(len(order.lines) for order in export.orders) == 121
    assert sum(order.units for order in export.orders) == 258
    assert sum(order.total for order in export.orders) == Decimal("590683.29")
    assert {order.external_id: len(order.lines) for order in export.orders} == dict(names)
    assert sum(1 for order in export.orders if len(order.lines) > 1) == 34


def test_the_devstore_export_keeps_inr_gst_and_apostrophe_zips() -> None:
    export = read_export(sample(DEVSTORE))
    assert {order.currency for order in export.orders} == {"INR"}
    assert all(order.financial_status is FinancialStatus.PAID for order in export.orders)
    shipped_to = [order for order in export.orders if order.ship_to.postcode]
    assert [(o.ship_to.postcode, o.ship_to.country, o.ship_to.city) for o in shipped_to] == [
        ("560029", "IN", "Bengaluru")
    ]
    first = export.order("#1001")
    assert (first.tax, first.total, first.taxes_included) == (
        Decimal("2249.55"), Decimal("27244.55"), False
    )
    newest = export.order("#1051")
    assert newest.placed_at == datetime(2025, 12, 6, 15, 37, 33, tzinfo=UTC)
    assert (newest.channel_order_id, newest.source_line) == ("6798481555755", 2)


def test_the_bogus_gateway_export_is_two_fulfilled_test_orders() -> None:
    name = "shopify__orders_export_1__teststore_bogus_gateway.csv"
    rows = csv_rows(name)
    assert [row["Payment Method"] for row in rows] == ["(for testing) Bogus Gateway"] * 2
    export = read_export(sample(name))
    assert [order.external_id for order in export.orders] == ["#1002", "#1001"]
    assert all(order.is_test for order in export.orders)
    assert all(order.fulfillment is ChannelFulfillment.FULFILLED for order in export.orders)
    order = export.order("#1002")
    assert order.placed_at == datetime(2026, 4, 10, 5, 41, 26, tzinfo=UTC)  # +0530
    assert order.ship_to.line1 == rows[0]["Shipping Address1"]
    assert "PLOT NO 2288, SUNDARPUR" in (order.ship_to.line1 or "")
    assert [(line.channel_key, line.fulfilled_quantity) for line in order.lines] == [("pant", 1)]


def test_the_api_order_is_1001_with_3_lines_and_1_refund() -> None:
    document = json.loads(sample("shopify__api_order_get.json").read_text())["order"]
    assert (document["name"], len(document["line_items"]), len(document["refunds"])) == (
        "#1001", 3, 1
    )
    export = read_export(sample("shopify__api_order_get.json"))
    (order,) = export.orders
    assert (order.external_id, len(order.lines), len(order.refunds)) == ("#1001", 3, 1)
    (refund,) = order.refunds
    assert (refund.amount, refund.reason) == (Decimal("209.00"), "it broke during shipping")
    assert refund.at == datetime(2015, 9, 2, 18, 48, 56, tzinfo=UTC)
    assert [line.refunded_quantity for line in order.lines] == [1, 0, 1]
    assert (order.total, order.tax, order.financial_status) == (
        Decimal("409.94"), Decimal("11.94"), FinancialStatus.AUTHORIZED
    )
    assert order.fulfillment is ChannelFulfillment.UNFULFILLED
    assert (order.channel_order_id, order.ship_to.country) == ("450789469", "CA")


def test_the_woocommerce_docs_example_is_2_orders_one_completed_with_2_refunds() -> None:
    name = "woocommerce__rest_v3_orders_list__docs_example.json"
    document = json.loads(sample(name).read_text())
    assert [(o["number"], o["status"], len(o["refunds"])) for o in document] == [
        ("727", "processing", 0), ("723", "completed", 2)
    ]
    export = read_export(sample(name))
    assert [order.external_id for order in export.orders] == ["727", "723"]
    completed = export.order("723")
    assert [refund.amount for refund in completed.refunds] == [Decimal("10.00"), Decimal("9.00")]
    assert completed.fulfillment is ChannelFulfillment.FULFILLED
    assert completed.placed_at == datetime(2017, 3, 21, 19, 16, tzinfo=UTC)
    processing = export.order("727")
    assert (processing.total, processing.tax, processing.shipping) == (
        Decimal("29.35"), Decimal("1.35"), Decimal("10.00")
    )
    assert processing.lines[1].name == "Ship Your Idea – Color: Black, Size: M Test"


def test_the_excel_resaved_etsy_2020_orders_are_347_orders() -> None:
    name = "etsy__EtsySoldOrders2020__excel_resaved_no_names.csv"
    rows = csv_rows(name)
    short_zips = [row for row in rows if row["Ship Zipcode"].isdigit()
                  and len(row["Ship Zipcode"]) == 4]
    assert (len(rows), len({row["Order ID"] for row in rows}), len(short_zips)) == (347, 347, 24)
    export = read_export(sample(name), timezone="America/New_York")
    assert (len(export.orders), export.rejects) == (347, [])
    assert all(order.partial == "order" and order.lines == [] for order in export.orders)
    assert sum(order.item_count or 0 for order in export.orders) == sum(
        int(row["Number of Items"]) for row in rows
    )
    assert all(len(order.ship_to.postcode or "") >= 5 for order in export.orders)
    assert export.order("1665432521").ship_to.postcode == "07410"
    assert sum(order.total for order in export.orders) == sum(
        Decimal(row["Order Total"]) for row in rows
    )
    refunded = {o.external_id: o.refunded for o in export.orders if o.refunds}
    assert refunded == {"1595588663": Decimal("16.21"), "1573569492": Decimal("47.81")}


def test_the_etsy_2023_items_are_4_orders_keyed_by_listing_id() -> None:
    name = "etsy__EtsySoldOrderItems2023__anonymised.csv"
    rows = csv_rows(name)
    assert (len(rows), len({row["Order ID"] for row in rows}), {row["SKU"] for row in rows}) == (
        4, 4, {""}
    )
    export = read_export(sample(name))
    assert len(export.orders) == 4 and export.rejects == []
    assert [order.lines[0].channel_key for order in export.orders] == [
        row["Listing ID"] for row in rows
    ]
    assert [order.customer_name for order in export.orders] == [
        "amber_lane1", "Jo K Reyes", "PaperBirdStudio", "Kit"
    ]
    assert all(order.fulfillment is ChannelFulfillment.FULFILLED for order in export.orders)
    assert export.orders[0].placed_at == datetime(2023, 6, 22, tzinfo=UTC)
