"""The floor for allocation: a plain sqlite3 greedy allocator making the same reservations.

It reads the waiting lines and the free stock, walks orders oldest first and takes
each line from the first location (by priority) that has the units, then writes the
allocation rows, the lines' allocated units, the levels' reserved units and the
orders' status in one transaction. Usage: python -m benchmarks.floor_allocate DB
"""

from __future__ import annotations

import sqlite3
import sys
from collections import defaultdict
from datetime import UTC, datetime


def greedy_floor(path: str) -> None:
    """The plain allocator: same reservations, none of the rules, traces or checks."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    free = defaultdict(int)
    for product, location, on_hand, reserved, damaged in connection.execute(
            "SELECT product_id, location_id, on_hand, reserved, damaged FROM stock_level"):
        free[(product, location)] = on_hand - reserved - damaged
    sites = [row[0] for row in connection.execute("SELECT id FROM location ORDER BY priority")]
    lines = connection.execute(
        "SELECT o.id, l.id, l.product_id, l.quantity - l.allocated - l.shipped - l.cancelled "
        "FROM orders o JOIN order_line l ON l.order_id = o.id "
        "WHERE o.status = 'ready' ORDER BY o.placed_at, o.id, l.id").fetchall()
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    allocations, allocated, reserved, statuses = [], [], defaultdict(int), {}
    for order_id, line_id, product, wanted in lines:
        site = next((s for s in sites if free[(product, s)] >= wanted), None)
        if site is None:
            statuses.setdefault(order_id, "backordered")
            continue
        free[(product, site)] -= wanted
        reserved[(product, site)] += wanted
        allocations.append((line_id, product, site, wanted, 1, wanted, "open", now))
        allocated.append((wanted, line_id))
        statuses[order_id] = "allocated"
    connection.executemany(
        "INSERT INTO allocation (order_line_id, product_id, location_id, quantity, per_unit, "
        "line_units, status, created_at) VALUES (?,?,?,?,?,?,?,?)", allocations)
    connection.executemany("UPDATE order_line SET allocated = allocated + ? WHERE id = ?",
                           allocated)
    connection.executemany(
        "UPDATE stock_level SET reserved = reserved + ? WHERE product_id = ? AND location_id = ?",
        [(units, product, site) for (product, site), units in reserved.items()])
    connection.executemany("UPDATE orders SET status = ? WHERE id = ?",
                           [(status, order) for order, status in statuses.items()])
    connection.execute("COMMIT")
    connection.close()


if __name__ == "__main__":
    greedy_floor(sys.argv[1])
