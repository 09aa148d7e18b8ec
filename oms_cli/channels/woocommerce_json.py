"""WooCommerce REST API v3 orders: a list of order objects, or a single one.

Money is strings, except ``line_items[].price``, a number. ``date_created`` is
site-local with no offset, so the ``*_gmt`` twins are used (UTC), and the local
one only as a fallback, in the store's zone. Refund totals are negative strings.
``number`` is the order number merchants see (sequential-number plugins make it
differ from ``id``). Line amounts in the API exclude tax; with
``prices_include_tax`` the order is given tax-inclusive, as its shop shows it.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import BinaryIO

from oms_cli.channels import cells
from oms_cli.channels.base import ChannelFormat, Head, Parsed, ParseOptions, build_each
from oms_cli.channels.grouping import Group
from oms_cli.channels.jsondoc import JsonFields, json_records, read_json
from oms_cli.channels.places import address
from oms_cli.domain.dates import zone_named
from oms_cli.domain.orders import (
    Address,
    ChannelFulfillment,
    FinancialStatus,
    ParsedLine,
    ParsedOrder,
    Refund,
    RejectedRecord,
)

_UTC = zone_named("UTC")


@dataclass(frozen=True, slots=True)
class WooStatus:
    """What a WooCommerce order status says about payment, shipping and cancellation."""

    financial: FinancialStatus
    fulfillment: ChannelFulfillment
    cancelled: bool


_STATUSES = {
    "pending": WooStatus(FinancialStatus.PENDING, ChannelFulfillment.UNFULFILLED, False),
    "on-hold": WooStatus(FinancialStatus.PENDING, ChannelFulfillment.UNFULFILLED, False),
    "checkout-draft": WooStatus(FinancialStatus.PENDING, ChannelFulfillment.UNFULFILLED, False),
    "processing": WooStatus(FinancialStatus.PAID, ChannelFulfillment.UNFULFILLED, False),
    "completed": WooStatus(FinancialStatus.PAID, ChannelFulfillment.FULFILLED, False),
    "cancelled": WooStatus(FinancialStatus.VOIDED, ChannelFulfillment.UNFULFILLED, True),
    "failed": WooStatus(FinancialStatus.VOIDED, ChannelFulfillment.UNFULFILLED, True),
    "trash": WooStatus(FinancialStatus.VOIDED, ChannelFulfillment.UNFULFILLED, True),
    "refunded": WooStatus(FinancialStatus.REFUNDED, ChannelFulfillment.UNFULFILLED, True),
}
_UNKNOWN = WooStatus(FinancialStatus.UNKNOWN, ChannelFulfillment.UNFULFILLED, False)


def woo_status(text: str | None, *, completed: bool = False) -> WooStatus:
    """Map a status (``completed``, ``wc-completed``, ``Completed``) to ours.

    A refunded order that had been completed is history that shipped, not a cancellation.
    """
    key = (text or "").strip().lower().removeprefix("wc-")
    status = _STATUSES.get(key, _UNKNOWN)
    if key == "refunded" and completed:
        return WooStatus(FinancialStatus.REFUNDED, ChannelFulfillment.FULFILLED, False)
    return status


def detects(head: Head) -> bool:
    text = head.text
    return '"line_items"' in text and any(
        marker in text for marker in ('"date_created_gmt"', '"order_key"', '"prices_include_tax"')
    )


def parse(stream: BinaryIO, options: ParseOptions) -> Iterator[Parsed]:
    """Orders of a WooCommerce API response, in document order."""
    zone = options.zone()
    records = json_records(read_json(stream), ["orders"], ["order"], [])
    groups = (_group(record.line, record.raw, record.value) for record in records)
    yield from build_each(groups, lambda group: _order(group.rows[0], options, zone))


def _group(line: int, raw: str, value: object) -> Group[JsonFields] | RejectedRecord:
    fields = JsonFields(value, line=line, raw=raw)
    if not fields.is_object():
        return RejectedRecord(line, "not an order object", raw)
    key = fields.get("number", "id")
    if key is None:
        return RejectedRecord(line, "number: missing order id", raw, "number")
    return Group(key, [fields])


def _order(fields: JsonFields, options: ParseOptions, zone: tzinfo) -> ParsedOrder:
    inclusive = cells.flag(fields.cell("prices_include_tax"), False)
    currency = cells.currency(fields.cell("currency"), options.default_currency)
    completed_at = _when(fields, "date_completed", zone)
    status = woo_status(fields.get("status"), completed=completed_at is not None)
    shipped = status.fulfillment is ChannelFulfillment.FULFILLED
    lines = [_line(item, inclusive, currency, shipped) for item in fields.children("line_items")]
    refunds = [_refund(refund) for refund in fields.children("refunds")]
    financial = status.financial
    if refunds and financial is FinancialStatus.PAID:
        financial = FinancialStatus.PARTIALLY_REFUNDED
    billing = fields.child("billing")
    shipping_tax = cells.amount(fields.cell("shipping_tax")) if inclusive else Decimal(0)
    discount_tax = cells.amount(fields.cell("discount_tax")) if inclusive else Decimal(0)
    return ParsedOrder(
        external_id=str(fields.get("number", "id")),
        placed_at=_placed_at(fields, zone),
        currency=currency,
        lines=lines,
        channel_order_id=fields.get("id"),
        subtotal=sum((_line_subtotal(item, inclusive) for item in fields.children("line_items")),
                     Decimal(0)),
        shipping=cells.amount(fields.cell("shipping_total")) + shipping_tax,
        tax=cells.amount(fields.cell("total_tax")),
        discount=cells.amount(fields.cell("discount_total")) + discount_tax,
        total=cells.amount(fields.cell("total")),
        taxes_included=inclusive,
        refunds=refunds,
        financial_status=financial,
        fulfillment=status.fulfillment,
        fulfilled_at=completed_at if shipped else None,
        cancelled_at=_when(fields, "date_modified", zone) if status.cancelled else None,
        email=billing.get("email"),
        customer_name=cells.joined(billing.get("first_name"), billing.get("last_name")),
        phone=billing.get("phone"),
        ship_to=_ship_to(fields),
        note=fields.get("customer_note"),
        source=fields.get("created_via"),
        payment_method=fields.get("payment_method_title", "payment_method"),
        raw_status=fields.get("status"),
    )


def _line(item: JsonFields, inclusive: bool, currency: str, shipped: bool) -> ParsedLine:
    units = cells.quantity(item.cell("quantity"))
    subtotal = _line_subtotal(item, inclusive)
    total = cells.amount(item.cell("total"))
    tax = cells.amount(item.cell("total_tax"))
    if inclusive:
        total += tax
    if item.get("subtotal") is None:
        unit = cells.amount(item.cell("price"))
    else:
        unit = cells.unit_price(subtotal, units, currency)
    sku = item.get("sku")
    product = item.get("variation_id") if item.get("variation_id") not in (None, "0") else None
    return ParsedLine(
        line_key=cells.required(item.cell("id")),
        quantity=units,
        name=html.unescape(item.get("name") or ""),
        sku=sku,
        channel_key=None if sku else product or item.get("product_id"),
        unit_price=unit,
        discount=max(Decimal(0), subtotal - total) if item.get("subtotal") else Decimal(0),
        tax=tax,
        fulfilled_quantity=units if shipped else 0,
    )


def _line_subtotal(item: JsonFields, inclusive: bool) -> Decimal:
    subtotal = cells.amount(item.cell("subtotal"))
    return subtotal + cells.amount(item.cell("subtotal_tax")) if inclusive else subtotal


def _refund(refund: JsonFields) -> Refund:
    return Refund(
        amount=abs(cells.amount(refund.cell("total"), allow_negative=True)),
        reason=refund.get("reason", "refund"),
    )


def _placed_at(fields: JsonFields, zone: tzinfo) -> datetime:
    if fields.get("date_created_gmt"):
        return cells.timestamp(fields.cell("date_created_gmt"), _UTC)
    return cells.timestamp(fields.cell("date_created"), zone)


def _when(fields: JsonFields, name: str, zone: tzinfo) -> datetime | None:
    if fields.get(f"{name}_gmt"):
        return cells.timestamp(fields.cell(f"{name}_gmt"), _UTC)
    return cells.optional_timestamp(fields.cell(name), zone)


def _ship_to(fields: JsonFields) -> Address:
    # WooCommerce ships to the billing address when no shipping address was entered.
    shipping = fields.child("shipping")
    if shipping.get("address_1") is None:
        shipping = fields.child("billing")
    return _address(shipping, fields.get("shipping.phone", "billing.phone"))


def _address(fields: JsonFields, phone: str | None) -> Address:
    return address(
        name=cells.joined(fields.get("first_name"), fields.get("last_name")),
        company=fields.get("company"),
        line1=fields.get("address_1"),
        line2=fields.get("address_2"),
        city=fields.get("city"),
        region=fields.get("state"),
        postcode_text=fields.get("postcode"),
        country=fields.get("country"),
        phone_text=phone,
    )


FORMAT = ChannelFormat(
    name="woocommerce_json",
    platform="woocommerce",
    title="WooCommerce REST API orders (JSON)",
    detects=detects,
    parse=parse,
)
