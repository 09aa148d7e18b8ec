"""Etsy's two CSV downloads (Shop Manager -> Settings -> Options -> Download Data).

EtsySoldOrders has one row per order (money, fees, address, no lines); its records
are ``partial="order"``. EtsySoldOrderItems has one row per transaction (the lines)
with the order's shipping, tax and discount on the order's first row only; its
records are ``partial="items"``. The import service merges the two on Order ID, in
either order. US and UK/CA headers (``Ship ...`` vs ``Delivery ...``) both read.

Dates have no time or zone (``06/22/23``; ``6/4/2020`` or ``2020-11-21`` after
Excel): they are taken as midnight in the store's zone, month first; a date whose
"month" is above 12 is rejected rather than guessed. Zip codes that lost their
leading zero to Excel are padded back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, tzinfo
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
from oms_cli.channels.cells import FieldError
from oms_cli.channels.grouping import Group, group_rows
from oms_cli.channels.places import address
from oms_cli.channels.table import Row, Table
from oms_cli.domain.orders import (
    Address,
    ChannelFulfillment,
    FinancialStatus,
    ParsedLine,
    ParsedOrder,
    Refund,
)

ORDERS_TITLE = "Etsy Sold Orders file"
ITEMS_TITLE = "Etsy Sold Order Items file"
ITEMS_LOOK_BEHIND = 100
_SHIPPED = ("Date Shipped", "Date Posted")
_CITY = ("Ship City", "Delivery City")
_STATE = ("Ship State", "Delivery State")
_ZIP = ("Ship Zipcode", "Delivery Zipcode")
_COUNTRY = ("Ship Country", "Delivery Country")
_BUYER = re.compile(r"(?P<display>.*\S)\s*\((?P<username>[^()]+)\)")


def detects_orders(head: Head) -> bool:
    return (
        head.has("Order ID", "Sale Date")
        and head.has_any("Number of Items", "Order Total", "Order Value")
        and not head.has("Transaction ID")
    )


def detects_items(head: Head) -> bool:
    return head.has("Order ID", "Transaction ID", "Listing ID")


def parse_orders(stream: BinaryIO, options: ParseOptions) -> Iterator[Parsed]:
    """One ``partial="order"`` record per row of a Sold Orders file."""
    table = Table(stream, delimiter=options.delimiter)
    require_columns(table, ORDERS_TITLE, "Order ID", "Sale Date")
    zone = options.zone()
    groups = group_rows(table, lambda row: row.get("Order ID"), key_field="Order ID")
    yield from build_each(groups, lambda group: _whole_order(group, options, zone))


def parse_items(stream: BinaryIO, options: ParseOptions) -> Iterator[Parsed]:
    """One ``partial="items"`` record per order of a Sold Order Items file."""
    table = Table(stream, delimiter=options.delimiter)
    require_columns(table, ITEMS_TITLE, "Order ID", "Sale Date", "Quantity")
    zone = options.zone()
    groups = group_rows(table, lambda row: row.get("Order ID"), key_field="Order ID",
                        look_behind=ITEMS_LOOK_BEHIND)
    yield from build_each(groups, lambda group: _items_order(group, options, zone))


def _whole_order(group: Group[Row], options: ParseOptions, zone: tzinfo) -> ParsedOrder:
    if len(group.rows) > 1:
        raise FieldError(group.rows[1].cell("Order ID"), "appears on more than one row")
    row = group.rows[0]
    total = cells.amount(row.cell("Order Total"))
    refunds = _refunds(row, total)
    shipped_at = _date(row, zone, *_SHIPPED)
    status = (row.get("Status") or "").lower()
    placed_at = _sale_date(row, zone)
    return ParsedOrder(
        external_id=group.key,
        placed_at=placed_at,
        currency=cells.currency(row.cell("Currency"), options.default_currency),
        subtotal=cells.amount(row.cell("Order Value")),
        shipping=cells.amount(row.cell("Shipping", "Delivery")),
        tax=cells.amount(row.cell("Sales Tax")),
        discount=_discount(row),
        total=total,
        refunds=refunds,
        financial_status=_financial(refunds, total),
        fulfillment=ChannelFulfillment.FULFILLED if shipped_at else ChannelFulfillment.UNFULFILLED,
        fulfilled_at=shipped_at,
        # Etsy gives no time of cancellation: the sale date stands in for it.
        cancelled_at=placed_at if status.startswith("cancel") else None,
        customer_name=row.get("Full Name")
        or cells.joined(row.get("First Name"), row.get("Last Name"))
        or _buyer_name(row.get("Buyer")),
        ship_to=_address(row, name=row.get("Full Name"), line1=("Street 1",),
                         line2=("Street 2",)),
        payment_method=row.get("Payment Method", "Payment Type"),
        raw_status=row.get("Status"),
        partial="order",
        item_count=_item_count(row),
    )


def _items_order(group: Group[Row], options: ParseOptions, zone: tzinfo) -> ParsedOrder:
    first = group.rows[0]
    currency = cells.currency(first.cell("Currency"), options.default_currency)
    lines = [_line(position, row, zone) for position, row in enumerate(group.rows, start=1)]
    subtotal = sum((cells.amount(row.cell("Item Total")) for row in group.rows), Decimal(0))
    # Order-level money is on the order's first row only; later rows hold zeros or blanks.
    shipping = cells.amount(first.cell("Order Shipping", "Order Delivery"))
    tax = cells.amount(first.cell("Order Sales Tax"))
    discount = _discount(first)
    shipped = [_date(row, zone, *_SHIPPED) for row in group.rows]
    paid = any(row.get("Date Paid") for row in group.rows)
    return ParsedOrder(
        external_id=group.key,
        placed_at=_sale_date(first, zone),
        currency=currency,
        lines=lines,
        subtotal=subtotal,
        shipping=shipping,
        tax=tax,
        discount=discount,
        total=subtotal + shipping + tax - discount,
        financial_status=FinancialStatus.PAID if paid else FinancialStatus.PENDING,
        fulfillment=_fulfillment(shipped),
        fulfilled_at=max((when for when in shipped if when), default=None),
        customer_name=_buyer_name(first.get("Buyer")),
        ship_to=_address(first, name=first.get("Ship Name", "Delivery Name"),
                         line1=("Ship Address1", "Delivery Address1"),
                         line2=("Ship Address2", "Delivery Address2")),
        payment_method=first.get("Payment Type"),
        partial="items",
    )


def _line(position: int, row: Row, zone: tzinfo) -> ParsedLine:
    units = cells.quantity(row.cell("Quantity"))
    listing = row.get("Listing ID")
    sku = row.get("SKU")
    if sku is None and listing is None:
        raise FieldError(row.cell("SKU"), "is missing (and so is Listing ID)")
    return ParsedLine(
        line_key=row.get("Transaction ID") or str(position),
        quantity=units,
        name=row.get("Item Name") or "",
        sku=sku,
        channel_key=listing,
        unit_price=cells.amount(row.cell("Price")),
        fulfilled_quantity=units if _date(row, zone, *_SHIPPED) else 0,
    )


def _sale_date(row: Row, zone: tzinfo) -> datetime:
    return cells.timestamp(row.cell("Sale Date", "Order Date"), zone)


def _date(row: Row, zone: tzinfo, *names: str) -> datetime | None:
    return cells.optional_timestamp(row.cell(*names), zone)


def _discount(row: Row) -> Decimal:
    order_discount = cells.amount(row.cell("Discount Amount"), allow_negative=True)
    shipping_discount = cells.amount(row.cell("Shipping Discount", "Delivery Discount"),
                                     allow_negative=True)
    return abs(order_discount) + abs(shipping_discount)


def _refunds(row: Row, total: Decimal) -> list[Refund]:
    """Etsy has no refund flag: an adjusted order total below the total is a refund.

    Some files (Excel-saved ones among them) leave ``Adjusted Order Total`` empty but
    keep ``Adjusted Net Order Amount``; net + fees is then the adjusted total.
    """
    adjusted_total = row.cell("Adjusted Order Total")
    adjusted_net = row.cell("Adjusted Net Order Amount")
    if adjusted_total.value is not None:
        adjusted = cells.amount(adjusted_total)
    elif adjusted_net.value is not None:
        fees = row.cell("Adjusted Card Processing Fees", "Card Processing Fees")
        adjusted = cells.amount(adjusted_net) + cells.amount(fees)
    else:
        return []
    return [Refund(amount=total - adjusted)] if adjusted < total else []


def _financial(refunds: list[Refund], total: Decimal) -> FinancialStatus:
    refunded = sum((refund.amount for refund in refunds), Decimal(0))
    if refunded and refunded >= total:
        return FinancialStatus.REFUNDED
    if refunded:
        return FinancialStatus.PARTIALLY_REFUNDED
    return FinancialStatus.PAID


def _fulfillment(shipped: list[datetime | None]) -> ChannelFulfillment:
    if all(shipped):
        return ChannelFulfillment.FULFILLED
    if any(shipped):
        return ChannelFulfillment.PARTIAL
    return ChannelFulfillment.UNFULFILLED


def _item_count(row: Row) -> int | None:
    cell = row.cell("Number of Items")
    return None if cell.value is None else cells.quantity(cell, allow_zero=True)


def _buyer_name(buyer: str | None) -> str | None:
    """``Display Name (username)`` gives the display name; a bare username is kept."""
    if buyer is None:
        return None
    match = _BUYER.fullmatch(buyer)
    return match.group("display") if match else buyer


def _address(
    row: Row, *, name: str | None, line1: tuple[str, ...], line2: tuple[str, ...]
) -> Address:
    return address(
        name=name,
        line1=row.get(*line1),
        line2=row.get(*line2),
        city=row.get(*_CITY),
        region=row.get(*_STATE),
        postcode_text=row.get(*_ZIP),
        country=row.get(*_COUNTRY),
    )


ORDERS_FORMAT = ChannelFormat(
    name="etsy_orders_csv",
    platform="etsy",
    title=ORDERS_TITLE,
    detects=detects_orders,
    parse=parse_orders,
)

ITEMS_FORMAT = ChannelFormat(
    name="etsy_items_csv",
    platform="etsy",
    title=ITEMS_TITLE,
    detects=detects_items,
    parse=parse_items,
)
