"""eBay Seller Hub orders report (Orders -> Download report), CSV.

The table is framed: a blank or all-comma row before the header, an all-comma
padding row after it, and footer lines (``N,record(s) downloaded,...``,
``Seller ID : ...``) at the end. A multi-item order is a summary row (the buyer,
the address and the order's money, no Item Number) followed by one row per item;
the summary's ``Sold For`` is the sum of its items and is never counted. Money
carries a currency symbol (``$12.99``, ``£1,234.50``, ``AU $5.00``); dates look like
``Mar-12-23`` (sometimes with a time), with no zone: the store's zone is used.
eBay UK says ``Postage And Handling`` and ``Post To ...``.
No real file was available: this follows FORMATS.md and public parsers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
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
from oms_cli.channels.cells import Cell, FieldError
from oms_cli.channels.grouping import Group, group_rows
from oms_cli.channels.places import address
from oms_cli.channels.table import Row, Table
from oms_cli.domain.orders import (
    Address,
    ChannelFulfillment,
    FinancialStatus,
    ParsedLine,
    ParsedOrder,
)

TITLE = "eBay orders report"
LOOK_BEHIND = 50
KEY = ("Sales Record Number", "Order Number")
_SHIPPED = ("Shipped On Date", "Dispatched On Date")
_SHIPPING = ("Shipping And Handling", "Postage And Handling", "Postage and Packaging")
_PREFIXED = re.compile(r"^(?P<prefix>US|AU|C|CA|NZ|HK|SG)\s?(?=\$)")
_SYMBOLS = {"£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR", "CHF": "CHF"}
_DOLLARS = {"US": "USD", "AU": "AUD", "C": "CAD", "CA": "CAD", "NZ": "NZD", "HK": "HKD",
            "SG": "SGD"}
_DOLLAR_CURRENCIES = frozenset(_DOLLARS.values())


def detects(head: Head) -> bool:
    return (
        head.has("Order Number")
        and head.has_any("Sales Record Number", "Item Number")
        and head.has_any("Sold For", "Total Price")
    )


def is_footer(values: Sequence[str]) -> bool:
    """eBay's closing lines: ``12,record(s) downloaded,from ...`` and ``Seller ID : ...``."""
    text = " ".join(value.strip() for value in values[:3]).lower()
    return "record(s) downloaded" in text or text.startswith("seller id")


def parse(stream: BinaryIO, options: ParseOptions) -> Iterator[Parsed]:
    """Orders of an eBay report, in file order."""
    table = Table(stream, delimiter=options.delimiter, is_footer=is_footer)
    require_columns(table, TITLE, KEY, "Quantity")
    key_field = "Sales Record Number" if table.has("Sales Record Number") else "Order Number"
    zone = options.zone()
    groups = group_rows(table, lambda row: row.get(*KEY), key_field=key_field,
                        look_behind=LOOK_BEHIND)
    yield from build_each(groups, lambda group: _order(group, options, zone))


def _order(group: Group[Row], options: ParseOptions, zone: tzinfo) -> ParsedOrder:
    items = [row for row in group.rows if row.get("Item Number", "Item Title")]
    summary = next((row for row in group.rows if not row.get("Item Number", "Item Title")), None)
    if not items:
        raise FieldError(group.rows[0].cell("Item Number"), "is missing (an order with no item)")
    head = summary or items[0]
    currency = _currency(head, options.default_currency)
    lines = [_line(position, row, zone) for position, row in enumerate(items, start=1)]
    shipped = [_shipped_at(row, summary, zone) for row in items]
    paid = any(row.get("Paid On Date") for row in group.rows)
    return ParsedOrder(
        external_id=next((row.get("Order Number") for row in group.rows
                          if row.get("Order Number")), None) or group.key,
        placed_at=cells.timestamp(head.cell("Sale Date", "Order Date"), zone),
        currency=currency,
        lines=lines,
        channel_order_id=head.get("Sales Record Number"),
        subtotal=sum((line.unit_price * line.quantity for line in lines), Decimal(0)),
        shipping=_money(head.cell(*_SHIPPING)),
        tax=_money(head.cell("Seller Collected Tax")) + _money(head.cell("eBay Collected Tax")),
        total=_money(head.cell("Total Price")),
        financial_status=FinancialStatus.PAID if paid else FinancialStatus.PENDING,
        fulfillment=_fulfillment(shipped),
        fulfilled_at=max((when for when in shipped if when), default=None),
        email=head.get("Buyer Email"),
        customer_name=head.get("Buyer Name", "Buyer Username"),
        phone=head.get("Ship To Phone", "Post To Phone"),
        ship_to=_ship_to(head),
        note=head.get("Buyer Note"),
        payment_method=head.get("Payment Method"),
    )


def _ship_to(row: Row) -> Address:
    return address(
        name=row.get("Ship To Name", "Post To Name"),
        line1=row.get("Ship To Address 1", "Post To Address 1"),
        line2=row.get("Ship To Address 2", "Post To Address 2"),
        city=row.get("Ship To City", "Post To City"),
        region=row.get("Ship To State", "Post To County", "Post To State"),
        postcode_text=row.get("Ship To Zip", "Post To Postcode", "Post To Zip"),
        country=row.get("Ship To Country", "Post To Country"),
        phone_text=row.get("Ship To Phone", "Post To Phone"),
    )


def _line(position: int, row: Row, zone: tzinfo) -> ParsedLine:
    units = cells.quantity(row.cell("Quantity"))
    item_number = row.get("Item Number")
    shipped = cells.optional_timestamp(row.cell(*_SHIPPED), zone)
    return ParsedLine(
        line_key=row.get("Transaction ID") or f"{item_number or 'item'}#{position}",
        quantity=units,
        name=row.get("Item Title") or "",
        sku=row.get("Custom Label"),
        channel_key=item_number,
        unit_price=_money(row.cell("Sold For", "Item Price")),
        fulfilled_quantity=units if shipped else 0,
    )


def _shipped_at(row: Row, summary: Row | None, zone: tzinfo) -> datetime | None:
    cell = row.cell(*_SHIPPED)
    if cell.value is None and summary is not None:
        cell = summary.cell(*_SHIPPED)
    return cells.optional_timestamp(cell, zone)


def _fulfillment(shipped: list[datetime | None]) -> ChannelFulfillment:
    if shipped and all(shipped):
        return ChannelFulfillment.FULFILLED
    if any(shipped):
        return ChannelFulfillment.PARTIAL
    return ChannelFulfillment.UNFULFILLED


def _money(cell: Cell) -> Decimal:
    """An eBay amount: ``US $12.99`` and ``C $5`` lose their prefix before parsing."""
    if cell.value is None:
        return Decimal(0)
    return cells.amount(Cell(cell.field, _PREFIXED.sub("", cell.value), cell.line))


def _currency(row: Row, default: str) -> str:
    """The currency the amounts are written in: from their symbol, else ``default``."""
    text = row.get("Total Price", "Sold For") or ""
    prefixed = _PREFIXED.match(text)
    if prefixed:
        return _DOLLARS[prefixed.group("prefix")]
    for symbol, code in _SYMBOLS.items():
        if symbol in text:
            return code
    written = re.search(r"\b[A-Z]{3}\b", text)
    if written:
        return written.group()
    if "$" in text and default not in _DOLLAR_CURRENCIES:
        return "USD"
    return default


FORMAT = ChannelFormat(
    name="ebay_csv",
    platform="ebay",
    title=TITLE,
    detects=detects,
    parse=parse,
)
