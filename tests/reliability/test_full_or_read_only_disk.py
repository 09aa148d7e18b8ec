"""A full disk or a read-only database: one clear line, exit 1, and the books untouched.

A full disk is simulated with SQLite's ``max_page_count`` (the file may not grow
by one page), a read-only database with ``query_only`` and, for real, with a file
the user may not write (as root, which may write anything, by running oms as nobody).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability_support import build_shop, counts, oms_command, orders_csv
from sqlalchemy import Engine, event

from oms_cli.errors import ExitCode

WRITES: dict[str, Callable[[Path], list[str]]] = {
    "import": lambda folder: ["import", str(orders_csv(folder / "more.csv", 1, 300))],
    "allocate": lambda folder: ["allocate"],
    "receive": lambda folder: ["stock", "receive", "W-1", "5", "-l", "a"],
}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A shop with a hundred imported orders waiting to be allocated."""
    return build_shop(tmp_path / "shop" / "oms.db",
                      orders_csv(tmp_path / "first.csv", 1000, 1100))


def books(db: Path) -> dict[str, int]:
    """Row counts of every table but ``run`` (the log of commands, which may note the failure)."""
    return {table: rows for table, rows in counts(db).items() if table != "run"}


def with_pragma(pragma: Callable[[Any], str]) -> Iterator[None]:
    """Run ``PRAGMA <pragma(connection)>`` on every new SQLite connection while active."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA {pragma(dbapi_connection)}")

    event.listen(Engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(Engine, "connect", on_connect)


@pytest.fixture
def disk_full() -> Iterator[None]:
    """The database file may not grow by a single page."""
    yield from with_pragma(lambda connection: "max_page_count = {}".format(
        connection.execute("PRAGMA page_count").fetchone()[0]))


@pytest.fixture
def read_only() -> Iterator[None]:
    yield from with_pragma(lambda connection: "query_only = ON")


def assert_failed_cleanly(result: Any, message: str) -> None:
    assert result.exit_code == ExitCode.FAILED, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("oms: error: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert all("could not record the run" in line for line in lines[1:]), result.stderr


@pytest.mark.parametrize("command", ["import", "allocate"])
def test_a_full_disk_fails_the_write_in_one_line_and_changes_nothing(
        cli, shop: Path, tmp_path: Path, command: str, disk_full: None) -> None:
    args = WRITES[command](tmp_path)
    before = books(shop)
    result = cli(*args, db=shop)
    assert_failed_cleanly(result, "disk is full")
    assert books(shop) == before


@pytest.mark.parametrize("command", sorted(WRITES))
def test_a_read_only_database_fails_the_write_in_one_line_and_changes_nothing(
        cli, shop: Path, tmp_path: Path, command: str, read_only: None) -> None:
    args = WRITES[command](tmp_path)
    before = books(shop)
    result = cli(*args, db=shop)
    assert_failed_cleanly(result, "read-only")
    assert books(shop) == before


def make_read_only(paths: list[Path]) -> Callable[[], object]:
    """Make ``paths`` unwritable for this user (immutable for root, who ignores modes);
    returns what undoes it."""
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        return functools.partial(_writable_folders, paths)
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", *map(str, paths)],
                                        capture_output=True).returncode != 0:
        pytest.skip("root may write any file, and chattr +i is not available here")
    return lambda: subprocess.run([chattr, "-i", *map(str, paths)], check=True)


def _writable_folders(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir():
            path.chmod(0o755)


def test_a_database_file_this_user_may_not_write_fails_every_write_cleanly(
        shop: Path, tmp_path: Path) -> None:
    folder = Path(shutil.copytree(shop.parent, tmp_path / "locked"))
    db = folder / "oms.db"
    orders = orders_csv(tmp_path / "more.csv", 1, 50)
    before = books(db)
    undo = make_read_only([*folder.iterdir(), folder])
    try:
        for args in (["import", str(orders)], ["stock", "receive", "W-1", "5", "-l", "a"]):
            done = subprocess.run(oms_command(db, *args), capture_output=True, text=True,
                                  timeout=60)
            assert done.returncode == ExitCode.FAILED, done.stderr
            assert "Traceback" not in done.stderr and "internal error" not in done.stderr
            assert len(done.stderr.strip().splitlines()) == 1, done.stderr
            assert "read-only" in done.stderr or "cannot open" in done.stderr, done.stderr
    finally:
        undo()
    assert books(db) == before
