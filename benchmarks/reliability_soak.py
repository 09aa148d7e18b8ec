"""The reliability tests, run longer: more crash points, fuzz cases and random steps.

The default suite runs each randomised reliability test at scale 1 (bounded in time
for CI). This runs the same tests at a larger scale: ``--scale 10`` gives ten
seeded random kill points per command instead of one, ten times the fuzz cases
for importers and config files, and ten times the state-machine examples.

Usage: python -m benchmarks.reliability_soak [--scale N] [-k EXPRESSION]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RANDOMISED = ("test_crash_recovery.py", "test_hostile_imports.py", "test_hostile_config.py",
              "test_stateful_books.py")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="multiplier (default 10)")
    parser.add_argument("-k", dest="expression", help="only tests matching (pytest -k)")
    args = parser.parse_args()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               *(str(ROOT / "tests" / "reliability" / name) for name in RANDOMISED)]
    if args.expression:
        command += ["-k", args.expression]
    started = time.perf_counter()
    code = subprocess.run(command, cwd=ROOT,
                          env={**os.environ, "RELIABILITY_SCALE": str(args.scale)}).returncode
    print(f"scale {args.scale}: {time.perf_counter() - started:.0f} s, exit {code}",
          file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
