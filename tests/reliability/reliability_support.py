"""What the reliability tests share (a plain module, imported by name).

Real `oms` processes, a shop built through the services, and read-backs in plain
SQL that do not trust the code under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from runners import DbLocation, query

from oms_cli.domain.allocation import Policy
from oms_cli.domain.lifecycle import ValidationPolicy
from oms_cli.services.allocation import allocate
from oms_cli.services.catalog import ProductChanges, add_product
from oms_cli.services.database import check, open_database
from oms_cli.services.importing import ImportSettings, import_file
from oms_cli.services.locations import LocationChanges, add_location
from oms_cli.services.stock import receive

# benchmarks/reliability_soak.py raises this to run every randomised test longer.
SCALE = max(1, int(os.environ.get("RELIABILITY_SCALE", "1")))
SKUS = ("W-1", "W-2", "W-3")
ORDERS_HEADER = ("Name,Email,Financial Status,Currency,Subtotal,Total,Created at,"
                 "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,"
                 "Shipping Address1,Shipping City,Shipping Zip,Shipping Country\n")


def oms_command(db: DbLocation, *args: str) -> list[str]:
    return [sys.executable, "-m", "oms_cli", "--no-config", "--db", str(db), "-q", *args]


def start_oms(db: DbLocation, *args: str, busy_timeout: float = 60.0,
              cwd: Path | None = None) -> subprocess.Popen[str]:
    """A real `oms` process, its stdout discarded and its stderr kept."""
    env = {**os.environ, "OMS_DATABASE__BUSY_TIMEOUT": str(busy_timeout)}
    return subprocess.Popen(oms_command(db, *args), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)


def orders_csv(path: Path, first: int, last: int, *, skus: tuple[str, ...] = SKUS) -> Path:
    """A Shopify orders export of orders #first..#last, one or two lines each."""
    rows = []
    for n in range(first, last + 1):
        day = f"2026-11-{1 + n % 20:02d} 10:00:00 +0000"
        head = (f"#{n},c{n}@example.com,paid,USD,10.00,10.00,{day},")
        tail = f",C {n},{n} Main St,Portland,97201,US\n"
        rows.append(f"{head}{1 + n % 2},Widget,5.00,{skus[n % len(skus)]}{tail}")
        if n % 3 == 0:
            rows.append(f"#{n},,,,,,,1,Widget,5.00,{skus[(n + 1) % len(skus)]},,,,,\n")
    path.write_text(ORDERS_HEADER + "".join(rows), encoding="utf-8")
    return path


def build_shop(path: DbLocation, orders: Path | None = None, *, allocated: bool = False,
               units: int = 700) -> DbLocation:
    """Locations a and b (US); each sku with ``units`` at a and 400 at b; then ``orders``
    imported and, if ``allocated``, allocated (all through the services)."""
    db = open_database(str(path), busy_timeout=30).db
    try:
        add_location(db, "a", LocationChanges(priority=1, country="US"))
        add_location(db, "b", LocationChanges(priority=2, country="US"))
        for sku in SKUS:
            add_product(db, sku, ProductChanges(name=sku), currency="USD")
            receive(db, sku, units, "a")
            receive(db, sku, 400, "b")
        if orders is not None:
            import_file(db, str(orders), settings=ImportSettings())
        if allocated:
            allocate(db, policy=Policy(), validation=ValidationPolicy())
    finally:
        db.close()
    return path


def scalar(db: DbLocation, sql: str, *params: object) -> object:
    return query(db, sql, *params)[0][0]


def rows(db: DbLocation, sql: str, *params: object) -> list[tuple[object, ...]]:
    return query(db, sql, *params)


def assert_sound(db: DbLocation) -> None:
    """`oms db check` finds nothing; no order twice, no unit over-reserved or over-filled."""
    opened = open_database(str(db), busy_timeout=30)
    try:
        assert check(opened.db) == []
    finally:
        opened.db.close()
    assert rows(db, "SELECT channel, external_id FROM orders GROUP BY channel, external_id "
                    "HAVING count(*) > 1") == []
    assert rows(db, "SELECT product_id, location_id FROM stock_level "
                    "WHERE reserved + damaged > on_hand OR reserved < 0 OR on_hand < 0") == []
    assert rows(db, "SELECT id FROM order_line WHERE allocated + shipped + cancelled > quantity "
                    "OR allocated < 0 OR returned > shipped") == []
    assert rows(db, "SELECT order_id, line_key FROM order_line GROUP BY order_id, line_key "
                    "HAVING count(*) > 1") == []


def counts(db: Path) -> dict[str, int]:
    """Row counts of every table a command may write."""
    tables = [str(name) for (name,) in rows(
        db, "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {table: int(str(scalar(db, f"SELECT count(*) FROM \"{table}\""))) for table in tables}
