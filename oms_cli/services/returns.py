"""`oms return`: shipped units come back, to the shelf or to the damaged bucket.

A return puts the units back where they shipped from (a bundle as its components):
resaleable units become available again, damaged ones are counted on hand but
never sold. It records the refund in the order's currency and moves the order to
partially returned or returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, update
from sqlmodel import Session

from oms_cli.domain.money import from_minor, to_minor_exact
from oms_cli.domain.stock import MovementReason
from oms_cli.errors import Conflict, InvalidInput, NotFound
from oms_cli.reports.summarize import mark_placed
from oms_cli.services.ledger import Movement, move_stock
from oms_cli.services.lookup import default_location, location_by_code
from oms_cli.services.order_actions import order_ref
from oms_cli.services.order_state import record_event, refresh_status
from oms_cli.services.order_views import find_order
from oms_cli.store.database import Database
from oms_cli.store.tables import (
    BundleComponent,
    Location,
    Order,
    OrderLine,
    Product,
    Return,
    ReturnLine,
    Shipment,
    ShipmentLine,
    utc_now,
)

CONDITIONS = ("resaleable", "damaged")


@dataclass
class ReturnResult:
    order: str  # CHANNEL:EXTERNAL_ID
    location: str
    condition: str
    refund: Decimal  # in the order's currency
    currency: str
    lines: dict[str, int] = field(default_factory=dict)  # sku -> line units returned
    restocked: dict[str, int] = field(default_factory=dict)  # sku -> product units back
    return_id: int | None = None
    status: str = ""  # the order's status afterwards


def return_units(db: Database, reference: str, lines: Sequence[tuple[str, int]], *,
                 reason: str | None = None, condition: str = "resaleable",
                 location: str | None = None, refund: Decimal | None = None,
                 run_id: int | None = None, dry_run: bool = False) -> ReturnResult:
    """Take back ``lines`` (sku, line units) of an order.

    The location defaults to the one the lines shipped from, else the only active one.
    The refund defaults to unit price x units of the returned lines. Raises Conflict
    for more units than shipped and not yet returned, NotFound for a sku the order
    does not have, InvalidInput for a bad condition or refund.
    """
    if condition not in CONDITIONS:
        raise InvalidInput(f"condition {condition!r}: give {' or '.join(CONDITIONS)}")
    if not lines:
        raise InvalidInput("say what came back with --line SKU=QTY")
    with db.write(dry_run=dry_run) as session:
        order = find_order(session, reference)
        picks = _picks(session, order, lines)
        place = _location(session, order, [line.id or 0 for line, _, _ in picks], location)
        refund_minor = _refund_minor(order, picks, refund)
        result = ReturnResult(order_ref(order), place.code, condition,
                              from_minor(refund_minor, order.currency), order.currency)
        stored = Return(order_id=order.id or 0, location_id=place.id, reason=reason,
                        condition=condition, refund=refund_minor, created_at=utc_now())
        session.add(stored)
        session.flush()
        for line, units, sku in picks:
            _take_back(session, order, line, sku, units, place, stored, result, run_id)
        order.refunded += refund_minor
        mark_placed(session, [order.placed_at], [order.customer_id])
        result.return_id = stored.id
        record_event(session, order.id or 0, "returned", run_id=run_id, detail={
            "return": stored.id, "location": place.code, "condition": condition,
            "reason": reason, "refund": str(result.refund), "lines": dict(result.lines)})
        session.flush()
        result.status = refresh_status(session, order, run_id=run_id).value
        return result


def _picks(session: Session, order: Order,
           wanted: Sequence[tuple[str, int]]) -> list[tuple[OrderLine, int, str]]:
    """The lines the units come back to, each within what it shipped and has not had back."""
    rows = session.execute(select(OrderLine, Product.sku)
                           .outerjoin(Product, Product.id == OrderLine.product_id)
                           .where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    by_sku: dict[str, list[OrderLine]] = {}
    for line, sku in rows:
        by_sku.setdefault(sku or line.sku or "", []).append(line)
    totals: dict[str, int] = {}
    for sku, units in wanted:
        totals[sku] = totals.get(sku, 0) + units
    picks = []
    for sku, units in totals.items():
        if sku not in by_sku:
            raise NotFound(f"{order_ref(order)} has no line with sku {sku} (its skus: "
                           f"{', '.join(sorted(s for s in by_sku if s))})")
        returnable = sum(line.shipped - line.returned for line in by_sku[sku])
        if units > returnable:
            raise Conflict(f"{order_ref(order)}: only {returnable} {sku} shipped and not yet "
                           f"returned, cannot return {units}")
        for line in by_sku[sku]:
            take = min(units, line.shipped - line.returned)
            if take:
                if line.product_id is None:
                    raise InvalidInput(f"{sku} is not a known product: add it (or an alias) "
                                       "before taking it back")
                picks.append((line, take, sku))
            units -= take
    return picks


def _location(session: Session, order: Order, line_ids: list[int],
              code: str | None) -> Location:
    """-l if given, else where the lines shipped from, else the only active location."""
    if code:
        return location_by_code(session, code)
    shipped_from = session.scalars(
        select(Location).distinct()
        .join(Shipment, Shipment.location_id == Location.id)
        .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
        .where(ShipmentLine.order_line_id.in_(line_ids))
        .order_by(Location.code)).all()
    if len(shipped_from) == 1:
        return shipped_from[0]
    if shipped_from:
        raise InvalidInput(f"{order_ref(order)} shipped from "
                           f"{' and '.join(loc.code for loc in shipped_from)}: say where it "
                           "came back with -l/--location")
    return default_location(session)


def _refund_minor(order: Order, picks: list[tuple[OrderLine, int, str]],
                  refund: Decimal | None) -> int:
    if refund is None:
        return sum(line.unit_price * units for line, units, _ in picks)
    try:
        return to_minor_exact(refund, order.currency, "--refund")
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _take_back(session: Session, order: Order, line: OrderLine, sku: str, units: int,
               place: Location, stored: Return, result: ReturnResult,
               run_id: int | None) -> None:
    """Restock the line's units (a bundle as its parts) and count them returned."""
    damaged = result.condition == "damaged"
    for product_id, part, per_unit in _parts(session, line.product_id or 0):
        quantity = units * per_unit
        move_stock(session, Movement(product_id, place.id or 0, quantity, MovementReason.RETURN,
                                     damaged=quantity if damaged else 0,
                                     reference=order_ref(order), note=stored.reason),
                   what=f"{part} at {place.code}", run_id=run_id)
        result.restocked[part] = result.restocked.get(part, 0) + quantity
    session.execute(update(OrderLine).where(OrderLine.id == line.id)
                    .values(returned=OrderLine.returned + units))
    session.add(ReturnLine(return_id=stored.id or 0, order_line_id=line.id or 0,
                           quantity=units))
    result.lines[sku] = result.lines.get(sku, 0) + units


def _parts(session: Session, product_id: int) -> list[tuple[int, str, int]]:
    """(product, sku, units per unit) that one unit of the product is made of."""
    parts = session.execute(
        select(BundleComponent.component_id, Product.sku, BundleComponent.quantity)
        .join(Product, Product.id == BundleComponent.component_id)
        .where(BundleComponent.bundle_id == product_id)
        .order_by(Product.sku)).all()
    if parts:
        return [(pid, sku, per) for pid, sku, per in parts]
    product = session.get(Product, product_id)
    assert product is not None
    return [(product_id, product.sku, 1)]
