"""`oms allocate`: reserve stock for every order that waits for it, in one transaction.

Loads what waits (ready, backordered, partially allocated orders, after re-validating
those held by validation), what is available where, and the locations; asks the
domain planner for a plan; writes the reservations, the lines' allocated units, the
levels' reserved units, each order's new status and an event with the decision.
BEGIN IMMEDIATE makes overlapping runs queue, so a unit is never reserved twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, insert, or_, select, update
from sqlmodel import Session

from oms_cli.domain.allocation import (
    Demand,
    OrderDemand,
    Plan,
    Policy,
    Site,
    plan_allocation,
)
from oms_cli.domain.lifecycle import (
    LineUnits,
    OrderState,
    OrderStatus,
    ValidationPolicy,
    derive_status,
)
from oms_cli.domain.stock import StockLevel
from oms_cli.services.order_state import revalidate
from oms_cli.services.order_views import find_order
from oms_cli.store.database import Database
from oms_cli.store.tables import (
    Allocation,
    BundleComponent,
    Location,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    ProductAlias,
    utc_now,
)
from oms_cli.store.tables import StockLevel as StockLevelRow

PLAN_COLUMNS = ("order", "sku", "location", "quantity", "decision")
# Orders with units still to reserve; a partly shipped order may still wait for the rest.
WAITING = (OrderStatus.READY.value, OrderStatus.BACKORDERED.value,
           OrderStatus.PARTIALLY_ALLOCATED.value, OrderStatus.PARTIALLY_SHIPPED.value)
ALLOCATIONS, LINES, LEVELS, ORDERS, EVENTS = (table.__table__ for table in (  # type: ignore[attr-defined]
    Allocation, OrderLine, StockLevelRow, Order, OrderEvent))


@dataclass
class AllocationResult:
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # PLAN_COLUMNS
    traces: dict[str, dict[str, Any]] = field(default_factory=dict)  # order ref -> trace
    orders: int = 0  # orders looked at
    allocated: int = 0  # orders now fully allocated
    partial: int = 0
    backordered: int = 0
    units: int = 0  # line units reserved by this run


def allocate(db: Database, *, policy: Policy, validation: ValidationPolicy,
             references: Sequence[str] = (), dry_run: bool = False, explain: bool = False,
             run_id: int | None = None) -> AllocationResult:
    """Plan and reserve stock for the waiting orders (all, or just ``references``).

    With ``explain`` the result carries each order's trace (candidates, what each rule
    said, the choice); the trace is stored with the allocation either way.
    """
    with db.write(dry_run=dry_run) as session:
        only = [find_order(session, ref).id or 0 for ref in references] or None
        _resolve_lines(session, only)
        _revalidate_held(session, validation, only, run_id)
        waiting = _waiting_orders(session, only)
        plan = plan_allocation(waiting.demands, _available(session), _sites(session), policy)
        return _write(session, waiting, plan, run_id, explain, only)


def _resolve_lines(session: Session, only: list[int] | None) -> None:
    """Give lines that arrived with an unknown sku their product, if one now matches."""
    open_orders = select(Order.id).where(Order.status.in_(("pending", "on_hold")))
    if only:
        open_orders = open_orders.where(Order.id.in_(only))
    by_sku = select(Product.id).where(Product.sku == OrderLine.sku).scalar_subquery()
    session.execute(update(OrderLine).where(
        OrderLine.product_id.is_(None), OrderLine.order_id.in_(open_orders),
        exists().where(Product.sku == OrderLine.sku)).values(product_id=by_sku))
    channel_of_line = select(Order.channel).where(Order.id == OrderLine.order_id)
    alias_match = and_(ProductAlias.channel == channel_of_line.scalar_subquery(),
                       or_(ProductAlias.key == OrderLine.sku,
                           ProductAlias.key == OrderLine.channel_key,
                           ProductAlias.key == OrderLine.name))
    by_alias = (select(ProductAlias.product_id).where(alias_match)
                .order_by(ProductAlias.id).limit(1).scalar_subquery())
    session.execute(update(OrderLine).where(
        OrderLine.product_id.is_(None), OrderLine.order_id.in_(open_orders),
        exists().where(alias_match)).values(product_id=by_alias))


def _revalidate_held(session: Session, validation: ValidationPolicy, only: list[int] | None,
                     run_id: int | None) -> None:
    query = select(Order).where(or_(Order.status == "pending",
                                    and_(Order.status == "on_hold",
                                         Order.held_by == "validation")))
    if only:
        query = query.where(Order.id.in_(only))
    for order in session.scalars(query).all():
        revalidate(session, order, validation, run_id=run_id)
    session.flush()


@dataclass
class _Waiting:
    """The orders that wait for stock: their demand, and every line's units and status."""

    demands: list[OrderDemand]
    units: dict[int, dict[int, LineUnits]]  # order id -> line id -> units now
    statuses: dict[int, str]
    refs: dict[int, str] = field(default_factory=dict)  # order id -> CHANNEL:EXTERNAL_ID
    skus: dict[int, str] = field(default_factory=dict)  # line id -> our sku


def _waiting_orders(session: Session, only: list[int] | None) -> _Waiting:
    query = (select(Order.id, Order.status, Order.priority, Order.placed_at,
                    Order.ship_country, Order.ship_region, OrderLine.id, OrderLine.product_id,
                    OrderLine.quantity, OrderLine.allocated, OrderLine.shipped,
                    OrderLine.returned, OrderLine.cancelled, Order.channel, Order.external_id,
                    Product.sku)
             .join(OrderLine, OrderLine.order_id == Order.id)
             .outerjoin(Product, Product.id == OrderLine.product_id)
             .where(Order.status.in_(WAITING))
             .order_by(Order.id, OrderLine.id))
    if only:
        query = query.where(Order.id.in_(only))
    parts = _bundle_parts(session)
    heads: dict[int, tuple[Any, ...]] = {}
    lines: dict[int, list[Demand]] = defaultdict(list)
    waiting = _Waiting([], defaultdict(dict), {})
    for (order_id, status, priority, placed, country, region, line_id, product_id,
         quantity, allocated, shipped, returned, cancelled, channel, external,
         sku) in session.execute(query):
        if order_id not in heads:
            heads[order_id] = (priority, placed, country, region)
            waiting.statuses[order_id] = status
            waiting.refs[order_id] = f"{channel}:{external}"
        waiting.skus[line_id] = sku
        units = LineUnits(quantity, allocated, shipped, returned, cancelled)
        waiting.units[order_id][line_id] = units
        if units.waiting > 0 and product_id is not None:
            lines[order_id].append(
                Demand(line_id, units.waiting, parts.get(product_id, ((product_id, 1),))))
    waiting.demands = [OrderDemand(order_id, *heads[order_id], tuple(demand))
                       for order_id, demand in lines.items()]
    return waiting


def _bundle_parts(session: Session) -> dict[int, tuple[tuple[int, int], ...]]:
    parts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for bundle, component, quantity in session.execute(
            select(BundleComponent.bundle_id, BundleComponent.component_id,
                   BundleComponent.quantity).order_by(BundleComponent.component_id)):
        parts[bundle].append((component, quantity))
    return {bundle: tuple(items) for bundle, items in parts.items()}


def _available(session: Session) -> dict[tuple[int, str], int]:
    rows = session.execute(
        select(StockLevelRow.product_id, Location.code, StockLevelRow.on_hand,
               StockLevelRow.reserved, StockLevelRow.damaged, Product.safety_stock)
        .join(Location, Location.id == StockLevelRow.location_id)
        .join(Product, Product.id == StockLevelRow.product_id))
    available = {}
    for product_id, code, on_hand, reserved, damaged, safety in rows:
        units = StockLevel(on_hand, reserved, damaged).available(safety)
        if units:
            available[(product_id, code)] = units
    return available


def _sites(session: Session) -> list[Site]:
    """Every location as the planner sees it; one ships to its own country plus ``ships_to``."""
    return [Site(code=loc.code, priority=loc.priority, country=loc.country, region=loc.region,
                 ships_to=frozenset(c for c in (*loc.ships_to.split(","), loc.country) if c),
                 active=loc.active)
            for loc in session.scalars(select(Location).order_by(Location.code))]


def _write(session: Session, waiting: _Waiting, plan: Plan, run_id: int | None,
           explain: bool, only: list[int] | None) -> AllocationResult:
    now = utc_now()
    result = AllocationResult(orders=len(waiting.demands))
    lines = {d.line_id: d for order in waiting.demands for d in order.lines}
    location_ids = dict(session.execute(select(Location.code, Location.id)).all())
    allocation_rows, reserved = [], defaultdict(int)
    traced: set[int] = set()
    for reservation in plan.reservations:
        location_id = location_ids[reservation.location]
        for index, (product_id, per_unit) in enumerate(lines[reservation.line_id].parts):
            trace = None
            if reservation.order_id not in traced:  # stored once per order, on its first row
                trace = plan.traces.get(reservation.order_id)
                traced.add(reservation.order_id)
            allocation_rows.append({
                "order_line_id": reservation.line_id, "product_id": product_id,
                "location_id": location_id, "quantity": reservation.quantity * per_unit,
                "per_unit": per_unit, "line_units": reservation.quantity if index == 0 else 0,
                "status": "open", "trace": trace, "created_at": now, "closed_at": None,
                "run_id": run_id})
        reserved[reservation.line_id] += reservation.quantity
        result.units += reservation.quantity
        result.rows.append((waiting.refs[reservation.order_id],
                            waiting.skus.get(reservation.line_id), reservation.location,
                            reservation.quantity, plan.decisions.get(reservation.order_id, "")))
    if allocation_rows:
        _reserve(session, allocation_rows)
    _settle_orders(session, waiting, plan, reserved, result, run_id, now, only)
    if explain:
        result.traces = {waiting.refs[order_id]: trace
                         for order_id, trace in plan.traces.items()}
    return result


def _reserve(session: Session, allocation_rows: list[dict[str, Any]]) -> None:
    """Insert the allocations, then add them to their lines and levels in two set-wise
    updates (everything above the id watermark is this run's: the write lock is held)."""
    connection = session.connection()
    mark = connection.execute(select(func.coalesce(func.max(ALLOCATIONS.c.id), 0))).scalar()
    connection.execute(insert(ALLOCATIONS), allocation_rows)
    new = ALLOCATIONS.alias("new")
    line_units = (select(func.sum(new.c.line_units))
                  .where(new.c.order_line_id == LINES.c.id, new.c.id > mark).scalar_subquery())
    connection.execute(update(LINES).where(LINES.c.id.in_(
        select(new.c.order_line_id).where(new.c.id > mark))).values(
        allocated=LINES.c.allocated + line_units))
    same_level = and_(new.c.product_id == LEVELS.c.product_id,
                      new.c.location_id == LEVELS.c.location_id, new.c.id > mark)
    connection.execute(update(LEVELS).where(exists().where(same_level)).values(
        reserved=LEVELS.c.reserved + select(func.sum(new.c.quantity)).where(same_level)
        .scalar_subquery()))


def _settle_orders(session: Session, waiting: _Waiting, plan: Plan,
                   reserved: dict[int, int], result: AllocationResult, run_id: int | None,
                   now: datetime, only: list[int] | None) -> None:
    """Mark every order looked at and write the status each now has, with the decision.

    The trace is kept with the order's first allocation row; an order that got nothing
    keeps it in its event instead, so `oms order show` can always say why.
    """
    changes, events = [], []
    for order_id in (order.order_id for order in waiting.demands):
        units = [replace(line, allocated=line.allocated + reserved.get(line_id, 0))
                 for line_id, line in waiting.units[order_id].items()]
        before = waiting.statuses[order_id]
        after = derive_status(OrderState(units, validated=True, allocation_tried=True)).value
        result.allocated += after == OrderStatus.ALLOCATED
        result.partial += after == OrderStatus.PARTIALLY_ALLOCATED
        result.backordered += after == OrderStatus.BACKORDERED
        if after != before:
            detail: dict[str, Any] = {"decision": plan.decisions.get(order_id, "")}
            if after == OrderStatus.BACKORDERED:
                detail["trace"] = plan.traces.get(order_id)
            changes.append({"order": order_id, "status": after})
            events.append({"order_id": order_id, "at": now, "type": "allocated",
                           "from_status": before, "to_status": after, "run_id": run_id,
                           "detail": detail})
    connection = session.connection()
    tried = update(ORDERS).where(ORDERS.c.status.in_(WAITING)).values(allocation_tried_at=now)
    if only:
        tried = tried.where(ORDERS.c.id.in_(only))
    connection.execute(tried)  # before the statuses move out of WAITING
    if changes:
        connection.execute(update(ORDERS).where(ORDERS.c.id == bindparam("order"))
                           .values(status=bindparam("status"), updated_at=now), changes)
        connection.execute(insert(EVENTS), events)
