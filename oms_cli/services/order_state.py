"""Keeping a stored order's status true: re-deriving it, holding, releasing, cancelling.

Status is never set by hand: every change to an order's units, hold or progress
ends with ``refresh_status``, which asks the domain what the order now is and
writes an order_event when that differs from before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from oms_cli.domain.lifecycle import (
    Hold,
    HoldReason,
    LineFacts,
    LineUnits,
    OrderFacts,
    OrderState,
    OrderStatus,
    ValidationPolicy,
    derive_status,
    validate_order,
)
from oms_cli.reports.summarize import mark_placed
from oms_cli.store.tables import Allocation, Order, OrderEvent, OrderLine, utc_now
from oms_cli.store.tables import StockLevel as StockLevelRow

_INSERT_EVENT = insert(OrderEvent.__table__)  # type: ignore[attr-defined]


def record_event(session: Session, order_id: int, kind: str, *, run_id: int | None = None,
                 from_status: str | None = None, to_status: str | None = None,
                 detail: Mapping[str, Any] | None = None, at: datetime | None = None) -> None:
    session.execute(_INSERT_EVENT, {
        "order_id": order_id, "at": at or utc_now(), "type": kind, "from_status": from_status,
        "to_status": to_status, "detail": dict(detail) if detail else None, "run_id": run_id})


def line_units_of(session: Session, order_ids: list[int]) -> dict[int, list[LineUnits]]:
    """Each order's lines' units (in line order), for many orders in one query."""
    units: dict[int, list[LineUnits]] = {order_id: [] for order_id in order_ids}
    for start in range(0, len(order_ids), 1000):  # bound the statement's parameters
        for order_id, *counts in session.execute(
                select(OrderLine.order_id, OrderLine.quantity, OrderLine.allocated,
                       OrderLine.shipped, OrderLine.returned, OrderLine.cancelled)
                .where(OrderLine.order_id.in_(order_ids[start:start + 1000]))
                .order_by(OrderLine.id)):
            units[order_id].append(LineUnits(*counts))
    return units


def line_units(session: Session, order_id: int) -> list[LineUnits]:
    return line_units_of(session, [order_id])[order_id]


def refresh_status(session: Session, order: Order, *, run_id: int | None = None,
                   why: str = "status_changed",
                   lines: list[LineUnits] | None = None) -> OrderStatus:
    """Re-derive the order's status from its lines (``lines``: their units, when the
    caller read them already); record the transition if it moved."""
    state = OrderState(lines=line_units(session, order.id or 0) if lines is None else lines,
                       on_hold=order.hold_reason is not None,
                       validated=order.validated_at is not None,
                       allocation_tried=order.allocation_tried_at is not None)
    status = derive_status(state)
    if status in _SETTLED and order.hold_reason is not None:
        order.hold_reason, order.hold_note, order.held_by = None, None, None
    if status != order.status:
        if status in _SETTLED or order.status in _SETTLED:
            mark_placed(session, [order.placed_at], [order.customer_id])  # in or out
        record_event(session, order.id or 0, why, run_id=run_id, from_status=order.status,
                     to_status=status.value)
        order.status = status.value
        order.updated_at = utc_now()
    return status


def validation_facts(session: Session, order: Order) -> OrderFacts:
    rows = session.execute(select(OrderLine.sku, OrderLine.channel_key, OrderLine.name,
                                  OrderLine.product_id, OrderLine.quantity,
                                  OrderLine.requires_shipping)
                           .where(OrderLine.order_id == order.id).order_by(OrderLine.id))
    lines = [LineFacts(label=sku or key or name, known=product_id is not None, quantity=qty,
                       requires_shipping=ships)
             for sku, key, name, product_id, qty, ships in rows]
    has_address = bool(order.ship_line1 and (order.ship_city or order.ship_postcode)
                       and order.ship_country)
    return OrderFacts(lines=lines, has_address=has_address,
                      financial_status=order.financial_status, risk_level=order.risk_level,
                      is_test=order.is_test)


def apply_validation(order: Order, hold: Hold | None, now: datetime) -> None:
    """Set or lift the validation hold; a hold the merchant placed is left alone."""
    if order.held_by == MERCHANT:
        return
    if hold is None:
        order.hold_reason, order.hold_note, order.held_by = None, None, None
        order.validated_at = order.validated_at or now
    else:
        order.hold_reason, order.hold_note = hold.reason.value, hold.note
        order.held_by = VALIDATION


def revalidate(session: Session, order: Order, policy: ValidationPolicy, *,
               run_id: int | None = None) -> OrderStatus:
    """Validate an order that is still waiting, then refresh its status."""
    if order.status in _VALIDATABLE:
        policy = accepting(policy, accepted_holds(session, order.id or 0),
                           order.financial_status)
        apply_validation(order, validate_order(validation_facts(session, order), policy),
                         utc_now())
    return refresh_status(session, order, run_id=run_id)


def accepted_holds(session: Session, order_id: int) -> frozenset[str]:
    """The validation hold reasons the merchant accepted for this order (`oms order release`)."""
    details = session.scalars(select(OrderEvent.detail).where(
        OrderEvent.order_id == order_id, OrderEvent.type == HOLD_ACCEPTED))
    return frozenset(str(detail["reason"]) for detail in details
                     if isinstance(detail, dict) and "reason" in detail)


def accepting(policy: ValidationPolicy, reasons: frozenset[str],
              financial_status: str) -> ValidationPolicy:
    """``policy`` with the rules behind the accepted hold ``reasons`` switched off."""
    if HoldReason.AWAITING_PAYMENT in reasons:
        policy = replace(policy, accepted_financial_statuses=(
            policy.accepted_financial_statuses | {financial_status}))
    if HoldReason.INCORRECT_ADDRESS in reasons:
        policy = replace(policy, require_address=False)
    if HoldReason.HIGH_RISK in reasons:
        policy = replace(policy, max_risk="high")
    if HoldReason.OTHER in reasons:
        policy = replace(policy, hold_test_orders=False)
    return policy


def release_allocations(session: Session, order_id: int, *, run_id: int | None = None) -> int:
    """Give back every open reservation of the order; returns the units released."""
    rows = session.execute(
        select(Allocation.id, Allocation.order_line_id, Allocation.product_id,
               Allocation.location_id, Allocation.quantity, Allocation.line_units)
        .join(OrderLine, OrderLine.id == Allocation.order_line_id)
        .where(OrderLine.order_id == order_id, Allocation.status == "open")).all()
    now = utc_now()
    for allocation_id, line_id, product_id, location_id, quantity, units in rows:
        session.execute(update(Allocation).where(Allocation.id == allocation_id)
                        .values(status="released", closed_at=now))
        session.execute(update(OrderLine).where(OrderLine.id == line_id)
                        .values(allocated=OrderLine.allocated - units))
        session.execute(update(StockLevelRow).where(
            StockLevelRow.product_id == product_id, StockLevelRow.location_id == location_id)
            .values(reserved=StockLevelRow.reserved - quantity))
    released = sum(row.line_units for row in rows)
    if released:
        record_event(session, order_id, "reservations_released", run_id=run_id,
                     detail={"units": released})
    return released


def cancel_order(session: Session, order: Order, *, reason: str, run_id: int | None = None,
                 at: datetime | None = None) -> int:
    """Cancel every unit not yet shipped, releasing reservations; returns units cancelled."""
    assert order.id is not None
    release_allocations(session, order.id, run_id=run_id)
    cancelled = session.execute(
        select(func.coalesce(func.sum(OrderLine.quantity - OrderLine.shipped
                                      - OrderLine.cancelled), 0))
        .where(OrderLine.order_id == order.id)).scalar_one()
    session.execute(update(OrderLine).where(OrderLine.order_id == order.id)
                    .values(cancelled=OrderLine.quantity - OrderLine.shipped))
    order.cancelled_at = order.cancelled_at or at or utc_now()
    record_event(session, order.id, "cancelled", run_id=run_id,
                 detail={"reason": reason, "units": int(cancelled)})
    refresh_status(session, order, run_id=run_id)
    return int(cancelled)


VALIDATION, MERCHANT = "validation", "merchant"
# The event that records a released validation hold: its reason no longer holds the order.
HOLD_ACCEPTED = "hold_accepted"
# Nothing is left to ship in these: a hold on them means nothing.
_SETTLED = frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.RETURNED,
                      OrderStatus.PARTIALLY_RETURNED})
_VALIDATABLE = frozenset({OrderStatus.PENDING.value, OrderStatus.ON_HOLD.value,
                          OrderStatus.READY.value, OrderStatus.BACKORDERED.value})
