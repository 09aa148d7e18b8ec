"""Start-up of `oms --help` and of a typical read command, beside `python -c "import typer"`.

Every oms command pays its start-up before it does anything; a merchant's cron job and
shell pipeline pay it on every call. The floor is the least a Typer program can cost.
Usage: python -m benchmarks.startup_bench [--runs K] [--json]
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
from typing import Any


def oms_command() -> list[str]:
    """The installed `oms` script beside this Python, else `python -m oms_cli`."""
    script = Path(sys.executable).with_name("oms")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oms_cli"]


def median_seconds(command: list[str], runs: int) -> float:
    """Median wall seconds of ``command`` over ``runs`` runs (output discarded)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(runs: int) -> list[dict[str, Any]]:
    """Each start-up figure with the floor measured in the same run, interleaved."""
    oms = oms_command()
    with tempfile.TemporaryDirectory(prefix="oms-startup-") as scratch:
        subprocess.run([*oms, "--no-config", "-q", "demo", "--keep", scratch],
                       stdout=subprocess.DEVNULL, check=True)
        demo_db = str(Path(scratch) / "demo.db")
        commands = {
            "oms --help": [*oms, "--help"],
            "oms stock show (read)": [*oms, "--no-config", "--db", demo_db, "stock", "show",
                                      "-f", "csv"],
        }
        floor_command = [sys.executable, "-c", "import typer"]
        figures = []
        for name, command in commands.items():
            median_seconds(command, 1)  # warm the file cache
            oms_times, floor_times = [], []
            for _ in range(runs):  # interleaved, so load changes hit both alike
                oms_times.append(median_seconds(command, 1))
                floor_times.append(median_seconds(floor_command, 1))
            oms_s, floor_s = statistics.median(oms_times), statistics.median(floor_times)
            figures.append({"figure": name, "oms_seconds": oms_s, "floor_seconds": floor_s,
                            "ratio": oms_s / floor_s, "runs": runs})
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()
    figures = run(args.runs)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"start-up, median of {args.runs} runs; floor: python -c 'import typer'")
    print(f"{'figure':<28}{'oms':>10}{'floor':>10}{'ratio':>8}")
    for figure in figures:
        print(f"{figure['figure']:<28}{figure['oms_seconds']:>10.3f}"
              f"{figure['floor_seconds']:>10.3f}{figure['ratio']:>8.2f}")


if __name__ == "__main__":
    main()
