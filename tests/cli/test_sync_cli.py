"""`oms sync` from cron: import the inbox in name order, file every file away, allocate,
stay quiet unless something needs a look, and never run twice at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from runners import Cli

from oms_cli.services.sync import inbox_lock

ORDERS = ("Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,"
          "Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Address1,"
          "Shipping City,Shipping Zip,Shipping Country\n")


def _order(number: int, sku: str = "MUG", quantity: int = 1) -> str:
    return (f"#{number},c{number}@example.com,paid,USD,10.00,2026-11-20 10:00:00 +0000,"
            f"{quantity},Mug,10.00,{sku},C {number},{number} Main St,Portland,97201,US\n")


@pytest.fixture
def inbox(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    monkeypatch.setenv("OMS_INBOX__PATH", str(folder))
    for args in (("location", "add", "main", "--country", "US"),
                 ("product", "add", "MUG", "--name", "Mug"),
                 ("stock", "receive", "MUG", "5", "-l", "main")):
        assert cli(*args).exit_code == 0
    return folder


def test_sync_imports_in_name_order_archives_and_allocates_quietly(cli: Cli,
                                                                    inbox: Path) -> None:
    (inbox / "b.csv").write_text(ORDERS + _order(1002), encoding="utf-8")
    (inbox / "a.csv").write_text(ORDERS + _order(1001), encoding="utf-8")
    result = cli("sync")
    assert result.exit_code == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert sorted(p.name for p in (inbox / "archive").iterdir()) == ["a.csv", "b.csv"]
    assert [p.name for p in inbox.iterdir() if p.is_file()] == [".oms-sync.lock"]
    history = cli("import", "history", "-f", "csv").stdout.splitlines()[1:]
    assert [line.split(",")[2].endswith("a.csv") for line in reversed(history)] == [True, False]
    statuses = cli("order", "list", "-f", "csv").stdout
    assert statuses.count("allocated") == 2


def test_a_file_that_is_no_export_goes_to_failed_with_its_reason_and_exit_3(
        cli: Cli, inbox: Path) -> None:
    (inbox / "junk.csv").write_text("hello,world\n1,2\n", encoding="utf-8")
    (inbox / "orders.csv").write_text(ORDERS + _order(1001), encoding="utf-8")
    result = cli("sync")
    assert result.exit_code == 3
    assert "junk.csv: failed" in result.stderr
    assert (inbox / "failed" / "junk.csv").exists()
    assert "not an export" in (inbox / "failed" / "junk.csv.errors.txt").read_text()
    assert (inbox / "archive" / "orders.csv").exists()


def test_rejected_records_are_reported_and_the_file_still_archived(cli: Cli,
                                                                   inbox: Path) -> None:
    (inbox / "orders.csv").write_text(ORDERS + _order(1001) + _order(1002, quantity=0)
                                      .replace(",0,Mug", ",zero,Mug"), encoding="utf-8")
    result = cli("sync")
    assert result.exit_code == 3
    assert "1 rejected" in result.stderr and "oms import errors" in result.stderr
    assert (inbox / "archive" / "orders.csv").exists()


def test_a_file_arriving_again_under_the_same_name_is_archived_beside_the_first(
        cli: Cli, inbox: Path) -> None:
    (inbox / "orders.csv").write_text(ORDERS + _order(1001), encoding="utf-8")
    assert cli("sync").exit_code == 0
    (inbox / "orders.csv").write_text(ORDERS + _order(1002), encoding="utf-8")
    assert cli("sync").exit_code == 0
    archived = sorted(p.name for p in (inbox / "archive").iterdir())
    assert len(archived) == 2 and "orders.csv" in archived


def test_a_second_sync_while_one_runs_exits_75(cli: Cli, inbox: Path) -> None:
    (inbox / "orders.csv").write_text(ORDERS + _order(1001), encoding="utf-8")
    with inbox_lock(inbox):
        result = cli("sync")
    assert result.exit_code == 75
    assert "another `oms sync` is running" in result.stderr
    assert (inbox / "orders.csv").exists()  # left for the next run


def test_sync_without_an_inbox_is_a_configuration_error(cli: Cli,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMS_INBOX__PATH", raising=False)
    result = cli("sync")
    assert result.exit_code == 78
    assert "inbox.path" in result.stderr


def test_sync_fills_backorders_when_stock_has_arrived(cli: Cli, inbox: Path) -> None:
    (inbox / "orders.csv").write_text(ORDERS + _order(1001, quantity=8), encoding="utf-8")
    assert cli("sync").exit_code == 0
    assert "partially_allocated" in cli("order", "list", "-f", "csv").stdout
    assert cli("stock", "receive", "MUG", "3", "-l", "main").exit_code == 0
    assert cli("sync").exit_code == 0
    assert ",allocated," in cli("order", "list", "-f", "csv").stdout
