"""Allocation of N pending orders with `oms allocate`, beside a plain greedy allocator.

The floor (benchmarks/floor_allocate.py) does the same reservations greedily with
nothing but sqlite3; oms does them with validation, routing rules, decision traces
and events. Usage: python -m benchmarks.allocate_bench [--orders N] [--runs K]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from benchmarks.import_bench import measure
from oms_cli.services.database import open_database
from oms_cli.store.tables import Location, Order, OrderLine, Product, StockLevel, StockMovement

LOCATIONS = (("backroom", 10, "US", "OR"), ("east-3pl", 20, "US", "NJ"),
             ("west-3pl", 30, "US", "CA"), ("shop", 40, "US", "OR"))
PRODUCTS = 200


def build(path: Path, orders: int, seed: int = 11) -> None:
    """A database of ``orders`` ready orders (2 lines each) and stock for about 80% of them."""
    rng = random.Random(seed)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    db = open_database(str(path), busy_timeout=30).db
    with db.write() as session:
        connection = session.connection()
        connection.execute(insert(Location.__table__), [  # type: ignore[attr-defined]
            {"code": code, "name": code, "kind": "warehouse", "priority": priority,
             "country": country, "region": region, "ships_to": "", "active": True,
             "created_at": now, "updated_at": now}
            for code, priority, country, region in LOCATIONS])
        connection.execute(insert(Product.__table__), [  # type: ignore[attr-defined]
            {"sku": f"SKU-{n:04d}", "name": f"Product {n}", "currency": "USD", "price": 1000,
             "reorder_point": 0, "reorder_qty": 0, "safety_stock": 0, "active": True,
             "created_at": now, "updated_at": now} for n in range(1, PRODUCTS + 1)])
        demand_per_product = orders * 2 * 2 // PRODUCTS
        levels = []
        for product in range(1, PRODUCTS + 1):
            for location in range(1, len(LOCATIONS) + 1):
                units = int(demand_per_product * 0.8 / len(LOCATIONS) * rng.uniform(0.5, 1.5))
                levels.append({"product_id": product, "location_id": location,
                               "on_hand": units, "reserved": 0, "damaged": 0})
        connection.execute(insert(StockLevel.__table__), levels)  # type: ignore[attr-defined]
        connection.execute(insert(StockMovement.__table__), [  # type: ignore[attr-defined]
            {"product_id": level["product_id"], "location_id": level["location_id"],
             "quantity": level["on_hand"], "damaged": 0, "reason": "receive", "at": now}
            for level in levels])
        order_rows, line_rows = [], []
        for number in range(1, orders + 1):
            placed = now + timedelta(seconds=number)
            order_rows.append({
                "channel": "shopify", "external_id": f"#{number}", "placed_at": placed,
                "currency": "USD", "status": "ready", "validated_at": placed,
                "ship_line1": "1 Main St", "ship_city": "Portland", "ship_country": "US",
                "ship_region": rng.choice(("OR", "NJ", "CA", "TX")), "financial_status": "paid",
                "created_at": placed, "updated_at": placed})
            for key in (1, 2):
                line_rows.append({"order_id": number, "line_key": str(key),
                                  "product_id": rng.randint(1, PRODUCTS),
                                  "quantity": rng.randint(1, 3), "name": "item"})
        connection.execute(insert(Order.__table__), order_rows)  # type: ignore[attr-defined]
        connection.execute(insert(OrderLine.__table__), line_rows)  # type: ignore[attr-defined]
    db.close()


def run(orders: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="oms-alloc-bench-") as scratch:
        folder = Path(scratch)
        template = folder / "template.db"
        started = time.perf_counter()
        build(template, orders)
        print(f"built {orders} ready orders in {time.perf_counter() - started:.0f} s")
        oms_times, floor_times, peaks = [], [], []
        for attempt in range(runs):
            oms_db, floor_db = folder / f"oms-{attempt}.db", folder / f"floor-{attempt}.db"
            shutil.copyfile(template, oms_db)
            shutil.copyfile(template, floor_db)
            seconds, peak = measure([sys.executable, "-m", "oms_cli", "--no-config", "--db",
                                     str(oms_db), "-q", "allocate", "-f", "csv"])
            oms_times.append(seconds)
            peaks.append(peak)
            floor, _ = measure([sys.executable, "-m", "benchmarks.floor_allocate",
                                str(floor_db)])
            floor_times.append(floor)
            check = subprocess.run([sys.executable, "-m", "oms_cli", "--no-config", "--db",
                                    str(oms_db), "-q", "db", "check"], capture_output=True)
            if check.returncode != 0:
                raise SystemExit("oms db check failed after allocation")
        oms_s, floor_s = statistics.median(oms_times), statistics.median(floor_times)
        print(f"allocation of {orders} pending orders, median of {runs} runs")
        print(f"{'figure':<28}{'oms':>12}{'floor':>12}{'ratio':>8}")
        print(f"{'seconds':<28}{oms_s:>12.2f}{floor_s:>12.2f}{oms_s / floor_s:>8.2f}")
        print(f"{'orders/s':<28}{orders / oms_s:>12.0f}{orders / floor_s:>12.0f}")
        print(f"{'peak memory (MB)':<28}{max(peaks):>12.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    run(args.orders, args.runs)


if __name__ == "__main__":
    main()
