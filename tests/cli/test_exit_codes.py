"""Exit codes and error messages: one line, no traceback, the code DESIGN.md names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from runners import Cli, write_lock_held


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("oms: error: ")
    return lines[0]


@pytest.mark.parametrize("args", [
    ("stock", "receive", "NOPE", "1", "-l", "main"),
    ("stock", "receive", "MUG", "1", "-l", "moon"),
    ("stock", "history", "NOPE"),
    ("stock", "show", "-l", "moon"),
    ("product", "show", "NOPE"),
    ("location", "update", "moon", "--priority", "1"),
], ids=" ".join)
def test_an_unknown_sku_or_location_exits_1_with_one_line(shop: Path, cli: Cli,
                                                          args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "unknown" in one_error_line(result.stderr)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("quantity", ["x", "1.5", "-3", "0", "", "ten"])
def test_a_quantity_that_is_not_a_whole_number_above_zero_is_bad_usage(
        shop: Path, cli: Cli, quantity: str) -> None:
    result = cli("stock", "receive", "MUG", quantity, "-l", "main")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize("count", ["-1", "x"])
def test_a_negative_count_is_bad_usage(shop: Path, cli: Cli, count: str) -> None:
    assert cli("stock", "count", "MUG", count, "-l", "main").exit_code == 2


def test_an_unknown_option_is_bad_usage(cli: Cli) -> None:
    assert cli("stock", "show", "--colour").exit_code == 2


def test_a_bad_today_date_is_bad_usage(cli: Cli) -> None:
    result = cli("--today", "someday", "stock", "show")
    assert result.exit_code == 2
    assert "--today" in result.stderr


def test_verbose_adds_the_traceback(shop: Path, cli: Cli) -> None:
    result = cli("-v", "stock", "receive", "NOPE", "1", "-l", "main")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert result.stderr.rstrip().endswith("oms: error: unknown sku 'NOPE': add it with "
                                           "`oms product add NOPE --name ...`")


@pytest.fixture
def locked(db_path: Path) -> Iterator[None]:
    """Another process holding the database's write lock."""
    with write_lock_held(db_path):
        yield


def test_a_busy_database_exits_75_after_the_configured_wait(
        shop: Path, cli: Cli, locked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_DATABASE__BUSY_TIMEOUT", "0.2")
    result = cli("stock", "receive", "MUG", "1", "-l", "main")
    assert result.exit_code == 75
    assert "database busy, retry later" in result.stderr
    assert "Traceback" not in result.stderr


def test_reading_works_while_another_process_writes(shop: Path, cli: Cli, locked: None,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_DATABASE__BUSY_TIMEOUT", "0.2")
    assert cli("location", "list", "-f", "csv").exit_code == 0
