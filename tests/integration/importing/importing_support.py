"""Plain helpers for the import tests: where the files are, and reading the order book back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from oms_cli.services.locations import LocationChanges, add_location
from oms_cli.services.stock import receive
from oms_cli.store.database import Database
from oms_cli.store.tables import Allocation, Location, Order, OrderLine, StockLevel, utc_now

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "imports"
SAMPLES = REPO.parent / "shared" / "samples"


def sample(name: str) -> Path:
    """A real channel export from ../shared/samples; the test is skipped when it is absent."""
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"real samples not available ({path})")
    return path


def orders_by_key(db: Database, channel: str = "shopify") -> dict[str, Order]:
    """The stored orders of ``channel`` by external id."""
    with db.read() as session:
        return {order.external_id: order for order in session.scalars(
            select(Order).where(Order.channel == channel))}


def lines_of(db: Database, order_id: int | None) -> list[OrderLine]:
    """An order's lines, by line key."""
    with db.read() as session:
        return list(session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)
                                    .order_by(OrderLine.line_key)))


def events_of(db: Database, order_id: int | None) -> list[tuple[str, dict | None]]:
    """An order's events as (type, detail), oldest first."""
    with db.read() as session:
        rows = session.execute(text("SELECT type, detail FROM order_event WHERE order_id = :id "
                                    "ORDER BY id"), {"id": order_id})
        return [(kind, _json(detail)) for kind, detail in rows]


def count_rows(db: Database, table: str) -> int:
    with db.read() as session:
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _json(value: object) -> dict | None:
    import json

    return json.loads(value) if isinstance(value, str) else value  # type: ignore[return-value]


def rewritten(source: Path, target: Path, changes: dict[str, dict[str, str]], *,
              key: str | None = None) -> Path:
    """A copy of a CSV export with cells changed on the first row of the named orders.

    ``changes`` maps an order key (the ``key`` column, else the first) to {column: value}.
    """
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, done = rows[0], set()
    position = header.index(key) if key else 0
    for row in rows[1:]:
        order = row[position]
        if order in changes and order not in done:
            for column, value in changes[order].items():
                row[header.index(column)] = value
            done.add(order)
    assert done == set(changes), f"no such orders: {set(changes) - done}"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def reserve(db: Database, order_id: int | None, location: str = "main") -> None:
    """Stand in for `oms allocate`: receive and reserve every unit of the order at one place.

    Writes what an allocation writes (open allocation, line.allocated, stock reserved)
    and marks the order allocated.
    """
    with db.read() as session:
        if not session.scalars(select(Location).where(Location.code == location)).first():
            add_location(db, location, LocationChanges(country="US"))
        lines = [(line.id, line.sku, line.product_id, line.quantity) for line in
                 session.scalars(select(OrderLine).where(OrderLine.order_id == order_id))]
    for _, sku, _, quantity in lines:
        receive(db, sku, quantity, location)
    with db.write() as session:
        place = session.scalars(select(Location).where(Location.code == location)).one()
        for line_id, _, product_id, quantity in lines:
            session.add(Allocation(order_line_id=line_id, product_id=product_id,
                                   location_id=place.id, quantity=quantity, per_unit=1,
                                   line_units=quantity, created_at=utc_now()))
            session.execute(update(OrderLine).where(OrderLine.id == line_id)
                            .values(allocated=quantity))
            session.execute(update(StockLevel).where(
                StockLevel.product_id == product_id, StockLevel.location_id == place.id)
                .values(reserved=StockLevel.reserved + quantity))
        session.execute(update(Order).where(Order.id == order_id).values(
            status="allocated", allocation_tried_at=utc_now()))


def stock_levels(db: Database) -> list[tuple[int, int, int, int, int]]:
    """(product, location, on_hand, reserved, damaged) of every level."""
    with db.read() as session:
        return [tuple(row) for row in session.execute(text(
            "SELECT product_id, location_id, on_hand, reserved, damaged FROM stock_level "
            "ORDER BY 1, 2"))]
