"""How fast the reports answer on a large order book, beside bare SQL as the floor.

Builds (or reuses) a database of N orders, two lines each, over two years up to
TODAY, across five channels, four currencies and five countries, with shipments
from three locations; then times each report in-process beside one hand-written
GROUP BY over the same rows (the floor: what any implementation pays to read them),
and the whole `oms` command (start-up included). Times are CPU seconds, median of
--runs: a busy machine disturbs them far less than wall-clock time, and with the
database in the file cache the two are close.

Usage: python -m benchmarks.reports_bench [--orders N] [--runs K] [--db PATH]
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from oms_cli.domain.periods import parse_period, previous
from oms_cli.services import reporting
from oms_cli.services.database import open_database

TODAY = date(2026, 3, 15)
START = datetime(2024, 3, 16, tzinfo=UTC)
END = datetime(2026, 3, 15, 18, tzinfo=UTC)
CHANNELS = ("shopify", "amazon", "etsy", "ebay", "woocommerce")
# currency, its share of orders, ship-to countries, prices include tax, minor units per unit
CURRENCIES = (("USD", 60, ("US", "CA"), False, 100), ("EUR", 20, ("DE", "FR"), True, 100),
              ("GBP", 15, ("GB",), True, 100), ("JPY", 5, ("JP",), False, 150))
SKUS = 300
OPEN_TAIL = timedelta(days=4)  # orders placed this recently are still open
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a UTC datetime in SQLite


def build(path: Path, orders: int, seed: int = 11) -> None:
    """A migrated database at ``path`` filled with ``orders`` orders by bulk inserts."""
    open_database(str(path), busy_timeout=5).db.close()
    connection = sqlite3.connect(path)
    connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
    rng = random.Random(seed)
    now = END.strftime(STAMP)
    with connection:
        _catalog(connection, now)
        connection.executemany(_insert("orders", ORDER_FIELDS), _orders(rng, orders, now))
        connection.executemany(_insert("order_line", LINE_FIELDS), _lines(connection, rng))
        _shipments(connection)
    connection.execute("ANALYZE")
    connection.close()


ORDER_FIELDS = ("id", "channel", "external_id", "placed_at", "currency", "subtotal", "shipping",
                "tax", "discount", "total", "refunded", "taxes_included", "financial_status",
                "channel_fulfillment", "status", "hold_reason", "priority", "ship_country",
                "is_test", "created_at", "updated_at")
LINE_FIELDS = ("order_id", "line_key", "sku", "product_id", "name", "quantity", "unit_price",
               "discount", "tax", "requires_shipping", "allocated", "shipped", "returned",
               "cancelled")


def _insert(table: str, fields: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})"


def _catalog(connection: sqlite3.Connection, now: str) -> None:
    connection.executemany(
        "INSERT INTO product (id, sku, name, currency, price, cost, reorder_point, reorder_qty, "
        "safety_stock, active, created_at, updated_at) VALUES (?, ?, ?, 'USD', ?, ?, ?, 20, 0, "
        "1, ?, ?)",
        [(n, f"SKU-{n:04d}", f"Product {n}", _price(n), _price(n) * 2 // 5, 10 if n % 7 else 0,
          now, now) for n in range(1, SKUS + 1)])
    connection.executemany(
        "INSERT INTO location (id, code, name, kind, priority, country, ships_to, active, "
        "created_at, updated_at) VALUES (?, ?, ?, 'warehouse', ?, ?, '', 1, ?, ?)",
        [(1, "US-MAIN", "Main", 1, "US", now, now), (2, "EU-3PL", "EU 3PL", 2, "DE", now, now),
         (3, "UK-SHOP", "Shop", 3, "GB", now, now)])
    connection.executemany(
        "INSERT INTO stock_level (product_id, location_id, on_hand, reserved, damaged) "
        "VALUES (?, ?, ?, 0, 0)",
        [(n, place, (n * 37 + place) % 60) for n in range(1, SKUS + 1) for place in (1, 2, 3)])


def _price(sku: int) -> int:
    return 500 + (sku * 733) % 6000


def _orders(rng: random.Random, count: int, now: str) -> Iterator[tuple[Any, ...]]:
    step = (END - START) / count
    weights = [share for _, share, *_ in CURRENCIES]
    for number in range(1, count + 1):
        placed = START + step * number
        currency, _, countries, included, _ = rng.choices(CURRENCIES, weights)[0]
        status, hold = _status(rng, placed)
        subtotal = rng.randint(1000, 20000)
        shipping, discount = rng.choice((0, 495, 995)), rng.choice((0, 0, 0, 500))
        tax = subtotal // 5 if currency != "USD" else subtotal * 8 // 100
        total = subtotal + shipping - discount + (0 if included else tax)
        refunded = total // 2 if status == "partially_returned" else \
            total if status == "returned" else 0
        yield (number, CHANNELS[number % len(CHANNELS)], f"#{number}", placed.strftime(STAMP),
               currency, subtotal, shipping, tax, discount, total, refunded, included, "paid",
               "unfulfilled", status, hold, 0, rng.choice(countries), False, now, now)


def _status(rng: random.Random, placed: datetime) -> tuple[str, str | None]:
    if placed > END - OPEN_TAIL:
        status = rng.choice(("pending", "ready", "allocated", "on_hold", "backordered"))
        return status, "unknown_sku" if status == "on_hold" else None
    roll = rng.random()
    if roll < 0.03:
        return "cancelled", None
    if roll < 0.04:
        return "returned", None
    if roll < 0.05:
        return "partially_returned", None
    return "shipped", None


def _lines(connection: sqlite3.Connection, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    rows = connection.execute("SELECT id, status, currency FROM orders ORDER BY id")
    factors = {code: factor for code, _, _, _, factor in CURRENCIES}
    for order_id, status, currency in rows:
        for key in ("1", "2"):
            sku = rng.randint(1, SKUS)
            quantity = rng.randint(1, 3)
            done = status in ("shipped", "returned", "partially_returned")
            returned = quantity if status == "returned" else \
                1 if status == "partially_returned" and key == "1" else 0
            yield (order_id, key, f"SKU-{sku:04d}", sku, f"Product {sku}", quantity,
                   _price(sku) * factors[currency] // 100, 0, 0, True,
                   quantity if status == "allocated" else 0, quantity if done else 0, returned,
                   quantity if status == "cancelled" else 0)


def _shipments(connection: sqlite3.Connection) -> None:
    """One shipment per shipped order, from the location its currency suggests."""
    connection.execute(
        "INSERT INTO shipment (id, order_id, location_id, carrier, shipped_at) "
        "SELECT id, id, CASE currency WHEN 'USD' THEN 1 WHEN 'GBP' THEN 3 ELSE 2 END, 'ups', "
        "placed_at FROM orders WHERE status IN ('shipped', 'returned', 'partially_returned')")
    connection.execute(
        "INSERT INTO shipment_line (shipment_id, order_line_id, quantity) "
        "SELECT order_id, id, shipped FROM order_line WHERE shipped > 0")
    connection.execute(
        "INSERT INTO allocation (order_line_id, product_id, location_id, quantity, per_unit, "
        "line_units, status, created_at) SELECT l.id, l.product_id, 1, l.allocated, 1, "
        "l.allocated, 'open', o.placed_at FROM order_line l JOIN orders o ON o.id = l.order_id "
        "WHERE l.allocated > 0")


# name, oms arguments, report function and its arguments, floor SQL and its parameters
Case = tuple[str, list[str], Callable[..., Any], dict[str, Any], str, tuple[str, ...]]

OPEN_FLOOR = ("SELECT status, channel, count(*), min(placed_at) FROM orders WHERE status IN "
              "('pending', 'on_hold', 'ready', 'backordered', 'partially_allocated', "
              "'allocated', 'partially_shipped') GROUP BY status, channel")
LINE_FLOOR = ("SELECT o.currency, count(*), sum(l.quantity), sum(l.unit_price * l.quantity) "
              "FROM orders o JOIN order_line l ON l.order_id = o.id WHERE o.placed_at >= ? "
              "AND o.placed_at < ? GROUP BY o.currency")
ORDER_FLOOR = ("SELECT o.currency, count(*), sum(o.shipping), sum(o.tax) FROM orders o "
               "WHERE o.placed_at >= ? AND o.placed_at < ? GROUP BY o.currency")


def cases() -> list[Case]:
    """Each report beside the bare GROUP BY over the same rows (sales reads the period
    before too, for growth: its floor does as well)."""
    month, year = parse_period("this-month", TODAY), parse_period("last-year", TODAY)
    sales, products, status = (reporting.sales.sales_report, reporting.products.products_report,
                               reporting.status.status_report)
    now = datetime.combine(TODAY + timedelta(days=1), datetime.min.time(), UTC)
    month_args, year_args = {"period": month, "timezone": "UTC"}, {"period": year,
                                                                   "timezone": "UTC"}
    with_before = {"month": _bounds(previous(month).start, month.end),
                   "year": _bounds(previous(year).start, year.end)}
    only = {"month": _bounds(month.start, month.end), "year": _bounds(year.start, year.end)}
    return [
        ("status", ["report", "status"], status,
         {"now": now, "sla_hours": 48, **month_args}, OPEN_FLOOR, ()),
        ("sales (this month)", ["report", "sales"], sales, month_args, LINE_FLOOR,
         with_before["month"]),
        ("sales -g channel (this month)", ["report", "sales", "-g", "channel"], sales,
         {**month_args, "group_by": "channel"}, LINE_FLOOR, with_before["month"]),
        ("sales -g sku (this month)", ["report", "sales", "-g", "sku"], sales,
         {**month_args, "group_by": "sku"}, LINE_FLOOR, with_before["month"]),
        ("sales -g location (this month)", ["report", "sales", "-g", "location"], sales,
         {**month_args, "group_by": "location"}, LINE_FLOOR, with_before["month"]),
        ("sales --by day (this month)", ["report", "sales", "--by", "day"], sales,
         {**month_args, "by": "day"}, LINE_FLOOR, with_before["month"]),
        ("products (this month)", ["report", "products"], products, month_args, LINE_FLOOR,
         only["month"]),
        ("sales --by month (last year)", ["report", "sales", "-p", "last-year", "--by", "month"],
         sales, {**year_args, "by": "month"}, LINE_FLOOR,
         _bounds(date(2024, 12, 1), year.end)),
        ("sales -g channel (last year; floor: orders only)",
         ["report", "sales", "-p", "last-year", "-g", "channel"], sales,
         {**year_args, "group_by": "channel"}, ORDER_FLOOR, with_before["year"]),
        ("products (last year)", ["report", "products", "-p", "last-year"], products,
         year_args, LINE_FLOOR, only["year"]),
    ]


def _bounds(start: date, end: date) -> tuple[str, ...]:
    return tuple(datetime.combine(day, datetime.min.time()).strftime(STAMP)
                 for day in (start, end))


def median_seconds(action: Callable[[], object], runs: int) -> float:
    """The median CPU seconds ``action`` takes (its own and its child processes'): on a
    shared machine wall time measures the neighbours as much as the report."""
    times = []
    for _ in range(runs):
        started = _cpu()
        action()
        times.append(_cpu() - started)
    return statistics.median(times)


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def run(path: Path, runs: int, empty: Path) -> None:
    db = open_database(str(path), busy_timeout=5).db
    raw = sqlite3.connect(path)
    startup = median_seconds(lambda: _oms(empty, ["report", "status"]), runs)
    print(f"start-up: `oms report status` on an empty database takes {startup:.3f} s CPU")
    print(f"{'report (CPU s, median of ' + str(runs) + ')':<50} {'oms':>7} {'floor':>8} "
          f"{'cli':>7}")
    for name, argv, fn, kwargs, floor_sql, bounds in cases():
        report = median_seconds(partial(reporting.run_report, db, fn, **kwargs), runs)
        floor = median_seconds(partial(_fetch, raw, floor_sql, bounds), runs)
        cli = median_seconds(partial(_oms, path, argv), runs)
        print(f"{name:<50} {report:7.3f} {floor:8.3f} {cli:7.3f}", flush=True)
    db.close()


def _fetch(raw: sqlite3.Connection, sql: str, bounds: tuple[str, ...]) -> None:
    raw.execute(sql, bounds).fetchall()


def _oms(path: Path, argv: list[str]) -> None:
    command = [sys.executable, "-m", "oms_cli", "--no-config", "--db", str(path),
               "--today", TODAY.isoformat(), *argv, "-f", "json"]
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, help="reuse (or build and keep) this database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oms-reports-bench-") as scratch:
        path = args.db or Path(scratch) / "reports.db"
        if not path.exists():
            started = time.perf_counter()
            build(path, args.orders)
            print(f"built {args.orders} orders in {time.perf_counter() - started:.1f} s "
                  f"({path.stat().st_size / 1e6:.0f} MB)", flush=True)
        empty = Path(scratch) / "empty.db"
        open_database(str(empty), busy_timeout=5).db.close()
        run(path, args.runs, empty)


if __name__ == "__main__":
    main()
