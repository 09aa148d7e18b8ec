"""Amazon order reports: tab-separated, unquoted, one row per item, rows not always together."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from channel_exports import Export, fixture, read_export

from oms_cli.domain.orders import ChannelFulfillment, FinancialStatus


@pytest.fixture(scope="module")
def all_orders() -> Export:
    return read_export(fixture("amazon/all_orders_report.txt"))


def test_the_all_orders_report_gives_one_order_per_amazon_order_id(all_orders: Export) -> None:
    assert all_orders.format.name == "amazon_tsv"
    assert [order.external_id for order in all_orders.orders] == [
        "114-4892924-3377867", "113-1111111-2222222", "112-3333333-4444444",
        "111-5555555-6666666", "205-7777777-8888888",
    ]
    assert all_orders.rejects == []


def test_rows_of_an_order_that_are_apart_are_merged(all_orders: Export) -> None:
    order = all_orders.order("114-4892924-3377867")
    assert [line.sku for line in order.lines] == ["POSTER-1218", "MUG-11"]
    assert order.source_line == 2


def test_item_price_is_the_line_total_so_the_unit_price_is_shared_out(all_orders: Export) -> None:
    poster = all_orders.order("114-4892924-3377867").lines[0]
    assert (poster.quantity, poster.unit_price) == (4, Decimal("25.99"))


def test_literal_quotes_in_titles_survive_and_the_asin_is_the_channel_key(
    all_orders: Export,
) -> None:
    poster = all_orders.order("114-4892924-3377867").lines[0]
    assert poster.name == 'Sunset Poster 12" x 18" "Golden Hour" print'
    assert poster.channel_key == "B07XYZ1234"


def test_order_money_is_summed_over_its_rows(all_orders: Export) -> None:
    order = all_orders.order("114-4892924-3377867")
    assert (order.subtotal, order.shipping, order.tax, order.discount) == (
        Decimal("123.95"), Decimal("5.99"), Decimal("10.40"), Decimal("15.99")
    )
    assert order.total == Decimal("124.35")
    assert order.placed_at == datetime(2020, 2, 18, 5, 5, 21, tzinfo=UTC)


def test_a_pending_order_with_empty_money_is_zero_and_awaits_payment(all_orders: Export) -> None:
    order = all_orders.order("113-1111111-2222222")
    assert (order.financial_status, order.total, order.currency) == (
        FinancialStatus.PENDING, Decimal(0), "USD"
    )
    assert order.lines[0].unit_price == Decimal(0)


def test_a_cancelled_order_keeps_its_zero_quantity_lines(all_orders: Export) -> None:
    order = all_orders.order("112-3333333-4444444")
    assert order.cancelled_at == datetime(2020, 2, 19, 12, 30, tzinfo=UTC)
    assert [(line.sku, line.quantity) for line in order.lines] == [("TOTE-1", 0)]


def test_shipped_orders_are_fulfilled_and_fba_is_tagged(all_orders: Export) -> None:
    order = all_orders.order("114-4892924-3377867")
    assert (order.fulfillment, order.tags, order.raw_status) == (
        ChannelFulfillment.FULFILLED, "fba", "Shipped"
    )
    assert [line.fulfilled_quantity for line in order.lines] == [4, 1]
    assert all_orders.order("111-5555555-6666666").fulfillment is ChannelFulfillment.UNFULFILLED


def test_repeated_rows_with_the_same_sku_get_distinct_line_keys(all_orders: Export) -> None:
    order = all_orders.order("111-5555555-6666666")
    assert [line.line_key for line in order.lines] == ["SOCK-3", "SOCK-3#2"]
    assert order.units == 2


def test_a_vat_marketplace_is_tax_inclusive(all_orders: Export) -> None:
    order = all_orders.order("205-7777777-8888888")
    assert (order.currency, order.taxes_included, order.tax, order.total) == (
        "GBP", True, Decimal("4.00"), Decimal("24.00")
    )
    assert order.ship_to.country == "GB"


def test_the_unshipped_report_reads_buyer_recipient_and_order_item_ids() -> None:
    export = read_export(fixture("amazon/unshipped_orders_report.txt"),
                         default_currency="USD")
    (order,) = export.orders
    assert [(line.line_key, line.quantity, line.fulfilled_quantity) for line in order.lines] == [
        ("11111111111111", 2, 1), ("22222222222222", 1, 0)
    ]
    assert (order.financial_status, order.fulfillment) == (
        FinancialStatus.PAID, ChannelFulfillment.PARTIAL
    )
    assert (order.email, order.customer_name, order.phone) == (
        "abc123@marketplace.amazon.com", "Pat Buyer", "+1 206-555-0100"
    )
    assert (order.ship_to.line1, order.ship_to.line2, order.ship_to.postcode) == (
        "410 Terry Ave N", "Suite 5, Attn: Dock", "98109-5210"
    )
    assert order.ship_to.is_shippable()


def test_malformed_rows_are_rejected_and_the_rest_go_in() -> None:
    export = read_export(fixture("amazon/all_orders_report_malformed.txt"))
    assert [order.external_id for order in export.orders] == ["114-0000001-0000001"]
    assert sorted((reject.line, reject.reason) for reject in export.rejects) == [
        (3, 'quantity: "two" is not a whole number'),
        (4, "amazon-order-id: missing order id"),
        (5, 'purchase-date: "18/02/2020 5am" is not a date'),
        (6, 'item-price: "12,99,9x" is not an amount'),
    ]
