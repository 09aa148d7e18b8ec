"""`oms allocate`: reserve stock for every order that waits for it, in one transaction.

Loads what waits (ready, backordered, partially allocated orders, after re-validating
those held by validation), what is available where, and the locations; has the domain
planner route the orders one at a time and writes, a chunk of orders at a time, the
reservations, the lines' allocated units, each order's new status and an event with
the decision; then adds the reserved units to the stock levels. Rows go through the
store's bulk helpers and traces straight to JSON text, so a run of 100k orders keeps
memory flat. BEGIN IMMEDIATE makes overlapping runs queue, so a unit is never
reserved twice.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import islice
from typing import Any

from sqlalchemy import Connection, and_, exists, or_, select, update
from sqlmodel import Session

from oms_cli.domain.allocation import (
    Demand,
    OrderDemand,
    Policy,
    RoutedOrder,
    Site,
    route_orders,
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
from oms_cli.store.bulk import collector_paused, insert_rows, select_rows, update_rows
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
ALLOCATIONS, LINES, LEVELS, ORDERS, EVENTS, LOCATIONS, PRODUCTS = (
    table.__table__ for table in (  # type: ignore[union-attr]
        Allocation, OrderLine, StockLevelRow, Order, OrderEvent, Location, Product))
ALLOCATION_COLUMNS = ("order_line_id", "product_id", "location_id", "quantity", "per_unit",
                      "line_units", "trace")
EVENT_COLUMNS = ("order_id", "from_status", "to_status", "detail")
CHUNK = 5000  # orders written per round: few statements, and memory stays flat
Parts = tuple[tuple[int, int], ...]
# A line's units as LineUnits takes them: quantity, allocated, shipped, returned, cancelled.
Counts = tuple[int, int, int, int, int]


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
    with db.write(dry_run=dry_run) as session, collector_paused():
        only = [find_order(session, ref).id or 0 for ref in references] or None
        _resolve_lines(session, only)
        _revalidate_held(session, validation, only, run_id)
        waiting = _waiting_orders(session, only)
        routed = route_orders(waiting.demands, _available(session), _sites(session), policy)
        return _write(session, waiting, routed, run_id, explain, only)


def _resolve_lines(session: Session, only: list[int] | None) -> None:
    """Give lines that arrived with an unknown sku their product, if one now matches."""
    open_orders = select(Order.id).where(Order.status.in_(("pending", "on_hold")))
    if only:
        open_orders = open_orders.where(Order.id.in_(only))
    by_sku = select(Product.id).where(Product.sku == OrderLine.sku).scalar_subquery()
    session.execute(update(OrderLine).where(
        OrderLine.product_id.is_(None), OrderLine.order_id.in_(open_orders),
        exists().where(Product.sku == OrderLine.sku)).values(product_id=by_sku))
    # Correlated to the updated line explicitly: nested in the alias subquery it would
    # otherwise read every line (PostgreSQL refuses that; SQLite took the first row).
    channel_of_line = (select(Order.channel).where(Order.id == OrderLine.order_id)
                       .correlate(OrderLine))
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
    """The orders that wait for stock: their demand, and what their write-back needs."""

    demands: list[OrderDemand] = field(default_factory=list)
    refs: dict[int, str] = field(default_factory=dict)  # order id -> CHANNEL:EXTERNAL_ID
    statuses: dict[int, str] = field(default_factory=dict)  # order id -> status now
    # order id -> (line id, units now) of every line: what its new status is made of
    lines: dict[int, list[tuple[int, Counts]]] = field(default_factory=dict)
    # line id -> our sku, and its (product, per unit) parts, for each line that wants units
    wanted: dict[int, tuple[str, Parts]] = field(default_factory=dict)


def _waiting_orders(session: Session, only: list[int] | None) -> _Waiting:
    """Every waiting order with a line that still wants units of a known product.

    Orders and lines come in two queries (plain rows, not ORM objects): an order's
    columns are read once rather than once per line.
    """
    connection = session.connection()
    waits = ORDERS.c.status.in_(WAITING)
    if only:
        waits = and_(waits, ORDERS.c.id.in_(only))
    heads: dict[int, Sequence[Any]] = {head[0]: head for head in select_rows(
        connection, select(ORDERS.c.id, ORDERS.c.status, ORDERS.c.channel,
                           ORDERS.c.external_id, ORDERS.c.priority, ORDERS.c.placed_at,
                           ORDERS.c.ship_country, ORDERS.c.ship_region).where(waits))}
    rows = select_rows(connection, select(
        LINES.c.order_id, LINES.c.id, LINES.c.product_id, LINES.c.quantity,
        LINES.c.allocated, LINES.c.shipped, LINES.c.returned, LINES.c.cancelled, PRODUCTS.c.sku)
        .join(ORDERS, ORDERS.c.id == LINES.c.order_id)
        .outerjoin(PRODUCTS, PRODUCTS.c.id == LINES.c.product_id)
        .where(waits).order_by(LINES.c.order_id, LINES.c.id))
    parts_of = _bundle_parts(connection)
    products: dict[int, tuple[str, Parts]] = {}  # product id -> its sku and parts
    # Values that repeat (a line's units, a status, a country) are held once, not once
    # per line or order: a hundred thousand orders then take a third less memory.
    kept: dict[Any, Any] = {}
    waiting = _Waiting()
    lines: list[tuple[int, Counts]] = []
    demand: list[Demand] = []
    current = None
    for (order_id, line_id, product_id, quantity, allocated, shipped, returned, cancelled,
         sku) in rows:
        if order_id != current:
            _add_order(waiting, current, heads, lines, demand, kept)
            current, lines, demand = order_id, [], []
        counts = (quantity, allocated, shipped, returned, cancelled)
        counts = kept.setdefault(counts, counts)
        lines.append((line_id, counts))
        units = _waiting_units(counts)
        if units > 0 and product_id is not None:
            product = products.get(product_id)
            if product is None:  # a plain product is its own one part
                product = products[product_id] = (
                    sku, parts_of.get(product_id, ((product_id, 1),)))
            waiting.wanted[line_id] = product
            demand.append(Demand(line_id, units, product[1]))
    _add_order(waiting, current, heads, lines, demand, kept)
    return waiting


def _add_order(waiting: _Waiting, order_id: int | None, heads: dict[int, Sequence[Any]],
               lines: list[tuple[int, Counts]], demand: list[Demand],
               kept: dict[Any, Any]) -> None:
    if order_id is None or not demand:
        return
    _, status, channel, external_id, priority, placed_at, country, region = heads[order_id]
    waiting.demands.append(OrderDemand(order_id, priority, placed_at, kept.setdefault(
        country, country), kept.setdefault(region, region), tuple(demand)))
    waiting.refs[order_id] = f"{channel}:{external_id}"
    waiting.statuses[order_id] = kept.setdefault(status, status)
    waiting.lines[order_id] = lines


# Lines and orders come in few shapes (a handful of units each): the domain works out
# each shape once, rather than once for each of a hundred thousand orders.

@lru_cache(maxsize=4096)
def _waiting_units(counts: Counts) -> int:
    return LineUnits(*counts).waiting


@lru_cache(maxsize=4096)
def _status_once_tried(lines: tuple[Counts, ...]) -> str:
    """The status of an order whose lines have these units, allocation tried."""
    units = [LineUnits(*counts) for counts in lines]
    return derive_status(OrderState(units, validated=True, allocation_tried=True)).value


def _bundle_parts(connection: Connection) -> dict[int, Parts]:
    parts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for bundle, component, quantity in connection.execute(
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


def _write(session: Session, waiting: _Waiting, routed: Iterator[RoutedOrder],
           run_id: int | None, explain: bool, only: list[int] | None) -> AllocationResult:
    """Write the routed orders a chunk at a time, then add the run's reservations to
    the stock levels; traces are written out as they go, so memory stays flat."""
    now = utc_now()
    connection = session.connection()
    location_ids: dict[str, int] = dict(
        connection.execute(select(LOCATIONS.c.code, LOCATIONS.c.id)).all())
    writer = _ChunkWriter(connection, waiting, location_ids, now, run_id)
    result = AllocationResult(orders=len(waiting.demands))
    while chunk := list(islice(routed, CHUNK)):
        for order in chunk:
            writer.add(order, result)
            if explain:
                result.traces[waiting.refs[order.order_id]] = order.trace.as_dict()
        writer.flush()
    writer.reserve_at_levels()
    _mark_tried(connection, now, only)
    return result


def _mark_tried(connection: Connection, now: datetime, only: list[int] | None) -> None:
    """Mark the waiting orders allocation was tried for: those whose status changed
    were marked with it, so this is for the rest (and orders with nothing to reserve)."""
    tried = ORDERS.c.allocation_tried_at
    rest = update(ORDERS).where(ORDERS.c.status.in_(WAITING),
                                or_(tried.is_(None), tried != now))
    if only:
        rest = rest.where(ORDERS.c.id.in_(only))
    connection.execute(rest.values(allocation_tried_at=now))


class _ChunkWriter:
    """Rows for a chunk of routed orders: reservations, line units, status changes and
    their events; and the units reserved at each level, added once at the end."""

    def __init__(self, connection: Connection, waiting: _Waiting, location_ids: dict[str, int],
                 now: datetime, run_id: int | None) -> None:
        self.connection, self.waiting, self.location_ids = connection, waiting, location_ids
        self.now, self.run_id = now, run_id
        self.allocations: list[tuple[Any, ...]] = []
        self.lines: list[tuple[int, int]] = []  # line id, units reserved
        self.statuses: list[tuple[int, str]] = []
        self.events: list[tuple[int, str, str, str]] = []
        self.levels: dict[tuple[int, int], int] = defaultdict(int)  # (product, location)

    def add(self, order: RoutedOrder, result: AllocationResult) -> None:
        """One order's rows; its trace is kept with its first reservation row, or with
        its event when it got nothing, so `oms order show` can always say why."""
        ref, decision = self.waiting.refs[order.order_id], order.decision
        trace = order.trace.as_json() if order.takes else None
        reserved: dict[int, int] = {}  # line id -> units
        for line_id, code, units in order.takes:
            location_id = self.location_ids[code]
            sku, parts = self.waiting.wanted[line_id]
            line_units = units  # on the first part's row only, so they add up per line
            for product_id, per_unit in parts:
                self.allocations.append((line_id, product_id, location_id, units * per_unit,
                                         per_unit, line_units, trace))
                self.levels[product_id, location_id] += units * per_unit
                trace, line_units = None, 0
            reserved[line_id] = reserved.get(line_id, 0) + units
            result.rows.append((ref, sku, code, units, decision))
        result.units += sum(reserved.values())
        self.lines.extend(reserved.items())
        before = self.waiting.statuses[order.order_id]
        after = _status_after(self.waiting.lines[order.order_id], reserved)
        result.allocated += after == OrderStatus.ALLOCATED
        result.partial += after == OrderStatus.PARTIALLY_ALLOCATED
        result.backordered += after == OrderStatus.BACKORDERED
        if after != before:
            got_nothing = after == OrderStatus.BACKORDERED
            self.statuses.append((order.order_id, after))
            self.events.append((order.order_id, before, after, _event_detail(
                decision, order.trace.as_json() if got_nothing else None)))

    def flush(self) -> None:
        insert_rows(self.connection, ALLOCATIONS, ALLOCATION_COLUMNS, self.allocations,
                    constants={"status": "open", "created_at": self.now,
                               "run_id": self.run_id}, as_is=("trace",))
        update_rows(self.connection, LINES, keys=("id",), columns=("allocated",),
                    rows=self.lines, add=True)
        update_rows(self.connection, ORDERS, keys=("id",), columns=("status",),
                    rows=self.statuses,
                    constants={"updated_at": self.now, "allocation_tried_at": self.now})
        insert_rows(self.connection, EVENTS, EVENT_COLUMNS, self.events,
                    constants={"at": self.now, "type": "allocated", "run_id": self.run_id},
                    as_is=("detail",))
        self.allocations, self.lines, self.statuses, self.events = [], [], [], []

    def reserve_at_levels(self) -> None:
        update_rows(self.connection, LEVELS, keys=("product_id", "location_id"),
                    columns=("reserved",), add=True,
                    rows=[(*level, units) for level, units in self.levels.items()])


def _status_after(lines: list[tuple[int, Counts]], reserved: dict[int, int]) -> str:
    """The status an order's lines amount to once ``reserved`` (line id -> units) is added."""
    return _status_once_tried(tuple([
        (quantity, allocated + reserved.get(line_id, 0), shipped, returned, cancelled)
        for line_id, (quantity, allocated, shipped, returned, cancelled) in lines]))


def _event_detail(decision: str, trace: str | None) -> str:
    """The event's detail as JSON text: the decision, and the trace (JSON text) if any."""
    if trace is None:
        return _decision_detail(decision)
    return f'{{"decision":{json.dumps(decision)},"trace":{trace}}}'


@lru_cache(maxsize=4096)
def _decision_detail(decision: str) -> str:
    """Decisions repeat from order to order ("single: backroom"): each is written once."""
    return f'{{"decision":{json.dumps(decision)}}}'
