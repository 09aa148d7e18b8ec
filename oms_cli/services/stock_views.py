"""Read side of stock: levels now or at a past moment, the ledger, what runs low."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, or_, select

from oms_cli.domain.stock import StockLevel
from oms_cli.services.lookup import location_by_code, product_by_sku
from oms_cli.store.database import Database
from oms_cli.store.tables import Allocation, BundleComponent, Location, Product, StockMovement
from oms_cli.store.tables import StockLevel as StockLevelRow

STOCK_COLUMNS = ("sku", "location", "on_hand", "reserved", "available", "damaged", "name")
LOW_COLUMNS = ("sku", "location", "on_hand", "reserved", "available", "reorder_point",
               "reorder_qty", "name")
HISTORY_COLUMNS = ("at", "location", "reason", "quantity", "damaged", "on_hand", "reference",
                   "note")


def stock_levels(db: Database, *, sku: str | None = None, location: str | None = None,
                 before: datetime | None = None) -> list[tuple[Any, ...]]:
    """One row per product and location holding stock (STOCK_COLUMNS).

    With ``before``, the levels just before that moment: on_hand and damaged summed
    from the ledger, reserved from the allocations open then.
    """
    with db.read() as session:
        if sku:
            product_by_sku(session, sku)
        if location:
            location_by_code(session, location)
        query = _levels_before(before) if before else _levels_now()
        levels = query.subquery()
        rows = session.execute(
            select(Product.sku, Location.code, levels.c.on_hand, levels.c.reserved,
                   levels.c.damaged, Product.safety_stock, Product.name)
            .join(Product, Product.id == levels.c.product_id)
            .join(Location, Location.id == levels.c.location_id)
            .where(Product.sku == sku if sku else literal(True),
                   Location.code == location if location else literal(True))
            .order_by(Product.sku, Location.code))
        return [
            (s, code, on_hand, reserved,
             StockLevel(on_hand, reserved, damaged).available(safety), damaged, name)
            for s, code, on_hand, reserved, damaged, safety, name in rows
        ]


def _levels_now() -> Any:
    return select(StockLevelRow.product_id, StockLevelRow.location_id, StockLevelRow.on_hand,
                  StockLevelRow.reserved, StockLevelRow.damaged)


def _levels_before(moment: datetime) -> Any:
    ledger = (select(StockMovement.product_id, StockMovement.location_id,
                     func.sum(StockMovement.quantity).label("on_hand"),
                     func.sum(StockMovement.damaged).label("damaged"))
              .where(StockMovement.at < moment)
              .group_by(StockMovement.product_id, StockMovement.location_id)).subquery()
    open_then = (select(Allocation.product_id, Allocation.location_id,
                        func.sum(Allocation.quantity).label("reserved"))
                 .where(Allocation.created_at < moment,
                        or_(Allocation.closed_at.is_(None), Allocation.closed_at >= moment))
                 .group_by(Allocation.product_id, Allocation.location_id)).subquery()
    return (select(ledger.c.product_id, ledger.c.location_id, ledger.c.on_hand,
                   func.coalesce(open_then.c.reserved, 0).label("reserved"), ledger.c.damaged)
            .outerjoin(open_then, and_(open_then.c.product_id == ledger.c.product_id,
                                       open_then.c.location_id == ledger.c.location_id)))


def low_stock(db: Database, *, location: str | None = None) -> list[tuple[Any, ...]]:
    """Active products whose available units are at or below their reorder point (LOW_COLUMNS).

    Totals run over every active location (or just ``location``); a product never
    stocked counts as zero available. Bundles hold no stock of their own and are left out.
    """
    with db.read() as session:
        place = location_by_code(session, location) if location else None
        level_filter = [Location.active]
        if place is not None:
            level_filter.append(Location.id == place.id)
        levels = (select(StockLevelRow.product_id, StockLevelRow.on_hand, StockLevelRow.reserved,
                         StockLevelRow.damaged)
                  .join(Location, Location.id == StockLevelRow.location_id)
                  .where(*level_filter)).subquery()
        free = levels.c.on_hand - levels.c.reserved - levels.c.damaged - Product.safety_stock
        available = case((free > 0, free), else_=0)  # max(free, 0) on every dialect
        rows = session.execute(
            select(Product.sku, func.coalesce(func.sum(levels.c.on_hand), 0),
                   func.coalesce(func.sum(levels.c.reserved), 0),
                   func.coalesce(func.sum(available), 0), Product.reorder_point,
                   Product.reorder_qty, Product.name)
            .outerjoin(levels, levels.c.product_id == Product.id)
            .where(Product.active, ~exists().where(BundleComponent.bundle_id == Product.id))
            .group_by(Product.id)
            .having(func.coalesce(func.sum(available), 0) <= Product.reorder_point)
            .order_by(Product.sku))
        label = place.code if place else "all"
        return [(s, label, on_hand, reserved, avail, rp, rq, name)
                for s, on_hand, reserved, avail, rp, rq, name in rows]


def stock_history(db: Database, sku: str, *, location: str | None = None,
                  limit: int | None = None) -> Iterator[tuple[Any, ...]]:
    """The ledger of one sku, oldest first, with the running on_hand per location."""
    with db.read() as session:
        product = product_by_sku(session, sku)
        place = location_by_code(session, location) if location else None
        balance = func.sum(StockMovement.quantity).over(
            partition_by=StockMovement.location_id,
            order_by=(StockMovement.at, StockMovement.id))
        query = (select(StockMovement.at, Location.code, StockMovement.reason,
                        StockMovement.quantity, StockMovement.damaged, balance,
                        StockMovement.reference, StockMovement.note)
                 .join(Location, Location.id == StockMovement.location_id)
                 .where(StockMovement.product_id == product.id)
                 .order_by(StockMovement.at, StockMovement.id))
        if place is not None:
            query = query.where(StockMovement.location_id == place.id)
        rows = [tuple(row) for row in session.execute(query)]
    return iter(rows[-limit:] if limit else rows)
