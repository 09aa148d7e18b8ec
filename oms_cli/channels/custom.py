"""Any other CSV or JSON export, read through a column map from the configuration.

The map names, for each of our fields, the file's column (or, in JSON, the key
path such as ``billing.email``). Each row is one order line; rows sharing an
``external_id`` are one order, whose order-level fields come from its first row.
JSON records are found at ``json_records`` (a dotted path; the document itself
when unset). ``external_id`` and ``placed_at`` must be mapped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import tzinfo
from decimal import Decimal
from typing import BinaryIO, Protocol

from oms_cli.channels import cells
from oms_cli.channels.base import ChannelFormat, Head, Parsed, ParseOptions, build_each
from oms_cli.channels.cells import Cell
from oms_cli.channels.grouping import Group, group_rows
from oms_cli.channels.jsondoc import JsonFields, json_records, read_json
from oms_cli.channels.places import address
from oms_cli.channels.table import Table
from oms_cli.channels.text import replay
from oms_cli.domain.orders import (
    Address,
    ChannelFulfillment,
    FinancialStatus,
    ParsedLine,
    ParsedOrder,
)
from oms_cli.errors import InvalidInput, NotAnExport

LOOK_BEHIND = 50
ORDER_FIELDS = (
    "external_id", "placed_at", "currency", "total", "shipping", "tax", "discount", "email",
    "customer_name", "ship_name", "ship_address1", "ship_address2", "ship_city", "ship_region",
    "ship_postcode", "ship_country", "ship_phone", "financial_status", "fulfillment_status",
    "cancelled_at", "note", "tags",
)
LINE_FIELDS = ("sku", "name", "quantity", "unit_price", "line_total")
FIELDS = ORDER_FIELDS + LINE_FIELDS
REQUIRED = ("external_id", "placed_at")

_FINANCIAL_WORDS = {status.value: status for status in FinancialStatus} | {
    "completed": FinancialStatus.PAID, "complete": FinancialStatus.PAID,
    "captured": FinancialStatus.PAID, "succeeded": FinancialStatus.PAID,
    "unpaid": FinancialStatus.PENDING, "awaiting_payment": FinancialStatus.PENDING,
    "on_hold": FinancialStatus.PENDING, "cancelled": FinancialStatus.VOIDED,
    "canceled": FinancialStatus.VOIDED, "void": FinancialStatus.VOIDED,
}
_FULFILLMENT_WORDS = {
    "fulfilled": ChannelFulfillment.FULFILLED, "shipped": ChannelFulfillment.FULFILLED,
    "complete": ChannelFulfillment.FULFILLED, "completed": ChannelFulfillment.FULFILLED,
    "delivered": ChannelFulfillment.FULFILLED, "dispatched": ChannelFulfillment.FULFILLED,
    "partial": ChannelFulfillment.PARTIAL, "partially_shipped": ChannelFulfillment.PARTIAL,
    "partially_fulfilled": ChannelFulfillment.PARTIAL,
}


class _Record(Protocol):
    line: int
    raw: str
    problem: str | None

    def cell(self, *names: str) -> Cell: ...


def detects(head: Head) -> bool:
    """Never chosen from the header alone: a custom file is named by the configuration."""
    return False


def matches(head: Head, options: ParseOptions) -> bool:
    """Whether the column map fits this file: JSON, or a header with the mapped id column."""
    column = options.column_map.get("external_id")
    return column is not None and (head.is_json or head.has(column))


def parse(stream: BinaryIO, options: ParseOptions) -> Iterator[Parsed]:
    """Orders of a file read through ``options.column_map``."""
    check_column_map(options)
    zone = options.zone()
    records = _records(stream, options)
    column_map = options.column_map
    key_field = column_map["external_id"]
    groups = group_rows(records, lambda record: record.cell(key_field).value,
                        key_field=key_field, look_behind=LOOK_BEHIND)
    yield from build_each(groups, lambda group: _order(group, options, zone))


def check_column_map(options: ParseOptions) -> None:
    """Raise InvalidInput when the map names unknown fields or lacks a required one."""
    unknown = sorted(set(options.column_map) - set(FIELDS))
    if unknown:
        raise InvalidInput(
            f"column map: unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}"
        )
    missing = [name for name in REQUIRED if not options.column_map.get(name)]
    if missing:
        raise InvalidInput(f"column map: {' and '.join(missing)} must be mapped to a column")


def _records(stream: BinaryIO, options: ParseOptions) -> Iterator[_Record]:
    head = stream.read(64) or b""
    whole = replay(head, stream)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        path = [key for key in (options.json_records or "").split(".") if key]
        for record in json_records(read_json(whole), path):
            yield JsonFields(record.value, line=record.line, raw=record.raw)
        return
    table = Table(whole, delimiter=options.delimiter)
    absent = [column for column in options.column_map.values() if not table.has(column)]
    if absent:
        raise NotAnExport(f"the column map names columns the file lacks: {', '.join(absent)}")
    yield from table


class _Mapped:
    """A record's cells addressed by our field names, through the column map."""

    __slots__ = ("_map", "_record")

    def __init__(self, record: _Record, column_map: Mapping[str, str]) -> None:
        self._record = record
        self._map = column_map

    def cell(self, name: str) -> Cell:
        column = self._map.get(name)
        return self._record.cell(column) if column else Cell(name, None, self._record.line)

    def get(self, name: str) -> str | None:
        return self.cell(name).value

    def maps(self, name: str) -> bool:
        return name in self._map


def _order(group: Group[_Record], options: ParseOptions, zone: tzinfo) -> ParsedOrder:
    first = _Mapped(group.rows[0], options.column_map)
    currency = cells.currency(first.cell("currency"), options.default_currency)
    fulfillment = _FULFILLMENT_WORDS.get(_word(first.get("fulfillment_status")),
                                         ChannelFulfillment.UNFULFILLED)
    lines = _lines(group, options, currency, fulfillment is ChannelFulfillment.FULFILLED)
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    shipping, tax = cells.amount(first.cell("shipping")), cells.amount(first.cell("tax"))
    discount = abs(cells.amount(first.cell("discount"), allow_negative=True))
    total = first.cell("total")
    return ParsedOrder(
        external_id=group.key,
        placed_at=cells.timestamp(first.cell("placed_at"), zone, pattern=options.date_format),
        currency=currency,
        lines=lines,
        subtotal=subtotal,
        shipping=shipping,
        tax=tax,
        discount=discount,
        total=cells.amount(total) if total.value is not None
        else subtotal + shipping + tax - discount,
        financial_status=_FINANCIAL_WORDS.get(_word(first.get("financial_status")),
                                              FinancialStatus.UNKNOWN),
        fulfillment=fulfillment,
        cancelled_at=cells.optional_timestamp(first.cell("cancelled_at"), zone,
                                              pattern=options.date_format),
        email=first.get("email"),
        customer_name=first.get("customer_name"),
        phone=first.get("ship_phone"),
        ship_to=_ship_to(first),
        tags=first.get("tags"),
        note=first.get("note"),
        raw_status=cells.joined(first.get("financial_status"), first.get("fulfillment_status"),
                                separator="/"),
    )


def _lines(
    group: Group[_Record], options: ParseOptions, currency: str, shipped: bool
) -> list[ParsedLine]:
    """One line per row, when the map names any line field; none otherwise."""
    if not any(name in options.column_map for name in LINE_FIELDS):
        return []
    return [
        _line(position, _Mapped(row, options.column_map), currency, shipped)
        for position, row in enumerate(group.rows, start=1)
    ]


def _line(position: int, row: _Mapped, currency: str, shipped: bool) -> ParsedLine:
    units = cells.quantity(row.cell("quantity")) if row.maps("quantity") else 1
    if row.get("unit_price") is not None:
        unit = cells.amount(row.cell("unit_price"))
    else:
        unit = cells.unit_price(cells.amount(row.cell("line_total")), units, currency)
    sku, name = row.get("sku"), row.get("name")
    if sku is None and name is None:
        raise cells.FieldError(row.cell("sku"), "is missing (a line needs a sku or a name)")
    return ParsedLine(
        line_key=str(position),
        quantity=units,
        name=name or sku or "",
        sku=sku,
        channel_key=None if sku else name,
        unit_price=unit,
        fulfilled_quantity=units if shipped else 0,
    )


def _ship_to(record: _Mapped) -> Address:
    return address(
        name=record.get("ship_name"),
        line1=record.get("ship_address1"),
        line2=record.get("ship_address2"),
        city=record.get("ship_city"),
        region=record.get("ship_region"),
        postcode_text=record.get("ship_postcode"),
        country=record.get("ship_country"),
        phone_text=record.get("ship_phone"),
    )


def _word(text: str | None) -> str:
    return "_".join((text or "").lower().replace("-", " ").split())


FORMAT = ChannelFormat(
    name="custom",
    platform="custom",
    title="custom export (column map)",
    detects=detects,
    parse=parse,
)
