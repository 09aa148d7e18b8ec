"""What needs attention now: ``oms report status``, in four sections.

- orders: orders per status and channel. Open statuses (pending ... partially_shipped)
  count every open order whatever its age, with how many are late and the oldest;
  closed ones (shipped, returned, cancelled) count orders placed in the period.
- late: open orders placed longer ago than the shipping SLA, oldest first.
- holds: orders on hold per reason, with the oldest.
- reorder: active products with a reorder point whose available units (on hand -
  reserved - damaged - safety stock per location, never below zero, summed over
  active locations) are at or below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, exists, func, select, union_all
from sqlalchemy.orm import Session

from oms_cli.domain.lifecycle import OrderStatus
from oms_cli.domain.periods import Period
from oms_cli.reports.common import (
    BUNDLE_COMPONENTS,
    LOCATIONS,
    OPEN,
    ORDER_GROUPS,
    ORDERS,
    PRODUCTS,
    STOCK_LEVELS,
    ReportRows,
    within,
)
from oms_cli.store.types import UTCDateTime

SECTIONS = ("orders", "late", "holds", "reorder")
ORDER_COLUMNS = ("status", "channel", "orders", "late", "oldest_placed_at", "age_hours")
LATE_COLUMNS = ("order", "channel", "external_id", "status", "placed_at", "age_hours",
                "hold_reason")
HOLD_COLUMNS = ("hold_reason", "orders", "oldest_placed_at", "age_hours")
REORDER_COLUMNS = ("sku", "on_hand", "reserved", "available", "reorder_point", "reorder_qty",
                   "name")
_STATUS_ORDER = {status.value: index for index, status in enumerate(OrderStatus)}


@dataclass(frozen=True)
class StatusReport:
    """The sections in SECTIONS order, and one sentence per thing needing attention."""

    sections: list[ReportRows]
    attention: list[str]


def status_report(session: Session, *, now: datetime, sla_hours: int, period: Period,
                  timezone: str, watch_stock: bool = True, late_limit: int = 20) -> StatusReport:
    """The status of the order book at ``now`` (aware UTC).

    An order is late when it is open and was placed before ``now - sla_hours``.
    ``attention`` names the holds, late orders and (with ``watch_stock``) products at
    or below their reorder point.
    """
    deadline = now - timedelta(hours=sla_hours)
    orders = _orders(session, now, deadline, period, timezone)
    late_count = sum(row[3] or 0 for row in orders.rows)
    late = _late(session, now, deadline, late_limit, late_count)
    holds = _holds(session, now)
    reorder = _reorder(session)
    attention = _attention(sum(row[1] for row in holds.rows), late_count, sla_hours,
                           len(reorder.rows) if watch_stock else 0)
    return StatusReport([orders, late, holds, reorder], attention)


def _orders(session: Session, now: datetime, deadline: datetime, period: Period,
            timezone: str) -> ReportRows:
    is_late = ORDERS.c.placed_at < _at(deadline)
    open_rows = session.execute(
        select(ORDERS.c.status, ORDERS.c.channel, func.count(),
               func.sum(case((is_late, 1), else_=0)), func.min(ORDERS.c.placed_at))
        .where(ORDERS.c.status.in_(OPEN))
        .group_by(ORDERS.c.status, ORDERS.c.channel))
    closed_rows = session.execute(_closed_orders(period, timezone))
    rows: list[tuple[Any, ...]] = [(status, channel, count, int(late or 0), oldest,
                                    _age(now, oldest))
                                   for status, channel, count, late, oldest in open_rows]
    rows += [(status, channel, count, None, None, None) for status, channel, count in closed_rows]
    rows.sort(key=lambda row: (_STATUS_ORDER.get(row[0], len(_STATUS_ORDER)), row[1]))
    return ReportRows(ORDER_COLUMNS, rows, title="orders")


def _closed_orders(period: Period, timezone: str) -> Any:
    """Closed orders placed in the period per status and channel.

    Grouped first by ORDER_GROUPS, the columns an index holds the period's orders in
    (no sort of a year's orders), then by status and channel (a few hundred rows).
    """
    groups = (select(*ORDER_GROUPS, func.count().label("orders"))
              .where(within(ORDERS.c.placed_at, period, timezone), ORDERS.c.status.not_in(OPEN))
              .group_by(*ORDER_GROUPS)).subquery("closed_groups")
    return (select(groups.c.status, groups.c.channel, func.sum(groups.c.orders))
            .group_by(groups.c.status, groups.c.channel))


def _late(session: Session, now: datetime, deadline: datetime, limit: int,
          count: int) -> ReportRows:
    # The oldest of each open status first (each a range of the status index), then the
    # oldest of those: one ordered scan would walk the whole book to reach the open ones.
    columns = (ORDERS.c.id, ORDERS.c.channel, ORDERS.c.external_id, ORDERS.c.status,
               ORDERS.c.placed_at, ORDERS.c.hold_reason)
    oldest = union_all(*(
        select(*columns).where(ORDERS.c.status == status, ORDERS.c.placed_at < _at(deadline))
        .order_by(ORDERS.c.placed_at, ORDERS.c.id).limit(limit).subquery(f"late_{n}").select()
        for n, status in enumerate(OPEN))).subquery("late")
    rows = session.execute(select(oldest).order_by(oldest.c.placed_at, oldest.c.id).limit(limit))
    listed = [(order_id, channel, external, status, placed, _age(now, placed), reason)
              for order_id, channel, external, status, placed, reason in rows]
    notes = [f"{count} late orders: the {limit} oldest are listed (--limit)"] \
        if count > len(listed) else []
    return ReportRows(LATE_COLUMNS, listed, notes, title="late")


def _holds(session: Session, now: datetime) -> ReportRows:
    rows = session.execute(
        select(ORDERS.c.hold_reason, func.count(), func.min(ORDERS.c.placed_at))
        .where(ORDERS.c.status == OrderStatus.ON_HOLD.value)
        .group_by(ORDERS.c.hold_reason))
    holds = sorted((reason or "other", count, oldest, _age(now, oldest))
                   for reason, count, oldest in rows)
    return ReportRows(HOLD_COLUMNS, holds, title="holds")


def _reorder(session: Session) -> ReportRows:
    levels = STOCK_LEVELS
    free = (levels.c.on_hand - levels.c.reserved - levels.c.damaged
            - PRODUCTS.c.safety_stock)
    available = func.coalesce(func.sum(case((free > 0, free), else_=0)), 0)
    is_bundle = exists().where(BUNDLE_COMPONENTS.c.bundle_id == PRODUCTS.c.id)
    rows = session.execute(
        select(PRODUCTS.c.sku, func.coalesce(func.sum(levels.c.on_hand), 0),
               func.coalesce(func.sum(levels.c.reserved), 0), available,
               PRODUCTS.c.reorder_point, PRODUCTS.c.reorder_qty, PRODUCTS.c.name)
        .select_from(PRODUCTS.outerjoin(levels.join(LOCATIONS, and_(
            LOCATIONS.c.id == levels.c.location_id, LOCATIONS.c.active)),
            levels.c.product_id == PRODUCTS.c.id))
        .where(PRODUCTS.c.active, PRODUCTS.c.reorder_point > 0, ~is_bundle)
        .group_by(PRODUCTS.c.id, PRODUCTS.c.sku, PRODUCTS.c.reorder_point,
                  PRODUCTS.c.reorder_qty, PRODUCTS.c.name)
        .having(available <= PRODUCTS.c.reorder_point)
        .order_by(PRODUCTS.c.sku))
    return ReportRows(REORDER_COLUMNS, [
        (sku, int(on_hand), int(reserved), int(free_units), point, quantity, name)
        for sku, on_hand, reserved, free_units, point, quantity, name in rows], title="reorder")


def _attention(holds: int, late: int, sla_hours: int, reorder: int) -> list[str]:
    found = []
    if holds:
        found.append(f"{holds} order{'s' if holds != 1 else ''} on hold")
    if late:
        found.append(f"{late} order{'s' if late != 1 else ''} past the {sla_hours}-hour "
                     "shipping SLA")
    if reorder:
        found.append(f"{reorder} sku{'s' if reorder != 1 else ''} at or below the reorder point")
    return found


def _at(moment: datetime) -> Any:
    return bindparam(None, moment, type_=UTCDateTime())


def _age(now: datetime, placed: datetime | None) -> int | None:
    """Whole hours from ``placed`` to ``now`` (None when unknown)."""
    if placed is None:
        return None
    return max(0, int((now - placed).total_seconds() // 3600))

