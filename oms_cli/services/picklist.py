"""`oms picklist`: what to pick and pack, read from the open reservations.

A bundle is picked as its components, so every row names a product that sits on a
shelf. Orders on hold are left out: their units stay reserved but must not leave.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from oms_cli.domain.lifecycle import OrderStatus
from oms_cli.services.lookup import location_by_code
from oms_cli.store.database import Database
from oms_cli.store.tables import Allocation, Location, Order, OrderLine, Product

PICK_COLUMNS = ("location", "sku", "name", "quantity", "orders")
ORDER_PICK_COLUMNS = ("location", "order", "sku", "name", "quantity", "placed_at")


def picklist(db: Database, *, location: str | None = None,
             by_order: bool = False) -> list[tuple[Any, ...]]:
    """Units to pick: per location and sku (PICK_COLUMNS, by location then sku), or with
    ``by_order`` per order line and product (ORDER_PICK_COLUMNS, oldest order first).

    Raises NotFound for an unknown ``location``.
    """
    with db.read() as session:
        if location:
            location_by_code(session, location)
        query = _by_order() if by_order else _by_sku()
        query = query.where(Allocation.status == "open",
                            Order.status != OrderStatus.ON_HOLD.value)
        if location:
            query = query.where(Location.code == location)
        return [tuple(row) for row in session.execute(query)]


def _by_sku() -> Select[Any]:
    return (_joined(select(Location.code, Product.sku, Product.name,
                           func.sum(Allocation.quantity),
                           func.count(func.distinct(Order.id))))
            .group_by(Location.code, Product.sku, Product.name)
            .order_by(Location.code, Product.sku))


def _by_order() -> Select[Any]:
    reference = Order.channel + ":" + Order.external_id
    return (_joined(select(Location.code, reference, Product.sku, Product.name,
                           func.sum(Allocation.quantity), Order.placed_at))
            .group_by(Location.code, Order.id, OrderLine.id, Product.sku, Product.name)
            .order_by(Order.placed_at, Order.id, OrderLine.id, Location.code, Product.sku))


def _joined(query: Select[Any]) -> Select[Any]:
    return (query.select_from(Allocation)
            .join(OrderLine, OrderLine.id == Allocation.order_line_id)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Product, Product.id == Allocation.product_id)
            .join(Location, Location.id == Allocation.location_id))
