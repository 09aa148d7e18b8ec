"""A few runs of `python -m oms_cli` as a real process: entry point, streams, pipes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from runners import Cli, RunOms, sqlite_only


def test_the_module_runs_as_oms_and_shows_its_help(run_oms: RunOms) -> None:
    result = run_oms("--help", db=None)
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: oms ")
    assert result.stderr == ""


def test_a_receipt_and_a_listing_round_trip(run_oms: RunOms, cli: Cli) -> None:
    cli("location", "add", "main")
    cli("product", "add", "MUG", "--name", "Mug")
    received = run_oms("stock", "receive", "MUG", "4")
    assert (received.returncode, received.stdout) == (0, "")
    assert "received MUG at main" in received.stderr
    shown = run_oms("stock", "show", "-f", "csv")
    assert shown.stdout == ("sku,location,on_hand,reserved,available,damaged,name\n"
                            "MUG,main,4,0,4,0,Mug\n")


def test_an_error_is_one_line_on_stderr_with_exit_1(run_oms: RunOms) -> None:
    result = run_oms("stock", "history", "NOPE")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == ("oms: error: unknown sku 'NOPE': add it with "
                             "`oms product add NOPE --name ...`\n")


def fill(path: Path, products: int) -> None:
    """Many products with stock, written straight into the file (set-up, not under test)."""
    connection = sqlite3.connect(path)
    stamp = "2026-01-01 00:00:00.000000"
    with connection:
        connection.execute("INSERT INTO location (id, code, name, kind, priority, ships_to, "
                           "active, created_at, updated_at) VALUES (1, 'main', 'Main', "
                           "'warehouse', 1, '', 1, ?, ?)", (stamp, stamp))
        connection.executemany(
            "INSERT INTO product (id, sku, name, currency, reorder_point, reorder_qty, "
            "safety_stock, active, created_at, updated_at) VALUES (?, ?, ?, 'USD', 0, 0, 0, 1, "
            "?, ?)",
            [(n, f"SKU-{n:05d}", f"Product number {n} with a longer name", stamp, stamp)
             for n in range(1, products + 1)])
        connection.executemany(
            "INSERT INTO stock_movement (product_id, location_id, quantity, damaged, reason, at)"
            " VALUES (?, 1, ?, 0, 'receive', ?)", [(n, n, stamp) for n in range(1, products + 1)])
        connection.executemany(
            "INSERT INTO stock_level VALUES (?, 1, ?, 0, 0)",
            [(n, n) for n in range(1, products + 1)])
    connection.close()


@sqlite_only("fills the database file directly")
def test_a_reader_closing_the_pipe_early_is_silent(run_oms: RunOms, db_path: Path) -> None:
    fill(db_path, 2500)  # far more than a pipe buffer holds
    for fmt in ("table", "jsonl"):
        result = run_oms("stock", "show", "-f", fmt, shell_tail="| head -1")
        assert result.returncode == 0, fmt
        assert result.stdout.startswith(("sku", "{")), fmt
        assert result.stderr == "", fmt
