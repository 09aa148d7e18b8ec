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

from sqlalchemy import exists, func, select, update
from sqlmodel import Session

from oms_cli.domain.lifecycle import OrderStatus
from oms_cli.domain.stock import MovementReason, parse_quantity
from oms_cli.errors import Conflict, IllegalTransition, InvalidInput, NotFound, OmsError
from oms_cli.services.ledger import Movement, move_stock
from oms_cli.services.lookup import location_by_code
from oms_cli.services.order_actions import order_ref
from oms_cli.services.order_state import record_event, refresh_status
from oms_cli.services.order_views import find_order
from oms_cli.services.tabular import Record, read_records
from oms_cli.store.database import Database
from oms_cli.store.tables import (
    Allocation,
    Location,
    Order,
    OrderLine,
    Product,
    Shipment,
    ShipmentLine,
    utc_now,
)
from oms_cli.store.tables import StockLevel as StockLevelRow

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
    """Ships units inside one transaction; shipments are written by ``finish``."""

    def __init__(self, session: Session, run_id: int | None) -> None:
        self.session = session
        self.run_id = run_id
        self.now = utc_now()
        self.drafts: dict[tuple[int, int, str | None, str | None], ShipmentResult] = {}
        self.units: dict[tuple[int, int, str | None, str | None], dict[int, int]] = {}
        self.orders: dict[int, Order] = {}

    def ship_record(self, record: Record) -> bool:
        """Ship one file row; False when the row was recorded before (skipped)."""
        reference, channel = record.get("order"), record.get("channel")
        if not reference:
            raise InvalidInput("no order")
        if channel and ":" not in reference and not reference.isdigit():
            reference = f"{channel}:{reference}"
        sku = record.get("sku")
        if not sku:
            raise InvalidInput("no sku")
        quantity = parse_quantity(record.get("quantity"), "quantity")
        order = find_order(self.session, reference)
        tracking = record.get("tracking") or None
        if tracking and self._recorded(order, tracking):
            return False
        self.ship(order, {sku: quantity}, carrier=record.get("carrier") or None,
                  tracking=tracking, location=record.get("location") or None)
        return True

    def ship(self, order: Order, wanted: dict[str, int], *, carrier: str | None,
             tracking: str | None, location: str | None) -> None:
        _require_shippable(order)
        where = location_by_code(self.session, location) if location else None
        units = open_units(self.session, order.id or 0)
        if wanted:
            picks = _picks(order, _line_skus(self.session, order), units, wanted, where)
        else:
            picks = _everything(order, units, where)
        if tracking and not location and len({p.location_id for p, _ in picks}) > 1:
            raise InvalidInput(f"{order_ref(order)} ships from several locations: ship each "
                               "with -l LOC and its own tracking")
        for pick, quantity in picks:
            self._take(order, pick, quantity, carrier, tracking)

    def _take(self, order: Order, pick: OpenUnits, quantity: int, carrier: str | None,
              tracking: str | None) -> None:
        products = take_units(self.session, pick.line_id, pick.location_id, quantity, self.now)
        reference = order_ref(order)
        for product_id, units in products.items():
            self.session.execute(update(StockLevelRow).where(
                StockLevelRow.product_id == product_id,
                StockLevelRow.location_id == pick.location_id)
                .values(reserved=StockLevelRow.reserved - units))
            move_stock(self.session, Movement(
                product_id, pick.location_id, -units, MovementReason.SHIP, reference=reference,
                note=f"tracking {tracking}" if tracking else None),
                what=f"{pick.sku} at {pick.location}", run_id=self.run_id, at=self.now)
        self.session.execute(update(OrderLine).where(OrderLine.id == pick.line_id).values(
            allocated=OrderLine.allocated - quantity, shipped=OrderLine.shipped + quantity))
        key = (order.id or 0, pick.location_id, carrier, tracking)
        draft = self.drafts.setdefault(key, ShipmentResult(reference, pick.location, carrier,
                                                           tracking))
        draft.lines[pick.sku] = draft.lines.get(pick.sku, 0) + quantity
        line_units = self.units.setdefault(key, defaultdict(int))
        line_units[pick.line_id] += quantity
        self.orders[order.id or 0] = order

    def finish(self) -> list[ShipmentResult]:
        """Write the shipments, their lines and events; refresh each order's status."""
        for (order_id, location_id, carrier, tracking), draft in self.drafts.items():
            shipment = Shipment(order_id=order_id, location_id=location_id, carrier=carrier,
                                tracking=tracking, shipped_at=self.now)
            self.session.add(shipment)
            self.session.flush()
            draft.shipment_id = shipment.id
            for line_id, quantity in self.units[(order_id, location_id, carrier, tracking)].items():
                self.session.add(ShipmentLine(shipment_id=shipment.id or 0,
                                              order_line_id=line_id, quantity=quantity))
            record_event(self.session, order_id, "shipped", run_id=self.run_id, at=self.now,
                         detail={"shipment": shipment.id, "location": draft.location,
                                 "carrier": carrier, "tracking": tracking,
                                 "lines": dict(draft.lines)})
        self.session.flush()
        statuses = {order_id: refresh_status(self.session, order, run_id=self.run_id).value
                    for order_id, order in self.orders.items()}
        for (order_id, *_), draft in self.drafts.items():
            draft.status = statuses[order_id]
        return list(self.drafts.values())

    def _recorded(self, order: Order, tracking: str) -> bool:
        return bool(self.session.execute(select(exists().where(
            Shipment.order_id == order.id, Shipment.tracking == tracking))).scalar())


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
    picks = [(unit, unit.units) for unit in units if _at(unit, where)]
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
        held = [unit for unit in units if unit.sku == sku and _at(unit, where)]
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


def _line_skus(session: Session, order: Order) -> set[str]:
    rows = session.execute(select(Product.sku, OrderLine.sku)
                           .outerjoin(Product, Product.id == OrderLine.product_id)
                           .where(OrderLine.order_id == order.id))
    return {product_sku or line_sku for product_sku, line_sku in rows
            if product_sku or line_sku}


def _merged(lines: Sequence[tuple[str, int]]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for sku, quantity in lines:
        merged[sku] = merged.get(sku, 0) + quantity
    return merged


@dataclass(frozen=True)
class OpenUnits:
    """Line units of an order line reserved at a location (open allocations)."""

    line_id: int
    sku: str
    location_id: int
    location: str
    units: int


def open_units(session: Session, order_id: int) -> list[OpenUnits]:
    """The order's open reservations per line and location, by line then location code."""
    rows = session.execute(
        select(OrderLine.id, func.coalesce(Product.sku, OrderLine.sku), Location.id,
               Location.code, func.sum(Allocation.line_units))
        .join(Allocation, Allocation.order_line_id == OrderLine.id)
        .join(Location, Location.id == Allocation.location_id)
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == order_id, Allocation.status == "open")
        .group_by(OrderLine.id, Location.id, Product.sku)
        .order_by(OrderLine.id, Location.code))
    return [OpenUnits(*row) for row in rows if row[4]]


def take_units(session: Session, line_id: int, location_id: int, units: int,
               at: datetime) -> dict[int, int]:
    """Take ``units`` line units off the line's open reservations at the location, oldest
    first; returns the product units taken per product (a bundle's parts in proportion).

    The row carrying line units gives up ``units``, each other part ``units * per_unit``.
    A row emptied is closed as shipped; it keeps its last quantity (never zero).
    """
    rows = session.scalars(select(Allocation).where(
        Allocation.order_line_id == line_id, Allocation.location_id == location_id,
        Allocation.status == "open").order_by(Allocation.id)).all()
    taken: dict[int, int] = defaultdict(int)
    carriers, parts = [r for r in rows if r.line_units], [r for r in rows if not r.line_units]
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
    session.flush()
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
