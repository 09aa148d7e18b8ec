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
    fields = _Fields(table)
    groups = group_rows(table, fields.name.text, key_field="Name")
    yield from build_each(groups, lambda group: _order(group, fields, options, zone))


class _Fields:
    """The columns an order is read from, found in the header once per file."""

    def __init__(self, table: Table) -> None:
        field = table.field
        self.name = field("Name")
        self.subtotal = field("Subtotal")
        self.shipping = field("Shipping")
        self.taxes = field("Taxes")
        self.total = field("Total")
        self.financial_status = field("Financial Status")
        self.fulfillment_status = field("Fulfillment Status")
        self.created_at = field("Created at")
        self.currency = field("Currency")
        self.id = field("Id")
        self.discount_amount = field("Discount Amount")
        self.refunded_amount = field("Refunded Amount")
        self.fulfilled_at = field("Fulfilled at")
        self.cancelled_at = field("Cancelled at")
        self.email = field("Email")
        self.customer_name = field("Billing Name", "Shipping Name")
        self.phone = field("Phone", "Shipping Phone", "Billing Phone")
        self.tags = field("Tags")
        self.notes = field("Notes")
        self.source = field("Source")
        self.risk_level = field("Risk Level")
        self.payment_method = field("Payment Method")
        self.ship_name = field("Shipping Name")
        self.ship_company = field("Shipping Company")
        self.ship_line1 = field("Shipping Address1", "Shipping Street")
        self.ship_line2 = field("Shipping Address2")
        self.ship_city = field("Shipping City")
        self.ship_region = field("Shipping Province")
        self.ship_zip = field("Shipping Zip")
        self.ship_country = field("Shipping Country")
        self.ship_phone = field("Shipping Phone")
        self.line_name = field("Lineitem name")
        self.line_sku = field("Lineitem sku")
        self.line_quantity = field("Lineitem quantity")
        self.line_status = field("Lineitem fulfillment status")
        self.line_price = field("Lineitem price")
        self.line_discount = field("Lineitem discount")
        self.line_requires_shipping = field("Lineitem requires shipping")


def _order(group: Group[Row], fields: _Fields, options: ParseOptions,
           zone: tzinfo) -> ParsedOrder:
    first = group.rows[0]
    subtotal = cells.amount(fields.subtotal.cell(first))
    shipping = cells.amount(fields.shipping.cell(first))
    tax = cells.amount(fields.taxes.cell(first))
    total = cells.amount(fields.total.cell(first))
    financial_status = fields.financial_status.text(first)
    fulfillment_status = fields.fulfillment_status.text(first)
    fulfillment = _FULFILLMENT.get((fulfillment_status or "").lower(),
                                   ChannelFulfillment.UNFULFILLED)
    order = ParsedOrder(
        external_id=group.key,
        placed_at=cells.timestamp(fields.created_at.cell(first), zone),
        currency=cells.currency(fields.currency.cell(first), options.default_currency),
        channel_order_id=fields.id.text(first),
        subtotal=subtotal,
        shipping=shipping,
        tax=tax,
        discount=abs(cells.amount(fields.discount_amount.cell(first), allow_negative=True)),
        total=total,
        # Tax-inclusive stores: the VAT in Taxes is already inside Subtotal and Total.
        taxes_included=tax > 0 and total == subtotal + shipping,
        refunds=_refunds(fields.refunded_amount.cell(first)),
        financial_status=_FINANCIAL.get((financial_status or "").lower(),
                                        FinancialStatus.UNKNOWN),
        fulfillment=fulfillment,
        fulfilled_at=cells.optional_timestamp(fields.fulfilled_at.cell(first), zone),
        cancelled_at=cells.optional_timestamp(fields.cancelled_at.cell(first), zone),
        email=fields.email.text(first),
        customer_name=fields.customer_name.text(first),
        phone=strip_apostrophe(fields.phone.text(first)),
        ship_to=_ship_to(first, fields),
        tags=fields.tags.text(first),
        note=fields.notes.text(first),
        source=fields.source.text(first),
        risk_level=(fields.risk_level.text(first) or "").lower() or None,
        payment_method=fields.payment_method.text(first),
        raw_status=cells.joined(financial_status, fulfillment_status, separator="/"),
    )
    order.is_test = _is_test(order)
    order.lines = [
        _line(position, row, fields, fulfillment)
        for position, row in enumerate(group.rows, start=1)
    ]
    return order


def _line(position: int, row: Row, fields: _Fields,
          fulfillment: ChannelFulfillment) -> ParsedLine:
    name = fields.line_name.text(row)
    sku = fields.line_sku.text(row)
    if name is None and sku is None:
        raise cells.FieldError(fields.line_name.cell(row), "is missing (and so is Lineitem sku)")
    units = cells.quantity(fields.line_quantity.cell(row))
    line_status = fields.line_status.text(row)
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
        unit_price=cells.amount(fields.line_price.cell(row)),
        discount=abs(cells.amount(fields.line_discount.cell(row), allow_negative=True)),
        requires_shipping=cells.flag(fields.line_requires_shipping.cell(row), True),
        fulfilled_quantity=units if shipped else 0,
    )


def _ship_to(row: Row, fields: _Fields) -> Address:
    return address(
        name=fields.ship_name.text(row),
        company=fields.ship_company.text(row),
        line1=fields.ship_line1.text(row),
        line2=fields.ship_line2.text(row),
        city=fields.ship_city.text(row),
        region=fields.ship_region.text(row),
        postcode_text=fields.ship_zip.text(row),
        country=fields.ship_country.text(row),
        phone_text=fields.ship_phone.text(row),
    )


def _refunds(cell: Cell) -> list[Refund]:
    refunded = cells.amount(cell)
    return [Refund(amount=refunded)] if refunded > Decimal(0) else []


def _is_test(order: ParsedOrder) -> bool:
    if "bogus gateway" in (order.payment_method or "").lower():
        return True
    return order.tags is not None and "test" in {tag.strip().lower()
                                                 for tag in order.tags.split(",")}


FORMAT = ChannelFormat(
    name="shopify_csv",
    platform="shopify",
    title=TITLE,
    detects=detects,
    parse=parse,
)
