"""The only way stock changes: one ledger movement, and the level it caches.

Every stock-changing use case (receive, adjust, count, transfer, ship, return,
damage) goes through ``move_stock``, so the stock_level cache and the
stock_movement ledger can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlmodel import Session

from oms_cli.domain.stock import MovementReason, StockLevel
from oms_cli.store.tables import StockLevel as StockLevelRow
from oms_cli.store.tables import StockMovement, utc_now


@dataclass(frozen=True)
class Movement:
    product_id: int
    location_id: int
    quantity: int
    reason: MovementReason
    damaged: int = 0
    reference: str | None = None
    note: str | None = None


def current_level(session: Session, product_id: int, location_id: int) -> StockLevel:
    row = session.execute(
        select(StockLevelRow.on_hand, StockLevelRow.reserved, StockLevelRow.damaged).where(
            StockLevelRow.product_id == product_id, StockLevelRow.location_id == location_id
        )
    ).first()
    return StockLevel(*row) if row else StockLevel()


def move_stock(session: Session, movement: Movement, *, what: str, run_id: int | None = None,
               at: datetime | None = None) -> StockLevel:
    """Apply ``movement`` to its level and append it to the ledger; returns the new level.

    Raises Conflict (nothing written) if the level would go negative or below what is
    reserved and damaged.
    """
    before = current_level(session, movement.product_id, movement.location_id)
    after = before.moved(movement.quantity, movement.damaged, what=what)
    _store_level(session, movement.product_id, movement.location_id, after)
    session.execute(insert(StockMovement).values(
        product_id=movement.product_id,
        location_id=movement.location_id,
        quantity=movement.quantity,
        damaged=movement.damaged,
        reason=movement.reason.value,
        reference=movement.reference,
        note=movement.note,
        at=at or utc_now(),
        run_id=run_id,
    ))
    return after


def _store_level(session: Session, product_id: int, location_id: int, level: StockLevel) -> None:
    values = {"on_hand": level.on_hand, "damaged": level.damaged}
    result = session.execute(update(StockLevelRow).where(
        StockLevelRow.product_id == product_id, StockLevelRow.location_id == location_id
    ).values(**values))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(StockLevelRow).values(
            product_id=product_id, location_id=location_id, reserved=0, **values))
