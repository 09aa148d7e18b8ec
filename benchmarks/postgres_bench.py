"""The same shop on SQLite and on PostgreSQL: `oms import` of a generated Shopify export,
then `oms allocate` of every order it brought, timed on each database.

Each run starts from an empty database: a new SQLite file, and a new PostgreSQL database
made on the server ``--postgres`` names (it is dropped afterwards). Both get the same
locations, catalog and stock first (not timed).

Usage: python -m benchmarks.postgres_bench [--orders N]
           [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import SKUS, write_catalog, write_shopify_orders

LOCATIONS = (("backroom", 10), ("east-3pl", 20))
BENCH_DATABASE = "oms_postgres_bench"


def _oms(db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "oms_cli", "--no-config", "--db", db, "-q", *args]


def _timed(db: str, *args: str) -> float:
    started = time.perf_counter()
    code = subprocess.run(_oms(db, *args), stdout=subprocess.DEVNULL).returncode
    if code not in (0, 3):
        raise SystemExit(f"oms {' '.join(args)} exited {code} on {db}")
    return time.perf_counter() - started


def _write_stock(path: Path, orders: int) -> None:
    """Enough units at the two locations for about four orders in five."""
    per_sku = orders * 2 * 2 // len(SKUS) * 4 // 5
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "location", "quantity", "reference"])
        for sku in SKUS:
            writer.writerow([sku, "backroom", per_sku * 2 // 3, "PO-1"])
            writer.writerow([sku, "east-3pl", per_sku - per_sku * 2 // 3, "PO-1"])


def measure(db: str, folder: Path, orders: int) -> dict[str, float]:
    """Seconds of `oms import` and `oms allocate` on the database ``db``."""
    for code, priority in LOCATIONS:
        subprocess.run(_oms(db, "location", "add", code, "--country", "US",
                            "--priority", str(priority)), check=True)
    subprocess.run(_oms(db, "product", "import", str(folder / "products.csv")), check=True)
    subprocess.run(_oms(db, "stock", "import", str(folder / "stock.csv")), check=True)
    figures = {"import_s": _timed(db, "import", str(folder / "orders.csv"), "-f", "json"),
               "allocate_s": _timed(db, "allocate", "-f", "csv")}
    check = subprocess.run(_oms(db, "db", "check"), capture_output=True, text=True)
    if check.returncode != 0:
        raise SystemExit(f"oms db check failed on {db}: {check.stderr}")
    return figures


def _postgres_admin(server: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect("postgresql://" + server.split("://", 1)[1], autocommit=True)


def run(orders: int, server: str | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="oms-pg-bench-") as scratch:
        folder = Path(scratch)
        rows = write_shopify_orders(folder / "orders.csv", orders)
        write_catalog(folder / "products.csv")
        _write_stock(folder / "stock.csv", orders)
        results: dict[str, object] = {"orders": orders, "rows": rows,
                                      "sqlite": measure(str(folder / "oms.db"), folder, orders)}
        if server is not None:
            base, _ = server.rsplit("/", 1)
            with _postgres_admin(server) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
            try:
                results["postgresql"] = measure(f"{base}/{BENCH_DATABASE}", folder, orders)
            finally:
                with _postgres_admin(server) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    return results


def print_table(results: dict[str, object]) -> None:
    print(f"{results['orders']} Shopify orders ({results['rows']} rows)")
    print(f"{'database':<12}{'import s':>10}{'orders/s':>10}{'allocate s':>12}{'orders/s':>10}")
    for name in ("sqlite", "postgresql"):
        figures = results.get(name)
        if not isinstance(figures, dict):
            continue
        orders = int(str(results["orders"]))
        print(f"{name:<12}{figures['import_s']:>10.1f}{orders / figures['import_s']:>10.0f}"
              f"{figures['allocate_s']:>12.1f}{orders / figures['allocate_s']:>10.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a server to make the benchmark's database on ('' for none)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args()
    results = run(options.orders, options.postgres or None)
    if options.json:
        print(json.dumps(results))
    else:
        print_table(results)


if __name__ == "__main__":
    main()
