"""`oms ship`: allocated units leave the building.

Shipping k units of a line from a location takes them off the line's open
reservations there (a bundle's parts in proportion), frees the reserved stock and
then writes the ``ship`` movements that lower on_hand, moves the units from
allocated to shipped on the line, and records a shipment with its lines and an
event. One order from the command line, or a 3PL's whole file, in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session

from oms_cli.domain.lifecycle import OrderStatus
from oms_cli.domain.stock import MovementReason, parse_quantity
from oms_cli.errors import Conflict, IllegalTransition, InvalidInput, NotFound, OmsError
from oms_cli.services.ledger import Movement, move_stock_many
from oms_cli.services.lookup import location_by_code
from oms_cli.services.order_actions import order_ref
from oms_cli.services.order_state import line_units_of, refresh_status
from oms_cli.services.order_views import find_order, find_orders
from oms_cli.services.tabular import Record, read_records
from oms_cli.store.database import Database
from oms_cli.store.tables import (
    Allocation,
    Location,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    Shipment,
    ShipmentLine,
    utc_now,
)
from oms_cli.store.tables import StockLevel as StockLevelRow

LEVELS, LINES = StockLevelRow.__table__, OrderLine.__table__  # type: ignore[attr-defined]
_FREE_RESERVED = (update(LEVELS)
                  .where(LEVELS.c.product_id == bindparam("product"),
                         LEVELS.c.location_id == bindparam("location"))
                  .values(reserved=LEVELS.c.reserved - bindparam("units")))
_MOVE_TO_SHIPPED = (update(LINES).where(LINES.c.id == bindparam("line"))
                    .values(allocated=LINES.c.allocated - bindparam("units"),
                            shipped=LINES.c.shipped + bindparam("units")))

SHIP_HEADERS: dict[str, tuple[str, ...]] = {
    "order": ("order id", "order number", "order ref", "name"),
    "channel": ("sales channel", "store"),
    "sku": ("item sku", "lineitem sku", "product sku"),
    "quantity": ("qty", "units", "quantity shipped"),
    "carrier": ("shipping carrier", "carrier name"),
    "tracking": ("tracking number", "tracking no", "tracking code", "tracking id"),
    "location": ("location code", "warehouse", "ship from"),
}


@dataclass
class ShipmentResult:
    order: str  # CHANNEL:EXTERNAL_ID
    location: str
    carrier: str | None
    tracking: str | None
    lines: dict[str, int] = field(default_factory=dict)  # sku -> line units shipped
    shipment_id: int | None = None
    status: str = ""  # the order's status afterwards


@dataclass(frozen=True)
class ShipFileResult:
    file: str
    rows: int
    shipments: list[ShipmentResult]
    skipped: int  # rows already recorded (same order and tracking): a file applied twice


def ship_order(db: Database, reference: str, lines: Sequence[tuple[str, int]] = (), *,
               carrier: str | None = None, tracking: str | None = None,
               location: str | None = None, run_id: int | None = None,
               dry_run: bool = False) -> list[ShipmentResult]:
    """Ship ``lines`` (sku, line units) of an order, or with none everything allocated
    (at ``location`` if given): one shipment per location shipped from.

    Raises IllegalTransition (cancelled, on hold, nothing left to ship), NotFound (a sku
    the order does not have), Conflict (more than is allocated there), InvalidInput
    (the units are allocated at several locations and none was named).
    """
    with db.write(dry_run=dry_run) as session:
        shipper = _Shipper(session, run_id)
        shipper.ship(find_order(session, reference), _merged(lines), carrier=carrier,
                     tracking=tracking, location=location)
        return shipper.finish()


def ship_from_file(db: Database, path: Path, *, run_id: int | None = None,
                   dry_run: bool = False) -> ShipFileResult:
    """Apply a 3PL's or label tool's shipping file (order, sku, quantity, carrier, tracking,
    optional location and channel), all or nothing.

    Rows of the same order, carrier, tracking (and location) become one shipment. Raises
    InvalidInput listing every bad row as ``FILE:LINE: reason``; nothing is shipped then.
    """
    label, records = read_records(path, aliases=SHIP_HEADERS,
                                  required=("order", "sku", "quantity"))
    problems: list[str] = []
    skipped = 0
    with db.write(dry_run=dry_run) as session:
        shipper = _Shipper(session, run_id)
        shipper.read_ahead([_reference(record) for record in records])
        for record in records:
            try:
                skipped += not shipper.ship_record(record)
            except OmsError as exc:
                problems.append(f"{label}:{record.line}: {exc.message}")
        if problems:
            raise InvalidInput(f"{label}: {len(problems)} bad row(s), nothing was shipped:\n"
                               + "\n".join(problems))
        shipments = shipper.finish()
    return ShipFileResult(file=label, rows=len(records), shipments=shipments, skipped=skipped)


class _Shipper:
    """Ships units inside one transaction, a file's rows at a time.

    What each order holds (its open reservations, skus, trackings) is read once and kept
    current in memory as rows take units; ``finish`` writes the whole batch: the
    reservations given up, the ledger, the lines, the shipments and their events.
    """

    def __init__(self, session: Session, run_id: int | None) -> None:
        self.session = session
        self.run_id = run_id
        self.now = utc_now()
        self.drafts: dict[tuple[int, int, str | None, str | None], ShipmentResult] = {}
        self.units: dict[tuple[int, int, str | None, str | None], dict[int, int]] = {}
        self.orders: dict[int, Order] = {}  # the orders shipped from
        self.found: dict[str, Order] = {}  # order reference -> order
        self.held: dict[int, _Held] = {}  # order id -> what it holds, kept current
        self.locations: dict[str, Location] = {}
        self.freed: dict[tuple[int, int], int] = defaultdict(int)  # (product, location)
        self.movements: list[tuple[Movement, str]] = []
        self.line_moves: dict[int, int] = defaultdict(int)  # line id -> units shipped

    def read_ahead(self, references: Sequence[str | None]) -> None:
        """Read the orders a file names, and what they hold, in a few queries.

        Rows naming an order that isn't there find out in ``ship_record``.
        """
        self.found.update(find_orders(self.session, {reference for reference in references
                                                     if reference}))
        ids = sorted({order.id or 0 for order in self.found.values()})
        for chunk in range(0, len(ids), 500):
            self.held.update(_Held.of_orders(self.session, ids[chunk:chunk + 500]))

    def ship_record(self, record: Record) -> bool:
        """Ship one file row; False when the row was recorded before (skipped)."""
        reference = _reference(record)
        if not reference:
            raise InvalidInput("no order")
        sku = record.get("sku")
        if not sku:
            raise InvalidInput("no sku")
        quantity = parse_quantity(record.get("quantity"), "quantity")
        order = self._order(reference)
        tracking = record.get("tracking") or None
        if tracking and tracking in self._held(order).trackings:
            return False
        self.ship(order, {sku: quantity}, carrier=record.get("carrier") or None,
                  tracking=tracking, location=record.get("location") or None)
        return True

    def ship(self, order: Order, wanted: dict[str, int], *, carrier: str | None,
             tracking: str | None, location: str | None) -> None:
        _require_shippable(order)
        where = self._location(location) if location else None
        held = self._held(order)
        if wanted:
            picks = _picks(order, held.skus, held.units, wanted, where)
        else:
            picks = _everything(order, held.units, where)
        if tracking and not location and len({p.location_id for p, _ in picks}) > 1:
            raise InvalidInput(f"{order_ref(order)} ships from several locations: ship each "
                               "with -l LOC and its own tracking")
        for pick, quantity in picks:
            self._take(order, held, pick, quantity, carrier, tracking)

    def _take(self, order: Order, held: _Held, pick: OpenUnits, quantity: int,
              carrier: str | None, tracking: str | None) -> None:
        pick.units -= quantity
        rows = held.allocations[pick.line_id, pick.location_id]
        reference = order_ref(order)
        for product_id, units in take_units(rows, quantity, self.now).items():
            self.freed[product_id, pick.location_id] += units
            self.movements.append((Movement(
                product_id, pick.location_id, -units, MovementReason.SHIP, reference=reference,
                note=f"tracking {tracking}" if tracking else None),
                f"{pick.sku} at {pick.location}"))
        self.line_moves[pick.line_id] += quantity
        key = (order.id or 0, pick.location_id, carrier, tracking)
        draft = self.drafts.setdefault(key, ShipmentResult(reference, pick.location, carrier,
                                                           tracking))
        draft.lines[pick.sku] = draft.lines.get(pick.sku, 0) + quantity
        line_units = self.units.setdefault(key, defaultdict(int))
        line_units[pick.line_id] += quantity
        self.orders[order.id or 0] = order

    def finish(self) -> list[ShipmentResult]:
        """Write what was shipped; refresh each order's status."""
        if not self.drafts:
            return []
        self.session.flush()  # the allocation rows taken from
        self.session.execute(_FREE_RESERVED, [
            {"product": product, "location": location, "units": units}
            for (product, location), units in self.freed.items()])
        move_stock_many(self.session, self.movements, run_id=self.run_id, at=self.now)
        self.session.execute(_MOVE_TO_SHIPPED, [
            {"line": line_id, "units": units} for line_id, units in self.line_moves.items()])
        self._write_shipments()
        lines = line_units_of(self.session, list(self.orders))
        statuses = {order_id: refresh_status(self.session, order, run_id=self.run_id,
                                             lines=lines[order_id]).value
                    for order_id, order in self.orders.items()}
        for (order_id, *_), draft in self.drafts.items():
            draft.status = statuses[order_id]
        return list(self.drafts.values())

    def _write_shipments(self) -> None:
        shipments = {key: Shipment(order_id=key[0], location_id=key[1], carrier=key[2],
                                   tracking=key[3], shipped_at=self.now)
                     for key in self.drafts}
        self.session.add_all(shipments.values())
        self.session.flush()
        self.session.add_all([
            ShipmentLine(shipment_id=shipment.id or 0, order_line_id=line_id,
                         quantity=quantity)
            for key, shipment in shipments.items()
            for line_id, quantity in self.units[key].items()])
        events = []
        for key, shipment in shipments.items():
            draft = self.drafts[key]
            draft.shipment_id = shipment.id
            events.append({"order_id": key[0], "at": self.now, "type": "shipped",
                           "from_status": None, "to_status": None, "run_id": self.run_id,
                           "detail": {"shipment": shipment.id, "location": draft.location,
                                      "carrier": draft.carrier, "tracking": draft.tracking,
                                      "lines": dict(draft.lines)}})
        self.session.execute(insert(OrderEvent), events)
        self.session.flush()

    def _order(self, reference: str) -> Order:
        order = self.found.get(reference)
        if order is None:
            order = self.found[reference] = find_order(self.session, reference)
        return order

    def _held(self, order: Order) -> _Held:
        held = self.held.get(order.id or 0)
        if held is None:
            held = self.held[order.id or 0] = _Held.of(self.session, order.id or 0)
        return held

    def _location(self, code: str) -> Location:
        location = self.locations.get(code)
        if location is None:
            location = self.locations[code] = location_by_code(self.session, code)
        return location


@dataclass
class _Held:
    """What an order holds, read once per run and kept current as units are taken."""

    units: list[OpenUnits]
    allocations: dict[tuple[int, int], list[Allocation]]  # (line, location) -> open rows
    skus: set[str]
    trackings: set[str]  # shipments recorded before this run

    @classmethod
    def of(cls, session: Session, order_id: int) -> _Held:
        return cls.of_orders(session, [order_id])[order_id]

    @classmethod
    def of_orders(cls, session: Session, order_ids: list[int]) -> dict[int, _Held]:
        """What each of these orders holds, in four queries."""
        held = {order_id: cls([], defaultdict(list), set(), set()) for order_id in order_ids}
        for order_id, row in session.execute(
                select(OrderLine.order_id, Allocation)
                .join(OrderLine, OrderLine.id == Allocation.order_line_id)
                .where(OrderLine.order_id.in_(order_ids), Allocation.status == "open")
                .order_by(Allocation.id)):
            held[order_id].allocations[row.order_line_id, row.location_id].append(row)
        for order_id, tracking in session.execute(
                select(Shipment.order_id, Shipment.tracking)
                .where(Shipment.order_id.in_(order_ids), Shipment.tracking.is_not(None))):
            held[order_id].trackings.add(tracking)
        for order_id, units in open_units(session, order_ids):
            held[order_id].units.append(units)
        for order_id, product_sku, line_sku in session.execute(
                select(OrderLine.order_id, Product.sku, OrderLine.sku)
                .outerjoin(Product, Product.id == OrderLine.product_id)
                .where(OrderLine.order_id.in_(order_ids))):
            if product_sku or line_sku:
                held[order_id].skus.add(product_sku or line_sku)
        return held


def _reference(record: Record) -> str | None:
    """The row's order as ``oms`` names it: its id, or CHANNEL:EXTERNAL_ID."""
    reference, channel = record.get("order"), record.get("channel")
    if reference and channel and ":" not in reference and not reference.isdigit():
        return f"{channel}:{reference}"
    return reference


def _require_shippable(order: Order) -> None:
    ref = order_ref(order)
    if order.status == OrderStatus.CANCELLED:
        raise IllegalTransition(f"{ref} is cancelled: nothing to ship")
    if order.status == OrderStatus.ON_HOLD:
        raise IllegalTransition(f"{ref} is on hold ({order.hold_reason}): release it first "
                                f"with `oms order release {ref}`")
    if order.status in (OrderStatus.SHIPPED, OrderStatus.PARTIALLY_RETURNED,
                        OrderStatus.RETURNED):
        raise IllegalTransition(f"{ref} is {order.status}: nothing is left to ship")


def _everything(order: Order, units: list[OpenUnits],
                where: Location | None) -> list[tuple[OpenUnits, int]]:
    picks = [(unit, unit.units) for unit in units if unit.units and _at(unit, where)]
    if not picks:
        at = f" at {where.code}" if where else ""
        raise Conflict(f"{order_ref(order)} has nothing allocated{at} to ship "
                       f"(it is {order.status}): run `oms allocate` first")
    return picks


def _picks(order: Order, skus: set[str], units: list[OpenUnits], wanted: dict[str, int],
           where: Location | None) -> list[tuple[OpenUnits, int]]:
    """Which reservations ship the wanted units: each sku from one location."""
    ref, picks = order_ref(order), []
    for sku, quantity in wanted.items():
        if sku not in skus:
            raise NotFound(f"{ref} has no line with sku {sku} (its skus: "
                           f"{', '.join(sorted(skus))})")
        held = [unit for unit in units
                if unit.units and unit.sku == sku and _at(unit, where)]
        places = sorted({unit.location for unit in held})
        if len(places) > 1:
            raise InvalidInput(f"{ref}: {sku} is allocated at {' and '.join(places)}: say "
                               "which with -l/--location")
        available = sum(unit.units for unit in held)
        if quantity > available:
            at = f" at {where.code if where else places[0]}" if where or places else ""
            raise Conflict(f"{ref}: only {available} {sku} allocated{at}, cannot ship "
                           f"{quantity}")
        for unit in held:
            take = min(quantity, unit.units)
            if take:
                picks.append((unit, take))
            quantity -= take
    return picks


def _at(unit: OpenUnits, where: Location | None) -> bool:
    return where is None or unit.location_id == where.id


def _merged(lines: Sequence[tuple[str, int]]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for sku, quantity in lines:
        merged[sku] = merged.get(sku, 0) + quantity
    return merged


@dataclass(slots=True)  # not frozen: a run takes units off as it ships them
class OpenUnits:
    """Line units of an order line reserved at a location (open allocations)."""

    line_id: int
    sku: str
    location_id: int
    location: str
    units: int


def open_units(session: Session, order_ids: list[int]) -> list[tuple[int, OpenUnits]]:
    """The orders' open reservations per line and location, by line then location code,
    each with its order id."""
    rows = session.execute(
        select(OrderLine.order_id, OrderLine.id, func.coalesce(Product.sku, OrderLine.sku),
               Location.id, Location.code, func.sum(Allocation.line_units))
        .join(Allocation, Allocation.order_line_id == OrderLine.id)
        .join(Location, Location.id == Allocation.location_id)
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id.in_(order_ids), Allocation.status == "open")
        .group_by(OrderLine.order_id, OrderLine.id, Location.id, Location.code, Product.sku,
                  OrderLine.sku)
        .order_by(OrderLine.id, Location.code))
    return [(order_id, OpenUnits(*units)) for order_id, *units in rows if units[4]]


def take_units(rows: Sequence[Allocation], units: int, at: datetime) -> dict[int, int]:
    """Take ``units`` line units off a line's open reservations at one location (``rows``,
    oldest first); returns the product units taken per product (a bundle's parts in
    proportion).

    The row carrying line units gives up ``units``, each other part ``units * per_unit``.
    A row emptied is closed as shipped; it keeps its last quantity (never zero).
    """
    taken: dict[int, int] = defaultdict(int)
    open_rows = [row for row in rows if row.status == "open"]
    carriers = [row for row in open_rows if row.line_units]
    parts = [row for row in open_rows if not row.line_units]
    left = units
    for row in carriers:
        take = min(left, row.line_units)
        left -= take
        _reduce(row, take, take * row.per_unit, taken, at)
    wanted: dict[int, int] = {}
    for row in parts:
        wanted.setdefault(row.product_id, units * row.per_unit)
        take = min(wanted[row.product_id], row.quantity)
        wanted[row.product_id] -= take
        _reduce(row, 0, take, taken, at)
    return dict(taken)


def _reduce(row: Allocation, line_units: int, quantity: int, taken: dict[int, int],
            at: datetime) -> None:
    if not quantity:
        return
    taken[row.product_id] += quantity
    if quantity >= row.quantity:
        row.status, row.closed_at = "shipped", at
    else:
        row.quantity -= quantity
        row.line_units -= line_units
