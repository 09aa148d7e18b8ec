"""kill -9 a real `oms import`, `oms allocate` and `oms ship` part way: nothing half-written.

Each command runs as a real process on a shop big enough to keep it busy, and is
killed with SIGKILL at a crash point: the moment it is seen holding the write lock,
or after a (seeded) random delay. Afterwards `oms db check` passes, the command's
work is either all there or not there at all, and running the same command again
completes it: the books end exactly as an uninterrupted run leaves them, with no
order, reservation or shipment twice.
"""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_support import SCALE, assert_sound, build_shop, orders_csv, rows, start_oms

from oms_cli.services.database import open_database
from oms_cli.services.fulfillment import ship_from_file
from oms_cli.services.importing import ImportSettings, import_file

ORDERS = 1000
SHIP_ROWS = 120  # `oms ship --from-csv` takes ~10 ms a row: enough to be caught part way
SEED = 20261126

Signature = Callable[[Path], object]


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Files and databases the crash tests start from (built once, copied per test)."""
    folder = tmp_path_factory.mktemp("crash")
    orders = orders_csv(folder / "orders.csv", 1, ORDERS)
    imported = build_shop(folder / "imported.db", orders)
    allocated = build_shop(folder / "allocated.db", orders, allocated=True)
    ship_file = folder / "ship.csv"
    lines = rows(allocated, "SELECT o.external_id, l.sku, l.allocated FROM order_line l "
                           "JOIN orders o ON o.id = l.order_id WHERE l.allocated > 0 "
                           "ORDER BY l.id LIMIT ?", SHIP_ROWS)
    ship_file.write_text("order,sku,quantity,carrier,tracking\n" + "".join(
        f"shopify:{order},{sku},{units},UPS,1Z{index:06d}\n"
        for index, (order, sku, units) in enumerate(lines)), encoding="utf-8")
    return {"shop": build_shop(folder / "shop.db"), "orders": orders,
            "imported": imported, "allocated": allocated, "ship_file": ship_file}


def orders_signature(db: Path) -> object:
    return rows(db, "SELECT o.channel, o.external_id, o.status, o.total, "
                    "count(l.id), sum(l.quantity) FROM orders o JOIN order_line l "
                    "ON l.order_id = o.id GROUP BY o.id ORDER BY o.channel, o.external_id")


def allocation_signature(db: Path) -> object:
    return (rows(db, "SELECT l.order_id, l.line_key, l.allocated FROM order_line l "
                     "ORDER BY l.order_id, l.line_key"),
            rows(db, "SELECT a.order_line_id, a.location_id, a.quantity, a.status "
                     "FROM allocation a ORDER BY 1, 2, 3, 4"),
            rows(db, "SELECT product_id, location_id, on_hand, reserved FROM stock_level "
                     "ORDER BY 1, 2"))


def shipping_signature(db: Path) -> object:
    return (rows(db, "SELECT order_id, line_key, allocated, shipped FROM order_line "
                     "ORDER BY 1, 2"),
            rows(db, "SELECT tracking, count(*) FROM shipment GROUP BY tracking "
                     "HAVING count(*) > 1"),
            rows(db, "SELECT sum(quantity) FROM shipment_line"),
            rows(db, "SELECT product_id, location_id, on_hand, reserved FROM stock_level "
                     "ORDER BY 1, 2"))


COMMANDS: dict[str, tuple[str, Callable[[dict[str, Path]], list[str]], Signature]] = {
    "import": ("shop", lambda stage: ["import", str(stage["orders"])], orders_signature),
    "allocate": ("imported", lambda stage: ["allocate"], allocation_signature),
    "ship": ("allocated", lambda stage: ["ship", "--from-csv", str(stage["ship_file"])],
             shipping_signature),
}


def holds_write_lock(db: Path) -> bool:
    """Whether another connection holds the write lock (BEGIN IMMEDIATE would wait)."""
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def kill_at(db: Path, args: list[str], point: str, delay: float) -> int | None:
    """Run ``oms ARGS``, SIGKILL it at ``point``; its exit status (None: it finished first)."""
    process = start_oms(db, *args)
    deadline = time.monotonic() + 60
    time.sleep(delay)
    while point == "holding the write lock" and not holds_write_lock(db):
        if process.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.002)
    finished = process.poll() is not None
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    return None if finished else process.returncode


def rerun(db: Path, args: list[str]) -> None:
    process = start_oms(db, *args)
    _, err = process.communicate(timeout=120)
    assert process.returncode in (0, 3), err


@pytest.fixture(scope="module")
def references(stage: dict[str, Path], tmp_path_factory: pytest.TempPathFactory,
               ) -> dict[str, object]:
    """What each command leaves when nothing interrupts it (run through the services)."""
    folder = tmp_path_factory.mktemp("reference")
    imported = shutil.copyfile(stage["shop"], folder / "imported.db")
    shipped = shutil.copyfile(stage["allocated"], folder / "shipped.db")
    db = open_database(str(imported), busy_timeout=30).db
    try:
        import_file(db, str(stage["orders"]), settings=ImportSettings())
    finally:
        db.close()
    db = open_database(str(shipped), busy_timeout=30).db
    try:
        ship_from_file(db, stage["ship_file"])
    finally:
        db.close()
    return {"import": orders_signature(imported), "ship": shipping_signature(shipped),
            "allocate": allocation_signature(stage["allocated"])}


def crash_points() -> list[tuple[str, str, float]]:
    """Per command: the moment it holds the write lock, and seeded random moments."""
    rnd = random.Random(SEED)
    return [(command, point, delay) for command in sorted(COMMANDS)
            for point, delay in (("holding the write lock", 0.0),
                                 *(("a random moment", round(rnd.uniform(0.3, 1.2), 2))
                                   for _ in range(SCALE)))]


@pytest.mark.parametrize(("command", "point", "delay"), crash_points())
def test_a_command_killed_part_way_leaves_sound_books_and_completes_when_run_again(
        stage: dict[str, Path], references: dict[str, object], tmp_path: Path, command: str,
        point: str, delay: float) -> None:
    start, args, signature = COMMANDS[command]
    db = shutil.copyfile(stage[start], tmp_path / "oms.db")
    before = signature(db)
    status = kill_at(db, args(stage), point, delay)
    if point == "holding the write lock":
        assert status == -signal.SIGKILL  # killed mid-transaction, not after it finished

    assert_sound(db)
    assert signature(db) in (before, references[command])  # all of it, or none of it
    assert rows(db, "SELECT id FROM import_run WHERE status != 'done'") == []
    assert not list(tmp_path.glob("*.partial"))

    rerun(db, args(stage))
    assert_sound(db)
    assert signature(db) == references[command]

