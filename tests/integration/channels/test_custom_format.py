"""Any other CSV or JSON, read through a column map from the configuration."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from channel_exports import Export, fixture, read_export

from oms_cli.domain.orders import ChannelFulfillment, FinancialStatus
from oms_cli.errors import InvalidInput, NotAnExport

SHOP_MAP = {
    "external_id": "Order Ref", "placed_at": "Date", "sku": "Item Code", "name": "Description",
    "quantity": "Qty", "unit_price": "Each", "customer_name": "Buyer", "email": "Mail",
    "ship_country": "Land", "fulfillment_status": "Status",
}


def read_shop() -> Export:
    return read_export(fixture("custom/shop_orders_semicolon.csv"), format_name="custom",
                       default_currency="EUR", timezone="Europe/Berlin",
                       date_format="%d.%m.%Y %H:%M", column_map=SHOP_MAP)


def test_a_mapped_csv_groups_rows_into_orders_by_external_id() -> None:
    export = read_shop()
    assert [order.external_id for order in export.orders] == ["K-1", "K-2"]
    order = export.order("K-1")
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("BREAD-1", 2, Decimal("4.50")), ("JAM-2", 1, Decimal("3.00"))
    ]
    assert (order.currency, order.total, order.ship_to.country) == ("EUR", Decimal("12.00"), "DE")
    assert order.placed_at == datetime(2024, 4, 3, 12, 5, tzinfo=UTC)


def test_status_words_are_mapped_when_known() -> None:
    export = read_shop()
    assert export.order("K-2").fulfillment is ChannelFulfillment.FULFILLED
    assert export.order("K-1").fulfillment is ChannelFulfillment.UNFULFILLED


def test_a_date_not_in_the_configured_format_is_rejected() -> None:
    (reject,) = read_shop().rejects
    assert (reject.line, reject.external_id) == (5, "K-3")
    assert reject.reason == "Date: \"2024-04-05\" does not match the date format '%d.%m.%Y %H:%M'"


def test_nested_json_is_read_through_key_paths() -> None:
    export = read_export(
        fixture("custom/shop_orders_nested.json"), format_name="custom", json_records="data.orders",
        column_map={"external_id": "ref", "placed_at": "created", "currency": "currency",
                    "email": "buyer.email", "customer_name": "buyer.name", "sku": "item.sku",
                    "quantity": "item.qty", "line_total": "item.total", "total": "grand_total",
                    "shipping": "postage", "financial_status": "status"},
    )
    first, second = export.orders
    assert (first.external_id, first.email, first.total, first.shipping) == (
        "A-100", "kiri@example.nz", Decimal("41.00"), Decimal("5.00")
    )
    assert (first.lines[0].unit_price, first.financial_status) == (Decimal("12.00"),
                                                                   FinancialStatus.PAID)
    assert (second.total, second.financial_status) == (Decimal("12"), FinancialStatus.PENDING)
    assert second.placed_at == datetime(2024, 6, 1, 20, 30, tzinfo=UTC)


def test_a_map_with_unknown_fields_or_without_the_id_is_invalid() -> None:
    with pytest.raises(InvalidInput, match="unknown field"):
        read_export(fixture("custom/shop_orders_semicolon.csv"), format_name="custom",
                    column_map={**SHOP_MAP, "colour": "Colour"})
    with pytest.raises(InvalidInput, match="external_id and placed_at must be mapped"):
        read_export(fixture("custom/shop_orders_semicolon.csv"), format_name="custom",
                    column_map={"sku": "Item Code"})


def test_a_map_naming_columns_the_file_lacks_is_not_this_export(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("ref,when\n1,2024-01-01\n")
    with pytest.raises(NotAnExport, match="lacks: Order Ref, Date"):
        read_export(path, format_name="custom",
                    column_map={"external_id": "Order Ref", "placed_at": "Date"})
