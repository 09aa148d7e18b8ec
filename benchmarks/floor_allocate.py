"""The floor for allocation: a plain sqlite3 greedy allocator writing the rows oms writes.

In one transaction (BEGIN IMMEDIATE) it reads the free stock of every product at
every location (on hand less reserved, damaged and safety stock), the locations by
priority and the ready orders' lines, oldest order first. Each line takes all its
units from the first location (by priority) that has them all, or waits. Then it
writes, with one executemany each:

- an allocation row per reserved line (open, with its line units);
- each reserved line's allocated units;
- each location's reserved units per product;
- each order's status (allocated, partially_allocated or backordered, from how
  many of its lines were reserved), its allocation_tried_at and updated_at;
- an order_event per order (type allocated, from ready to the new status) with a
  short JSON detail naming the decision.

Those are the rows oms writes for the same orders (every change writes an
order_event); it has none of oms's validation, routing rules or decision traces,
and sets no pragmas. Usage: python -m benchmarks.floor_allocate DB
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections import defaultdict
from datetime import UTC, datetime


def greedy_floor(path: str) -> None:
    """The plain allocator: the same kinds of rows, none of the rules, traces or checks."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    free: dict[tuple[int, int], int] = defaultdict(int)
    for product, location, on_hand, reserved, damaged, safety in connection.execute(
            "SELECT s.product_id, s.location_id, s.on_hand, s.reserved, s.damaged, "
            "p.safety_stock FROM stock_level s JOIN product p ON p.id = s.product_id"):
        free[(product, location)] = on_hand - reserved - damaged - safety
    sites = [row[0] for row in connection.execute("SELECT id FROM location ORDER BY priority")]
    lines = connection.execute(
        "SELECT o.id, l.id, l.product_id, l.quantity - l.allocated - l.shipped - l.cancelled "
        "FROM orders o JOIN order_line l ON l.order_id = o.id "
        "WHERE o.status = 'ready' ORDER BY o.placed_at, o.id, l.id").fetchall()
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    allocations, allocated, reserved = [], [], defaultdict(int)
    line_count: dict[int, int] = defaultdict(int)
    reserved_lines: dict[int, int] = defaultdict(int)
    for order_id, line_id, product, wanted in lines:
        line_count[order_id] += 1
        site = next((s for s in sites if free[(product, s)] >= wanted), None)
        if site is None:
            continue
        free[(product, site)] -= wanted
        reserved[(product, site)] += wanted
        allocations.append((line_id, product, site, wanted, 1, wanted, "open", now))
        allocated.append((wanted, line_id))
        reserved_lines[order_id] += 1
    statuses = {order: _status(reserved_lines[order], count)
                for order, count in line_count.items()}
    connection.executemany(
        "INSERT INTO allocation (order_line_id, product_id, location_id, quantity, per_unit, "
        "line_units, status, created_at) VALUES (?,?,?,?,?,?,?,?)", allocations)
    connection.executemany("UPDATE order_line SET allocated = allocated + ? WHERE id = ?",
                           allocated)
    connection.executemany(
        "UPDATE stock_level SET reserved = reserved + ? WHERE product_id = ? AND location_id = ?",
        [(units, product, site) for (product, site), units in reserved.items()])
    connection.executemany(
        "UPDATE orders SET status = ?, allocation_tried_at = ?, updated_at = ? WHERE id = ?",
        [(status, now, now, order) for order, status in statuses.items()])
    connection.executemany(
        "INSERT INTO order_event (order_id, at, type, from_status, to_status, detail) "
        "VALUES (?, ?, 'allocated', 'ready', ?, ?)",
        [(order, now, status, json.dumps({"decision": status}))
         for order, status in statuses.items()])
    connection.execute("COMMIT")
    connection.close()


def _status(reserved_lines: int, lines: int) -> str:
    if reserved_lines == lines:
        return "allocated"
    return "partially_allocated" if reserved_lines else "backordered"


if __name__ == "__main__":
    greedy_floor(sys.argv[1])
