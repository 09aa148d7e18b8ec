"""Returns: what comes back, why, in what state, what it cost, and how often.

Returns count in the period they were recorded (`oms return`, local days), one row per
bucket, group (reason, sku or channel) and currency (the order's). Units are units of
the order lines (a bundle counts once).

- returns: return records; units: units returned;
- restocked: units returned resaleable (back to available); damaged: units returned
  damaged (on hand, never sold);
- refund: refunds of the returns, in the row's currency. Grouped by sku, a return of
  several lines shares its refund in proportion to the lines' unit_price x units
  (by units when those are all 0), rounded half up to the minor unit;
- return_rate_pct = units returned / units shipped x 100, where units shipped are those
  of the same sku or channel (every unit for a reason row) and currency shipped in
  the bucket: shipment lines by shipped_at, and imported history orders shipped
  without an oms shipment by placed_at. Empty when nothing shipped in the bucket.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import partial
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from oms_cli.domain.periods import Period, buckets
from oms_cli.errors import InvalidInput
from oms_cli.reports import summary
from oms_cli.reports.common import (
    LINES,
    OPEN,
    ORDERS,
    RETURN_LINES,
    RETURNS,
    SHIPMENT_LINES,
    SHIPMENTS,
    Bucket,
    ReportRows,
    bucket_table,
    in_bucket,
    line_sku,
    money,
    per_bucket,
    percent,
    utc_buckets,
)
from oms_cli.reports.inventory import fulfilled_by_channel, shipped_outside_oms

GROUP_BY_CHOICES = ("reason", "sku", "channel")
NO_REASON = "(none)"
_BATCH = 500  # order ids per statement
MEASURES = ("returns", "units", "restocked", "damaged", "refund", "shipped_units",
            "return_rate_pct")


def returns_report(session: Session, *, period: Period, timezone: str, by: str | None = None,
                   group_by: str = "reason", summaries: bool = True) -> ReportRows:
    """Rows of (period, group, currency, *MEASURES) in bucket, group and currency order.

    The returns are read from the return records; the units shipped of settled orders
    from the shipped summary when the summaries are kept in ``timezone``'s days (and
    ``summaries`` is not turned off), the open orders' from their shipments.
    Raises InvalidInput for a group_by other than reason, sku or channel.
    """
    if group_by not in GROUP_BY_CHOICES:
        raise InvalidInput(f"returns group by {', '.join(GROUP_BY_CHOICES)}, not {group_by!r}")
    spans = buckets(period, by) if by else [period]
    table = bucket_table(spans, timezone)
    returned = _returned(table, group_by)
    found = session.execute(select(returned).order_by(
        returned.c.seq, returned.c.key, returned.c.currency)).mappings().all()
    columns = ("period", group_by, "currency", *MEASURES)
    if not found:
        return ReportRows(columns, [])
    dimension = None if group_by == "reason" else group_by
    shipped = _shipped(session, utc_buckets(spans, timezone), dimension,
                       summaries and summary.kept_in(session, timezone)
                       and summary.shipped_kept(session))
    rows = [_row(row, shipped[(row["seq"], row["key"] if dimension else "", row["currency"])])
            for row in found]
    return ReportRows(columns, rows)


def _shipped(session: Session, timed: Sequence[Bucket], dimension: str | None,
             from_summary: bool) -> Counter[tuple[int, str, str]]:
    """Units shipped per (bucket seq, key, currency): of the settled orders from the
    shipped summary and of the open ones live, or (not ``from_summary``) all live."""
    shipped: Counter[tuple[int, str, str]] = Counter()
    selections: list[ColumnElement[bool] | None] = [None]  # every order
    if from_summary:
        for row in summary.shipped_units(session, timed, dimension):
            shipped[(row["seq"], row["key"], row["currency"])] += int(row["units"])
        ids = open_shipping(session)
        selections = [ORDERS.c.id.in_(ids[first:first + _BATCH])
                      for first in range(0, len(ids), _BATCH)]
    for chosen in selections:
        units_in = partial(shipped_units, dimension=dimension, orders=chosen)
        for statement in per_bucket(timed, units_in):
            for row in session.execute(statement):
                shipped[(row.seq, row.key, row.currency)] += int(row.units)
    return shipped


def _returned(table: Subquery, group_by: str) -> Subquery:
    """Returns, units by condition and refunds per bucket, key and currency."""
    per_line = _return_lines(table, group_by)
    units = per_line.c.units
    return (select(per_line.c.seq, per_line.c.label, per_line.c.key, per_line.c.currency,
                   func.count(func.distinct(per_line.c.return_id)).label("returns"),
                   func.sum(units).label("units"),
                   func.sum(case((per_line.c.condition == "damaged", 0), else_=units))
                   .label("restocked"),
                   func.sum(case((per_line.c.condition == "damaged", units), else_=0))
                   .label("damaged"),
                   func.sum(per_line.c.refund).label("refund"))
            .group_by(per_line.c.seq, per_line.c.label, per_line.c.key, per_line.c.currency)
            ).subquery("returned")


def _return_lines(table: Subquery, group_by: str) -> Subquery:
    """Each returned line with its key and its part of the return's refund."""
    value = cast(LINES.c.unit_price, BigInteger) * RETURN_LINES.c.quantity
    # PostgreSQL sums bigints as numeric: cast back, so _share divides whole numbers.
    whole_value = cast(func.sum(value).over(partition_by=RETURNS.c.id), BigInteger)
    whole_units = cast(func.sum(RETURN_LINES.c.quantity).over(partition_by=RETURNS.c.id),
                       BigInteger)
    first = func.row_number().over(partition_by=RETURNS.c.id, order_by=RETURN_LINES.c.id) == 1
    if group_by == "sku":
        refund = case((whole_value > 0, _share(RETURNS.c.refund, value, whole_value)),
                      else_=_share(RETURNS.c.refund, RETURN_LINES.c.quantity, whole_units))
    else:  # the whole refund once, on the return's first line
        refund = case((first, RETURNS.c.refund), else_=0)
    return (select(table.c.seq, table.c.label, _key(group_by).label("key"),
                   ORDERS.c.currency, RETURNS.c.id.label("return_id"), RETURNS.c.condition,
                   RETURN_LINES.c.quantity.label("units"), refund.label("refund"))
            .select_from(table.join(RETURNS, in_bucket(RETURNS.c.created_at, table))
                         .join(RETURN_LINES, RETURN_LINES.c.return_id == RETURNS.c.id)
                         .join(LINES, LINES.c.id == RETURN_LINES.c.order_line_id)
                         .join(ORDERS, ORDERS.c.id == RETURNS.c.order_id))
            ).subquery("per_line")


def shipped_units(bucket: Bucket, dimension: str | None,
                  orders: ColumnElement[bool] | None = None) -> Select[Any]:
    """Units shipped in ``bucket`` per key of ``dimension`` (sku, channel, or None: one
    key, '') and currency, by the orders meeting ``orders`` (default: every order): by
    oms shipments made in the bucket, and history orders placed in it that the channel
    shipped without one. Columns seq, label, key, currency, units.

    The bucket's bounds are constants, so the planner can read the shipments from the
    shipped_at index; a condition on the orders should not tempt it to read a whole
    status of orders instead (``summary.settled()``, not a status IN list)."""
    key = _shipped_key(dimension).label("key")
    by_shipment = (SHIPMENTS.join(SHIPMENT_LINES, SHIPMENT_LINES.c.shipment_id == SHIPMENTS.c.id)
                   .join(ORDERS, ORDERS.c.id == SHIPMENTS.c.order_id))
    if dimension == "sku":  # only the sku needs the order line
        by_shipment = by_shipment.join(LINES, LINES.c.id == SHIPMENT_LINES.c.order_line_id)
    units, possible = shipped_outside_oms()
    among = [] if orders is None else [orders]
    every = union_all(
        select(key, ORDERS.c.currency, SHIPMENT_LINES.c.quantity.label("units"))
        .select_from(by_shipment).where(bucket.holds(SHIPMENTS.c.shipped_at), *among),
        select(key, ORDERS.c.currency, units.label("units"))
        .select_from(ORDERS.join(LINES, LINES.c.order_id == ORDERS.c.id))
        .where(bucket.holds(ORDERS.c.placed_at), possible, *among),
    ).subquery("shipped_units")
    return (select(*bucket.columns(), every.c.key, every.c.currency,
                   func.sum(every.c.units).label("units"))
            .group_by(every.c.key, every.c.currency))


def open_shipping(session: Session) -> list[int]:
    """The open orders with units shipped (by oms, or by the channel before the import):
    few, found by the status index, where a year of shipments is a million rows."""
    shipped = (select(SHIPMENTS.c.id).where(SHIPMENTS.c.order_id == ORDERS.c.id)
               .exists())
    return list(session.execute(select(ORDERS.c.id).where(
        ORDERS.c.status.in_(OPEN), or_(shipped, fulfilled_by_channel()))).scalars())


def _key(group_by: str) -> Any:
    if group_by == "reason":
        return func.coalesce(RETURNS.c.reason, NO_REASON)
    return _shipped_key(group_by)


def _shipped_key(dimension: str | None) -> Any:
    """The key shipped units are counted under: the sku or channel, else one key."""
    if dimension == "sku":
        return line_sku()
    if dimension == "channel":
        return ORDERS.c.channel
    return literal("")


def _share(amount: Any, part: Any, whole: Any) -> Any:
    """amount x part / whole, rounded half up, in integers."""
    return (2 * amount * part + whole) // (2 * whole)


def _row(row: Any, shipped: int) -> tuple[Any, ...]:
    units = int(row["units"])
    return (row["label"], row["key"], row["currency"], int(row["returns"]), units,
            int(row["restocked"]), int(row["damaged"]), money(row["refund"], row["currency"]),
            shipped, percent(units, shipped))
