"""Several real `oms allocate` processes at once never reserve the same unit twice
(on SQLite, and on PostgreSQL when the suite runs there)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from runners import DbLocation
from sqlalchemy import func, select

from oms_cli.services.database import check, open_database
from oms_cli.store.tables import Allocation, OrderLine, StockLevel

PROCESSES = 4


def _orders_csv(path: Path, orders: int) -> Path:
    header = ("Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Lineitem quantity,"
              "Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Address1,"
              "Shipping City,Shipping Zip,Shipping Country\n")
    rows = [f"#{n},c{n}@example.com,paid,USD,10.00,10.00,2026-11-{1 + n % 20:02d} 10:00:00 +0000,"
            f"{1 + n % 3},Widget,10.00,{'W-1' if n % 2 else 'W-2'},C {n},{n} Main St,Portland,"
            f"97201,US\n" for n in range(1, orders + 1)]
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


def _oms(db: DbLocation, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "oms_cli", "--no-config", "--db", str(db),
                             "-q", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "OMS_DATABASE__BUSY_TIMEOUT": "60"})


def _run(db: DbLocation, *args: str) -> None:
    process = _oms(db, *args)
    _, err = process.communicate(timeout=120)
    assert process.returncode in (0, 3), err


def test_overlapping_allocations_reserve_each_unit_once(db_path: DbLocation,
                                                       tmp_path: Path) -> None:
    db = db_path
    _run(db, "location", "add", "a", "--country", "US", "--priority", "1")
    _run(db, "location", "add", "b", "--country", "US", "--priority", "2")
    for sku in ("W-1", "W-2"):
        _run(db, "product", "add", sku, "--name", sku)
        _run(db, "stock", "receive", sku, "25", "-l", "a")
        _run(db, "stock", "receive", sku, "15", "-l", "b")
    _run(db, "import", str(_orders_csv(tmp_path / "orders.csv", 60)))

    racers = [_oms(db, "allocate") for _ in range(PROCESSES)]
    errors = [racer.communicate(timeout=120)[1] for racer in racers]
    assert [racer.returncode for racer in racers] == [0] * PROCESSES, errors

    opened = open_database(str(db), busy_timeout=5)
    try:
        assert check(opened.db) == []
        with opened.db.read() as session:
            over = session.execute(select(StockLevel).where(
                StockLevel.reserved + StockLevel.damaged > StockLevel.on_hand)).all()
            assert over == []
            reserved = session.execute(select(func.sum(StockLevel.reserved))).scalar_one()
            assert reserved == 80  # every unit there is, and not one more
            open_units = session.execute(select(func.sum(Allocation.quantity))
                                         .where(Allocation.status == "open")).scalar_one()
            assert open_units == reserved
            overfilled = session.execute(select(OrderLine.id).where(
                OrderLine.allocated > OrderLine.quantity)).all()
            assert overfilled == []
    finally:
        opened.db.close()
