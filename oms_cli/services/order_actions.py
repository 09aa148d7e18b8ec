"""The merchant's hand on an order: hold it, release it, cancel it.

Each is one write transaction that records an order_event and ends with the
order's status re-derived (``refresh_status``); reservations follow the rules of
DESIGN.md: a hold keeps them, a cancellation gives every one of them back.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlmodel import Session

from oms_cli.domain.lifecycle import HoldReason, OrderStatus, ValidationPolicy, validate_order
from oms_cli.errors import IllegalTransition, InvalidInput
from oms_cli.services.order_state import (
    HOLD_ACCEPTED,
    MERCHANT,
    accepted_holds,
    accepting,
    cancel_order,
    record_event,
    refresh_status,
    revalidate,
    validation_facts,
)
from oms_cli.services.order_views import find_order
from oms_cli.store.database import Database
from oms_cli.store.tables import Order, OrderLine, Product, ProductAlias

# Every unit of these has shipped (or none is left to ship): nothing to hold or cancel.
_SETTLED = frozenset({OrderStatus.SHIPPED.value, OrderStatus.PARTIALLY_RETURNED.value,
                      OrderStatus.RETURNED.value})


@dataclass(frozen=True)
class OrderChange:
    """What an action did to one order."""

    order: str  # CHANNEL:EXTERNAL_ID
    before: str  # status before
    after: str  # status after
    reserved: int = 0  # line units still reserved afterwards
    cancelled: int = 0  # line units cancelled
    released: int = 0  # line units whose reservation was given back
    still_held: str | None = None  # why validation holds it, when a release could not lift it


def order_ref(order: Order) -> str:
    return f"{order.channel}:{order.external_id}"


def hold_order(db: Database, reference: str, *, note: str, run_id: int | None = None,
               dry_run: bool = False) -> OrderChange:
    """Hold an order for the merchant's reason; its reservations stay.

    Raises IllegalTransition for an order that is shipped, returned or cancelled.
    """
    if not note or not note.strip():
        raise InvalidInput("a hold needs a --reason (it is shown with the order)")
    with db.write(dry_run=dry_run) as session:
        order = find_order(session, reference)
        if order.status in _SETTLED or order.status == OrderStatus.CANCELLED:
            raise IllegalTransition(f"{order_ref(order)} is {order.status}: nothing is left "
                                    "to hold")
        before = order.status
        order.hold_reason, order.hold_note = HoldReason.OTHER.value, note.strip()
        order.held_by = MERCHANT
        reserved = _reserved(session, order)
        record_event(session, order.id or 0, "held", run_id=run_id,
                     detail={"by": MERCHANT, "note": order.hold_note, "reserved": reserved})
        status = refresh_status(session, order, run_id=run_id)
        return OrderChange(order_ref(order), before, status.value, reserved=reserved)


def release_order(db: Database, reference: str, *, policy: ValidationPolicy,
                  run_id: int | None = None, dry_run: bool = False) -> OrderChange:
    """Lift the order's hold and validate it again.

    A merchant hold is simply lifted. Releasing a validation hold whose cause is still
    there means the merchant accepts it: validation will not hold the order for that
    reason again. An unknown sku cannot be accepted (nothing could ship): raises
    IllegalTransition until the product or an alias exists. Raises IllegalTransition
    for an order that is not on hold.
    """
    with db.write(dry_run=dry_run) as session:
        order = find_order(session, reference)
        if order.hold_reason is None:
            raise IllegalTransition(f"{order_ref(order)} is not on hold (it is {order.status})")
        before = order.status
        if order.held_by == MERCHANT:
            record_event(session, order.id or 0, "released", run_id=run_id,
                         detail={"by": MERCHANT, "note": order.hold_note})
            order.hold_reason = order.hold_note = order.held_by = None
        else:
            _release_validation_hold(session, order, policy, run_id)
        status = revalidate(session, order, policy, run_id=run_id)
        still = order.hold_note if order.hold_reason is not None else None
        return OrderChange(order_ref(order), before, status.value,
                           reserved=_reserved(session, order), still_held=still)


def cancel(db: Database, reference: str, *, reason: str | None = None,
           run_id: int | None = None, dry_run: bool = False) -> OrderChange:
    """Cancel every unit not yet shipped and give back every reservation.

    Raises IllegalTransition for an order already cancelled or fully shipped.
    """
    with db.write(dry_run=dry_run) as session:
        order = find_order(session, reference)
        if order.status == OrderStatus.CANCELLED:
            raise IllegalTransition(f"{order_ref(order)} is already cancelled")
        if order.status in _SETTLED or not _unshipped(session, order):
            raise IllegalTransition(f"{order_ref(order)} is {order.status}: every unit has "
                                    "shipped; take units back with `oms return`")
        before, reserved = order.status, _reserved(session, order)
        cancelled = cancel_order(session, order, reason=reason or "cancelled by the merchant",
                                 run_id=run_id)
        return OrderChange(order_ref(order), before, order.status, cancelled=cancelled,
                           released=reserved)


def _release_validation_hold(session: Session, order: Order, policy: ValidationPolicy,
                             run_id: int | None) -> None:
    """Accept the hold's reason if its cause is still there; refuse an unknown sku."""
    _resolve_unknown_lines(session, order)
    session.flush()
    accepted = accepting(policy, accepted_holds(session, order.id or 0), order.financial_status)
    hold = validate_order(validation_facts(session, order), accepted)
    if hold is not None and hold.reason == HoldReason.UNKNOWN_SKU:
        raise IllegalTransition(f"{order_ref(order)} cannot be released: {hold.note}")
    if hold is not None and hold.reason.value == order.hold_reason:
        record_event(session, order.id or 0, HOLD_ACCEPTED, run_id=run_id,
                     detail={"reason": order.hold_reason, "note": order.hold_note})
    else:
        record_event(session, order.id or 0, "released", run_id=run_id,
                     detail={"by": order.held_by, "reason": order.hold_reason,
                             "note": "its cause is gone"})


def _resolve_unknown_lines(session: Session, order: Order) -> None:
    """Give lines that arrived with an unknown sku their product, if one now matches."""
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id,
                                                    OrderLine.product_id.is_(None))).all()
    for line in lines:
        keys = [key for key in (line.sku, line.channel_key, line.name) if key]
        product_id = session.scalars(select(Product.id).where(Product.sku == line.sku)).first()
        if product_id is None and keys:
            product_id = session.scalars(
                select(ProductAlias.product_id)
                .where(ProductAlias.channel == order.channel,
                       or_(*(ProductAlias.key == key for key in keys)))
                .order_by(ProductAlias.id)).first()
        line.product_id = product_id


def _reserved(session: Session, order: Order) -> int:
    return int(session.execute(select(func.coalesce(func.sum(OrderLine.allocated), 0))
                               .where(OrderLine.order_id == order.id)).scalar_one())


def _unshipped(session: Session, order: Order) -> int:
    return int(session.execute(
        select(func.coalesce(func.sum(OrderLine.quantity - OrderLine.shipped
                                      - OrderLine.cancelled), 0))
        .where(OrderLine.order_id == order.id)).scalar_one())
