"""`oms report inventory`: the stock there is, how fast it sells, and what to reorder.

One row per active product (bundles hold no stock of their own) with location ``all``:
the totals over the active locations. ``by_location`` gives one row per product and
active location instead, every figure that location's own.

- velocity: units shipped per day over the window (``window_days`` days). Units shipped
  are the ledger's ``ship`` movements (a bundle counts as its components, each at the
  location it left) plus the units of imported history orders that oms never shipped
  itself (no shipment recorded for them): those are dated by the order's placed_at and
  have no location, so they count in the ``all`` rows only.
- days_of_cover = available / velocity; empty when nothing shipped in the window.
- reorder_qty: units to order so stock lasts the lead time plus ``cover_days``:
  ceil(velocity x (lead_time_days + cover_days) + safety_stock - free - on order), at
  least 0, and at least the product's reorder_qty when below its reorder point. ``free``
  is on_hand - reserved - damaged (available already holds the safety stock back); oms
  keeps no purchase orders, so on order is 0.
- below_reorder_point: available <= the product's reorder_point (as `oms stock show --low`).
- value_at_cost = on_hand x cost, in the product's currency; empty when the cost is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, case, exists, func, literal, select
from sqlalchemy.orm import Session

from oms_cli.domain.money import from_minor
from oms_cli.domain.orders import ChannelFulfillment
from oms_cli.domain.periods import span, utc_bounds
from oms_cli.errors import NotFound
from oms_cli.reports.common import (
    BUNDLE_COMPONENTS,
    LINES,
    LOCATIONS,
    ORDERS,
    PRODUCTS,
    SHIPMENT_LINES,
    STOCK_LEVELS,
    ReportRows,
)
from oms_cli.store.tables import StockMovement

MOVEMENTS = cast(Table, StockMovement.__table__)  # type: ignore[attr-defined]

INVENTORY_COLUMNS = (
    "sku", "location", "on_hand", "reserved", "available", "velocity", "days_of_cover",
    "reorder_qty", "value_at_cost", "currency", "below_reorder_point", "lead_time_days",
    "damaged", "reorder_point", "units_shipped",
)  # fmt: skip
ALL_LOCATIONS = "all"


@dataclass(frozen=True)
class InventoryWindow:
    """The velocity window [start, end) in UTC, its length in days (``label``: its local
    days, for people), and the reorder aims."""

    start: datetime
    end: datetime
    days: int
    default_lead_time_days: int = 14
    cover_days: int = 30
    label: str = ""

    @classmethod
    def ending(cls, today: date, days: int, timezone: str, *, default_lead_time_days: int,
               cover_days: int) -> InventoryWindow:
        """The ``days`` local days through ``today`` in ``timezone``."""
        days_back = span(today - timedelta(days=days - 1), today + timedelta(days=1))
        start, end = utc_bounds(days_back, timezone)
        return cls(start=start, end=end, days=days,
                   default_lead_time_days=default_lead_time_days, cover_days=cover_days,
                   label=days_back.label)


def inventory_report(session: Session, *, window: InventoryWindow, by_location: bool = False,
                     location: str | None = None, low_only: bool = False) -> ReportRows:
    """Named rows (INVENTORY_COLUMNS), ordered by sku then location.

    ``location`` keeps one location's rows (it implies ``by_location``); ``low_only``
    keeps the rows below their reorder point. Raises NotFound for an unknown location.
    """
    if location is not None and session.scalar(
            select(LOCATIONS.c.id).where(LOCATIONS.c.code == location)) is None:
        raise NotFound(f"unknown location {location!r} (see `oms location list`)")
    by_location = by_location or location is not None
    query = _per_location(window, location) if by_location else _totals(window)
    rows = [_row(record, window) for record in session.execute(query).mappings()]
    if low_only:
        rows = [row for row in rows if row[INVENTORY_COLUMNS.index("below_reorder_point")]]
    days = window.label or f"{window.start:%Y-%m-%d %H:%M} to {window.end:%Y-%m-%d %H:%M} UTC"
    notes = [f"velocity: units shipped per day over the {window.days} days {days}"]
    return ReportRows(INVENTORY_COLUMNS, rows, notes)


def days_of_cover(available: int, units_shipped: int, days: int) -> Decimal | None:
    """available / (units_shipped / days), to one decimal; None when nothing shipped."""
    if units_shipped <= 0:
        return None
    return _rounded(Decimal(available * days) / units_shipped, "0.1")


def suggested_reorder(*, units_shipped: int, days: int, lead_time_days: int, cover_days: int,
                      safety_stock: int, free: int, below_reorder_point: bool,
                      reorder_qty: int) -> int:
    """Whole units to order: ceil(velocity x (lead + cover) + safety - free), >= 0, and at
    least ``reorder_qty`` when below the reorder point. Exact: no floats on the way."""
    numerator = units_shipped * (lead_time_days + cover_days) + days * (safety_stock - free)
    need = max(0, -(-numerator // days))
    return max(need, reorder_qty) if below_reorder_point else need


def _row(record: Any, window: InventoryWindow) -> tuple[object, ...]:
    shipped = int(record["units_shipped"])
    available = int(record["available"])
    free = int(record["on_hand"]) - int(record["reserved"]) - int(record["damaged"])
    lead_time = record["lead_time_days"]
    lead_time = window.default_lead_time_days if lead_time is None else int(lead_time)
    below = available <= record["reorder_point"]
    cost = record["cost"]
    value = None if cost is None else from_minor(int(record["on_hand"]) * cost,
                                                 record["currency"])
    reorder = suggested_reorder(units_shipped=shipped, days=window.days,
                                lead_time_days=lead_time, cover_days=window.cover_days,
                                safety_stock=record["safety_stock"], free=free,
                                below_reorder_point=below, reorder_qty=record["reorder_qty"])
    return (record["sku"], record["location"], int(record["on_hand"]), int(record["reserved"]),
            available, _rounded(Decimal(shipped) / window.days, "0.01"),
            days_of_cover(available, shipped, window.days), reorder, value, record["currency"],
            below, lead_time, int(record["damaged"]), record["reorder_point"], shipped)


def _rounded(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _available() -> Any:
    """max(0, on_hand - reserved - damaged - safety_stock) of one level, on every dialect."""
    free = (STOCK_LEVELS.c.on_hand - STOCK_LEVELS.c.reserved - STOCK_LEVELS.c.damaged
            - PRODUCTS.c.safety_stock)
    return case((free > 0, free), else_=0)


def _product_columns() -> list[Any]:
    return [PRODUCTS.c.sku, PRODUCTS.c.cost, PRODUCTS.c.currency, PRODUCTS.c.reorder_point,
            PRODUCTS.c.reorder_qty, PRODUCTS.c.safety_stock, PRODUCTS.c.lead_time_days]


def _is_plain_active_product() -> Any:
    return and_(PRODUCTS.c.active, ~exists().where(BUNDLE_COMPONENTS.c.bundle_id == PRODUCTS.c.id))


def _shipped_from_ledger(window: InventoryWindow, *, per_location: bool) -> Any:
    """Units that left each product's stock (per location, or in all) in the window."""
    keys = [MOVEMENTS.c.product_id]
    if per_location:
        keys.append(MOVEMENTS.c.location_id)
    return (select(*keys, func.sum(-MOVEMENTS.c.quantity).label("units"))
            .where(MOVEMENTS.c.reason == "ship", MOVEMENTS.c.at >= window.start,
                   MOVEMENTS.c.at < window.end)
            .group_by(*keys)).subquery()


def fulfilled_by_channel() -> ColumnElement[bool]:
    """The channel reports the order (partly) fulfilled: only such an order can have
    units shipped without an oms shipment."""
    return ORDERS.c.channel_fulfillment != ChannelFulfillment.UNFULFILLED.value


def shipped_outside_oms() -> tuple[Any, Any]:
    """The line units shipped without an oms shipment (the channel fulfilled them: imported
    history), and the condition on the line and its order that can have any.

    Only an order the channel reports (partly) fulfilled has such units; the condition
    lets a query skip the lines of every other order without looking at their shipments.
    """
    recorded = (select(func.coalesce(func.sum(SHIPMENT_LINES.c.quantity), 0))
                .where(SHIPMENT_LINES.c.order_line_id == LINES.c.id).scalar_subquery())
    possible = and_(fulfilled_by_channel(), LINES.c.shipped > 0)
    return LINES.c.shipped - recorded, possible


def _shipped_as_history(window: InventoryWindow) -> Any:
    """Units of orders placed in the window that the channel shipped, as product units:
    a bundle line counts as its components."""
    units, possible = shipped_outside_oms()
    product_id = func.coalesce(BUNDLE_COMPONENTS.c.component_id, LINES.c.product_id)
    per_line = func.coalesce(BUNDLE_COMPONENTS.c.quantity, 1)
    return (select(product_id.label("product_id"), func.sum(units * per_line).label("units"))
            .select_from(ORDERS)
            .join(LINES, LINES.c.order_id == ORDERS.c.id)
            .outerjoin(BUNDLE_COMPONENTS, BUNDLE_COMPONENTS.c.bundle_id == LINES.c.product_id)
            .where(ORDERS.c.placed_at >= window.start, ORDERS.c.placed_at < window.end, possible,
                   LINES.c.product_id.is_not(None))
            .group_by(product_id)).subquery()


def _totals(window: InventoryWindow) -> Select[Any]:
    levels = (select(STOCK_LEVELS.c.product_id,
                     func.sum(STOCK_LEVELS.c.on_hand).label("on_hand"),
                     func.sum(STOCK_LEVELS.c.reserved).label("reserved"),
                     func.sum(STOCK_LEVELS.c.damaged).label("damaged"),
                     func.sum(_available()).label("available"))
              .join(LOCATIONS, LOCATIONS.c.id == STOCK_LEVELS.c.location_id)
              .join(PRODUCTS, PRODUCTS.c.id == STOCK_LEVELS.c.product_id)
              .where(LOCATIONS.c.active)
              .group_by(STOCK_LEVELS.c.product_id)).subquery()
    ledger = _shipped_from_ledger(window, per_location=False)
    history = _shipped_as_history(window)
    return (select(*_product_columns(), literal(ALL_LOCATIONS).label("location"),
                   func.coalesce(levels.c.on_hand, 0).label("on_hand"),
                   func.coalesce(levels.c.reserved, 0).label("reserved"),
                   func.coalesce(levels.c.damaged, 0).label("damaged"),
                   func.coalesce(levels.c.available, 0).label("available"),
                   (func.coalesce(ledger.c.units, 0) + func.coalesce(history.c.units, 0))
                   .label("units_shipped"))
            .select_from(PRODUCTS)
            .outerjoin(levels, levels.c.product_id == PRODUCTS.c.id)
            .outerjoin(ledger, ledger.c.product_id == PRODUCTS.c.id)
            .outerjoin(history, history.c.product_id == PRODUCTS.c.id)
            .where(_is_plain_active_product())
            .order_by(PRODUCTS.c.sku))


def _per_location(window: InventoryWindow, location: str | None) -> Select[Any]:
    ledger = _shipped_from_ledger(window, per_location=True)
    query = (select(*_product_columns(), LOCATIONS.c.code.label("location"),
                    STOCK_LEVELS.c.on_hand, STOCK_LEVELS.c.reserved, STOCK_LEVELS.c.damaged,
                    _available().label("available"),
                    func.coalesce(ledger.c.units, 0).label("units_shipped"))
             .select_from(STOCK_LEVELS)
             .join(PRODUCTS, PRODUCTS.c.id == STOCK_LEVELS.c.product_id)
             .join(LOCATIONS, LOCATIONS.c.id == STOCK_LEVELS.c.location_id)
             .outerjoin(ledger, and_(ledger.c.product_id == STOCK_LEVELS.c.product_id,
                                     ledger.c.location_id == STOCK_LEVELS.c.location_id))
             .where(_is_plain_active_product(), LOCATIONS.c.active)
             .order_by(PRODUCTS.c.sku, LOCATIONS.c.code))
    return query.where(LOCATIONS.c.code == location) if location else query
