"""Import throughput and peak memory of `oms import`, beside the csv + sqlite3 floor.

Both import the same file into a database made the same way (``oms product import``
of the same catalog). Usage: python -m benchmarks.import_bench [--orders N] [--runs K] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import write_catalog, write_shopify_orders

MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
           "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
           "usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
           "print(time.perf_counter() - t, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, "
           "code)")


def measure(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak resident MB and CPU seconds of ``command``, in a process of its
    own. CPU time says more than wall time on a machine busy with other work."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True,
                         text=True, check=True).stdout.split()
    seconds, peak_kb, cpu, code = float(out[0]), int(out[1]), float(out[2]), int(out[3])
    if code not in (0, 3):
        raise SystemExit(f"{command[0]} exited {code}")
    return seconds, peak_kb / 1024, cpu


def run(orders: int, runs: int) -> dict[str, float | int]:
    """Time ``runs`` imports of ``orders`` orders by oms and by the floor; the figures."""
    with tempfile.TemporaryDirectory(prefix="oms-bench-") as scratch:
        folder = Path(scratch)
        export, catalog = folder / "orders.csv", folder / "products.csv"
        rows = write_shopify_orders(export, orders)
        write_catalog(catalog)
        oms_times, oms_peaks, floor_times, oms_cpu, floor_cpu = [], [], [], [], []
        for attempt in range(runs):
            oms_db, floor_db = folder / f"oms-{attempt}.db", folder / f"floor-{attempt}.db"
            for db in (oms_db, floor_db):  # the same schema and catalog for both
                subprocess.run([*_oms(db), "product", "import", str(catalog)], check=True)
            seconds, peak, cpu = measure([*_oms(oms_db), "import", str(export), "-f", "json"])
            oms_times.append(seconds)
            oms_peaks.append(peak)
            oms_cpu.append(cpu)
            seconds, _, cpu = measure([sys.executable, "-m", "benchmarks.floor_import",
                                       str(export), str(floor_db)])
            floor_times.append(seconds)
            floor_cpu.append(cpu)
    oms_s, floor_s = statistics.median(oms_times), statistics.median(floor_times)
    oms_cpu_s, floor_cpu_s = statistics.median(oms_cpu), statistics.median(floor_cpu)
    return {"oms_seconds": oms_s, "floor_seconds": floor_s, "ratio": oms_s / floor_s,
            "orders_per_s": orders / oms_s, "rows_per_s": rows / oms_s,
            "floor_orders_per_s": orders / floor_s, "peak_mb": max(oms_peaks),
            "orders": orders, "rows": rows, "runs": runs, "oms_cpu_seconds": oms_cpu_s,
            "floor_cpu_seconds": floor_cpu_s, "cpu_ratio": oms_cpu_s / floor_cpu_s}


def _oms(db: Path) -> list[str]:
    return [sys.executable, "-m", "oms_cli", "--no-config", "--db", str(db), "-q"]


def print_table(figures: dict[str, float | int]) -> None:
    oms_s, floor_s, orders, rows = (figures[name] for name in
                                    ("oms_seconds", "floor_seconds", "orders", "rows"))
    print(f"import of {orders} Shopify orders ({rows} rows), median of {figures['runs']} runs")
    print(f"{'figure':<28}{'oms':>12}{'floor':>12}{'ratio':>8}")
    print(f"{'seconds':<28}{oms_s:>12.2f}{floor_s:>12.2f}{figures['ratio']:>8.2f}")
    print(f"{'cpu seconds':<28}{figures['oms_cpu_seconds']:>12.2f}"
          f"{figures['floor_cpu_seconds']:>12.2f}{figures['cpu_ratio']:>8.2f}")
    print(f"{'orders/s':<28}{orders / oms_s:>12.0f}{orders / floor_s:>12.0f}")
    print(f"{'rows/s':<28}{rows / oms_s:>12.0f}{rows / floor_s:>12.0f}")
    print(f"{'peak memory (MB)':<28}{figures['peak_mb']:>12.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    started = time.perf_counter()
    figures = run(args.orders, args.runs)
    if args.json:
        print(json.dumps(figures))
        return
    print_table(figures)
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
