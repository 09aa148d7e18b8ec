"""The only way stock changes: one ledger movement, and the level it caches.

Every stock-changing use case (receive, adjust, count, transfer, ship, return,
damage) goes through ``move_stock``, so the stock_level cache and the
stock_movement ledger can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from oms_cli.domain.stock import MovementReason, StockLevel
from oms_cli.store.tables import StockLevel as StockLevelRow
from oms_cli.store.tables import StockMovement, utc_now

LEVELS, MOVEMENTS = StockLevelRow.__table__, StockMovement.__table__  # type: ignore[attr-defined]
_UPDATE_LEVEL = (update(LEVELS)
                 .where(LEVELS.c.product_id == bindparam("product"),
                        LEVELS.c.location_id == bindparam("location"))
                 .values(on_hand=bindparam("new_on_hand"), damaged=bindparam("new_damaged")))


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
    levels = move_stock_many(session, [(movement, what)], run_id=run_id, at=at)
    return levels[movement.product_id, movement.location_id]


def move_stock_many(session: Session, movements: Sequence[tuple[Movement, str]], *,
                    run_id: int | None = None,
                    at: datetime | None = None) -> dict[tuple[int, int], StockLevel]:
    """``move_stock`` for a batch of (movement, what) in order, in a few statements;
    returns each (product, location) level it left.

    Each movement is checked against the level the ones before it left, and the first
    that would break the books raises Conflict (the caller's transaction writes nothing).
    """
    keys = {(movement.product_id, movement.location_id) for movement, _ in movements}
    products = {product for product, _ in keys}
    levels = {(product, location): StockLevel(on_hand, reserved, damaged)
              for product, location, on_hand, reserved, damaged in session.execute(
                  select(LEVELS.c.product_id, LEVELS.c.location_id, LEVELS.c.on_hand,
                         LEVELS.c.reserved, LEVELS.c.damaged)
                  .where(LEVELS.c.product_id.in_(products)))
              if (product, location) in keys}
    stored = set(levels)
    for movement, what in movements:
        key = (movement.product_id, movement.location_id)
        levels[key] = levels.get(key, StockLevel()).moved(movement.quantity, movement.damaged,
                                                          what=what)
    if stored:
        session.execute(_UPDATE_LEVEL, [
            {"product": product, "location": location, "new_on_hand": level.on_hand,
             "new_damaged": level.damaged}
            for (product, location), level in levels.items() if (product, location) in stored])
    if len(levels) > len(stored):
        session.execute(insert(LEVELS), [
            {"product_id": product, "location_id": location, "on_hand": level.on_hand,
             "reserved": 0, "damaged": level.damaged}
            for (product, location), level in levels.items() if (product, location) not in stored])
    when = at or utc_now()
    session.execute(insert(MOVEMENTS), [
        {"product_id": movement.product_id, "location_id": movement.location_id,
         "quantity": movement.quantity, "damaged": movement.damaged,
         "reason": movement.reason.value, "reference": movement.reference,
         "note": movement.note, "at": when, "run_id": run_id}
        for movement, _ in movements])
    return levels
