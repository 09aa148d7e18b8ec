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

from typing import Any

from sqlalchemy import BigInteger, and_, case, cast, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from oms_cli.domain.periods import Period, buckets
from oms_cli.errors import InvalidInput
from oms_cli.reports.common import (
    LINES,
    ORDERS,
    RETURN_LINES,
    RETURNS,
    SHIPMENT_LINES,
    SHIPMENTS,
    ReportRows,
    bucket_table,
    in_bucket,
    line_sku,
    money,
    percent,
)
from oms_cli.reports.inventory import shipped_outside_oms

GROUP_BY_CHOICES = ("reason", "sku", "channel")
NO_REASON = "(none)"
MEASURES = ("returns", "units", "restocked", "damaged", "refund", "shipped_units",
            "return_rate_pct")


def returns_report(session: Session, *, period: Period, timezone: str, by: str | None = None,
                   group_by: str = "reason") -> ReportRows:
    """Rows of (period, group, currency, *MEASURES) in bucket, group and currency order.

    Raises InvalidInput for a group_by other than reason, sku or channel.
    """
    if group_by not in GROUP_BY_CHOICES:
        raise InvalidInput(f"returns group by {', '.join(GROUP_BY_CHOICES)}, not {group_by!r}")
    table = bucket_table(buckets(period, by) if by else [period], timezone)
    returned = _returned(table, group_by)
    shipped = _shipped(table, group_by)
    same = [shipped.c.seq == returned.c.seq, shipped.c.currency == returned.c.currency]
    if group_by != "reason":  # a reason's rate is against every unit shipped
        same.append(shipped.c.key == returned.c.key)
    query = (select(returned, shipped.c.units.label("shipped_units"))
             .select_from(returned.outerjoin(shipped, and_(*same)))
             .order_by(returned.c.seq, returned.c.key, returned.c.currency))
    rows = [_row(row) for row in session.execute(query).mappings()]
    return ReportRows(("period", group_by, "currency", *MEASURES), rows)


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


def _shipped(table: Subquery, group_by: str) -> Subquery:
    """Units shipped per bucket, key and currency: by oms shipments, and history."""
    key = _shipped_key(group_by).label("key")
    by_shipment = (table.join(SHIPMENTS, in_bucket(SHIPMENTS.c.shipped_at, table))
                   .join(SHIPMENT_LINES, SHIPMENT_LINES.c.shipment_id == SHIPMENTS.c.id)
                   .join(ORDERS, ORDERS.c.id == SHIPMENTS.c.order_id))
    if group_by == "sku":  # only the sku needs the order line
        by_shipment = by_shipment.join(LINES, LINES.c.id == SHIPMENT_LINES.c.order_line_id)
    units, possible = shipped_outside_oms()
    every = union_all(
        select(table.c.seq, key, ORDERS.c.currency, SHIPMENT_LINES.c.quantity.label("units"))
        .select_from(by_shipment),
        select(table.c.seq, key, ORDERS.c.currency, units.label("units"))
        .select_from(table.join(ORDERS, in_bucket(ORDERS.c.placed_at, table))
                     .join(LINES, LINES.c.order_id == ORDERS.c.id))
        .where(possible),
    ).subquery("shipped_units")
    return (select(every.c.seq, every.c.key, every.c.currency,
                   func.sum(every.c.units).label("units"))
            .group_by(every.c.seq, every.c.key, every.c.currency)).subquery("shipped")


def _key(group_by: str) -> Any:
    if group_by == "reason":
        return func.coalesce(RETURNS.c.reason, NO_REASON)
    return _shipped_key(group_by)


def _shipped_key(group_by: str) -> Any:
    """The key shipped units are counted under: the sku or channel; one key for reasons."""
    if group_by == "sku":
        return line_sku()
    if group_by == "channel":
        return ORDERS.c.channel
    return literal("")


def _share(amount: Any, part: Any, whole: Any) -> Any:
    """amount x part / whole, rounded half up, in integers."""
    return (2 * amount * part + whole) // (2 * whole)


def _row(row: Any) -> tuple[Any, ...]:
    units, shipped = int(row["units"]), int(row["shipped_units"] or 0)
    return (row["label"], row["key"], row["currency"], int(row["returns"]), units,
            int(row["restocked"]), int(row["damaged"]), money(row["refund"], row["currency"]),
            shipped, percent(units, shipped))
