"""`oms stock ...`: every change through the ledger, levels now and at a past date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from runners import Cli, DbLocation, query


def show(cli: Cli, *args: str) -> list[str]:
    result = cli("stock", "show", *args, "-f", "csv", "--no-headers")
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def sql(path: DbLocation, statement: str) -> list[tuple[object, ...]]:
    return query(path, statement)


class TestChangingStock:
    def test_receive_says_what_changed_on_stderr_and_prints_no_data(self, shop: Path,
                                                                     cli: Cli) -> None:
        result = cli("stock", "receive", "MUG", "5", "-l", "main", "--ref", "PO-1")
        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == "received MUG at main: on hand 0 -> 5, available 5\n"
        assert show(cli) == ["MUG,main,5,0,5,0,Stoneware Mug"]

    def test_quiet_leaves_the_messages_out(self, shop: Path, cli: Cli) -> None:
        result = cli("-q", "stock", "receive", "MUG", "5", "-l", "main")
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")

    def test_adjust_takes_a_signed_amount_and_a_reason(self, shop: Path, cli: Cli) -> None:
        cli("stock", "receive", "MUG", "5", "-l", "main")
        down = cli("stock", "adjust", "MUG", "--by", "-2", "--reason", "broke", "-l", "main")
        up = cli("stock", "adjust", "MUG", "--by", "+1", "-r", "found", "-l", "main")
        assert (down.exit_code, up.exit_code) == (0, 0)
        assert show(cli) == ["MUG,main,4,0,4,0,Stoneware Mug"]

    def test_adjust_without_a_reason_is_bad_usage(self, shop: Path, cli: Cli) -> None:
        result = cli("stock", "adjust", "MUG", "--by", "1", "-l", "main")
        assert result.exit_code == 2
        assert "--reason" in result.stderr

    def test_removing_more_than_there_is_fails_and_changes_nothing(self, shop: Path,
                                                                   cli: Cli) -> None:
        cli("stock", "receive", "MUG", "2", "-l", "main")
        result = cli("stock", "adjust", "MUG", "--by", "-3", "-r", "lost", "-l", "main")
        assert result.exit_code == 1
        assert result.stderr == "oms: error: MUG at main: only 2 on hand, cannot remove 3\n"
        assert show(cli) == ["MUG,main,2,0,2,0,Stoneware Mug"]

    def test_count_sets_on_hand(self, shop: Path, cli: Cli) -> None:
        cli("stock", "receive", "MUG", "9", "-l", "main")
        result = cli("stock", "count", "MUG", "0", "-l", "main")
        assert result.exit_code == 0
        assert show(cli) == ["MUG,main,0,0,0,0,Stoneware Mug"]

    def test_damage_keeps_units_on_hand_but_not_available(self, shop: Path, cli: Cli) -> None:
        cli("stock", "receive", "TEA", "5", "-l", "main")
        assert cli("stock", "damage", "TEA", "2", "-l", "main").exit_code == 0
        assert show(cli) == ["TEA,main,5,0,3,2,Earl Grey"]

    def test_transfer_moves_units_between_locations(self, shop: Path, cli: Cli) -> None:
        cli("stock", "receive", "MUG", "5", "-l", "main")
        result = cli("stock", "transfer", "MUG", "2", "--from", "main", "--to", "annex")
        assert result.exit_code == 0
        assert result.stderr == "moved 2 MUG: main 5 -> 3, annex 0 -> 2\n"
        assert show(cli) == ["MUG,annex,2,0,2,0,Stoneware Mug", "MUG,main,3,0,3,0,Stoneware Mug"]

    def test_a_bundle_cannot_be_received(self, shop: Path, cli: Cli) -> None:
        result = cli("stock", "receive", "KIT", "1", "-l", "main")
        assert result.exit_code == 1
        assert "KIT is a bundle" in result.stderr

    def test_the_location_is_needed_when_there_are_several(self, shop: Path, cli: Cli) -> None:
        result = cli("stock", "receive", "MUG", "1")
        assert result.exit_code == 1
        assert "say which with -l/--location (annex, main)" in result.stderr

    def test_the_location_may_be_left_out_when_there_is_one(self, cli: Cli) -> None:
        cli("location", "add", "main")
        cli("product", "add", "MUG", "--name", "Mug")
        assert cli("stock", "receive", "MUG", "1").exit_code == 0

    def test_dry_run_stores_nothing_and_records_no_run(self, shop: Path, cli: Cli) -> None:
        result = cli("stock", "receive", "MUG", "5", "-l", "main", "--dry-run")
        assert result.exit_code == 0
        assert result.stderr.startswith("dry run, nothing stored: received MUG")
        assert show(cli) == []
        assert sql(shop, "SELECT count(*) FROM run") == [(0,)]

    def test_every_writing_command_is_recorded_with_its_outcome(self, shop: Path,
                                                                cli: Cli) -> None:
        cli("stock", "receive", "MUG", "5", "-l", "main")
        cli("stock", "receive", "MUG", "5", "-l", "moon")
        runs = sql(shop, "SELECT command, arguments, exit_code FROM run ORDER BY id")
        assert [(command, code) for command, _, code in runs] == [
            ("stock receive", 0), ("stock receive", 1)]
        arguments = runs[1][1]  # JSON text on SQLite, the decoded list on PostgreSQL
        assert "moon" in (json.loads(arguments) if isinstance(arguments, str) else arguments)
        assert sql(shop, "SELECT count(*) FROM stock_movement WHERE run_id IS NOT NULL") == [(1,)]


class TestImportingStock:
    def test_import_applies_the_file_and_says_so(self, shop: Path, cli: Cli,
                                                 tmp_path: Path) -> None:
        path = tmp_path / "delivery.csv"
        path.write_text("sku,location,quantity\nMUG,main,5\nTEA,annex,2\n", encoding="utf-8")
        result = cli("stock", "import", str(path))
        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == f"{path}: 2 rows, 7 units received, 0 counts\n"

    def test_a_bad_row_fails_naming_file_and_line_and_nothing_is_applied(
            self, shop: Path, cli: Cli, tmp_path: Path) -> None:
        path = tmp_path / "delivery.csv"
        path.write_text("sku,location,quantity\nMUG,main,5\nTEA,main,5\nMUG,annex,2\n"
                        "TEA,main,-1\n", encoding="utf-8")
        result = cli("stock", "import", str(path))
        assert result.exit_code == 1
        assert result.stderr.startswith(f"oms: error: {path}:5: quantity")
        assert show(cli) == []

    def test_a_missing_file_exits_66(self, shop: Path, cli: Cli) -> None:
        result = cli("stock", "import", "nowhere.csv")
        assert result.exit_code == 66
        assert result.stderr == "oms: error: nowhere.csv: no such file\n"

    def test_a_file_that_is_not_utf8_exits_65_naming_the_line(self, shop: Path, cli: Cli,
                                                              tmp_path: Path) -> None:
        path = tmp_path / "latin1.csv"
        path.write_bytes(b"sku,location,quantity\nMUG,main,5\nTH\xc9,main,1\n")
        result = cli("stock", "import", str(path))
        assert result.exit_code == 65
        assert f"{path}:3: not UTF-8" in result.stderr

    def test_a_binary_file_exits_65(self, shop: Path, cli: Cli, tmp_path: Path) -> None:
        path = tmp_path / "stock.csv"
        path.write_bytes(b"sku\x00location\x00\x01\x02\x03")
        assert cli("stock", "import", str(path)).exit_code == 65

    def test_dry_run_import_stores_nothing(self, shop: Path, cli: Cli, tmp_path: Path) -> None:
        path = tmp_path / "delivery.csv"
        path.write_text("sku,location,quantity\nMUG,main,5\n", encoding="utf-8")
        result = cli("stock", "import", str(path), "--dry-run")
        assert result.exit_code == 0
        assert show(cli) == []


class TestShowingStock:
    def test_show_can_be_narrowed_to_a_sku_and_a_location(self, shop: Path, cli: Cli) -> None:
        cli("stock", "receive", "MUG", "5", "-l", "main")
        cli("stock", "receive", "MUG", "1", "-l", "annex")
        cli("stock", "receive", "TEA", "2", "-l", "main")
        assert show(cli, "MUG", "-l", "main") == ["MUG,main,5,0,5,0,Stoneware Mug"]
        assert show(cli, "-l", "main") == ["MUG,main,5,0,5,0,Stoneware Mug",
                                           "TEA,main,2,0,2,0,Earl Grey"]

    def test_show_of_an_unknown_sku_fails_rather_than_printing_nothing(self, shop: Path,
                                                                       cli: Cli) -> None:
        result = cli("stock", "show", "NOPE")
        assert result.exit_code == 1
        assert result.stdout == ""

    def test_low_lists_skus_at_or_below_their_reorder_point(self, shop: Path, cli: Cli) -> None:
        cli("stock", "receive", "MUG", "5", "-l", "main")
        cli("stock", "receive", "TEA", "5", "-l", "main")
        result = cli("stock", "show", "--low", "-f", "csv")
        assert result.stdout.splitlines() == [
            "sku,location,on_hand,reserved,available,reorder_point,reorder_qty,name",
            "MUG,all,5,0,5,5,0,Stoneware Mug"]

    def test_low_with_a_date_is_refused(self, shop: Path, cli: Cli) -> None:
        result = cli("stock", "show", "--low", "--at", "2026-01-01")
        assert result.exit_code == 1
        assert "--low lists every low sku now" in result.stderr

    def test_at_answers_from_the_ledger_as_of_the_end_of_that_day(self, shop: Path,
                                                                   cli: Cli) -> None:
        cli("stock", "receive", "MUG", "5", "-l", "main")
        sql(shop, "UPDATE stock_movement SET at = '2026-01-10 15:00:00.000000'")
        cli("stock", "adjust", "MUG", "--by", "-2", "-r", "sold", "-l", "main")
        sql(shop, "UPDATE stock_movement SET at = '2026-01-20 09:00:00.000000' WHERE id = 2")
        cli("stock", "receive", "TEA", "1", "-l", "main")
        assert show(cli, "--at", "2026-01-09") == []
        assert show(cli, "--at", "2026-01-10") == ["MUG,main,5,0,5,0,Stoneware Mug"]
        assert show(cli, "--at", "2026-01-20") == ["MUG,main,3,0,3,0,Stoneware Mug"]
        assert show(cli, "--at", "2026-01-20", "MUG") == ["MUG,main,3,0,3,0,Stoneware Mug"]

    def test_at_takes_the_day_in_the_configured_timezone(self, shop: Path, cli: Cli,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
        cli("stock", "receive", "MUG", "5", "-l", "main")
        # 02:00 UTC on 11 January is still 10 January in New York.
        sql(shop, "UPDATE stock_movement SET at = '2026-01-11 02:00:00.000000'")
        assert show(cli, "--at", "2026-01-10") == []
        monkeypatch.setenv("OMS_TIMEZONE", "America/New_York")
        assert show(cli, "--at", "2026-01-10") == ["MUG,main,5,0,5,0,Stoneware Mug"]

    def test_at_with_something_that_is_not_a_date_fails(self, shop: Path, cli: Cli) -> None:
        result = cli("stock", "show", "--at", "last tuesday")
        assert result.exit_code == 1
        assert "is not a date (YYYY-MM-DD)" in result.stderr

    def test_history_shows_the_ledger_with_a_running_balance(self, shop: Path,
                                                             cli: Cli) -> None:
        cli("stock", "receive", "MUG", "5", "-l", "main", "--ref", "PO-1")
        cli("stock", "adjust", "MUG", "--by", "-2", "-r", "broke", "-l", "main")
        result = cli("stock", "history", "MUG", "-f", "csv")
        lines = result.stdout.splitlines()
        assert lines[0] == "at,location,reason,quantity,damaged,on_hand,reference,note"
        assert [line.split(",", 1)[1] for line in lines[1:]] == [
            "main,receive,5,0,5,PO-1,", "main,adjust,-2,0,3,,broke"]

    def test_history_can_show_only_the_last_movements(self, shop: Path, cli: Cli) -> None:
        for _ in range(3):
            cli("stock", "receive", "MUG", "1", "-l", "main")
        result = cli("stock", "history", "MUG", "-n", "1", "-f", "csv", "--no-headers")
        assert [line.split(",")[5] for line in result.stdout.splitlines()] == ["3"]
