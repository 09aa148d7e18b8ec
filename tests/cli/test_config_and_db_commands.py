"""`oms config path|show|check` and `oms db path|check|backup|upgrade`."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml
from runners import Cli, query, sqlite_only


def write_config(folder: Path, text: str, name: str = "oms.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


class TestConfigCommands:
    def test_path_without_a_file_says_where_one_would_be_read(self, cli: Cli,
                                                             home: Path) -> None:
        result = cli("config", "path", db=None, config=True)
        assert result.exit_code == 0
        assert result.stdout == f"{home / '.config' / 'oms' / 'config.yaml'}\n"
        assert "no config file" in result.stderr

    def test_path_finds_oms_yaml_in_the_current_folder(self, cli: Cli,
                                                      isolated_user: Path) -> None:
        write_config(isolated_user, "currency: EUR\n")
        result = cli("config", "path", db=None, config=True)
        assert result.stdout.strip() in ("oms.yaml", str(isolated_user / "oms.yaml"))

    def test_show_prints_the_effective_config_as_yaml(self, cli: Cli,
                                                     isolated_user: Path) -> None:
        write_config(isolated_user, "currency: EUR\ntimezone: Europe/London\n")
        result = cli("config", "show", db=None, config=True)
        assert result.exit_code == 0
        shown = yaml.safe_load(result.stdout)
        assert (shown["currency"], shown["timezone"]) == ("EUR", "Europe/London")

    def test_the_environment_overrides_the_file(self, cli: Cli, isolated_user: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
        write_config(isolated_user, "currency: EUR\n")
        monkeypatch.setenv("OMS_CURRENCY", "GBP")
        result = cli("config", "show", db=None, config=True)
        assert yaml.safe_load(result.stdout)["currency"] == "GBP"

    def test_check_of_a_good_config_says_so_on_stderr(self, cli: Cli,
                                                      isolated_user: Path) -> None:
        write_config(isolated_user, "currency: EUR\n")
        result = cli("config", "check", db=None, config=True)
        assert (result.exit_code, result.stdout) == (0, "")
        assert "config ok" in result.stderr

    def test_a_bad_config_exits_78_listing_every_problem(self, cli: Cli,
                                                         isolated_user: Path) -> None:
        write_config(isolated_user, "timezone: Mars/Base\ncurrency: dollars\n"
                                    "allocation:\n  rules: [fastest]\n")
        result = cli("config", "check", db=None, config=True)
        assert result.exit_code == 78
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        for key in ("timezone", "currency", "allocation.rules[0]"):
            assert f"oms.yaml: {key}: " in result.stderr

    def test_every_command_refuses_a_bad_config_with_78(self, cli: Cli,
                                                        isolated_user: Path) -> None:
        write_config(isolated_user, "currency: dollars\n")
        assert cli("stock", "show", config=True).exit_code == 78

    def test_a_missing_config_named_by_option_is_78(self, cli: Cli) -> None:
        result = cli("--config", "nowhere.yaml", "config", "check", db=None, config=True)
        assert result.exit_code == 78
        assert "nowhere.yaml: no such config file" in result.stderr

    def test_no_config_ignores_the_files(self, cli: Cli, isolated_user: Path) -> None:
        write_config(isolated_user, "currency: dollars\n")
        assert cli("config", "check", db=None).exit_code == 0


class TestDbCommands:
    def test_path_prints_the_database_location(self, cli: Cli, db_path: Path) -> None:
        result = cli("db", "path")
        assert (result.exit_code, result.stdout) == (0, f"{db_path}\n")

    def test_path_defaults_to_the_user_data_folder_and_creates_nothing(
            self, cli: Cli, home: Path) -> None:
        expected = home / ".local" / "share" / "oms" / "oms.db"
        assert cli("db", "path", db=None).stdout == f"{expected}\n"
        assert not expected.exists()

    def test_oms_db_names_the_database_and_the_flag_wins(self, cli: Cli, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("OMS_DB", str(tmp_path / "env.db"))
        assert cli("db", "path", db=None).stdout == f"{tmp_path / 'env.db'}\n"
        assert cli("db", "path", db=tmp_path / "flag.db").stdout == f"{tmp_path / 'flag.db'}\n"

    def test_check_of_a_sound_database_exits_0(self, shop: Path, cli: Cli) -> None:
        cli("stock", "receive", "MUG", "5", "-l", "main")
        result = cli("db", "check")
        assert (result.exit_code, result.stdout) == (0, "")
        assert "database ok" in result.stderr

    def test_check_lists_drift_and_exits_1(self, shop: Path, cli: Cli) -> None:
        cli("stock", "receive", "MUG", "5", "-l", "main")
        query(shop, "UPDATE stock_level SET on_hand = 9")
        result = cli("db", "check", "-f", "csv")
        assert result.exit_code == 1
        assert result.stdout.splitlines() == ["kind,subject,stored,expected,detail",
                                              "on_hand,MUG@main,9,5,the ledger says 5"]
        assert "1 problem(s) found" in result.stderr

    def test_check_of_a_missing_database_fails_without_creating_it(self, cli: Cli,
                                                                   tmp_path: Path) -> None:
        result = cli("db", "check", db=tmp_path / "none.db")
        assert result.exit_code == 1
        assert "no database at" in result.stderr and "oms init" in result.stderr
        assert not (tmp_path / "none.db").exists()

    @sqlite_only("the SQLite backup API")
    def test_backup_writes_a_private_copy_and_prints_its_path(self, cli: Cli,
                                                              tmp_path: Path) -> None:
        result = cli("db", "backup", str(tmp_path / "copy.db"))
        assert result.exit_code == 0, result.output
        assert result.stdout == f"{tmp_path / 'copy.db'}\n"
        assert stat.S_IMODE((tmp_path / "copy.db").stat().st_mode) == 0o600

    @sqlite_only("the SQLite backup API")
    def test_backup_refuses_an_existing_file(self, cli: Cli, tmp_path: Path) -> None:
        (tmp_path / "copy.db").write_text("mine", encoding="utf-8")
        result = cli("db", "backup", str(tmp_path / "copy.db"))
        assert result.exit_code == 1
        assert "already exists" in result.stderr
        assert (tmp_path / "copy.db").read_text(encoding="utf-8") == "mine"

    @sqlite_only("the SQLite backup API")
    def test_backup_refuses_the_database_itself(self, cli: Cli, db_path: Path) -> None:
        result = cli("db", "backup", str(db_path))
        assert result.exit_code == 1
        assert "onto itself" in result.stderr

    def test_upgrade_of_a_current_database_changes_nothing(self, cli: Cli) -> None:
        result = cli("db", "upgrade")
        assert result.exit_code == 0
        assert "already current" in result.stderr

    def test_a_database_from_a_newer_oms_is_refused_by_every_command(
            self, cli: Cli, db_path: Path) -> None:
        query(db_path, "UPDATE alembic_version SET version_num = '0099_future'")
        for command in (["stock", "show"], ["db", "upgrade"], ["db", "check"]):
            result = cli(*command)
            assert result.exit_code == 1, command
            assert "newer than this oms" in result.stderr

    def test_a_file_that_is_not_a_database_is_refused_plainly(self, cli: Cli,
                                                               tmp_path: Path) -> None:
        other = tmp_path / "orders.csv"
        other.write_text("id,total\n" * 100, encoding="utf-8")
        result = cli("stock", "show", db=other)
        assert result.exit_code == 1
        assert result.stderr == "oms: error: that file is not an oms database (not SQLite)\n"
