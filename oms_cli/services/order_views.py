"""Read side of orders: the order book as a list, and one order's tracking view."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, tuple_
from sqlmodel import Session

from oms_cli.domain.money import from_minor
from oms_cli.errors import InvalidInput, NotFound
from oms_cli.store.database import Database
from oms_cli.store.tables import (
    Allocation,
    Customer,
    Location,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    Return,
    ReturnLine,
    Shipment,
    ShipmentLine,
)

ORDER_COLUMNS = ("id", "channel", "external_id", "status", "placed_at", "currency", "total",
                 "lines", "units", "hold_reason")
LINE_FIELDS = ("sku", "name", "quantity", "unit_price", "allocated", "shipped", "returned",
               "cancelled", "backordered")


def list_orders(db: Database, *, status: str | None = None, channel: str | None = None,
                since: datetime | None = None, limit: int | None = None,
                ) -> list[tuple[Any, ...]]:
    """Orders newest first (ORDER_COLUMNS), filtered by status, channel and placed_at >= since."""
    with db.read() as session:
        lines = (select(OrderLine.order_id, func.count().label("lines"),
                        func.sum(OrderLine.quantity).label("units"))
                 .group_by(OrderLine.order_id)).subquery()
        query = (select(Order.id, Order.channel, Order.external_id, Order.status,
                        Order.placed_at, Order.currency, Order.total,
                        func.coalesce(lines.c.lines, 0), func.coalesce(lines.c.units, 0),
                        Order.hold_reason)
                 .outerjoin(lines, lines.c.order_id == Order.id)
                 .order_by(Order.placed_at.desc(), Order.id.desc()))
        if status:
            query = query.where(Order.status == status)
        if channel:
            query = query.where(Order.channel == channel.strip().lower())
        if since:
            query = query.where(Order.placed_at >= since)
        if limit:
            query = query.limit(limit)
        return [(*row[:6], from_minor(row[6], row[5]), *row[7:]) for row in session.execute(query)]


def find_order(session: Session, reference: str) -> Order:
    """An order by internal id (``42``) or ``CHANNEL:EXTERNAL_ID`` (``shopify:#1001``)."""
    key = _order_key(reference)
    if isinstance(key, int):
        order = session.get(Order, key)
    else:
        channel, external = key
        order = session.scalars(select(Order).where(Order.channel == channel,
                                                    Order.external_id == external)).first()
    if order is None:
        raise NotFound(f"no order {reference!r}: see `oms order list`")
    return order


def find_orders(session: Session, references: Iterable[str]) -> dict[str, Order]:
    """The orders of many references at once (as ``find_order`` reads each), by
    reference as given; those not found, or not a reference, are left out."""
    keys: dict[str, int | tuple[str, str]] = {}
    for reference in references:
        with suppress(InvalidInput):
            keys[reference] = _order_key(reference)
    ids = sorted({key for key in keys.values() if isinstance(key, int)})
    pairs = sorted({key for key in keys.values() if isinstance(key, tuple)})
    by_key: dict[int | tuple[str, str], Order] = {}
    for start in range(0, max(len(ids), len(pairs)), 500):  # bound each statement
        conditions = []
        if ids[start:start + 500]:
            conditions.append(Order.id.in_(ids[start:start + 500]))
        if pairs[start:start + 500]:
            conditions.append(tuple_(Order.channel, Order.external_id)
                              .in_(pairs[start:start + 500]))
        for order in session.scalars(select(Order).where(or_(*conditions))):
            by_key[order.id or 0] = by_key[order.channel, order.external_id] = order
    return {reference: by_key[key] for reference, key in keys.items() if key in by_key}


def _order_key(reference: str) -> int | tuple[str, str]:
    """An order reference as what it names: an id, or (channel, external id)."""
    reference = reference.strip()
    if reference.isdigit():
        return int(reference)
    if ":" in reference:
        channel, _, external = reference.partition(":")
        return channel.lower(), external
    raise InvalidInput(f"order {reference!r}: give its id or CHANNEL:EXTERNAL_ID "
                       "(shopify:#1001)")


def order_detail(db: Database, reference: str) -> dict[str, Any]:
    """One order with its lines (where each unit is) and its timeline of events."""
    with db.read() as session:
        order = find_order(session, reference)
        money = {name: from_minor(getattr(order, name), order.currency)
                 for name in ("subtotal", "shipping", "tax", "discount", "total", "refunded")}
        customer = session.get(Customer, order.customer_id) if order.customer_id else None
        detail: dict[str, Any] = {
            "id": order.id, "channel": order.channel, "external_id": order.external_id,
            "status": order.status, "hold_reason": order.hold_reason,
            "hold_note": order.hold_note, "placed_at": order.placed_at,
            "currency": order.currency, **money, "taxes_included": order.taxes_included,
            "financial_status": order.financial_status,
            "channel_fulfillment": order.channel_fulfillment, "raw_status": order.raw_status,
            "cancelled_at": order.cancelled_at, "email": order.email,
            "customer": customer.name if customer else None,
            "ship_to": {name[5:]: getattr(order, name) for name in (
                "ship_name", "ship_company", "ship_line1", "ship_line2", "ship_city",
                "ship_region", "ship_postcode", "ship_country", "ship_phone")},
            "source": order.source, "tags": order.tags, "note": order.note,
            "import_run": order.import_run_id,
        }
        detail["lines"] = _lines(session, order)
        detail["reservations"] = _reservations(session, order)
        detail["allocation_trace"] = _latest_trace(session, order)
        detail["shipments"] = _shipments(session, order)
        detail["returns"] = _returns(session, order)
        detail["events"] = [
            {"at": at, "type": kind, "from": before, "to": after, "detail": info}
            for at, kind, before, after, info in session.execute(
                select(OrderEvent.at, OrderEvent.type, OrderEvent.from_status,
                       OrderEvent.to_status, OrderEvent.detail)
                .where(OrderEvent.order_id == order.id)
                .order_by(OrderEvent.at, OrderEvent.id))
        ]
        return detail


def _lines(session: Session, order: Order) -> list[dict[str, Any]]:
    rows = session.execute(
        select(OrderLine, Product.sku)
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == order.id).order_by(OrderLine.id))
    lines = []
    for line, product_sku in rows:
        lines.append({
            "sku": product_sku or line.sku, "name": line.name, "quantity": line.quantity,
            "unit_price": from_minor(line.unit_price, order.currency),
            "allocated": line.allocated, "shipped": line.shipped, "returned": line.returned,
            "cancelled": line.cancelled,
            "backordered": line.quantity - line.allocated - line.shipped - line.cancelled,
            "known": line.product_id is not None, "channel_key": line.channel_key,
        })
    return lines


def _reservations(session: Session, order: Order) -> list[dict[str, Any]]:
    """Open reservations: what is held for the order, where."""
    rows = session.execute(
        select(Location.code, Product.sku, func.sum(Allocation.quantity))
        .join(OrderLine, OrderLine.id == Allocation.order_line_id)
        .join(Location, Location.id == Allocation.location_id)
        .join(Product, Product.id == Allocation.product_id)
        .where(OrderLine.order_id == order.id, Allocation.status == "open")
        .group_by(Location.code, Product.sku).order_by(Location.code, Product.sku))
    return [{"location": code, "sku": sku, "quantity": units} for code, sku, units in rows]


def _latest_trace(session: Session, order: Order) -> Any:
    """The decision trace stored with the order's newest allocation (None before any)."""
    return session.execute(
        select(Allocation.trace)
        .join(OrderLine, OrderLine.id == Allocation.order_line_id)
        .where(OrderLine.order_id == order.id, Allocation.trace.is_not(None))
        .order_by(Allocation.created_at.desc(), Allocation.id.desc()).limit(1)).scalar()


def _shipments(session: Session, order: Order) -> list[dict[str, Any]]:
    shipments = []
    for shipment, code in session.execute(
            select(Shipment, Location.code)
            .outerjoin(Location, Location.id == Shipment.location_id)
            .where(Shipment.order_id == order.id).order_by(Shipment.shipped_at, Shipment.id)):
        lines = session.execute(
            select(func.coalesce(Product.sku, OrderLine.sku), ShipmentLine.quantity)
            .join(OrderLine, OrderLine.id == ShipmentLine.order_line_id)
            .outerjoin(Product, Product.id == OrderLine.product_id)
            .where(ShipmentLine.shipment_id == shipment.id).order_by(ShipmentLine.id))
        shipments.append({
            "shipped_at": shipment.shipped_at, "location": code, "carrier": shipment.carrier,
            "tracking": shipment.tracking, "exported_at": shipment.exported_at,
            "lines": ", ".join(f"{sku} x{units}" for sku, units in lines)})
    return shipments


def _returns(session: Session, order: Order) -> list[dict[str, Any]]:
    returns = []
    for record, code in session.execute(
            select(Return, Location.code)
            .outerjoin(Location, Location.id == Return.location_id)
            .where(Return.order_id == order.id).order_by(Return.created_at, Return.id)):
        lines = session.execute(
            select(func.coalesce(Product.sku, OrderLine.sku), ReturnLine.quantity)
            .join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
            .outerjoin(Product, Product.id == OrderLine.product_id)
            .where(ReturnLine.return_id == record.id).order_by(ReturnLine.id))
        returns.append({
            "at": record.created_at, "location": code, "reason": record.reason,
            "condition": record.condition,
            "refund": from_minor(record.refund, order.currency),
            "lines": ", ".join(f"{sku} x{units}" for sku, units in lines)})
    return returns
