"""`oms allocate`: reserve stock for every order that waits for it, in one transaction.

Loads what waits (ready, backordered, partially allocated orders, after re-validating
those held by validation), what is available where, and the locations; asks the
domain planner for a plan; writes the reservations, the lines' allocated units, the
levels' reserved units, each order's new status and an event with the decision.
BEGIN IMMEDIATE makes overlapping runs queue, so a unit is never reserved twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, insert, or_, select, update
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
        orders = _waiting_orders(session, only)
        plan = plan_allocation(orders, _available(session), _sites(session), policy)
        return _write(session, orders, plan, run_id, explain)


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


def _waiting_orders(session: Session, only: list[int] | None) -> list[OrderDemand]:
    query = (select(Order.id, Order.priority, Order.placed_at, Order.ship_country,
                    Order.ship_region, OrderLine.id, OrderLine.product_id,
                    OrderLine.quantity - OrderLine.allocated - OrderLine.shipped
                    - OrderLine.cancelled)
             .join(OrderLine, OrderLine.order_id == Order.id)
             .where(Order.status.in_(WAITING), OrderLine.product_id.is_not(None),
                    OrderLine.quantity > OrderLine.allocated + OrderLine.shipped
                    + OrderLine.cancelled)
             .order_by(Order.id, OrderLine.id))
    if only:
        query = query.where(Order.id.in_(only))
    parts = _bundle_parts(session)
    orders: dict[int, tuple[Any, list[Demand]]] = {}
    for order_id, priority, placed, country, region, line_id, product_id, wanted in (
            session.execute(query)):
        _, lines = orders.setdefault(order_id, ((priority, placed, country, region), []))
        lines.append(Demand(line_id, wanted, parts.get(product_id, ((product_id, 1),))))
    return [OrderDemand(order_id, head[0], head[1], head[2], head[3], tuple(lines))
            for order_id, (head, lines) in orders.items()]


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


def _write(session: Session, orders: list[OrderDemand], plan: Plan, run_id: int | None,
           explain: bool) -> AllocationResult:
    now = utc_now()
    result = AllocationResult(orders=len(orders))
    lines = {d.line_id: d for order in orders for d in order.lines}
    location_ids = dict(session.execute(select(Location.code, Location.id)).all())
    reserved_orders = {r.order_id for r in plan.reservations}
    refs = _order_refs(session, reserved_orders | (set(plan.traces) if explain else set()))
    skus = _line_skus(session, {r.line_id for r in plan.reservations})
    allocation_rows, line_updates, level_updates = [], defaultdict(int), defaultdict(int)
    traced: set[int] = set()
    for reservation in plan.reservations:
        demand = lines[reservation.line_id]
        location_id = location_ids[reservation.location]
        for index, (product_id, per_unit) in enumerate(demand.parts):
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
            level_updates[(product_id, location_id)] += reservation.quantity * per_unit
        line_updates[reservation.line_id] += reservation.quantity
        result.units += reservation.quantity
        result.rows.append((refs[reservation.order_id], skus.get(reservation.line_id),
                            reservation.location, reservation.quantity,
                            plan.decisions.get(reservation.order_id, "")))
    if allocation_rows:
        session.connection().execute(insert(ALLOCATIONS), allocation_rows)
    _bump(session, line_updates, level_updates)
    _settle_orders(session, orders, plan, result, run_id, now)
    if explain:
        result.traces = {refs[order_id]: trace for order_id, trace in plan.traces.items()}
    return result


def _bump(session: Session, line_updates: dict[int, int],
          level_updates: dict[tuple[int, int], int]) -> None:
    connection = session.connection()
    if line_updates:
        connection.execute(
            update(LINES).where(LINES.c.id == bindparam("line"))
            .values(allocated=LINES.c.allocated + bindparam("units")),
            [{"line": line, "units": units} for line, units in line_updates.items()])
    if level_updates:
        connection.execute(
            update(LEVELS).where(LEVELS.c.product_id == bindparam("product"),
                                 LEVELS.c.location_id == bindparam("location"))
            .values(reserved=LEVELS.c.reserved + bindparam("units")),
            [{"product": product, "location": location, "units": units}
             for (product, location), units in level_updates.items()])


def _settle_orders(session: Session, orders: list[OrderDemand], plan: Plan,
                   result: AllocationResult, run_id: int | None, now: datetime) -> None:
    """Mark every order looked at and write the status each now has, with the decision."""
    units: dict[int, list[LineUnits]] = defaultdict(list)
    statuses: dict[int, str] = {}
    for ids in _chunks([order.order_id for order in orders]):
        for order_id, status, quantity, allocated, shipped, returned, cancelled in (
                session.execute(select(Order.id, Order.status, OrderLine.quantity,
                                       OrderLine.allocated, OrderLine.shipped,
                                       OrderLine.returned, OrderLine.cancelled)
                                .join(OrderLine, OrderLine.order_id == Order.id)
                                .where(Order.id.in_(ids)))):
            statuses[order_id] = status
            units[order_id].append(LineUnits(quantity, allocated, shipped, returned, cancelled))
    changes, events = [], []
    for order_id, before in statuses.items():
        after = derive_status(OrderState(units[order_id], validated=True,
                                         allocation_tried=True)).value
        result.allocated += after == OrderStatus.ALLOCATED
        result.partial += after == OrderStatus.PARTIALLY_ALLOCATED
        result.backordered += after == OrderStatus.BACKORDERED
        if after != before:
            changes.append({"order": order_id, "status": after})
            events.append({"order_id": order_id, "at": now, "type": "allocated",
                           "from_status": before, "to_status": after, "run_id": run_id,
                           "detail": {"decision": plan.decisions.get(order_id, ""),
                                      "trace": plan.traces.get(order_id)}})
    connection = session.connection()
    for ids in _chunks(list(statuses)):
        connection.execute(update(ORDERS).where(ORDERS.c.id.in_(ids))
                           .values(allocation_tried_at=now))
    if changes:
        connection.execute(update(ORDERS).where(ORDERS.c.id == bindparam("order"))
                           .values(status=bindparam("status"), updated_at=now), changes)
        connection.execute(insert(EVENTS), events)


def _order_refs(session: Session, ids: set[int]) -> dict[int, str]:
    refs = {}
    for chunk in _chunks(sorted(ids)):
        for order_id, channel, external in session.execute(
                select(Order.id, Order.channel, Order.external_id).where(Order.id.in_(chunk))):
            refs[order_id] = f"{channel}:{external}"
    return refs


def _line_skus(session: Session, ids: set[int]) -> dict[int, str]:
    skus = {}
    for chunk in _chunks(sorted(ids)):
        skus.update(session.execute(select(OrderLine.id, Product.sku)
                                    .join(Product, Product.id == OrderLine.product_id)
                                    .where(OrderLine.id.in_(chunk))).all())
    return skus


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    """Bound the parameters of an IN list (SQLite allows a limited number)."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
