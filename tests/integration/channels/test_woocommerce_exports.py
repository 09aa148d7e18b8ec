"""WooCommerce REST JSON and the Advanced Order Export plugin CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from channel_exports import Export, fixture, read_export

from oms_cli.domain.orders import ChannelFulfillment, FinancialStatus


@pytest.fixture(scope="module")
def statuses() -> Export:
    return read_export(fixture("woocommerce/orders_every_status.json"))


@pytest.mark.parametrize(
    ("number", "financial", "fulfillment", "cancelled"),
    [
        ("2001", FinancialStatus.PENDING, ChannelFulfillment.UNFULFILLED, False),
        ("2002", FinancialStatus.PAID, ChannelFulfillment.UNFULFILLED, False),
        ("2003", FinancialStatus.PAID, ChannelFulfillment.FULFILLED, False),
        ("2004", FinancialStatus.VOIDED, ChannelFulfillment.UNFULFILLED, True),
        ("2005", FinancialStatus.REFUNDED, ChannelFulfillment.UNFULFILLED, True),
        ("2006", FinancialStatus.VOIDED, ChannelFulfillment.UNFULFILLED, True),
        ("2007", FinancialStatus.PENDING, ChannelFulfillment.UNFULFILLED, False),
        ("2008", FinancialStatus.PARTIALLY_REFUNDED, ChannelFulfillment.FULFILLED, False),
    ],
)
def test_statuses_map_to_payment_shipping_and_cancellation(
    statuses: Export, number: str, financial: FinancialStatus,
    fulfillment: ChannelFulfillment, cancelled: bool,
) -> None:
    order = statuses.order(number)
    assert (order.financial_status, order.fulfillment) == (financial, fulfillment)
    assert (order.cancelled_at is not None) is cancelled


def test_gmt_dates_are_used_and_completion_is_the_fulfilment_time(statuses: Export) -> None:
    order = statuses.order("2003")
    assert order.placed_at == datetime(2024, 5, 1, 13, tzinfo=UTC)
    assert order.fulfilled_at == datetime(2024, 5, 3, 8, tzinfo=UTC)
    assert order.lines[0].fulfilled_quantity == 1
    assert statuses.order("2004").cancelled_at == datetime(2024, 5, 2, 13, tzinfo=UTC)


def test_negative_refund_totals_become_positive_refunds(statuses: Export) -> None:
    (refund,) = statuses.order("2005").refunds
    assert (refund.amount, refund.reason) == (Decimal("10.00"), "damaged")


def test_a_bad_order_is_rejected_with_its_json_path(statuses: Export) -> None:
    (reject,) = statuses.rejects
    assert (reject.external_id, reject.field) == ("2009", "line_items[0].quantity")
    assert reject.reason == 'line_items[0].quantity: "lots" is not a whole number'


@pytest.fixture(scope="module")
def single() -> Export:
    return read_export(fixture("woocommerce/order_single_prices_include_tax.json"),
                       timezone="Europe/Berlin")


def test_a_single_order_object_is_read_and_number_is_the_external_id(single: Export) -> None:
    (order,) = single.orders
    assert (order.external_id, order.channel_order_id, order.currency) == ("W-1042", "1042", "EUR")


def test_site_local_dates_without_gmt_use_the_store_zone(single: Export) -> None:
    assert single.orders[0].placed_at == datetime(2024, 7, 1, 8, tzinfo=UTC)


def test_prices_including_tax_are_given_tax_inclusive_and_add_up(single: Export) -> None:
    order = single.orders[0]
    assert order.taxes_included is True
    assert (order.subtotal, order.discount, order.shipping, order.tax, order.total) == (
        Decimal("23.80"), Decimal("5.95"), Decimal("5.00"), Decimal("3.65"), Decimal("22.85")
    )
    assert order.total == order.subtotal - order.discount + order.shipping


def test_lines_use_html_free_names_and_the_variation_as_channel_key(single: Export) -> None:
    (line,) = single.orders[0].lines
    assert (line.name, line.sku, line.channel_key, line.quantity) == (
        "Becher & Deckel", None, "78", 2
    )
    assert (line.unit_price, line.discount, line.tax) == (
        Decimal("11.90"), Decimal("5.95"), Decimal("2.85")
    )


def test_an_order_without_a_shipping_address_ships_to_billing(single: Export) -> None:
    order = single.orders[0]
    assert (order.ship_to.name, order.ship_to.line1, order.ship_to.country) == (
        "Jonas Weber", "Hauptstr. 5", "DE"
    )
    assert (order.email, order.note, order.financial_status) == (
        "jonas@example.de", "Bitte klingeln", FinancialStatus.PENDING
    )


@pytest.fixture(scope="module")
def plugin() -> Export:
    return read_export(fixture("woocommerce/advanced_order_export.csv"), timezone="America/Denver")


def test_the_plugin_csv_gives_one_order_per_order_number(plugin: Export) -> None:
    assert plugin.format.name == "woocommerce_csv"
    assert [order.external_id for order in plugin.orders] == ["5120", "5121"]
    assert plugin.rejects == []


def test_repeated_order_columns_are_not_summed_over_product_rows(plugin: Export) -> None:
    order = plugin.order("5120")
    assert (order.subtotal, order.shipping, order.tax, order.discount, order.total) == (
        Decimal("45"), Decimal("6"), Decimal("3.6"), Decimal("5"), Decimal("49.6")
    )
    assert [(line.line_key, line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("1", "SOAP-LAV", 3, Decimal("5")), ("2", None, 2, Decimal("15"))
    ]
    assert order.lines[1].name == 'Bath bomb "Fizz", large'


def test_plugin_dates_are_site_local_and_statuses_are_mapped(plugin: Export) -> None:
    order = plugin.order("5120")
    assert order.placed_at == datetime(2024, 2, 10, 21, 30, tzinfo=UTC)
    assert (order.fulfillment, order.financial_status) == (
        ChannelFulfillment.FULFILLED, FinancialStatus.PAID
    )
    assert plugin.order("5121").fulfillment is ChannelFulfillment.UNFULFILLED


def test_the_plugin_ship_to_falls_back_to_billing(plugin: Export) -> None:
    assert plugin.order("5121").ship_to.line1 == "3 Lake Rd"
    assert plugin.order("5120").ship_to.postcode == "80202"
