"""Shopify's orders export (Admin -> Orders -> Export), one row per line item.

Columns are mapped by name, so every header generation reads (47, 72 and 79
columns, and users' cut-down copies): only ``Name``, ``Lineitem quantity`` and
``Lineitem name`` or ``Lineitem sku`` are required. The first row of an order
carries its money, status and addresses; continuation rows repeat ``Name`` and the
``Lineitem`` cells and leave the rest blank, so order fields come from the first
row and ``Total`` is never summed over rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo
from decimal import Decimal
from typing import BinaryIO

from oms_cli.channels import cells
from oms_cli.channels.base import (
    ChannelFormat,
    Head,
    Parsed,
    ParseOptions,
    build_each,
    require_columns,
)
from oms_cli.channels.cells import Cell
from oms_cli.channels.grouping import Group, group_rows
from oms_cli.channels.places import address, strip_apostrophe
from oms_cli.channels.table import Row, Table
from oms_cli.domain.orders import (
    Address,
    ChannelFulfillment,
    FinancialStatus,
    ParsedLine,
    ParsedOrder,
    Refund,
)

TITLE = "Shopify orders export"

_FINANCIAL = {status.value: status for status in FinancialStatus} | {
    "expired": FinancialStatus.VOIDED,
}
_FULFILLMENT = {
    "fulfilled": ChannelFulfillment.FULFILLED,
    "partial": ChannelFulfillment.PARTIAL,
    "partially_fulfilled": ChannelFulfillment.PARTIAL,
}


def detects(head: Head) -> bool:
    # Squarespace's export looks alike but is keyed by "Order ID", not "Name".
    return (
        head.has("Name", "Lineitem quantity")
        and head.has_any("Lineitem name", "Lineitem sku")
        and not head.has("Order ID")
    )


def parse(stream: BinaryIO, options: ParseOptions) -> Iterator[Parsed]:
    """Orders of a Shopify export, in file order; rows of one order must be together."""
    table = Table(stream, delimiter=options.delimiter)
    require_columns(table, TITLE, "Name", "Lineitem quantity", ("Lineitem name", "Lineitem sku"))
    zone = options.zone()
    groups = group_rows(table, lambda row: row.get("Name"), key_field="Name")
    yield from build_each(groups, lambda group: _order(group, options, zone))


def _order(group: Group[Row], options: ParseOptions, zone: tzinfo) -> ParsedOrder:
    first = group.rows[0]
    subtotal = cells.amount(first.cell("Subtotal"))
    shipping = cells.amount(first.cell("Shipping"))
    tax = cells.amount(first.cell("Taxes"))
    total = cells.amount(first.cell("Total"))
    fulfillment = _FULFILLMENT.get((first.get("Fulfillment Status") or "").lower(),
                                   ChannelFulfillment.UNFULFILLED)
    order = ParsedOrder(
        external_id=group.key,
        placed_at=cells.timestamp(first.cell("Created at"), zone),
        currency=cells.currency(first.cell("Currency"), options.default_currency),
        channel_order_id=first.get("Id"),
        subtotal=subtotal,
        shipping=shipping,
        tax=tax,
        discount=abs(cells.amount(first.cell("Discount Amount"), allow_negative=True)),
        total=total,
        # Tax-inclusive stores: the VAT in Taxes is already inside Subtotal and Total.
        taxes_included=tax > 0 and total == subtotal + shipping,
        refunds=_refunds(first.cell("Refunded Amount")),
        financial_status=_FINANCIAL.get((first.get("Financial Status") or "").lower(),
                                        FinancialStatus.UNKNOWN),
        fulfillment=fulfillment,
        fulfilled_at=cells.optional_timestamp(first.cell("Fulfilled at"), zone),
        cancelled_at=cells.optional_timestamp(first.cell("Cancelled at"), zone),
        email=first.get("Email"),
        customer_name=first.get("Billing Name", "Shipping Name"),
        phone=strip_apostrophe(first.get("Phone", "Shipping Phone", "Billing Phone")),
        ship_to=_ship_to(first),
        tags=first.get("Tags"),
        note=first.get("Notes"),
        source=first.get("Source"),
        risk_level=(first.get("Risk Level") or "").lower() or None,
        payment_method=first.get("Payment Method"),
        raw_status=cells.joined(first.get("Financial Status"), first.get("Fulfillment Status"),
                                separator="/"),
    )
    order.is_test = _is_test(order)
    order.lines = [
        _line(position, row, fulfillment)
        for position, row in enumerate(group.rows, start=1)
    ]
    return order


def _line(position: int, row: Row, fulfillment: ChannelFulfillment) -> ParsedLine:
    name = row.get("Lineitem name")
    sku = row.get("Lineitem sku")
    if name is None and sku is None:
        raise cells.FieldError(row.cell("Lineitem name"), "is missing (and so is Lineitem sku)")
    units = cells.quantity(row.cell("Lineitem quantity"))
    line_status = row.get("Lineitem fulfillment status")
    if line_status is not None:
        shipped = line_status.lower() == "fulfilled"
    else:  # older or cut-down exports: the order's own status speaks for its lines
        shipped = fulfillment is ChannelFulfillment.FULFILLED
    return ParsedLine(
        line_key=str(position),
        quantity=units,
        name=name or sku or "",
        sku=sku,
        channel_key=None if sku else name,
        unit_price=cells.amount(row.cell("Lineitem price")),
        discount=abs(cells.amount(row.cell("Lineitem discount"), allow_negative=True)),
        requires_shipping=cells.flag(row.cell("Lineitem requires shipping"), True),
        fulfilled_quantity=units if shipped else 0,
    )


def _ship_to(row: Row) -> Address:
    return address(
        name=row.get("Shipping Name"),
        company=row.get("Shipping Company"),
        line1=row.get("Shipping Address1", "Shipping Street"),
        line2=row.get("Shipping Address2"),
        city=row.get("Shipping City"),
        region=row.get("Shipping Province"),
        postcode_text=row.get("Shipping Zip"),
        country=row.get("Shipping Country"),
        phone_text=row.get("Shipping Phone"),
    )


def _refunds(cell: Cell) -> list[Refund]:
    refunded = cells.amount(cell)
    return [Refund(amount=refunded)] if refunded > Decimal(0) else []


def _is_test(order: ParsedOrder) -> bool:
    tags = {tag.strip().lower() for tag in (order.tags or "").split(",")}
    return "bogus gateway" in (order.payment_method or "").lower() or "test" in tags


FORMAT = ChannelFormat(
    name="shopify_csv",
    platform="shopify",
    title=TITLE,
    detects=detects,
    parse=parse,
)
