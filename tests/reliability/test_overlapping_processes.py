"""Real `oms` processes overlapping on one database: each finishes or says "busy, retry".

They run on SQLite, and on PostgreSQL too when OMS_TEST_POSTGRES_URL is set.

Several imports of the same file with several allocations, and `oms sync` while
orders are shipped by hand, all at once. No order is stored twice, no unit is
reserved or shipped twice, and every process either finishes or exits 75 with
the busy message, within the configured timeout.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_support import (
    assert_sound,
    build_shop,
    oms_command,
    orders_csv,
    rows,
    scalar,
    start_oms,
)
from runners import DbLocation, write_lock_held

from oms_cli.errors import ExitCode
from oms_cli.store.database import BUSY_MESSAGE

ORDERS = 300


def finish_all(processes: list[subprocess.Popen[str]], timeout: float,
               ) -> list[tuple[int, str]]:
    """Wait for every process; their (exit code, stderr). Fails when one outlives ``timeout``."""
    deadline = time.monotonic() + timeout
    results = []
    for process in processes:
        _, err = process.communicate(timeout=max(0.1, deadline - time.monotonic()))
        results.append((process.returncode, err))
    return results


def assert_finished_or_busy(results: list[tuple[int, str]], *,
                            also: str | None = None) -> None:
    """Each finished, or exited 75 with the one-line busy message (or ``also``: a
    pattern for another one-line "retry later" a command may give)."""
    for code, err in results:
        assert code in (ExitCode.OK, ExitCode.ATTENTION, ExitCode.BUSY), err
        if code == ExitCode.BUSY:
            lines = err.strip().splitlines()
            assert len(lines) == 1, err
            assert lines[0] == f"oms: error: {BUSY_MESSAGE}" or (
                also is not None and re.fullmatch(also, lines[0])), err
        assert "Traceback" not in err


def test_imports_of_one_file_and_allocations_at_once_store_and_reserve_everything_once(
        tmp_path: Path, db_path: DbLocation) -> None:
    orders = orders_csv(tmp_path / "orders.csv", 1, ORDERS)
    db = build_shop(db_path, units=150)
    racers = [start_oms(db, *args, busy_timeout=30)
              for args in (["import", str(orders)], ["allocate"]) * 2]
    assert_finished_or_busy(finish_all(racers, timeout=90))

    assert_sound(db)
    assert scalar(db, "SELECT count(*) FROM orders") == ORDERS
    assert scalar(db, "SELECT sum(created) FROM import_run") == ORDERS
    # Whatever the interleaving, one more allocation reserves every unit ordered (stock
    # covers them all), and not one more.
    subprocess.run(oms_command(db, "allocate"), check=True, capture_output=True)
    assert_sound(db)
    assert scalar(db, "SELECT sum(reserved) FROM stock_level") == scalar(
        db, "SELECT sum(quantity) FROM order_line")


def test_sync_while_orders_are_shipped_by_hand_ships_each_unit_once(
        tmp_path: Path, db_path: DbLocation) -> None:
    first = orders_csv(tmp_path / "first.csv", 1, 60)
    db = build_shop(db_path, first, allocated=True)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    orders_csv(inbox / "a-more.csv", 61, 260)
    orders_csv(inbox / "b-again.csv", 200, 300)
    env = {"OMS_INBOX__PATH": str(inbox)}
    syncs = [_start_with(db, env, "sync") for _ in range(2)]
    shippers = [start_oms(db, "ship", f"shopify:#{n % 20 + 1}", "--tracking", f"T{n}",
                          busy_timeout=30) for n in range(3)]
    results = finish_all(syncs + shippers, timeout=90)
    sync_results, ship_results = results[:2], results[2:]
    # the second sync may find the first one's inbox lock rather than the database's
    assert_finished_or_busy(sync_results, also=r"oms: error: another `oms sync` is running "
                                               r"\(lock .*\); retry later")
    for code, err in ship_results:  # a second hand on the same order finds nothing to ship
        assert code in (ExitCode.OK, ExitCode.FAILED, ExitCode.BUSY), err
        assert "Traceback" not in err and len(err.strip().splitlines()) <= 1, err

    assert_sound(db)
    assert scalar(db, "SELECT count(*) FROM orders") == 300
    assert sorted(path.name for path in (inbox / "archive").iterdir()) == ["a-more.csv",
                                                                           "b-again.csv"]
    assert rows(db, "SELECT order_line_id FROM shipment_line GROUP BY order_line_id "
                    "HAVING sum(quantity) > (SELECT quantity FROM order_line "
                    "WHERE id = order_line_id)") == []


def _start_with(db: DbLocation, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(oms_command(db, *args), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "OMS_DATABASE__BUSY_TIMEOUT": "30", **env})


@pytest.fixture
def held_lock(tmp_path: Path, db_path: DbLocation) -> Iterator[DbLocation]:
    """A shop with allocated orders whose write lock another connection holds."""
    db = build_shop(db_path, orders_csv(tmp_path / "orders.csv", 1, 20),
                    allocated=True)
    with write_lock_held(db):
        yield db


def test_every_writer_gives_up_with_75_and_one_line_within_its_timeout(
        held_lock: DbLocation, tmp_path: Path) -> None:
    db = held_lock
    before = rows(db, "SELECT count(*), max(id) FROM orders")
    more = orders_csv(tmp_path / "more.csv", 21, 40)
    started = time.monotonic()
    waiting = [start_oms(db, *args, busy_timeout=1.0)
               for args in (["import", str(more)], ["allocate"], ["ship", "shopify:#2"])]
    results = finish_all(waiting, timeout=30)
    assert time.monotonic() - started < 20
    for code, err in results:
        assert code == ExitCode.BUSY, err
        assert err.strip().splitlines() == [f"oms: error: {BUSY_MESSAGE}"], err
    assert rows(db, "SELECT count(*), max(id) FROM orders") == before
