"""Fulfillment: how long orders wait to be allocated and shipped, splits and backorders.

The orders are those placed in the period (local days) that oms tried to allocate:
imported history (fulfilled or cancelled on the channel) never went through oms and
is left out, and so are orders still pending or held before their first allocation.
Cancelled orders stay in (a backorder that ended in a cancellation counts).

- hours_to_allocate: from placed_at to the order's first allocation; hours_to_ship:
  from placed_at to its first shipment. Median and p90 are nearest-rank percentiles of
  the orders that got there: the value at position ceil(p x n) of the n sorted hours.
- split_rate_pct = orders shipped from 2+ locations / orders shipped x 100.
- backorder_rate_pct = orders that were ever backordered (an order_event to
  ``backordered``) / orders x 100.

Grouped by location, an order counts at every location it was allocated at (or under
``(unallocated)``), with the hours to its first allocation and first shipment there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from sqlalchemy import (
    Float,
    Select,
    Table,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Subquery

from oms_cli.domain.lifecycle import OrderStatus
from oms_cli.domain.periods import Period, buckets
from oms_cli.errors import InvalidInput
from oms_cli.reports import summary
from oms_cli.reports.common import (
    ALLOCATIONS,
    LINES,
    LOCATIONS,
    OPEN,
    ORDERS,
    SHIPMENTS,
    UNALLOCATED,
    Bucket,
    ReportRows,
    bucket_table,
    in_bucket,
    per_bucket,
    percent,
    utc_buckets,
)
from oms_cli.store.tables import OrderEvent

EVENTS = cast(Table, OrderEvent.__table__)  # type: ignore[attr-defined]
FULFILLMENT = summary.FULFILLMENT
GROUP_BY_CHOICES = ("channel", "location")
# Statuses only an order with an allocation (open, shipped or released) can have.
_ALLOCATED_ONCE = tuple(status.value for status in (
    OrderStatus.ALLOCATED, OrderStatus.PARTIALLY_ALLOCATED, OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED, OrderStatus.PARTIALLY_RETURNED, OrderStatus.RETURNED))
MEASURES = ("orders", "allocated", "median_hours_to_allocate", "p90_hours_to_allocate",
            "shipped", "median_hours_to_ship", "p90_hours_to_ship", "split", "split_rate_pct",
            "backordered", "backorder_rate_pct")


class hours_between(FunctionElement[float]):
    """Hours from the first timestamp to the second, as a float, on every dialect."""

    type = Float()
    inherit_cache = True


@compiles(hours_between)
def _hours_default(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"


def fulfillment_report(session: Session, *, period: Period, timezone: str,
                       by: str | None = None, group_by: str | None = None,
                       summaries: bool = True) -> ReportRows:
    """Rows of (period, [group], *MEASURES) per bucket and group, in bucket then key order.

    Settled orders come from the daily summaries' histograms when they are kept in
    ``timezone``'s days (and ``summaries`` is on), open ones from the orders. Raises
    InvalidInput for a group_by other than channel or location.
    """
    if group_by is not None and group_by not in GROUP_BY_CHOICES:
        raise InvalidInput(f"fulfillment groups by {' or '.join(GROUP_BY_CHOICES)}, "
                           f"not {group_by!r}")
    spans = buckets(period, by) if by else [period]
    columns = ("period", *((group_by,) if group_by else ()), *MEASURES)
    if summaries and summary.kept_in(session, timezone):
        tallies = _summarised(session, spans, timezone, group_by)
        table = bucket_table(spans, timezone)
        for row in session.execute(select(order_facts(table, group_by, OPEN))).mappings():
            tallies[(row["seq"], row["key"] if group_by else None)].add_order(row)
        rows = [tallies[place].row(spans[place[0]].label, place[1], grouped=group_by is not None)
                for place in sorted(tallies, key=lambda place: (place[0], str(place[1])))]
        return ReportRows(columns, rows)
    table = bucket_table(spans, timezone)
    facts = _per_location(table) if group_by == "location" else _per_order(table, group_by)
    ranked = _ranked(facts)
    query = (select(ranked.c.seq, ranked.c.label, ranked.c.key,
                    func.count().label("orders"),
                    func.count(ranked.c.to_allocate).label("allocated"),
                    _percentile(ranked.c.to_allocate, ranked.c.allocate_share, 50)
                    .label("median_allocate"),
                    _percentile(ranked.c.to_allocate, ranked.c.allocate_share, 90)
                    .label("p90_allocate"),
                    func.count(ranked.c.to_ship).label("shipped"),
                    _percentile(ranked.c.to_ship, ranked.c.ship_share, 50).label("median_ship"),
                    _percentile(ranked.c.to_ship, ranked.c.ship_share, 90).label("p90_ship"),
                    func.sum(case((and_(ranked.c.split == 1, ranked.c.to_ship.is_not(None)), 1),
                                  else_=0)).label("split"),
                    func.sum(ranked.c.backordered).label("backordered"))
             .group_by(ranked.c.seq, ranked.c.label, ranked.c.key)
             .order_by(ranked.c.seq, ranked.c.key))
    rows = [_row(row, grouped=group_by is not None) for row in session.execute(query).mappings()]
    return ReportRows(columns, rows)


def order_facts(table: Subquery, group_by: str | None,
                statuses: Sequence[str] | None = None) -> Subquery:
    """One row per order (per order and location, grouped by location) of ``statuses``
    placed in the buckets of ``table``: seq, key, to_allocate, to_ship, split, backordered."""
    if group_by == "location":
        return _per_location(table, statuses)
    return _per_order(table, group_by, statuses)


@dataclass
class Tally:
    """One bucket and key's fulfillment: counts, and histograms of the hours to the first
    allocation and shipment in tenths of an hour (rounded half up, as reported)."""

    orders: int = 0
    split: int = 0
    backordered: int = 0
    allocate: Counter[int] = field(default_factory=Counter)
    ship: Counter[int] = field(default_factory=Counter)

    def add_order(self, facts: Mapping[str, Any]) -> None:
        """Count one row of ``order_facts``."""
        self.orders += 1
        self.backordered += int(facts["backordered"])
        if facts["to_allocate"] is not None:
            self.allocate[tenths(facts["to_allocate"])] += 1
        if facts["to_ship"] is not None:
            self.ship[tenths(facts["to_ship"])] += 1
            self.split += int(facts["split"])

    def add(self, measure: str, tenth: int, count: int) -> None:
        """Count a summary row: ``count`` orders of ``measure`` (at ``tenth`` hours)."""
        if measure in ("allocate", "ship"):
            getattr(self, measure)[tenth] += count
        else:
            setattr(self, measure, getattr(self, measure) + count)

    def row(self, label: str, key: Any, *, grouped: bool) -> tuple[Any, ...]:
        allocated, shipped = self.allocate.total(), self.ship.total()
        return (label, *((key,) if grouped else ()), self.orders, allocated,
                nearest_rank(self.allocate, 50), nearest_rank(self.allocate, 90), shipped,
                nearest_rank(self.ship, 50), nearest_rank(self.ship, 90), self.split,
                percent(self.split, shipped), self.backordered,
                percent(self.backordered, self.orders))


def tenths(hours: float) -> int:
    """Hours as whole tenths, rounded half up as the report shows them."""
    return int(_hours(hours).scaleb(1))  # type: ignore[union-attr]


def nearest_rank(histogram: Mapping[int, int], percentile: int) -> Decimal | None:
    """The nearest-rank percentile of a histogram of tenths (value -> how many), in hours:
    the least value that at least ``percentile`` % of the counted values are at most.

    Rounding first and ranking after gives the rounded percentile of the exact values:
    rounding never reorders them.
    """
    total = sum(histogram.values())
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen * 100 >= percentile * total:
            return Decimal(value).scaleb(-1)
    return None


def _summarised(session: Session, spans: Sequence[Period], timezone: str,
                group_by: str | None) -> defaultdict[tuple[int, Any], Tally]:
    """The settled orders' tallies per bucket and key, from the daily summaries."""
    days = FULFILLMENT
    dimension = "location" if group_by == "location" else "channel"
    tallies: defaultdict[tuple[int, Any], Tally] = defaultdict(Tally)

    def build(bucket: Bucket) -> Select[Any]:
        return (select(*bucket.columns(), days.c.key, days.c.measure, days.c.tenths,
                       func.sum(days.c.orders).label("orders"))
                .where(days.c.dimension == dimension, bucket.holds(days.c.day))
                .group_by(days.c.key, days.c.measure, days.c.tenths))

    for statement in per_bucket(utc_buckets(spans, timezone), build):
        for seq, _, key, measure, tenth, count in session.execute(statement):
            tallies[(seq, key if group_by else None)].add(measure, tenth, int(count))
    return tallies


def _tried_orders(table: Subquery, statuses: Sequence[str] | None = None) -> tuple[Any, Any]:
    """The join of the buckets with the orders placed in them, and the condition keeping
    those oms tried to allocate (and in ``statuses``)."""
    tried = ORDERS.c.allocation_tried_at.is_not(None)
    if statuses is not None:
        tried = and_(tried, ORDERS.c.status.in_(tuple(statuses)))
    return table.join(ORDERS, in_bucket(ORDERS.c.placed_at, table)), tried


def _backordered(order_id: Any) -> Any:
    """1 when the order's timeline has a move to backordered, else 0."""
    ever = exists().where(EVENTS.c.order_id == order_id, EVENTS.c.to_status == "backordered")
    return case((ever, 1), else_=0).label("backordered")


def _per_order(table: Subquery, group_by: str | None,
               statuses: Sequence[str] | None = None) -> Subquery:
    """One row per order: bucket, key, hours to its first allocation and first shipment,
    split (0/1), backordered (0/1). Each fact is a lookup in an index on the order (no
    grouping of a year's orders, which would sort them)."""
    first_allocation = (select(func.min(ALLOCATIONS.c.created_at))
                        .select_from(LINES.join(ALLOCATIONS,
                                                ALLOCATIONS.c.order_line_id == LINES.c.id))
                        .where(LINES.c.order_id == ORDERS.c.id).scalar_subquery())
    first_shipment = (select(func.min(SHIPMENTS.c.shipped_at))
                      .where(SHIPMENTS.c.order_id == ORDERS.c.id).scalar_subquery())
    joined, tried = _tried_orders(table, statuses)
    key = ORDERS.c.channel if group_by == "channel" else literal(None)
    return (select(table.c.seq, table.c.label, key.label("key"),
                   _hours_since_placed(first_allocation).label("to_allocate"),
                   _hours_since_placed(first_shipment).label("to_ship"),
                   _split(ORDERS.c.id), _backordered(ORDERS.c.id))
            .select_from(joined).where(tried)).subquery("per_order")


def _split(order_id: Any) -> Any:
    """1 when the order shipped from two locations or more, else 0."""
    def location(extreme: Any) -> Any:
        return (select(extreme(SHIPMENTS.c.location_id))
                .where(SHIPMENTS.c.order_id == order_id).scalar_subquery())

    return case((location(func.min) != location(func.max), 1), else_=0).label("split")


def _per_location(table: Subquery, statuses: Sequence[str] | None = None) -> Subquery:
    """One row per order and location it was allocated at, as _per_order; an order with
    no allocation at all counts once, under (unallocated)."""
    joined, tried = _tried_orders(table, statuses)
    shipped_there = (select(func.min(SHIPMENTS.c.shipped_at))
                     .where(SHIPMENTS.c.order_id == ORDERS.c.id,
                            SHIPMENTS.c.location_id == LOCATIONS.c.id).scalar_subquery())
    allocated = (select(table.c.seq, table.c.label, LOCATIONS.c.code.label("key"),
                        _hours_since_placed(func.min(ALLOCATIONS.c.created_at))
                        .label("to_allocate"),
                        _hours_since_placed(shipped_there).label("to_ship"),
                        _split(ORDERS.c.id),
                        _backordered(ORDERS.c.id))
                 .select_from(joined.join(LINES, LINES.c.order_id == ORDERS.c.id)
                              .join(ALLOCATIONS, ALLOCATIONS.c.order_line_id == LINES.c.id)
                              .join(LOCATIONS, LOCATIONS.c.id == ALLOCATIONS.c.location_id))
                 .where(tried)
                 .group_by(table.c.seq, table.c.label, ORDERS.c.id, LOCATIONS.c.id))
    any_allocation = (select(ALLOCATIONS.c.id)
                      .join(LINES, LINES.c.id == ALLOCATIONS.c.order_line_id)
                      .where(LINES.c.order_id == ORDERS.c.id).exists())
    unallocated = (select(table.c.seq, table.c.label, literal(UNALLOCATED).label("key"),
                          null().label("to_allocate"), null().label("to_ship"),
                          literal(0).label("split"),
                          _backordered(ORDERS.c.id))
                   .select_from(joined)
                   .where(tried, ORDERS.c.status.not_in(_ALLOCATED_ONCE), ~any_allocation))
    return union_all(allocated, unallocated).subquery("per_location")


def _hours_since_placed(moment: Any) -> Any:
    return hours_between(ORDERS.c.placed_at, moment)


def _ranked(facts: Subquery) -> Subquery:
    """Each order's hours beside their cumulative distribution in its group: the share of
    the group's hours at most as many (rows without hours apart). One window per measure:
    its sort is what a percentile costs."""
    group = (facts.c.seq, facts.c.key)
    to_allocate, to_ship = facts.c.to_allocate, facts.c.to_ship

    def share_at_most(hours: Any) -> Any:
        return func.cume_dist().over(partition_by=(*group, hours.is_(None)), order_by=hours)

    return select(facts.c.seq, facts.c.label, facts.c.key, facts.c.split,
                  facts.c.backordered, to_allocate, to_ship,
                  share_at_most(to_allocate).label("allocate_share"),
                  share_at_most(to_ship).label("ship_share")).subquery("ranked")


def _percentile(hours: Any, share: Any, percentile: int) -> Any:
    """The nearest-rank percentile, the hours at position ceil(percentile/100 x count) of
    the sorted hours: the least hours that at least percentile % of the group's are at most.

    Exact in floating point: cume_dist is k/n and percentile/100 a fraction, each rounded
    once, and two different such fractions (n below 10^13) are never one rounding apart.
    """
    least_share = literal(percentile / 100, Float())
    return func.min(case((and_(hours.is_not(None), share >= least_share), hours)))


def _row(row: Any, *, grouped: bool) -> tuple[Any, ...]:
    orders, shipped = int(row["orders"]), int(row["shipped"])
    split, backordered = int(row["split"] or 0), int(row["backordered"] or 0)
    return (row["label"], *((row["key"],) if grouped else ()), orders, int(row["allocated"]),
            _hours(row["median_allocate"]), _hours(row["p90_allocate"]), shipped,
            _hours(row["median_ship"]), _hours(row["p90_ship"]), split,
            percent(split, shipped), backordered, percent(backordered, orders))


def _hours(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
