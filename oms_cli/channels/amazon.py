"""Amazon Seller Central order reports: tab-separated, one row per order item, no quoting.

Two layouts: the All Orders report (``amazon-order-id``, ``asin``, ``item-price``)
and the Unshipped / New Orders report (``order-id``, ``order-item-id``, buyer and
recipient columns; money columns only in older files). ``item-price`` is the LINE
total, so the unit price is item-price / quantity; empty money is zero. Titles hold
literal ``"`` characters, so TSV files are read without quote handling.

The rows of an order need not be next to each other: up to ``LOOK_BEHIND`` orders
are kept open while streaming (see ``grouping``).
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
from oms_cli.domain.orders import (
    Address,
    ChannelFulfillment,
    FinancialStatus,
    ParsedLine,
    ParsedOrder,
)

TITLE = "Amazon order report"
LOOK_BEHIND = 1000
ORDER_ID = ("amazon-order-id", "order-id")
# Marketplaces whose item prices include VAT/GST (item-tax is the part already inside).
_TAX_INCLUSIVE = ("co.uk", ".de", ".fr", ".it", ".es", ".nl", ".se", ".pl", ".be", ".ie",
                  ".com.au", ".co.jp", ".in", ".com.tr", ".ae", ".sa", ".sg")
_SHIPPED = ("shipped", "shipped - delivered to buyer", "delivered")


def detects(head: Head) -> bool:
    return head.has("amazon-order-id") or head.has("order-id", "order-item-id")


def parse(stream: BinaryIO, options: ParseOptions) -> Iterator[Parsed]:
    """Orders of an Amazon report, in the order they first appear."""
    # Amazon writes titles with literal quotes; a copy re-saved as CSV is quoted normally.
    table = Table(stream, delimiter=options.delimiter, quote_tabs=False)
    require_columns(table, TITLE, ORDER_ID, ("quantity", "quantity-purchased"))
    key_field = "amazon-order-id" if table.has("amazon-order-id") else "order-id"
    zone = options.zone()
    groups = group_rows(table, lambda row: row.get(*ORDER_ID), key_field=key_field,
                        look_behind=LOOK_BEHIND)
    yield from build_each(groups, lambda group: _order(group, options, zone))


def _order(group: Group[Row], options: ParseOptions, zone: tzinfo) -> ParsedOrder:
    first = group.rows[0]
    status = (first.get("order-status") or "").lower()
    currency = cells.currency(first.cell("currency"), options.default_currency)
    lines = _lines(group.rows, currency, cancelled=status == "cancelled")
    subtotal = _sum(group.rows, "item-price")
    shipping = _sum(group.rows, "shipping-price") + _sum(group.rows, "gift-wrap-price")
    tax = _sum(group.rows, "item-tax") + _sum(group.rows, "shipping-tax", "gift-wrap-tax")
    discount = sum((line.discount for line in lines), Decimal(0)) + _sum(
        group.rows, "ship-promotion-discount", absolute=True
    )
    sales_channel = first.get("sales-channel")
    taxes_included = (sales_channel or "").lower().endswith(_TAX_INCLUSIVE)
    shipped_units = sum(line.fulfilled_quantity for line in lines)
    return ParsedOrder(
        external_id=group.key,
        placed_at=cells.timestamp(first.cell("purchase-date"), zone),
        currency=currency,
        lines=lines,
        subtotal=subtotal,
        shipping=shipping,
        tax=tax,
        discount=discount,
        total=subtotal + shipping - discount + (Decimal(0) if taxes_included else tax),
        taxes_included=taxes_included,
        financial_status=_financial(status, first),
        fulfillment=_fulfillment(status, shipped_units, sum(line.quantity for line in lines)),
        cancelled_at=cells.timestamp(first.cell("last-updated-date", "purchase-date"), zone)
        if status == "cancelled" else None,
        email=first.get("buyer-email"),
        customer_name=first.get("buyer-name"),
        phone=first.get("buyer-phone-number", "ship-phone-number"),
        ship_to=_ship_to(first),
        source=sales_channel,
        tags="fba" if (first.get("fulfillment-channel") or "").lower() == "amazon" else None,
        raw_status=first.get("order-status"),
    )


def _ship_to(row: Row) -> Address:
    return address(
        name=row.get("recipient-name"),
        line1=row.get("ship-address-1"),
        line2=cells.joined(row.get("ship-address-2"), row.get("ship-address-3"), separator=", "),
        city=row.get("ship-city"),
        region=row.get("ship-state"),
        postcode_text=row.get("ship-postal-code"),
        country=row.get("ship-country"),
        phone_text=row.get("ship-phone-number"),
    )


def _lines(rows: list[Row], currency: str, *, cancelled: bool) -> list[ParsedLine]:
    lines: list[ParsedLine] = []
    seen: dict[str, int] = {}
    for row in rows:
        item_cancelled = cancelled or (row.get("item-status") or "").lower() == "cancelled"
        units = cells.quantity(row.cell("quantity", "quantity-purchased"),
                               allow_zero=item_cancelled)
        line_total = cells.amount(row.cell("item-price"))
        sku = row.get("sku")
        asin = row.get("asin")
        lines.append(ParsedLine(
            line_key=row.get("order-item-id") or _repeat_key(sku or asin or "item", seen),
            quantity=units,
            name=row.get("product-name") or "",
            sku=sku,
            channel_key=asin,
            unit_price=cells.unit_price(line_total, units, currency),
            discount=abs(cells.amount(row.cell("item-promotion-discount"), allow_negative=True)),
            tax=cells.amount(row.cell("item-tax")),
            fulfilled_quantity=_shipped_units(row, units),
        ))
    return lines


def _repeat_key(base: str, seen: dict[str, int]) -> str:
    """``SKU`` for the first row with that sku, then ``SKU#2``, ``SKU#3``: rows may repeat."""
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}#{seen[base]}"


def _shipped_units(row: Row, units: int) -> int:
    if row.get("quantity-shipped") is not None:
        return min(units, cells.quantity(row.cell("quantity-shipped"), allow_zero=True))
    item_status = (row.get("item-status") or row.get("order-status") or "").lower()
    return units if item_status in _SHIPPED else 0


def _financial(status: str, first: Row) -> FinancialStatus:
    if status.startswith("pending"):
        return FinancialStatus.PENDING
    if status == "cancelled":
        return FinancialStatus.VOIDED
    if status or first.get("payments-date"):
        return FinancialStatus.PAID
    return FinancialStatus.UNKNOWN


def _fulfillment(status: str, shipped: int, ordered: int) -> ChannelFulfillment:
    if status in _SHIPPED or (ordered and shipped >= ordered):
        return ChannelFulfillment.FULFILLED
    if shipped or status == "partiallyshipped":
        return ChannelFulfillment.PARTIAL
    return ChannelFulfillment.UNFULFILLED


def _sum(rows: list[Row], *columns: str, absolute: bool = False) -> Decimal:
    total = Decimal(0)
    for row in rows:
        for column in columns:
            value = cells.amount(row.cell(column), allow_negative=absolute)
            total += abs(value) if absolute else value
    return total


FORMAT = ChannelFormat(
    name="amazon_tsv",
    platform="amazon",
    title=TITLE,
    detects=detects,
    parse=parse,
)
