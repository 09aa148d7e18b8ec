"""Shopify Admin API order JSON, single and listed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from channel_exports import read_export

from oms_cli.domain.orders import ChannelFulfillment, FinancialStatus


def order_json(**changes: object) -> dict[str, object]:
    order: dict[str, object] = {
        "id": 820982911946154500, "name": "#1002", "order_number": 1002, "email": "a@example.com",
        "created_at": "2024-03-31T09:15:00+01:00", "currency": "GBP", "subtotal_price": "100.00",
        "total_tax": "16.67", "total_discounts": "0.00", "total_price": "104.99",
        "taxes_included": True, "financial_status": "paid", "fulfillment_status": "partial",
        "cancelled_at": None, "test": False, "gateway": "shopify_payments", "source_name": "web",
        "tags": "", "note": None,
        "shipping_lines": [{"price": "4.99"}],
        "shipping_address": {"name": "Ann", "address1": "1 High St", "city": "London",
                             "zip": "SW1A 1AA", "country": "United Kingdom", "country_code": "GB"},
        "line_items": [
            {"id": 11, "sku": "A", "name": "Alpha", "quantity": 2, "price": "30.00",
             "total_discount": "0.00", "fulfillment_status": "fulfilled", "fulfillable_quantity": 0,
             "tax_lines": [{"price": "10.00"}]},
            {"id": 12, "sku": "", "name": "Beta - Large", "quantity": 3, "price": "13.33",
             "total_discount": "0.00", "fulfillment_status": "partial", "fulfillable_quantity": 1,
             "tax_lines": []},
        ],
        "fulfillments": [{"status": "success", "created_at": "2024-04-01T10:00:00+01:00"},
                         {"status": "cancelled", "created_at": "2024-04-03T10:00:00+01:00"}],
        "refunds": [],
    }
    order.update(changes)
    return order


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(document, indent=2))
    return path


def test_a_list_of_orders_is_read_with_string_money_as_decimal(tmp_path: Path) -> None:
    second = order_json(name="#1003", financial_status="pending", fulfillment_status=None)
    export = read_export(write(tmp_path, {"orders": [order_json(), second]}))
    assert export.format.name == "shopify_json"
    first = export.order("#1002")
    assert (first.total, first.shipping, first.taxes_included) == (
        Decimal("104.99"), Decimal("4.99"), True
    )
    assert first.placed_at == datetime(2024, 3, 31, 8, 15, tzinfo=UTC)
    assert export.order("#1003").financial_status is FinancialStatus.PENDING


def test_a_null_fulfillment_status_means_unfulfilled(tmp_path: Path) -> None:
    export = read_export(write(tmp_path, {"order": order_json(fulfillment_status=None)}))
    assert export.orders[0].fulfillment is ChannelFulfillment.UNFULFILLED
    assert export.orders[0].fulfilled_at is None


def test_line_ids_are_line_keys_and_fulfilment_is_counted_per_line(tmp_path: Path) -> None:
    (order,) = read_export(write(tmp_path, {"order": order_json()})).orders
    lines = order.lines
    assert [(line.line_key, line.sku, line.channel_key, line.fulfilled_quantity, line.tax)
            for line in lines] == [
        ("11", "A", None, 2, Decimal("10.00")),
        ("12", None, "Beta - Large", 2, Decimal(0)),
    ]
    assert order.fulfillment is ChannelFulfillment.PARTIAL
    assert order.fulfilled_at == datetime(2024, 4, 1, 9, tzinfo=UTC)


def test_a_test_order_is_flagged_from_the_test_field(tmp_path: Path) -> None:
    (order,) = read_export(write(tmp_path, {"order": order_json(test=True)})).orders
    assert order.is_test


def test_a_bad_line_rejects_the_order_with_the_json_path(tmp_path: Path) -> None:
    bad = order_json(name="#9")
    bad["line_items"] = [{"id": 1, "sku": "A", "quantity": "two", "price": "1.00"}]
    export = read_export(write(tmp_path, {"orders": [order_json(), bad]}))
    assert [order.external_id for order in export.orders] == ["#1002"]
    (reject,) = export.rejects
    assert reject.reason == 'line_items[0].quantity: "two" is not a whole number'
    assert (reject.external_id, json.loads(reject.raw)["name"]) == ("#9", "#9")
    assert reject.line > 2


def test_a_record_that_is_not_an_object_is_rejected(tmp_path: Path) -> None:
    export = read_export(write(tmp_path, {"orders": [order_json(), 42]}))
    assert [reject.reason for reject in export.rejects] == ["not an order object"]
