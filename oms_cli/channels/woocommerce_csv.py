"""The CSV of "Advanced Order Export For WooCommerce", the most used free export plugin.

One row per product. By default the plugin repeats the order columns on every
product row (unlike Shopify); with that option off they are on the first row
only. Either way the order is read from its first row and never summed over rows.
``Order Date`` is site-local with no offset: it is read in the store's zone.
No real file was available: the columns follow the plugin's default labels.
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
from oms_cli.channels.grouping import Group, group_rows
from oms_cli.channels.places import address
from oms_cli.channels.table import Row, Table
from oms_cli.channels.woocommerce_json import woo_status
from oms_cli.domain.orders import (
    Address,
    ChannelFulfillment,
    FinancialStatus,
    ParsedLine,
    ParsedOrder,
    Refund,
)

TITLE = "WooCommerce order export (CSV)"
LOOK_BEHIND = 50


def detects(head: Head) -> bool:
    return head.has("Order Number", "Order Status", "Order Date")


def parse(stream: BinaryIO, options: ParseOptions) -> Iterator[Parsed]:
    """Orders of a plugin export, in file order."""
    table = Table(stream, delimiter=options.delimiter)
    require_columns(table, TITLE, "Order Number", "Order Date")
    zone = options.zone()
    groups = group_rows(table, lambda row: row.get("Order Number"), key_field="Order Number",
                        look_behind=LOOK_BEHIND)
    yield from build_each(groups, lambda group: _order(group, options, zone))


def _order(group: Group[Row], options: ParseOptions, zone: tzinfo) -> ParsedOrder:
    first = group.rows[0]
    currency = cells.currency(first.cell("Order Currency", "Currency"), options.default_currency)
    status = woo_status(first.get("Order Status"))
    shipped = status.fulfillment is ChannelFulfillment.FULFILLED
    lines = [
        _line(position, row, currency, shipped)
        for position, row in enumerate(group.rows, start=1)
        if row.get("SKU", "Item Name", "Product Name", "Quantity", "Qty") is not None
    ]
    refunded = abs(cells.amount(first.cell("Order Refund Amount"), allow_negative=True))
    financial = status.financial
    if refunded and financial is FinancialStatus.PAID:
        financial = FinancialStatus.PARTIALLY_REFUNDED
    subtotal_cell = first.cell("Order Subtotal Amount")
    placed_at = cells.timestamp(first.cell("Order Date"), zone)
    return ParsedOrder(
        external_id=group.key,
        placed_at=placed_at,
        currency=currency,
        lines=lines,
        subtotal=cells.amount(subtotal_cell) if subtotal_cell.value is not None
        else sum((line.unit_price * line.quantity for line in lines), Decimal(0)),
        shipping=cells.amount(first.cell("Order Shipping Amount")),
        tax=cells.amount(first.cell("Order Total Tax Amount")),
        discount=abs(cells.amount(first.cell("Cart Discount Amount", "Order Discount Amount"),
                                  allow_negative=True)),
        total=cells.amount(first.cell("Order Total Amount")),
        refunds=[Refund(amount=refunded)] if refunded else [],
        financial_status=financial,
        fulfillment=status.fulfillment,
        cancelled_at=placed_at if status.cancelled else None,
        email=first.get("Email (Billing)"),
        customer_name=cells.joined(first.get("First Name (Billing)"),
                                   first.get("Last Name (Billing)")),
        phone=first.get("Phone (Billing)"),
        ship_to=_ship_to(first),
        note=first.get("Customer Note"),
        payment_method=first.get("Payment Method Title"),
        raw_status=first.get("Order Status"),
    )


def _line(position: int, row: Row, currency: str, shipped: bool) -> ParsedLine:
    units = cells.quantity(row.cell("Quantity", "Qty"))
    unit_cell = row.cell("Item Cost", "Item Price")
    if unit_cell.value is not None:
        unit = cells.amount(unit_cell)
    else:
        unit = cells.unit_price(cells.amount(row.cell("Order Line Total")), units, currency)
    sku = row.get("SKU")
    name = row.get("Item Name", "Product Name")
    if sku is None and name is None:
        raise cells.FieldError(row.cell("Item Name", "Product Name"), "is missing (and so is SKU)")
    return ParsedLine(
        line_key=row.get("Item #", "Item ID") or str(position),
        quantity=units,
        name=name or sku or "",
        sku=sku,
        channel_key=None if sku else row.get("Variation Id", "Product Id") or name,
        unit_price=unit,
        tax=cells.amount(row.cell("Item Tax Total", "Order Line Tax")),
        fulfilled_quantity=units if shipped else 0,
    )


def _ship_to(row: Row) -> Address:
    # Without a shipping address WooCommerce ships to the billing one.
    side = "Shipping" if row.get("Address 1 (Shipping)", "Address 1&2 (Shipping)") else "Billing"
    return address(
        name=cells.joined(row.get(f"First Name ({side})"), row.get(f"Last Name ({side})")),
        company=row.get(f"Company ({side})"),
        line1=row.get(f"Address 1 ({side})", f"Address 1&2 ({side})"),
        line2=row.get(f"Address 2 ({side})"),
        city=row.get(f"City ({side})"),
        region=row.get(f"State Code ({side})", f"State Name ({side})"),
        postcode_text=row.get(f"Postcode ({side})"),
        country=row.get(f"Country Code ({side})", f"Country Name ({side})"),
        phone_text=row.get(f"Phone ({side})", "Phone (Billing)"),
    )


FORMAT = ChannelFormat(
    name="woocommerce_csv",
    platform="woocommerce",
    title=TITLE,
    detects=detects,
    parse=parse,
)
