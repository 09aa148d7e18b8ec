"""Etsy's Sold Orders and Sold Order Items files, US and UK, and what Excel does to them."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from channel_exports import Export, fixture, read_export

from oms_cli.domain.orders import ChannelFulfillment, FinancialStatus


@pytest.fixture(scope="module")
def uk_items() -> Export:
    return read_export(fixture("etsy/EtsySoldOrderItems2024_uk.csv"), timezone="Europe/London")


def test_items_records_are_partial_orders_keyed_by_order_id(uk_items: Export) -> None:
    assert uk_items.format.name == "etsy_items_csv"
    assert [(o.external_id, o.partial) for o in uk_items.orders] == [
        ("3300000001", "items"), ("3300000002", "items")
    ]


def test_transaction_id_is_the_line_key_and_listing_id_the_channel_key(uk_items: Export) -> None:
    lines = uk_items.order("3300000001").lines
    assert [(line.line_key, line.sku, line.channel_key, line.quantity, line.unit_price)
            for line in lines] == [
        ("4000000001", "MUG-PERS", "1500000001", 2, Decimal("12.50")),
        ("4000000002", None, "1500000002", 1, Decimal("8")),
    ]


def test_order_money_comes_from_the_first_item_row_only(uk_items: Export) -> None:
    order = uk_items.order("3300000001")
    assert (order.subtotal, order.shipping, order.discount, order.total) == (
        Decimal("33.00"), Decimal("3.95"), Decimal("2.50"), Decimal("34.45")
    )


def test_uk_delivery_columns_read_like_us_shipping_ones(uk_items: Export) -> None:
    order = uk_items.order("3300000001")
    assert (order.ship_to.name, order.ship_to.city, order.ship_to.country) == (
        "Jane Smith", "York", "GB"
    )
    assert order.fulfillment is ChannelFulfillment.PARTIAL
    assert [line.fulfilled_quantity for line in order.lines] == [2, 0]
    assert order.fulfilled_at == datetime(2024, 2, 6, 0, 0, tzinfo=UTC)


def test_the_buyer_display_name_is_taken_from_display_name_username(uk_items: Export) -> None:
    assert uk_items.order("3300000001").customer_name == "Jane Smith"
    assert uk_items.order("3300000002").customer_name == "knitfan"


def test_dates_without_a_time_are_local_midnight(uk_items: Export) -> None:
    assert uk_items.order("3300000001").placed_at == datetime(2024, 2, 4, 0, 0, tzinfo=UTC)


def test_an_unpaid_items_order_is_pending(uk_items: Export) -> None:
    assert uk_items.order("3300000002").financial_status is FinancialStatus.PENDING
    assert uk_items.order("3300000001").financial_status is FinancialStatus.PAID


def test_variations_with_newlines_do_not_break_the_record(uk_items: Export) -> None:
    order = uk_items.order("3300000001")
    assert "To Gran\nwith love" in order.raw
    assert order.source_line == 2 and uk_items.order("3300000002").source_line == 5


@pytest.fixture(scope="module")
def us_orders() -> Export:
    return read_export(fixture("etsy/EtsySoldOrders2023_us.csv"), timezone="America/New_York")


def test_orders_records_have_money_and_address_but_no_lines(us_orders: Export) -> None:
    order = us_orders.order("2900000001")
    assert (order.partial, order.lines, order.item_count) == ("order", [], 3)
    assert (order.subtotal, order.discount, order.shipping, order.tax, order.total) == (
        Decimal("45.00"), Decimal("5"), Decimal("4.5"), Decimal("2.2"), Decimal("46.70")
    )
    assert (order.ship_to.line1, order.ship_to.line2, order.ship_to.postcode) == (
        "77 Birch Blvd", "Apt 4", "04101"
    )
    assert order.customer_name == "Lee Reader"


def test_an_adjusted_order_total_is_a_refund(us_orders: Export) -> None:
    order = us_orders.order("2900000001")
    assert [refund.amount for refund in order.refunds] == [Decimal("15.00")]
    assert order.financial_status is FinancialStatus.PARTIALLY_REFUNDED


def test_date_shipped_makes_an_order_fulfilled(us_orders: Export) -> None:
    shipped, unshipped = us_orders.order("2900000001"), us_orders.order("2900000002")
    assert shipped.fulfillment is ChannelFulfillment.FULFILLED
    assert shipped.fulfilled_at == datetime(2023, 11, 23, 5, tzinfo=UTC)
    assert unshipped.fulfillment is ChannelFulfillment.UNFULFILLED


def test_a_canceled_status_cancels_the_order(us_orders: Export) -> None:
    order = us_orders.order("2900000002")
    assert order.cancelled_at == order.placed_at
    assert order.raw_status == "Canceled"


@pytest.fixture(scope="module")
def excel() -> Export:
    return read_export(fixture("etsy/EtsySoldOrders2020_excel_resaved.tsv"),
                       timezone="America/New_York")


def test_an_excel_resave_as_tsv_with_crlf_is_still_read(excel: Export) -> None:
    assert excel.format.name == "etsy_orders_csv"
    assert [order.external_id for order in excel.orders] == ["1663091001", "1663091002",
                                                            "1663091004"]


def test_excel_dates_are_read_month_first_or_iso(excel: Export) -> None:
    assert excel.order("1663091001").placed_at == datetime(2020, 6, 4, 4, tzinfo=UTC)
    assert excel.order("1663091001").fulfilled_at == datetime(2020, 6, 5, 4, tzinfo=UTC)
    assert excel.order("1663091002").placed_at == datetime(2020, 11, 21, 5, tzinfo=UTC)


def test_a_date_excel_turned_day_first_is_rejected_not_guessed(excel: Export) -> None:
    (reject,) = excel.rejects
    assert (reject.line, reject.field, reject.external_id) == (4, "Sale Date", "1663091003")
    assert reject.reason == (
        'Sale Date: "13/06/2020" has day and month swapped (a spreadsheet re-saved it?)'
    )


def test_us_zips_get_back_the_leading_zero_excel_dropped(excel: Export) -> None:
    assert excel.order("1663091001").ship_to.postcode == "02482"
    assert excel.order("1663091004").ship_to.postcode == "07102"
    assert excel.order("1663091002").ship_to.postcode == "H2X 1Y4"


def test_double_encoded_utf8_is_repaired(excel: Export) -> None:
    order = excel.order("1663091002")
    assert (order.ship_to.city, order.ship_to.country, order.currency) == ("Montréal", "CA", "CAD")


def test_a_cp1252_file_is_read_with_its_accents() -> None:
    export = read_export(fixture("etsy/EtsySoldOrderItems_cp1252.csv"))
    (order,) = export.orders
    assert order.lines[0].name == "Café au lait mug – large"
    assert (order.customer_name, order.ship_to.city, order.ship_to.country) == (
        "Zoë Brontë", "Köln", "DE"
    )


def test_an_excel_unicode_text_save_utf16_tsv_is_read(tmp_path: Path) -> None:
    rows = list(csv.reader(fixture("etsy/EtsySoldOrderItems2024_uk.csv").open(encoding="utf-8")))
    path = tmp_path / "EtsySoldOrderItems.txt"
    path.write_bytes("\r\n".join("\t".join(row).replace("\n", " ") for row in rows)
                     .encode("utf-16"))
    export = read_export(path)
    assert export.format.name == "etsy_items_csv"
    assert [order.external_id for order in export.orders] == ["3300000001", "3300000002"]


def test_a_bad_item_row_rejects_its_whole_order(tmp_path: Path) -> None:
    text = fixture("etsy/EtsySoldOrderItems2024_uk.csv").read_text(encoding="utf-8")
    path = tmp_path / "items.csv"
    path.write_text(text.replace("Coaster set,Jane Smith (janesmith88),1,",
                                 "Coaster set,Jane Smith (janesmith88),one,"), encoding="utf-8")
    export = read_export(path)
    assert [order.external_id for order in export.orders] == ["3300000002"]
    (reject,) = export.rejects
    assert (reject.line, reject.external_id, reject.reason) == (
        4, "3300000001", 'Quantity: "one" is not a whole number'
    )
    assert reject.raw.count("\n") == 2  # both rows of the order, the first spanning two lines


def test_an_order_id_on_two_rows_of_the_orders_file_is_rejected(tmp_path: Path) -> None:
    lines = fixture("etsy/EtsySoldOrders2023_us.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "orders.csv"
    path.write_text("\n".join([*lines[:2], lines[1]]) + "\n", encoding="utf-8")
    (reject,) = read_export(path).rejects
    assert (reject.line, reject.reason) == (
        3, 'Order ID: "2900000001" appears on more than one row'
    )
