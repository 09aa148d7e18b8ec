"""eBay's orders report: framed table, summary rows, symbols in money, Mar-12-23 dates."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from channel_exports import Export, fixture, read_export

from oms_cli.domain.orders import ChannelFulfillment, FinancialStatus


@pytest.fixture(scope="module")
def us() -> Export:
    return read_export(fixture("ebay/orders_report_us.csv"), timezone="America/Chicago")


def test_the_frame_rows_and_footer_are_not_orders(us: Export) -> None:
    assert us.format.name == "ebay_csv"
    assert [order.external_id for order in us.orders] == [
        "04-09821-33517", "11-09876-54321", "22-11111-22222"
    ]
    assert us.rejects == []


def test_money_with_symbols_and_thousands_separators_is_exact(us: Export) -> None:
    order = us.order("04-09821-33517")
    assert (order.currency, order.subtotal, order.shipping, order.tax, order.total) == (
        "USD", Decimal("1299.00"), Decimal("25.00"), Decimal("107.17"), Decimal("1431.17")
    )


def test_custom_label_is_the_sku_and_item_number_the_channel_key(us: Export) -> None:
    (line,) = us.order("04-09821-33517").lines
    assert (line.sku, line.channel_key, line.line_key, line.name) == (
        "CAM-ROLLEI", "334455667788", "2233445566001", 'Vintage camera, "Rollei" 35'
    )


def test_a_multi_item_order_is_its_summary_row_plus_item_rows(us: Export) -> None:
    order = us.order("11-09876-54321")
    assert [(line.sku, line.channel_key, line.quantity, line.unit_price)
            for line in order.lines] == [
        ("CAP-52", "112233445566", 2, Decimal("10.00")),
        (None, "998877665544", 1, Decimal("40.00")),
    ]
    assert (order.subtotal, order.total, order.customer_name) == (
        Decimal("60.00"), Decimal("71.40"), "Lou Lens"
    )
    assert order.source_line == 5 and order.raw.count("\n") == 2


def test_dates_are_read_in_the_store_zone(us: Export) -> None:
    # Chicago is on CST (UTC-6) until 2am on 12 March 2023.
    assert us.order("04-09821-33517").placed_at == datetime(2023, 3, 12, 6, tzinfo=UTC)
    assert us.order("11-09876-54321").placed_at == datetime(2023, 3, 12, 0, 20, 5, tzinfo=UTC)


def test_shipped_and_paid_dates_give_fulfilment_and_payment(us: Export) -> None:
    assert us.order("04-09821-33517").fulfillment is ChannelFulfillment.FULFILLED
    assert us.order("11-09876-54321").fulfillment is ChannelFulfillment.PARTIAL
    assert us.order("22-11111-22222").financial_status is FinancialStatus.PENDING
    assert us.order("04-09821-33517").financial_status is FinancialStatus.PAID


def test_the_uk_report_reads_postage_pounds_and_day_first_month_names() -> None:
    export = read_export(fixture("ebay/orders_report_uk.csv"), timezone="Europe/London")
    (order,) = export.orders
    assert (order.currency, order.shipping, order.total) == (
        "GBP", Decimal("3.20"), Decimal("2472.20")
    )
    assert order.lines[0].unit_price == Decimal("1234.50")
    assert order.placed_at == datetime(2023, 3, 12, 0, tzinfo=UTC)
    assert order.ship_to.country == "GB"
    assert export.rejects == []
