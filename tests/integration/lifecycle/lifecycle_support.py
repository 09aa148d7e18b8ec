"""Builders and read-backs the lifecycle tests share (a plain module, imported by name).

Orders go in through the import service's intake and get real reservations from
``services.allocation.allocate``; everything is read back with plain SQL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from oms_cli.domain.allocation import Policy
from oms_cli.domain.lifecycle import ValidationPolicy
from oms_cli.domain.orders import Address, FinancialStatus, ParsedLine, ParsedOrder
from oms_cli.services.allocation import AllocationResult, allocate
from oms_cli.services.catalog import ProductChanges, add_product
from oms_cli.services.database import check
from oms_cli.services.locations import LocationChanges, add_location
from oms_cli.services.order_intake import OrderIntake
from oms_cli.services.stock import receive
from oms_cli.store.database import Database

VALIDATION = ValidationPolicy()
PRICES = {"MUG": Decimal("14.00"), "TEA": Decimal("9.50"), "KIT": Decimal("30.00")}
START = datetime(2024, 3, 1, 12, tzinfo=UTC)


def build_shop(db: Database) -> Database:
    """Locations main (priority 10) and annex (20), both US; MUG, TEA and KIT (MUG + 2 TEA)."""
    add_location(db, "main", LocationChanges(name="Main room", priority=10, country="US"))
    add_location(db, "annex", LocationChanges(priority=20, country="US"))
    for sku in ("MUG", "TEA"):
        add_product(db, sku, ProductChanges(name=sku.title(), price=PRICES[sku]),
                    currency="USD")
    add_product(db, "KIT", ProductChanges(name="Tea Kit", price=PRICES["KIT"],
                                          components={"MUG": 1, "TEA": 2}), currency="USD")
    return db


def stock(db: Database, sku: str, quantity: int, location: str = "main") -> None:
    receive(db, sku, quantity, location)


def place(db: Database, external_id: str, *lines: tuple[str, int], day: int = 0,
          financial_status: FinancialStatus = FinancialStatus.PAID,
          address: bool = True, channel: str = "shopify", **fields: Any) -> str:
    """Import one order (USD, shipping to the US) with lines of (sku, quantity); returns
    its reference ``channel:external_id``."""
    parsed = ParsedOrder(
        external_id=external_id, placed_at=START + timedelta(days=day), currency="USD",
        lines=[ParsedLine(line_key=str(n), quantity=qty, sku=sku, name=sku,
                          unit_price=PRICES.get(sku, Decimal("5.00")))
               for n, (sku, qty) in enumerate(lines, 1)],
        financial_status=financial_status,
        ship_to=Address(name="Ann Lee", line1="1 Main St", city="Springfield",
                        postcode="62701", country="US") if address else Address(),
        **fields)
    parsed.total = sum((line.unit_price * line.quantity for line in parsed.lines), Decimal(0))
    with db.write() as session:
        OrderIntake(session, channel=channel, policy=VALIDATION, import_run_id=None,
                    run_id=None).take([parsed])
    return f"{channel}:{external_id}"


def allocate_all(db: Database, **policy: Any) -> AllocationResult:
    return allocate(db, policy=Policy(**policy), validation=VALIDATION)


def status(db: Database, reference: str) -> str:
    return str(order_row(db, reference)["status"])


def order_row(db: Database, reference: str) -> dict[str, Any]:
    channel, _, external = reference.partition(":")
    found = query(db, "SELECT * FROM orders WHERE channel = :c AND external_id = :e",
                  c=channel, e=external)
    assert found, f"no order {reference}"
    return found[0]


def lines(db: Database, reference: str) -> dict[str, dict[str, int]]:
    """The order's lines by sku: quantity, allocated, shipped, returned, cancelled."""
    order_id = order_row(db, reference)["id"]
    return {row["sku"]: {key: row[key] for key in ("quantity", "allocated", "shipped",
                                                   "returned", "cancelled")}
            for row in query(db, "SELECT * FROM order_line WHERE order_id = :o ORDER BY id",
                             o=order_id)}


def level(db: Database, sku: str, location: str = "main") -> tuple[int, int, int]:
    """(on_hand, reserved, damaged) of a sku at a location."""
    found = query(db, "SELECT on_hand, reserved, damaged FROM stock_level s "
                  "JOIN product p ON p.id = s.product_id JOIN location l ON l.id = s.location_id "
                  "WHERE p.sku = :sku AND l.code = :loc", sku=sku, loc=location)
    return (found[0]["on_hand"], found[0]["reserved"], found[0]["damaged"]) if found else (0, 0, 0)


def events(db: Database, reference: str) -> list[tuple[str, dict[str, Any] | None]]:
    order_id = order_row(db, reference)["id"]
    # SQLite hands the JSON text back, PostgreSQL the decoded value.
    return [(row["type"], json.loads(row["detail"]) if isinstance(row["detail"], str)
             else row["detail"])
            for row in query(db, "SELECT type, detail FROM order_event WHERE order_id = :o "
                             "ORDER BY id", o=order_id)]


def event_types(db: Database, reference: str) -> list[str]:
    return [kind for kind, _ in events(db, reference)]


def movements(db: Database, reason: str) -> list[tuple[str, str, int, int, str | None]]:
    """(sku, location, quantity, damaged, reference) of the ledger's movements of a reason."""
    return [(row["sku"], row["code"], row["quantity"], row["damaged"], row["reference"])
            for row in query(db, "SELECT p.sku, l.code, m.quantity, m.damaged, m.reference "
                             "FROM stock_movement m JOIN product p ON p.id = m.product_id "
                             "JOIN location l ON l.id = m.location_id WHERE m.reason = :r "
                             "ORDER BY m.id", r=reason)]


def query(db: Database, sql: str, **params: object) -> list[dict[str, Any]]:
    with db.read() as session:
        return [dict(row._mapping) for row in session.execute(text(sql), params)]


def snapshot(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row a lifecycle command may touch, to show that a refusal changed nothing."""
    return {table: query(db, f"SELECT * FROM {table} ORDER BY 1")
            for table in ("orders", "order_line", "allocation", "stock_level", "stock_movement",
                          "shipment", "shipment_line", "returns", "return_line", "order_event")}


def assert_books_balance(db: Database) -> None:
    """`oms db check` finds nothing, and every line's units are where they should be."""
    assert check(db) == []
    for row in query(db, "SELECT * FROM order_line"):
        backordered = row["quantity"] - row["allocated"] - row["shipped"] - row["cancelled"]
        assert backordered >= 0, row
        assert 0 <= row["returned"] <= row["shipped"], row
