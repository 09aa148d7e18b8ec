"""What every report shares: named rows, periods as SQL, group keys, and money from sums.

Time buckets are computed in Python (``domain.periods``: local midnights in the shop's
time zone, as UTC instants), so SQL only ever compares a timestamp with two UTC bounds,
``start <= ts < end``: exact across clock changes on every dialect, and an index range.
Two ways to hand them to SQL:

- ``utc_buckets`` + ``per_bucket``: one GROUP BY per bucket, over its own index range,
  with the bucket's seq and label as constants, glued by UNION ALL (the fastest);
- ``bucket_table`` + ``in_bucket``: a derived table of ``(seq, label, start_at,
  end_at)`` that rows join, for queries that want every bucket in one SELECT.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    Table,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.sql.selectable import Subquery

from oms_cli.domain.lifecycle import OPEN_STATUSES
from oms_cli.domain.money import exponent, from_minor
from oms_cli.domain.periods import Period, utc_bounds
from oms_cli.errors import InvalidInput
from oms_cli.store.tables import (
    Allocation,
    BundleComponent,
    Customer,
    Location,
    Order,
    OrderLine,
    Product,
    Return,
    ReturnLine,
    Shipment,
    ShipmentLine,
    StockLevel,
)
from oms_cli.store.types import UTCDateTime


def _table(model: type) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


ORDERS, LINES, PRODUCTS, LOCATIONS = map(_table, (Order, OrderLine, Product, Location))
ALLOCATIONS, SHIPMENTS, SHIPMENT_LINES = map(_table, (Allocation, Shipment, ShipmentLine))
STOCK_LEVELS, BUNDLE_COMPONENTS = map(_table, (StockLevel, BundleComponent))
RETURNS, RETURN_LINES, CUSTOMERS = map(_table, (Return, ReturnLine, Customer))

OPEN = tuple(sorted(status.value for status in OPEN_STATUSES))
# The columns the index orders_report_groups begins with, in its order: grouping a
# period's orders by them first reads each group's rows straight from the index (a
# skip-scan over the period), where any other grouping sorts every row of the period.
ORDER_GROUPS = (ORDERS.c.status, ORDERS.c.currency, ORDERS.c.channel, ORDERS.c.ship_country)
GROUP_BY_CHOICES = ("channel", "sku", "location", "country")
UNALLOCATED = "(unallocated)"


@dataclass(frozen=True)
class ReportRows:
    """A report's answer: named columns and rows of cells (Decimal money, int counts).

    ``notes`` are sentences for people (on stderr), never data; ``title`` names the
    section when a report answers with several.
    """

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    notes: list[str] = field(default_factory=list)
    title: str | None = None


@dataclass(frozen=True)
class GroupKey:
    """A ``--group-by`` choice: its column name, the SQL giving a row's group, and its grain.

    ``grain`` is ``order`` when the key is a property of the order (channel, country),
    ``line`` when it belongs to each line (sku, location): those reports work per line.
    """

    name: str
    grain: Literal["order", "line"]
    expression: ColumnElement[Any]


def bucket_table(periods: Sequence[Period], timezone: str, name: str = "bucket") -> Subquery:
    """The periods as a derived table ``name(seq, label, start_at, end_at)``, bounds in UTC.

    ``seq`` numbers the periods in the order given, from 0. Built from VALUES, which
    SQLite and PostgreSQL both read with columns column1, column2...
    """
    if not periods:
        raise ValueError("bucket_table needs at least one period")
    params: list[BindParameter[Any]] = []
    rows = []
    for seq, period in enumerate(periods):
        start, end = utc_bounds(period, timezone)
        params += [bindparam(f"{name}_l{seq}", period.label, type_=String()),
                   bindparam(f"{name}_s{seq}", start, type_=UTCDateTime()),
                   bindparam(f"{name}_e{seq}", end, type_=UTCDateTime())]
        rows.append(f"({seq}, :{name}_l{seq}, :{name}_s{seq}, :{name}_e{seq})")
    statement = text("SELECT column1 AS seq, column2 AS label, column3 AS start_at, "
                     f"column4 AS end_at FROM (VALUES {', '.join(rows)}) AS {name}_values")
    typed = statement.bindparams(*params).columns(
        seq=Integer(), label=String(), start_at=UTCDateTime(), end_at=UTCDateTime())
    return typed.subquery(name)


def in_bucket(timestamp: ColumnElement[Any], bucket: Subquery) -> ColumnElement[bool]:
    """The join condition putting a row's UTC ``timestamp`` in its bucket."""
    return and_(timestamp >= bucket.c.start_at, timestamp < bucket.c.end_at)


@dataclass(frozen=True)
class Bucket:
    """One period of a report as SQL sees it: its position, label and UTC bounds."""

    seq: int
    label: str
    start: datetime
    end: datetime

    def holds(self, timestamp: ColumnElement[Any]) -> ColumnElement[bool]:
        """``start <= timestamp < end``: an index range on ``timestamp``."""
        return and_(timestamp >= bindparam(None, self.start, type_=UTCDateTime()),
                    timestamp < bindparam(None, self.end, type_=UTCDateTime()))

    def columns(self) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
        """``seq`` and ``label`` as constant columns of a per-bucket SELECT."""
        return (literal(self.seq, Integer()).label("seq"),
                literal(self.label, String()).label("label"))


def utc_buckets(periods: Sequence[Period], timezone: str) -> list[Bucket]:
    """The periods, numbered from 0, with their bounds in UTC (local days of ``timezone``)."""
    return [Bucket(seq, period.label, *utc_bounds(period, timezone))
            for seq, period in enumerate(periods)]


def per_bucket(buckets: Sequence[Bucket], build: Callable[[Bucket], Select[Any]],
               chunk: int = 200) -> list[Select[Any] | CompoundSelect]:
    """``build(bucket)`` for every bucket, as UNION ALL statements of at most ``chunk``.

    Grouping each bucket on its own, over a plain index range, sorts far less than
    joining every row to a table of buckets and grouping once (half the time on a
    year of a million orders); SQLite caps a compound SELECT at 500 parts, hence chunks.
    """
    statements: list[Select[Any] | CompoundSelect] = []
    for first in range(0, len(buckets), chunk):
        parts = [build(bucket) for bucket in buckets[first:first + chunk]]
        statements.append(parts[0] if len(parts) == 1 else union_all(*parts))
    return statements


def within(timestamp: ColumnElement[Any], period: Period, timezone: str) -> ColumnElement[bool]:
    """``timestamp`` falls inside ``period`` (local days in ``timezone``)."""
    start, end = utc_bounds(period, timezone)
    return and_(timestamp >= bindparam(None, start, type_=UTCDateTime()),
                timestamp < bindparam(None, end, type_=UTCDateTime()))


def group_key(group_by: str) -> GroupKey:
    """The SQL for a ``--group-by`` choice, over ``orders`` and ``order_line``.

    channel and country are the order's (country: ship-to, ISO code); sku is the
    line's product sku (else the sku or name the channel sent); location is where the
    line shipped from, else where it is allocated, else ``(unallocated)`` (nothing
    recorded: history imported already shipped has no shipment); a line split across
    locations counts at the first location code. Raises InvalidInput.
    """
    if group_by == "channel":
        return GroupKey("channel", "order", ORDERS.c.channel)
    if group_by == "country":
        return GroupKey("country", "order",
                        func.coalesce(ORDERS.c.ship_country, literal_column("''")))
    if group_by == "sku":
        return GroupKey("sku", "line", line_sku())
    if group_by == "location":
        return GroupKey("location", "line", line_location())
    raise InvalidInput(f"cannot group by {group_by!r}: give one of {', '.join(GROUP_BY_CHOICES)}")


def line_sku() -> ColumnElement[Any]:
    """The sku of an ``order_line`` row: its product's, else what the channel sent."""
    product = PRODUCTS.alias("line_product")  # correlates with order_line only
    product_sku = select(product.c.sku).where(product.c.id == LINES.c.product_id).scalar_subquery()
    return func.coalesce(product_sku, LINES.c.sku, LINES.c.name)


def joined_sku() -> ColumnElement[Any]:
    """``line_sku()`` for a query that joins ``product`` on ``order_line.product_id``."""
    return func.coalesce(PRODUCTS.c.sku, LINES.c.sku, LINES.c.name)


def line_location() -> ColumnElement[Any]:
    """The location code an ``order_line`` row shipped from, else is allocated at."""
    shipped = (select(func.min(LOCATIONS.c.code))
               .select_from(SHIPMENT_LINES.join(SHIPMENTS).join(
                   LOCATIONS, LOCATIONS.c.id == SHIPMENTS.c.location_id))
               .where(SHIPMENT_LINES.c.order_line_id == LINES.c.id).scalar_subquery())
    allocated = (select(func.min(LOCATIONS.c.code))
                 .select_from(ALLOCATIONS.join(LOCATIONS,
                                               LOCATIONS.c.id == ALLOCATIONS.c.location_id))
                 .where(ALLOCATIONS.c.order_line_id == LINES.c.id,
                        ALLOCATIONS.c.status != "released").scalar_subquery())
    return func.coalesce(shipped, allocated, literal_column(f"'{UNALLOCATED}'"))


def money(minor: Any, currency: str) -> Decimal:
    """A summed minor-unit figure (None as zero) as the currency's Decimal amount."""
    return from_minor(int(minor or 0), currency)


def average(minor_total: int, count: int, currency: str) -> Decimal | None:
    """``minor_total / count`` in the currency, rounded half up; None when count is 0."""
    if not count:
        return None
    quantum = Decimal(1).scaleb(-exponent(currency))
    return (from_minor(minor_total, currency) / count).quantize(quantum, rounding=ROUND_HALF_UP)


def percent(part: Any, whole: Any, places: int = 1) -> Decimal | None:
    """``part / whole * 100`` rounded half up to ``places``; None when ``whole`` is 0."""
    if not whole:
        return None
    value = Decimal(part or 0) * 100 / Decimal(whole)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
