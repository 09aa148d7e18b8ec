"""Shopify Admin REST API orders: ``{"order": {...}}`` or ``{"orders": [...]}``.

Money comes as strings; refunds are dated and their amount is the sum of their
refund transactions; ``refund_line_items`` say how many units of which line were
refunded. ``fulfillment_status`` null means unfulfilled. Line ids are line keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import BinaryIO

from oms_cli.channels import cells
from oms_cli.channels.base import ChannelFormat, Head, Parsed, ParseOptions, build_each
from oms_cli.channels.grouping import Group
from oms_cli.channels.jsondoc import JsonFields, json_records, read_json
from oms_cli.channels.places import address, strip_apostrophe
from oms_cli.domain.orders import (
    Address,
    ChannelFulfillment,
    FinancialStatus,
    ParsedLine,
    ParsedOrder,
    Refund,
    RejectedRecord,
)

_TOP_KEY = re.compile(r'^\s*\{\s*"orders?"\s*:\s*[\[{]')
_FINANCIAL = {status.value: status for status in FinancialStatus} | {
    "expired": FinancialStatus.VOIDED,
}
_FULFILLMENT = {
    "fulfilled": ChannelFulfillment.FULFILLED,
    "partial": ChannelFulfillment.PARTIAL,
}


def detects(head: Head) -> bool:
    text = head.text
    return (
        bool(_TOP_KEY.match(text))
        and '"line_items"' in text
        and any(key in text for key in ('"financial_status"', '"total_price"'))
    )


def parse(stream: BinaryIO, options: ParseOptions) -> Iterator[Parsed]:
    """Orders of a Shopify API response, in document order."""
    zone = options.zone()
    groups = (_group(record.line, record.raw, record.value)
              for record in json_records(read_json(stream), ["orders"], ["order"]))
    yield from build_each(groups, lambda group: _order(group.rows[0], options, zone))


def _group(line: int, raw: str, value: object) -> Group[JsonFields] | RejectedRecord:
    fields = JsonFields(value, line=line, raw=raw)
    if not fields.is_object():
        return RejectedRecord(line, "not an order object", raw)
    key = fields.get("name", "order_number")
    if key is None:
        return RejectedRecord(line, "name: missing order id", raw, "name")
    return Group(key, [fields])


def _order(fields: JsonFields, options: ParseOptions, zone: tzinfo) -> ParsedOrder:
    refunds = [_refund(refund, zone) for refund in fields.children("refunds")]
    refunded_units = _refunded_units(fields)
    fulfillment = _FULFILLMENT.get(fields.get("fulfillment_status") or "",
                                   ChannelFulfillment.UNFULFILLED)
    customer = fields.child("customer")
    order = ParsedOrder(
        external_id=str(fields.get("name", "order_number")),
        placed_at=cells.timestamp(fields.cell("created_at", "processed_at"), zone),
        currency=cells.currency(fields.cell("currency"), options.default_currency),
        channel_order_id=fields.get("id"),
        subtotal=cells.amount(fields.cell("subtotal_price")),
        shipping=_sum(fields.children("shipping_lines"), "price"),
        tax=cells.amount(fields.cell("total_tax")),
        discount=cells.amount(fields.cell("total_discounts")),
        total=cells.amount(fields.cell("total_price")),
        taxes_included=cells.flag(fields.cell("taxes_included"), False),
        refunds=refunds,
        financial_status=_FINANCIAL.get(fields.get("financial_status") or "",
                                        FinancialStatus.UNKNOWN),
        fulfillment=fulfillment,
        fulfilled_at=_fulfilled_at(fields, fulfillment, zone),
        cancelled_at=cells.optional_timestamp(fields.cell("cancelled_at"), zone),
        email=fields.get("email", "contact_email", "customer.email"),
        customer_name=cells.joined(customer.get("first_name"), customer.get("last_name"))
        or fields.get("billing_address.name", "shipping_address.name"),
        phone=strip_apostrophe(fields.get("phone", "shipping_address.phone", "customer.phone")),
        ship_to=_address(fields.child("shipping_address")),
        tags=fields.get("tags"),
        note=fields.get("note"),
        source=fields.get("source_name"),
        payment_method=fields.get("gateway")
        or cells.joined(*fields.texts("payment_gateway_names"), separator=", "),
        raw_status=cells.joined(fields.get("financial_status"),
                                fields.get("fulfillment_status") or "unfulfilled", separator="/"),
        is_test=cells.flag(fields.cell("test"), False),
    )
    order.lines = [_line(line, refunded_units) for line in fields.children("line_items")]
    return order


def _line(fields: JsonFields, refunded_units: dict[str, int]) -> ParsedLine:
    key = cells.required(fields.cell("id"))
    sku = fields.get("sku")
    name = fields.get("name", "title") or ""
    units = cells.quantity(fields.cell("quantity"))
    status = fields.get("fulfillment_status")
    refunded = min(units, refunded_units.get(key, 0))
    if status == "fulfilled":
        shipped = units
    elif status == "partial":
        unshipped = cells.quantity(fields.cell("fulfillable_quantity"), allow_zero=True)
        shipped = max(0, units - unshipped - refunded)
    else:
        shipped = 0
    return ParsedLine(
        line_key=key,
        quantity=units,
        name=name,
        sku=sku,
        channel_key=None if sku else name,
        unit_price=cells.amount(fields.cell("price")),
        discount=cells.amount(fields.cell("total_discount")),
        tax=_sum(fields.children("tax_lines"), "price"),
        requires_shipping=cells.flag(fields.cell("requires_shipping"), True),
        fulfilled_quantity=shipped,
        refunded_quantity=refunded,
    )


def _refund(fields: JsonFields, zone: tzinfo) -> Refund:
    paid_back = sum(
        (
            cells.amount(transaction.cell("amount"))
            for transaction in fields.children("transactions")
            if transaction.get("kind") == "refund"
            and transaction.get("status") in (None, "success")
        ),
        Decimal(0),
    )
    return Refund(
        amount=paid_back,
        at=cells.optional_timestamp(fields.cell("created_at", "processed_at"), zone),
        reason=fields.get("note"),
    )


def _refunded_units(fields: JsonFields) -> dict[str, int]:
    units: dict[str, int] = {}
    for refund in fields.children("refunds"):
        for item in refund.children("refund_line_items"):
            key = item.get("line_item_id")
            if key is not None:
                units[key] = units.get(key, 0) + cells.quantity(item.cell("quantity"))
    return units


def _fulfilled_at(
    fields: JsonFields, fulfillment: ChannelFulfillment, zone: tzinfo
) -> datetime | None:
    if fulfillment is ChannelFulfillment.UNFULFILLED:
        return None
    times = [
        cells.timestamp(shipment.cell("created_at"), zone)
        for shipment in fields.children("fulfillments")
        if shipment.get("status") in (None, "success") and shipment.get("created_at")
    ]
    return max(times, default=None)


def _sum(items: list[JsonFields], name: str) -> Decimal:
    return sum((cells.amount(item.cell(name)) for item in items), Decimal(0))


def _address(fields: JsonFields) -> Address:
    return address(
        name=fields.get("name") or cells.joined(fields.get("first_name"), fields.get("last_name")),
        company=fields.get("company"),
        line1=fields.get("address1"),
        line2=fields.get("address2"),
        city=fields.get("city"),
        region=fields.get("province_code", "province"),
        postcode_text=fields.get("zip"),
        country=fields.get("country_code", "country"),
        phone_text=fields.get("phone"),
    )


FORMAT = ChannelFormat(
    name="shopify_json",
    platform="shopify",
    title="Shopify Admin API orders (JSON)",
    detects=detects,
    parse=parse,
)
