"""How fast every report answers on a large order book, beside its bare SQL.

Builds a database of N orders (two lines each) over the two years up to TODAY, across
five channels, four currencies and five countries: customers of about three orders
each, shipments from three locations 1 to 96 hours after the order with their
allocations and ledger movements, backorder events on one order in 50, and a return
for every returned order; then the report summaries are built, as `oms db summarize`
does. The schema comes from oms itself (its indexes are dropped
while the rows go in and made again after), and the database is cached in the temp
folder under the row count and a digest of the schema, so a rebuild happens only when
either changes.

For each report (with the options a merchant uses: a month, a whole year, ``--by
month``, ``--group-by``) it measures, in CPU seconds by default (``--clock wall`` for
wall time: on a machine shared with other work that measures the neighbours as much
as oms; the commands are single-threaded and read a cached file, so on an idle machine
the two agree):

- oms: the whole ``oms report ...`` command in a subprocess;
- start-up: a trivial command measured in the same run: ``oms report
  status`` on an empty database (the interpreter, the imports, opening the database and
  checking its schema; ``oms --version`` imports no database code and would count
  half a second of imports as report time), so ``beyond`` = oms - start-up is the
  report's own time;
- floor: the report's bare SQL, i.e. the statements oms sent (caught in-process),
  replayed with the sqlite3 module on a fresh connection: what the queries cost
  without Python on top;
- ok: beyond <= 1 s (issue #5's target).

Every figure is the median of --runs. ``run(orders, runs)`` returns the figures as
dicts (report, args, oms_seconds, startup_seconds, beyond_startup, floor_seconds, ok);
``--json`` prints them on one line. Usage:
python -m benchmarks.reports_bench [--orders N] [--runs K] [--db PATH] [--clock cpu|wall]
                                   [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
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
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from oms_cli.services.database import build_summaries, open_database

TODAY = date(2026, 3, 15)
START = datetime(2024, 3, 16, tzinfo=UTC)
END = datetime(2026, 3, 15, 18, tzinfo=UTC)
CHANNELS = ("shopify", "amazon", "etsy", "ebay", "woocommerce")
# currency, its share of orders, ship-to countries, prices include tax, minor units per unit
CURRENCIES = (("USD", 60, ("US", "CA"), False, 100), ("EUR", 20, ("DE", "FR"), True, 100),
              ("GBP", 15, ("GB",), True, 100), ("JPY", 5, ("JP",), False, 150))
SKUS = 300
OPEN_TAIL = timedelta(days=4)  # orders placed this recently are still open
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how oms stores a UTC timestamp in SQLite
DATA_VERSION = "4"  # bump when the generated rows change, to rebuild cached databases
TARGET_SECONDS = 1.0

MONTH, YEAR = ["-p", "2026-02"], ["-p", "2025"]
CASES: list[list[str]] = [
    ["status"], ["status", *YEAR],
    ["sales", *MONTH], ["sales", *MONTH, "--by", "day"], ["sales", *YEAR],
    ["sales", *YEAR, "--by", "month"], ["sales", *YEAR, "-g", "channel"],
    ["sales", *YEAR, "-g", "country"], ["sales", *YEAR, "-g", "sku"],
    ["sales", *YEAR, "-g", "location"], ["sales", *YEAR, "--by", "month", "-g", "channel"],
    ["products", *MONTH], ["products", *YEAR],
    ["inventory"], ["inventory", "--by-location"],
    ["customers", *MONTH], ["customers", *YEAR], ["customers", *YEAR, "--by", "month"],
    ["customers", "--segments"],
    ["fulfillment", *MONTH], ["fulfillment", *YEAR], ["fulfillment", *YEAR, "--by", "month"],
    ["fulfillment", *YEAR, "-g", "channel"], ["fulfillment", *YEAR, "-g", "location"],
    ["returns", *MONTH], ["returns", *YEAR], ["returns", *YEAR, "--by", "month"],
    ["returns", *YEAR, "-g", "sku"], ["returns", *YEAR, "-g", "channel"],
]


def build(path: Path, orders: int, seed: int = 11) -> None:
    """An oms database at ``path`` holding ``orders`` orders, filled by bulk inserts."""
    open_database(str(path), busy_timeout=5).db.close()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
    indexes = [sql for (sql,) in connection.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")]
    for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall():
        connection.execute(f"DROP INDEX {name}")
    rng = random.Random(seed)
    now = END.strftime(STAMP)
    connection.execute("BEGIN")
    _catalog(connection, now)
    connection.executemany(_insert("orders", ORDER_FIELDS), _orders(rng, orders, now))
    connection.executemany(_insert("order_line", LINE_FIELDS), _lines(connection, rng))
    connection.execute("COMMIT")
    history = HISTORY.format(customers=orders // 3 + 1, now=now)
    connection.executescript(f"BEGIN; {SHIPMENTS} {history} COMMIT;")
    for sql in indexes:
        connection.execute(sql)
    connection.executescript("ANALYZE; PRAGMA journal_mode=WAL;")
    connection.close()
    # The rows went in behind oms's back: summarise them as `oms db summarize` does.
    opened = open_database(str(path), busy_timeout=5)
    try:
        build_summaries(opened.db, "UTC")
    finally:
        opened.db.close()


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
    rows = connection.execute("SELECT id, status, currency FROM orders ORDER BY id").fetchall()
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


# One shipment per shipped order, from the location its currency suggests, 1 to 96 hours
# after the order; the open allocations of allocated lines.
SHIPMENTS = """
    INSERT INTO shipment (id, order_id, location_id, carrier, shipped_at)
        SELECT id, id, CASE currency WHEN 'USD' THEN 1 WHEN 'GBP' THEN 3 ELSE 2 END, 'ups',
               strftime('%Y-%m-%d %H:%M:%f', placed_at, '+' || (1 + id % 96) || ' hours')
        FROM orders WHERE status IN ('shipped', 'returned', 'partially_returned');
    INSERT INTO shipment_line (shipment_id, order_line_id, quantity)
        SELECT order_id, id, shipped FROM order_line WHERE shipped > 0;
    INSERT INTO allocation (order_line_id, product_id, location_id, quantity, per_unit,
                            line_units, status, created_at)
        SELECT l.id, l.product_id, 1, l.allocated, 1, l.allocated, 'open', o.placed_at
        FROM order_line l JOIN orders o ON o.id = l.order_id WHERE l.allocated > 0;
"""
# Customers, the allocation attempt and the shipped allocations with their times, the
# ledger's ship movements, backorder events and returns.
HISTORY = """
    WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < {customers})
    INSERT INTO customer (id, email, created_at)
        SELECT id, 'customer' || id || '@example.com', '{now}' FROM n;
    UPDATE orders SET customer_id = (id * 7919) % {customers} + 1,
                      allocation_tried_at = placed_at;
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
"""


def cached_database(orders: int, empty: Path) -> Path:
    """The benchmark database of ``orders`` orders with the schema of the ``empty`` one,
    built if needed (older builds of the same size are removed: a gigabyte each)."""
    folder = Path(tempfile.gettempdir()) / "oms-reports-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"{orders}-{_schema_digest(empty)}.db"
    if not path.exists():
        for stale in folder.glob(f"{orders}-*.db*"):
            stale.unlink()
        started = time.perf_counter()
        building = path.with_suffix(".building")
        building.unlink(missing_ok=True)
        build(building, orders)
        building.rename(path)
        print(f"built {orders} orders in {time.perf_counter() - started:.0f} s "
              f"({path.stat().st_size / 1e6:.0f} MB): {path}", file=sys.stderr, flush=True)
    return path


def _schema_digest(empty: Path) -> str:
    """A digest of the schema of ``empty`` (and of the generated data's version)."""
    with contextlib.closing(sqlite3.connect(empty)) as connection:
        ddl = sorted(sql for (sql,) in connection.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    text = "\n".join([DATA_VERSION, *revision, *ddl])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def oms_command(path: Path, argv: list[str]) -> list[str]:
    return ["--no-config", "--db", str(path), "--today", TODAY.isoformat(), "report", *argv,
            "-f", "json"]


def median_seconds(action: Callable[[], object], runs: int, clock: str) -> float:
    """The median seconds of ``action`` over ``runs`` runs, by ``clock`` (see CLOCKS)."""
    times = []
    for _ in range(runs):
        started = CLOCKS[clock]()
        action()
        times.append(CLOCKS[clock]() - started)
    return statistics.median(times)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


CLOCKS: dict[str, Callable[[], float]] = {"cpu": _cpu, "wall": time.perf_counter}


def _oms(arguments: list[str]) -> None:
    subprocess.run([sys.executable, "-m", "oms_cli", *arguments], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)


Statement = tuple[str, Any]


def report_sql(path: Path, argv: list[str]) -> list[Statement]:
    """The queries ``oms report ...`` sends, with their parameters, caught in-process."""
    from oms_cli.cli.app import app

    caught: list[Statement] = []

    def catch(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            caught.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", catch)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            app(args=oms_command(path, argv), standalone_mode=False)
    finally:
        event.remove(Engine, "before_cursor_execute", catch)
    return caught


def _replay(path: Path, statements: list[Statement]) -> None:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        for sql, parameters in statements:
            connection.execute(sql, parameters).fetchall()


def measure(path: Path, argv: list[str], runs: int, startup: float,
            clock: str) -> dict[str, Any]:
    """One report's figures (see the module doc)."""
    statements = report_sql(path, argv)
    floor = median_seconds(lambda: _replay(path, statements), runs, clock)
    seconds = median_seconds(lambda: _oms(oms_command(path, argv)), runs, clock)
    beyond = seconds - startup
    return {"report": argv[0], "args": " ".join(argv[1:]), "oms_seconds": round(seconds, 3),
            "startup_seconds": round(startup, 3), "beyond_startup": round(beyond, 3),
            "floor_seconds": round(floor, 3), "ok": beyond <= TARGET_SECONDS}


def run(orders: int, runs: int, db: Path | None = None, clock: str = "cpu",
        progress: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Time every case of CASES on a database of ``orders`` orders; one dict per case."""
    with tempfile.TemporaryDirectory(prefix="oms-reports-bench-") as scratch:
        empty = Path(scratch) / "empty.db"
        open_database(str(empty), busy_timeout=5).db.close()
        path = db if db is not None and db.exists() else cached_database(orders, empty)
        startup = median_seconds(lambda: _oms(oms_command(empty, ["status"])), max(runs, 5),
                                 clock)
        results = []
        for argv in CASES:
            results.append(measure(path, argv, runs, startup, clock))
            if progress is not None:
                progress(results[-1])
    return results


def _print_row(result: dict[str, Any]) -> None:
    name = f"{result['report']} {result['args']}".strip()
    print(f"{name:<42} {result['oms_seconds']:7.2f} {result['startup_seconds']:8.2f} "
          f"{result['beyond_startup']:7.2f} {result['floor_seconds']:7.2f}  "
          f"{'yes' if result['ok'] else 'NO'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, help="use this database instead of the cached one")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu",
                        help="cpu (default: steady on a shared machine) or wall seconds")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(run(args.orders, args.runs, args.db, args.clock)))  # one line
        return
    print(f"{f'report ({args.clock} s, median of {args.runs})':<42} {'oms':>7} "
          f"{'start-up':>8} {'beyond':>7} {'floor':>7}  <= {TARGET_SECONDS:g} s")
    run(args.orders, args.runs, args.db, args.clock, progress=_print_row)


if __name__ == "__main__":
    main()
