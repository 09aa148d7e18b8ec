"""The benchmark suite: every figure beside its floor, measured in the same run.

    python -m benchmarks            # 100k orders to import and allocate, reports on 1M
    python -m benchmarks --smoke    # 10k of everything, one run: proves the suite works
    python -m benchmarks --postgres postgresql://postgres@127.0.0.1:5432/postgres
                                    # and a PostgreSQL column: import and allocate there

Each part runs as its own script (``python -m benchmarks.<part> --json``), so one part's
memory or caches never colour another's figures. Ratios to the floors, not absolute
times, are what to compare between machines.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

IMPORT_TARGET, ALLOCATE_TARGET, HELP_TARGET = 2.0, 3.0, 2.0
MEMORY_TARGET_MB, REPORT_TARGET_S = 200.0, 1.0


@dataclass
class Row:
    """One line of the table: a figure, oms's value, the floor's, and the target."""

    figure: str
    oms: str
    floor: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None  # None: no target for this figure


def part(name: str, *args: str) -> Any:
    """Run ``benchmarks.<name> --json ARGS`` and return the JSON it prints last."""
    done = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", "--json", *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"benchmarks.{name} failed (exit {done.returncode}):\n"
                         f"{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def import_rows(orders: int, memory_orders: int, runs: int) -> list[Row]:
    speed = part("import_bench", "--orders", str(orders), "--runs", str(runs))
    rows = [
        Row(f"import {orders:,} orders (s)", f"{speed['oms_seconds']:.2f}",
            f"{speed['floor_seconds']:.2f}", f"{speed['ratio']:.2f}",
            f"<= {IMPORT_TARGET}x", speed["ratio"] <= IMPORT_TARGET),
        Row("import orders/s", f"{speed['orders_per_s']:,.0f}",
            f"{speed['floor_orders_per_s']:,.0f}"),
        Row("import rows/s", f"{speed['rows_per_s']:,.0f}"),
    ]
    memory = (speed if memory_orders == orders
              else part("import_bench", "--orders", str(memory_orders), "--runs", "1"))
    rows.append(Row(f"import {memory_orders:,} orders: peak MB", f"{memory['peak_mb']:.0f}",
                    target=f"<= {MEMORY_TARGET_MB:.0f} MB",
                    met=memory["peak_mb"] <= MEMORY_TARGET_MB))
    return rows


def allocate_rows(orders: int, runs: int) -> list[Row]:
    figures = part("allocate_bench", "--orders", str(orders), "--runs", str(runs))
    return [
        Row(f"allocate {orders:,} orders (s)", f"{figures['oms_seconds']:.2f}",
            f"{figures['floor_seconds']:.2f}", f"{figures['ratio']:.2f}",
            f"<= {ALLOCATE_TARGET}x", figures["ratio"] <= ALLOCATE_TARGET),
        Row("allocate: peak MB", f"{figures['peak_mb']:.0f}"),
    ]


def report_rows(orders: int, runs: int) -> list[Row]:
    rows = []
    for figure in part("reports_bench", "--orders", str(orders), "--runs", str(runs)):
        beyond = figure["beyond_startup"]
        rows.append(Row(f"report {figure['report']} {figure['args']}".strip(),
                        f"{beyond:.2f}", f"{figure['floor_seconds']:.2f}",
                        target=f"<= {REPORT_TARGET_S:.0f} s beyond start-up",
                        met=beyond <= REPORT_TARGET_S))
    return rows


def startup_rows(runs: int) -> list[Row]:
    rows = []
    for figure in part("startup_bench", "--runs", str(runs)):
        is_help = figure["figure"] == "oms --help"
        rows.append(Row(f"{figure['figure']} (s)", f"{figure['oms_seconds']:.3f}",
                        f"{figure['floor_seconds']:.3f}", f"{figure['ratio']:.2f}",
                        f"<= {HELP_TARGET}x" if is_help else "",
                        figure["ratio"] <= HELP_TARGET if is_help else None))
    return rows


def postgres_rows(orders: int, server: str) -> list[Row]:
    """Import and allocation on PostgreSQL, beside the same on SQLite (no target)."""
    figures = part("postgres_bench", "--orders", str(orders), "--postgres", server)
    rows = []
    for step in ("import", "allocate"):
        on_sqlite, on_postgres = (figures["sqlite"][f"{step}_s"],
                                  figures["postgresql"][f"{step}_s"])
        rows.append(Row(f"PostgreSQL: {step} {orders:,} orders (s; floor: SQLite)",
                        f"{on_postgres:.2f}", f"{on_sqlite:.2f}",
                        f"{on_postgres / on_sqlite:.2f}"))
    return rows


def render(rows: list[Row], judged: bool) -> str:
    header = ("figure", "oms", "floor", "ratio", "target", "met")
    cells = [header] + [(row.figure, row.oms, row.floor, row.ratio, row.target,
                         "" if row.met is None or not judged else ("yes" if row.met else "NO"))
                        for row in rows]
    widths = [max(len(line[column]) for line in cells) for column in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                               for column, (cell, width) in enumerate(zip(line, widths,
                                                                          strict=True)))
                     for line in cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000,
                        help="Orders to import and to allocate (default 100k).")
    parser.add_argument("--report-orders", type=int, default=1_000_000,
                        help="Orders in the reports' database (default 1M).")
    parser.add_argument("--memory-orders", type=int, default=1_000_000,
                        help="Orders in the file whose import's peak memory is measured.")
    parser.add_argument("--runs", type=int, default=3, help="Runs per figure (medians).")
    parser.add_argument("--postgres", metavar="URL",
                        help="Also import and allocate on this PostgreSQL server "
                        "(e.g. postgresql://postgres@127.0.0.1:5432/postgres).")
    parser.add_argument("--smoke", action="store_true",
                        help="10k orders everywhere, one run; targets are not judged.")
    args = parser.parse_args()
    if args.smoke:
        args.orders = args.report_orders = args.memory_orders = 10_000
        args.runs = 1
    started = time.perf_counter()
    rows = [*startup_rows(max(args.runs, 5) if not args.smoke else 3),
            *import_rows(args.orders, args.memory_orders, args.runs),
            *allocate_rows(args.orders, args.runs),
            *report_rows(args.report_orders, args.runs),
            *(postgres_rows(args.orders, args.postgres) if args.postgres else [])]
    print(render(rows, judged=not args.smoke))
    missed = [row.figure for row in rows if row.met is False]
    summary = "smoke run: targets not judged" if args.smoke else (
        f"targets missed: {', '.join(missed)}" if missed else "every target met")
    print(f"\n{summary} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
