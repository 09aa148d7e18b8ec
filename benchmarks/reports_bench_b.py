"""How fast the inventory, customers, fulfillment and returns reports answer on a large book.

Builds the database of ``benchmarks.reports_bench`` (N orders, two lines each, over two
years), then adds what these reports read and that one leaves out: a customer per
e-mail (about three orders each), the ledger's ship movements, allocations with their
times and the allocation attempt on every order, backorder events for one order in 50,
shipments 1 to 96 hours after the order, and a return record for every returned
order. Times each report in-process (median of --runs; wall and CPU seconds, CPU being
steadier on a busy machine) beside a hand-written GROUP BY over the same rows (the
floor), and the whole `oms` command (start-up included).

--indexes adds the indexes these reports ask for (see INDEXES) before timing, to
measure them before they are in the schema.

Usage: python -m benchmarks.reports_bench_b [--orders N] [--runs K] [--db PATH]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.reports_bench import STAMP, TODAY, build, median_seconds
from oms_cli.domain.periods import parse_period, utc_bounds
from oms_cli.services import reporting
from oms_cli.services.database import open_database

NOW = datetime.combine(TODAY + timedelta(days=1), datetime.min.time(), UTC)
INDEXES = (
    "CREATE INDEX IF NOT EXISTS orders_customer_placed ON orders (customer_id, placed_at, "
    "status)",
    "CREATE INDEX IF NOT EXISTS allocation_line_location_created ON allocation "
    "(order_line_id, location_id, created_at)",
    "CREATE INDEX IF NOT EXISTS shipment_order_shipped ON shipment (order_id, shipped_at, "
    "location_id)",
    "CREATE INDEX IF NOT EXISTS order_event_order_status ON order_event (order_id, to_status)",
)
WIDE_INDEX = ("CREATE INDEX IF NOT EXISTS orders_customer_totals ON orders (customer_id, "
              "currency, status, placed_at, total, refunded)")


def enrich(path: Path) -> None:
    """Add customers, ship movements, allocation times, events and returns (once)."""
    connection = sqlite3.connect(path)
    connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
    if connection.execute("SELECT count(*) FROM customer").fetchone()[0]:
        return
    with connection:
        orders = connection.execute("SELECT max(id) FROM orders").fetchone()[0]
        stamp = NOW.strftime(STAMP)
        connection.executemany(
            "INSERT INTO customer (id, email, created_at) VALUES (?, ?, ?)",
            [(n, f"customer{n}@example.com", stamp) for n in range(1, orders // 3 + 2)])
        connection.executescript(f"""
            UPDATE orders SET customer_id = (id * 7919) % {orders // 3 + 1} + 1,
                allocation_tried_at = placed_at;
            UPDATE shipment SET shipped_at =
                strftime('%Y-%m-%d %H:%M:%f', placed_at, '+' || (1 + id % 96) || ' hours')
                FROM (SELECT id AS oid, placed_at FROM orders) WHERE oid = shipment.order_id;
            INSERT INTO allocation (order_line_id, product_id, location_id, quantity, per_unit,
                                    line_units, status, created_at)
                SELECT l.id, l.product_id, s.location_id, sl.quantity, 1, sl.quantity, 'shipped',
                       strftime('%Y-%m-%d %H:%M:%f', o.placed_at, '+' || (o.id % 7) || ' hours')
                FROM shipment_line sl JOIN shipment s ON s.id = sl.shipment_id
                JOIN order_line l ON l.id = sl.order_line_id JOIN orders o ON o.id = l.order_id;
            INSERT INTO stock_movement (product_id, location_id, quantity, damaged, reason,
                                        reference, at)
                SELECT l.product_id, s.location_id, -sl.quantity, 0, 'ship', o.external_id,
                       s.shipped_at
                FROM shipment_line sl JOIN shipment s ON s.id = sl.shipment_id
                JOIN order_line l ON l.id = sl.order_line_id JOIN orders o ON o.id = l.order_id;
            INSERT INTO order_event (order_id, at, type, from_status, to_status)
                SELECT id, placed_at, 'allocated', 'ready', 'backordered' FROM orders
                WHERE id % 50 = 0;
            INSERT INTO returns (id, order_id, location_id, reason, condition, refund, created_at)
                SELECT o.id, o.id, s.location_id,
                       CASE o.id % 3 WHEN 0 THEN 'too small' WHEN 1 THEN 'broken' ELSE NULL END,
                       CASE o.id % 4 WHEN 0 THEN 'damaged' ELSE 'resaleable' END, o.refunded,
                       strftime('%Y-%m-%d %H:%M:%f', s.shipped_at, '+10 days')
                FROM orders o JOIN shipment s ON s.order_id = o.id WHERE o.refunded > 0;
            INSERT INTO return_line (return_id, order_line_id, quantity)
                SELECT l.order_id, l.id, l.returned FROM order_line l
                JOIN returns r ON r.id = l.order_id WHERE l.returned > 0;
        """)
    connection.execute("ANALYZE")
    connection.close()


def add_indexes(path: Path, statements: list[str]) -> None:
    connection = sqlite3.connect(path)
    with connection:
        for statement in statements:
            connection.execute(statement)
        if statements:
            connection.execute("ANALYZE")
    connection.close()


def cases() -> list[tuple[str, list[str], Callable[..., Any], dict[str, Any], str, str]]:
    """name, oms arguments, report function and arguments, floor SQL, floor period."""
    month, year = parse_period("this-month", TODAY), parse_period("last-year", TODAY)
    inventory = reporting.inventory
    window = inventory.InventoryWindow(start=NOW - timedelta(days=30), end=NOW, days=30)
    customers, fulfillment = reporting.customers, reporting.fulfillment
    returns = reporting.returns.returns_report
    order_floor = ("SELECT currency, count(DISTINCT customer_id), count(*), sum(total) "
                   "FROM orders WHERE placed_at >= ? AND placed_at < ? GROUP BY currency")
    ship_floor = ("SELECT o.channel, count(*), avg(julianday(s.shipped_at) - "
                  "julianday(o.placed_at)) FROM orders o JOIN shipment s ON s.order_id = o.id "
                  "WHERE o.placed_at >= ? AND o.placed_at < ? GROUP BY o.channel")
    return_floor = ("SELECT r.reason, count(*), sum(rl.quantity), sum(r.refund) FROM returns r "
                    "JOIN return_line rl ON rl.return_id = r.id WHERE r.created_at >= ? AND "
                    "r.created_at < ? GROUP BY r.reason")
    movement_floor = ("SELECT product_id, sum(-quantity) FROM stock_movement WHERE "
                      "reason = 'ship' AND at >= ? AND at < ? GROUP BY product_id")
    every_order = ("SELECT customer_id, currency, count(*), sum(total), max(placed_at) FROM "
                   "orders WHERE placed_at >= ? AND placed_at < ? GROUP BY customer_id, currency")
    return [
        ("inventory", ["report", "inventory"], inventory.inventory_report,
         {"window": window}, movement_floor, "window"),
        ("inventory --by-location", ["report", "inventory", "--by-location"],
         inventory.inventory_report, {"window": window, "by_location": True}, movement_floor,
         "window"),
        ("customers (this month)", ["report", "customers"], customers.customers_report,
         {"period": month, "timezone": "UTC"}, order_floor, "month"),
        ("customers --by month (last year)",
         ["report", "customers", "-p", "last-year", "--by", "month"], customers.customers_report,
         {"period": year, "timezone": "UTC", "by": "month"}, order_floor, "year"),
        ("customers --segments (all time)", ["report", "customers", "--segments"],
         customers.segments_report, {"as_of": NOW}, every_order, "all"),
        ("fulfillment -g channel (this month)", ["report", "fulfillment", "-g", "channel"],
         fulfillment.fulfillment_report, {"period": month, "timezone": "UTC",
                                          "group_by": "channel"}, ship_floor, "month"),
        ("fulfillment -g location (this month)", ["report", "fulfillment", "-g", "location"],
         fulfillment.fulfillment_report, {"period": month, "timezone": "UTC",
                                          "group_by": "location"}, ship_floor, "month"),
        ("fulfillment --by month (last year)",
         ["report", "fulfillment", "-p", "last-year", "--by", "month"],
         fulfillment.fulfillment_report, {"period": year, "timezone": "UTC", "by": "month"},
         ship_floor, "year"),
        ("returns (this month)", ["report", "returns"], returns,
         {"period": month, "timezone": "UTC"}, return_floor, "month"),
        ("returns -g sku (last year)", ["report", "returns", "-p", "last-year", "-g", "sku"],
         returns, {"period": year, "timezone": "UTC", "group_by": "sku"}, return_floor, "year"),
    ]


def bounds(span: str) -> tuple[str, str]:
    if span == "window":
        return (NOW - timedelta(days=30)).strftime(STAMP), NOW.strftime(STAMP)
    if span == "all":
        return "0000", NOW.strftime(STAMP)
    period = parse_period("last-year" if span == "year" else "this-month", TODAY)
    start, end = utc_bounds(period, "UTC")
    return start.strftime(STAMP), end.strftime(STAMP)


def cpu_seconds(action: Callable[[], object], runs: int) -> float:
    """The median CPU time of ``action``: steadier than wall time on a shared machine."""
    times = []
    for _ in range(runs):
        started = time.process_time()
        action()
        times.append(time.process_time() - started)
    return statistics.median(times)


def run(path: Path, runs: int) -> None:
    db = open_database(str(path), busy_timeout=5).db
    raw = sqlite3.connect(path)
    print(f"{'report':<40} {'rows':>5} {'oms s':>6} {'cpu s':>6} {'floor s':>7} {'cli s':>6}")
    for name, argv, fn, kwargs, floor_sql, span in cases():
        rows = len(reporting.run_report(db, fn, **kwargs).rows)
        report = median_seconds(lambda fn=fn, kwargs=kwargs: reporting.run_report(
            db, fn, **kwargs), runs)
        cpu = cpu_seconds(lambda fn=fn, kwargs=kwargs: reporting.run_report(
            db, fn, **kwargs), runs)
        floor = median_seconds(lambda sql=floor_sql, b=bounds(span): raw.execute(
            sql, b).fetchall(), runs)
        command = [sys.executable, "-m", "oms_cli", "--no-config", "--db", str(path),
                   "--today", TODAY.isoformat(), *argv, "-f", "json"]
        cli = median_seconds(lambda c=command: subprocess.run(
            c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False), runs)
        print(f"{name:<40} {rows:>5} {report:6.2f} {cpu:6.2f} {floor:7.2f} {cli:6.2f}",
              flush=True)
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, help="reuse (or build and keep) this database")
    parser.add_argument("--indexes", action="store_true", help="add INDEXES first")
    parser.add_argument("--wide-index", action="store_true",
                        help="add WIDE_INDEX too (covers `customers --segments`)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oms-reports-bench-b-") as scratch:
        path = args.db or Path(scratch) / "reports.db"
        if not path.exists():
            started = time.perf_counter()
            build(path, args.orders)
            print(f"built {args.orders} orders in {time.perf_counter() - started:.1f} s",
                  flush=True)
        enrich(path)
        add_indexes(path, [*(INDEXES if args.indexes else ()),
                           *((WIDE_INDEX,) if args.wide_index else ())])
        run(path, args.runs)


if __name__ == "__main__":
    main()
