"""Import throughput and peak memory of `oms import`, beside the csv + sqlite3 floor.

Usage: python -m benchmarks.import_bench [--orders N] [--runs K]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import write_catalog, write_shopify_orders

MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
           "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
           "print(time.perf_counter() - t, "
           "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)")


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of ``command``, in a process of its own."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True,
                         text=True, check=True).stdout.split()
    seconds, peak_kb, code = float(out[0]), int(out[1]), int(out[2])
    if code not in (0, 3):
        raise SystemExit(f"{command[0]} exited {code}")
    return seconds, peak_kb / 1024


def run(orders: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="oms-bench-") as scratch:
        folder = Path(scratch)
        export, catalog = folder / "orders.csv", folder / "products.csv"
        rows = write_shopify_orders(export, orders)
        write_catalog(catalog)
        oms_times, oms_peaks, floor_times = [], [], []
        for attempt in range(runs):
            db = folder / f"oms-{attempt}.db"
            base = [sys.executable, "-m", "oms_cli", "--no-config", "--db", str(db), "-q"]
            subprocess.run([*base, "product", "import", str(catalog)], check=True)
            seconds, peak = measure([*base, "import", str(export), "-f", "json"])
            oms_times.append(seconds)
            oms_peaks.append(peak)
            floor_db = folder / f"floor-{attempt}.db"
            floor, _ = measure([sys.executable, "-m", "benchmarks.floor_import", str(export),
                                str(floor_db)])
            floor_times.append(floor)
        oms_s, floor_s = statistics.median(oms_times), statistics.median(floor_times)
        print(f"import of {orders} Shopify orders ({rows} rows), median of {runs} runs")
        print(f"{'figure':<28}{'oms':>12}{'floor':>12}{'ratio':>8}")
        print(f"{'seconds':<28}{oms_s:>12.2f}{floor_s:>12.2f}{oms_s / floor_s:>8.2f}")
        print(f"{'orders/s':<28}{orders / oms_s:>12.0f}{orders / floor_s:>12.0f}")
        print(f"{'rows/s':<28}{rows / oms_s:>12.0f}{rows / floor_s:>12.0f}")
        print(f"{'peak memory (MB)':<28}{max(oms_peaks):>12.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    run(args.orders, args.runs)
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
