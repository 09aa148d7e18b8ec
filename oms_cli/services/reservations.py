"""Giving reservations back when a count finds fewer units than were promised."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select, update
from sqlmodel import Session

from oms_cli.services.order_state import record_event, refresh_status
from oms_cli.store.tables import Allocation, Order, OrderLine, utc_now
from oms_cli.store.tables import StockLevel as StockLevelRow


def release_newest(session: Session, product_id: int, location_id: int, shortfall: int, *,
                   run_id: int | None = None) -> int:
    """Release the newest reservations of a product at a location until ``shortfall``
    units are free; returns the product units released.

    A bundle line gives back whole bundle units (all its parts at that location). The
    orders go back to partially allocated or backordered, oldest keeping their stock.
    """
    newest_first = session.execute(
        select(Allocation.order_line_id, Allocation.quantity, Allocation.per_unit)
        .where(Allocation.product_id == product_id, Allocation.location_id == location_id,
               Allocation.status == "open")
        .order_by(Allocation.created_at.desc(), Allocation.id.desc())).all()
    released, orders = 0, defaultdict(int)
    for line_id, quantity, per_unit in newest_first:
        if released >= shortfall:
            break
        units = min(quantity // per_unit, -(-(shortfall - released) // per_unit))
        released += units * per_unit
        orders[_release_line_units(session, line_id, location_id, units, run_id)] += units
    for order_id, units in orders.items():
        order = session.get(Order, order_id)
        assert order is not None
        record_event(session, order_id, "reservation_released", run_id=run_id,
                     detail={"units": units, "why": "a stock count found fewer units"})
        refresh_status(session, order, run_id=run_id)
    return released


def _release_line_units(session: Session, line_id: int, location_id: int, units: int,
                        run_id: int | None) -> int:
    """Take ``units`` line units off every part of the line's reservation at the location.

    Rows carrying line units (one per reservation) give them back newest first; the
    bundle's other parts give back ``units * per_unit`` of their product each.
    """
    rows = session.scalars(select(Allocation).where(
        Allocation.order_line_id == line_id, Allocation.location_id == location_id,
        Allocation.status == "open").order_by(Allocation.id.desc())).all()
    carriers = [row for row in rows if row.line_units]
    other_parts = [row for row in rows if not row.line_units]
    left = units
    for row in carriers:
        take = min(left, row.line_units)
        row.line_units -= take
        _shrink(session, row, take * row.per_unit, location_id)
        left -= take
    wanted: dict[int, int] = {}
    for row in other_parts:
        wanted.setdefault(row.product_id, units * row.per_unit)
        take = min(wanted[row.product_id], row.quantity)
        wanted[row.product_id] -= take
        _shrink(session, row, take, location_id)
    session.execute(update(OrderLine).where(OrderLine.id == line_id)
                    .values(allocated=OrderLine.allocated - units))
    session.flush()
    return session.execute(select(OrderLine.order_id).where(OrderLine.id == line_id)).scalar_one()


def _shrink(session: Session, row: Allocation, quantity: int, location_id: int) -> None:
    if not quantity:
        return
    if quantity == row.quantity:  # the whole row goes: close it, keeping what it held
        row.status, row.closed_at = "released", utc_now()
    else:
        row.quantity -= quantity
    session.execute(update(StockLevelRow).where(
        StockLevelRow.product_id == row.product_id, StockLevelRow.location_id == location_id)
        .values(reserved=StockLevelRow.reserved - quantity))
