"""Allocation of N pending orders with `oms allocate`, beside a plain greedy allocator.

The floor (benchmarks/floor_allocate.py) makes the reservations greedily with nothing
but sqlite3 and writes the same kinds of rows (allocations, line units, levels, order
statuses with allocation_tried_at, an event per order); oms adds validation, routing
rules and decision traces.

Usage: python -m benchmarks.allocate_bench [--orders N] [--runs K] [--json]
(--json prints one JSON object: oms_seconds, floor_seconds, ratio, orders_per_s,
floor_orders_per_s, peak_mb, orders, runs; and oms_cpu_seconds, floor_cpu_seconds and
cpu_ratio, the steadier figures on a shared machine).
"""

from __future__ import annotations

import argparse
import json
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

from oms_cli.services.database import open_database
from oms_cli.store.tables import Location, Order, OrderLine, Product, StockLevel, StockMovement

LOCATIONS = (("backroom", 10, "US", "OR"), ("east-3pl", 20, "US", "NJ"),
             ("west-3pl", 30, "US", "CA"), ("shop", 40, "US", "OR"))
PRODUCTS = 200
# Runs a command in a process of its own and prints its wall seconds, the CPU seconds
# (user + system) it used, its peak resident KB and its exit code.
MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
           "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
           "wall = time.perf_counter() - t; used = resource.getrusage(resource.RUSAGE_CHILDREN); "
           "print(wall, used.ru_utime + used.ru_stime, used.ru_maxrss, code)")


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


def measure(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident MB of ``command``, run on its own.

    The machine may be shared: wall time then swings with the others' load, while
    the CPU seconds a command needs stay put, so both are reported.
    """
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True,
                         text=True, check=True).stdout.split()
    if int(out[3]) != 0:
        raise SystemExit(f"{' '.join(command)} exited {out[3]}")
    return float(out[0]), float(out[1]), int(out[2]) / 1024


def run(orders: int, runs: int, *, quiet: bool = False) -> dict[str, float | int]:
    """Median seconds of ``runs`` runs of oms and of the floor on copies of one database
    of ``orders`` ready orders, their ratio and throughputs, and oms's peak MB; and
    the median CPU seconds of each and their ratio.

    The two take turns going first; the database is checked after each oms run
    (`oms db check`). ``quiet`` keeps the progress line off stdout.
    """
    times: dict[str, list[float]] = {"oms": [], "floor": [], "oms_cpu": [], "floor_cpu": []}
    peaks = []
    with tempfile.TemporaryDirectory(prefix="oms-alloc-bench-") as scratch:
        folder = Path(scratch)
        template = folder / "template.db"
        started = time.perf_counter()
        build(template, orders)
        if not quiet:
            print(f"built {orders} ready orders in {time.perf_counter() - started:.0f} s")
        for attempt in range(runs):
            oms_db, floor_db = folder / f"oms-{attempt}.db", folder / f"floor-{attempt}.db"
            shutil.copyfile(template, oms_db)
            shutil.copyfile(template, floor_db)
            commands = {
                "oms": [sys.executable, "-m", "oms_cli", "--no-config", "--db", str(oms_db),
                        "-q", "allocate", "-f", "csv"],
                "floor": [sys.executable, "-m", "benchmarks.floor_allocate", str(floor_db)]}
            for name in ("oms", "floor") if attempt % 2 == 0 else ("floor", "oms"):
                seconds, cpu, peak = measure(commands[name])
                times[name].append(seconds)
                times[f"{name}_cpu"].append(cpu)
                if name == "oms":
                    peaks.append(peak)
            check = subprocess.run([sys.executable, "-m", "oms_cli", "--no-config", "--db",
                                    str(oms_db), "-q", "db", "check"], capture_output=True)
            if check.returncode != 0:
                raise SystemExit("oms db check failed after allocation")
    oms_s, floor_s = statistics.median(times["oms"]), statistics.median(times["floor"])
    oms_cpu, floor_cpu = statistics.median(times["oms_cpu"]), statistics.median(times["floor_cpu"])
    return {"oms_seconds": round(oms_s, 3), "floor_seconds": round(floor_s, 3),
            "ratio": round(oms_s / floor_s, 3), "orders_per_s": round(orders / oms_s),
            "floor_orders_per_s": round(orders / floor_s), "peak_mb": round(max(peaks)),
            "orders": orders, "runs": runs, "oms_cpu_seconds": round(oms_cpu, 3),
            "floor_cpu_seconds": round(floor_cpu, 3), "cpu_ratio": round(oms_cpu / floor_cpu, 3)}


def print_table(figures: dict[str, float | int]) -> None:
    """The figures of ``run`` as a small table."""
    print(f"allocation of {figures['orders']} pending orders, median of {figures['runs']} runs")
    print(f"{'figure':<28}{'oms':>12}{'floor':>12}{'ratio':>8}")
    print(f"{'seconds':<28}{figures['oms_seconds']:>12.2f}{figures['floor_seconds']:>12.2f}"
          f"{figures['ratio']:>8.2f}")
    print(f"{'CPU seconds':<28}{figures['oms_cpu_seconds']:>12.2f}"
          f"{figures['floor_cpu_seconds']:>12.2f}{figures['cpu_ratio']:>8.2f}")
    print(f"{'orders/s':<28}{figures['orders_per_s']:>12}{figures['floor_orders_per_s']:>12}")
    print(f"{'peak memory (MB)':<28}{figures['peak_mb']:>12}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object of the figures instead of the table")
    args = parser.parse_args()
    figures = run(args.orders, args.runs, quiet=args.json)
    if args.json:
        print(json.dumps(figures))
    else:
        print_table(figures)


if __name__ == "__main__":
    main()
