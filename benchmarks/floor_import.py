"""The floor for importing: a plain csv + sqlite3 script doing the same normalised import.

It writes what ``oms import`` writes for a Shopify orders export, into the real oms
schema: the benchmark makes the floor's database with ``oms product import``, exactly
as for oms, so tables, indexes, check constraints and foreign keys are the same. In
one transaction (foreign keys on, BEGIN IMMEDIATE, as oms) it:

- hashes the file (sha256) and records a ``run`` row and an ``import_run`` row, then
  fills in the import_run's counts, size and sha256 at the end;
- reads the file with ``csv.reader``, columns by name from the header, and groups
  continuation rows (same ``Name``) into orders; order fields come from the first row;
- converts money to integer cents with Decimal (rounded half up) and ``Created at``
  to UTC text as oms stores it; lower-cases e-mails and risk levels; empty cells
  become NULL;
- de-duplicates customers by e-mail (a dict; one INSERT per new customer);
- resolves each line's sku to its product id (the catalog and the channel's aliases,
  loaded once into dicts); an order with an unknown sku is held (on_hold,
  unknown_sku), any other is ready and validated now;
- inserts every column oms fills: the order (one INSERT each, for its id), its lines
  and an ``imported`` order_event with a JSON detail (run and line) per order, lines
  and events with ``executemany`` per thousand orders.

It has none of oms's checks: no format detection, no idempotency look-up, no
per-cell validation or rejects, no address clean-up, no tax-inclusive or test-order
rules, no fulfilment or cancellation history (the benchmark's orders are all open).
Usage: python -m benchmarks.floor_import FILE DB
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import sys
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from typing import Any

BATCH = 1000
CENT = Decimal("0.01")
ORDER_INSERT = (
    "INSERT INTO orders (channel, external_id, channel_order_id, placed_at, currency, "
    "subtotal, shipping, tax, discount, total, refunded, taxes_included, financial_status, "
    "channel_fulfillment, status, hold_reason, hold_note, held_by, priority, customer_id, "
    "email, ship_name, ship_company, ship_line1, ship_line2, ship_city, ship_region, "
    "ship_postcode, ship_country, ship_phone, tags, note, source, risk_level, "
    "payment_method, raw_status, is_test, validated_at, allocation_tried_at, cancelled_at, "
    "import_run_id, created_at, updated_at) VALUES (" + ",".join("?" * 43) + ")")
LINE_INSERT = (
    "INSERT INTO order_line (order_id, line_key, sku, product_id, channel_key, name, "
    "quantity, unit_price, discount, tax, requires_shipping, allocated, shipped, returned, "
    "cancelled) VALUES (" + ",".join("?" * 15) + ")")
EVENT_INSERT = (
    "INSERT INTO order_event (order_id, at, type, from_status, to_status, detail, run_id) "
    "VALUES (?, ?, 'imported', NULL, ?, ?, ?)")


def cents(text: str) -> int:
    return int(Decimal(text or "0").quantize(CENT, ROUND_HALF_UP) * 100)


def utc_text(moment: datetime) -> str:
    """A timestamp as oms stores it on SQLite: naive UTC with microseconds."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def sha256_of(path: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 16):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


class FloorImport:
    """One file into one database, in one transaction."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self.db = connection
        self.now = utc_text(datetime.now(UTC))
        self.run_id = connection.execute(
            "INSERT INTO run (command, arguments, started_at) VALUES ('import', ?, ?)",
            (json.dumps([path]), self.now)).lastrowid
        with open(path, newline="", encoding="utf-8") as handle:
            header = handle.readline().rstrip("\r\n")
        self.import_run_id = connection.execute(
            "INSERT INTO import_run (file_name, sha256, size, channel, format, header, status, "
            "started_at, read, created, updated, unchanged, rejected) "
            "VALUES (?, '', 0, 'shopify', 'shopify_csv', ?, 'running', ?, 0, 0, 0, 0, 0)",
            (path, header, self.now)).lastrowid
        self.products = dict(connection.execute("SELECT sku, id FROM product"))
        self.aliases = dict(connection.execute(
            "SELECT key, product_id FROM product_alias WHERE channel = 'shopify'"))
        self.customers: dict[str, int] = {}
        self.lines: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        self.column: dict[str, int] = {}

    def run(self, path: str) -> int:
        """Import every order of the file; returns how many."""
        orders = 0
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            self.column = {name: index for index, name in enumerate(next(reader))}
            name = self.column["Name"]
            numbered = enumerate(reader, start=2)  # no cell of the benchmark spans lines
            for _, rows in groupby(numbered, key=lambda numbered_row: numbered_row[1][name]):
                self.order(list(rows))
                orders += 1
                if orders % BATCH == 0:
                    self.flush()
        self.flush()
        sha256, size = sha256_of(path)
        self.db.execute(
            "UPDATE import_run SET sha256 = ?, size = ?, status = 'done', finished_at = ?, "
            "read = ?, created = ? WHERE id = ?",
            (sha256, size, utc_text(datetime.now(UTC)), orders, orders, self.import_run_id))
        return orders

    def cell(self, row: list[str], name: str) -> str | None:
        return row[self.column[name]].strip() or None

    def order(self, rows: list[tuple[int, list[str]]]) -> None:
        """Insert one order (its first row has the order's fields), its lines and event."""
        line_number, first = rows[0]
        lines = [self.line(position, row) for position, (_, row) in enumerate(rows, start=1)]
        held = any(line[2] is None for line in lines)
        status = "on_hold" if held else "ready"
        order_id = self.db.execute(ORDER_INSERT, self.order_values(first, status, held)).lastrowid
        self.lines += [(order_id, *line) for line in lines]
        detail: dict[str, Any] = {"run": self.import_run_id, "line": line_number}
        if held:
            detail["hold"] = "unknown_sku"
        self.events.append((order_id, self.now, status, json.dumps(detail), self.run_id))

    def order_values(self, row: list[str], status: str, held: bool) -> tuple[Any, ...]:
        cell = self.cell
        email = (cell(row, "Email") or "").lower() or None
        placed = datetime.fromisoformat(cell(row, "Created at") or "")
        financial = (cell(row, "Financial Status") or "unknown").lower()
        fulfillment = cell(row, "Fulfillment Status")
        return (
            "shopify", cell(row, "Name"), cell(row, "Id"), utc_text(placed),
            cell(row, "Currency"), cents(cell(row, "Subtotal") or ""),
            cents(cell(row, "Shipping") or ""), cents(cell(row, "Taxes") or ""),
            abs(cents(cell(row, "Discount Amount") or "")), cents(cell(row, "Total") or ""),
            cents(cell(row, "Refunded Amount") or ""), False, financial, "unfulfilled",
            status, "unknown_sku" if held else None,
            "unknown sku" if held else None, "validation" if held else None, 0,
            self.customer(email, row) if email else None, email,
            cell(row, "Shipping Name"), cell(row, "Shipping Company"),
            cell(row, "Shipping Address1"), cell(row, "Shipping Address2"),
            cell(row, "Shipping City"), cell(row, "Shipping Province"),
            cell(row, "Shipping Zip"), cell(row, "Shipping Country"),
            cell(row, "Shipping Phone"), cell(row, "Tags"), cell(row, "Notes"),
            cell(row, "Source"), (cell(row, "Risk Level") or "").lower() or None,
            cell(row, "Payment Method"),
            "/".join(part for part in (cell(row, "Financial Status"), fulfillment) if part),
            False, None if held else self.now, None, None, self.import_run_id, self.now,
            self.now)

    def customer(self, email: str, row: list[str]) -> int:
        """The customer's id by e-mail, inserted the first time the e-mail is seen."""
        if email not in self.customers:
            self.customers[email] = self.db.execute(
                "INSERT INTO customer (email, name, phone, created_at) VALUES (?, ?, ?, ?)",
                (email, self.cell(row, "Billing Name") or self.cell(row, "Shipping Name"),
                 self.cell(row, "Shipping Phone"), self.now)).lastrowid or 0
        return self.customers[email]

    def line(self, position: int, row: list[str]) -> tuple[Any, ...]:
        """A line's values after its order id, in LINE_INSERT order."""
        cell = self.cell
        sku, name = cell(row, "Lineitem sku"), cell(row, "Lineitem name")
        product_id = self.products.get(sku) if sku else None
        if product_id is None:
            product_id = self.aliases.get(sku or name)
        shipping = (cell(row, "Lineitem requires shipping") or "true").lower() == "true"
        return (str(position), sku, product_id, None if sku else name, name or sku or "",
                int(cell(row, "Lineitem quantity") or ""),
                cents(cell(row, "Lineitem price") or ""),
                abs(cents(cell(row, "Lineitem discount") or "")), 0, shipping, 0, 0, 0, 0)

    def flush(self) -> None:
        self.db.executemany(LINE_INSERT, self.lines)
        self.db.executemany(EVENT_INSERT, self.events)
        self.lines.clear()
        self.events.clear()


def main(path: str, database: str) -> None:
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("BEGIN IMMEDIATE")
    FloorImport(connection, path).run(path)
    connection.execute("COMMIT")
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
