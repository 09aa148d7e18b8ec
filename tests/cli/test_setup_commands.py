"""`oms init`, `oms demo`, `--version` and `--help`."""

from __future__ import annotations

import stat
from pathlib import Path

import yaml
from runners import Cli

from oms_cli import __version__


def test_init_creates_a_private_database_and_says_where(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "data" / "shop.db"
    result = cli("init", db=target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"created a new database at {target}" in result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_init_twice_is_harmless(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "shop.db"
    cli("init", db=target)
    again = cli("init", db=target)
    assert again.exit_code == 0
    assert "created" not in again.stderr and "database ready" in again.stderr


def test_init_without_a_database_option_uses_the_user_data_folder(cli: Cli,
                                                                   home: Path) -> None:
    result = cli("init", db=None)
    assert result.exit_code == 0, result.output
    assert (home / ".local" / "share" / "oms" / "oms.db").exists()


def test_init_with_config_writes_the_commented_example(cli: Cli, tmp_path: Path,
                                                       home: Path) -> None:
    result = cli("init", "--with-config", db=tmp_path / "shop.db", config=True)
    assert result.exit_code == 0, result.output
    written = home / ".config" / "oms" / "config.yaml"
    assert f"wrote a starter config to {written}" in result.stderr
    text = written.read_text(encoding="utf-8")
    assert text.lstrip().startswith("#")
    assert isinstance(yaml.safe_load(text), dict)


def test_init_with_config_never_overwrites_a_config(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "mine.yaml"
    config.write_text("currency: EUR\n", encoding="utf-8")
    result = cli("--config", str(config), "init", "--with-config", db=tmp_path / "shop.db",
                 config=True)
    assert result.exit_code == 1
    assert result.stderr.startswith("oms: error: ") and "already there" in result.stderr
    assert config.read_text(encoding="utf-8") == "currency: EUR\n"


def test_init_creates_the_locations_the_config_lists(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "oms.yaml"
    config.write_text("locations:\n  - code: backroom\n    country: US\n"
                      "  - code: shop\n    kind: store\n", encoding="utf-8")
    first = cli("--config", str(config), "init", db=tmp_path / "shop.db", config=True)
    assert "added locations from the config: backroom, shop" in first.stderr
    second = cli("--config", str(config), "init", db=tmp_path / "shop.db", config=True)
    assert "added locations" not in second.stderr
    listing = cli("location", "list", "-f", "csv", "--no-headers", db=tmp_path / "shop.db")
    assert [line.split(",")[0] for line in listing.stdout.splitlines()] == ["backroom", "shop"]


def test_demo_tours_a_throw_away_shop(cli: Cli, home: Path) -> None:
    result = cli("demo", db=None)
    assert result.exit_code == 0, result.output
    assert "added 3 locations from locations.csv" in result.stderr
    assert "stock now (oms stock show):" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["sku", "location", "on_hand", "reserved", "available"]
    assert any(line.startswith("CB-ETH-500") for line in lines)
    assert not (home / ".local" / "share" / "oms" / "oms.db").exists()


def test_demo_ends_with_a_tour_of_every_report_dated_like_the_examples(cli: Cli) -> None:
    result = cli("demo", db=None)
    assert result.exit_code == 0, result.output
    assert "and the reports, as of 2026-11-26" in result.stderr
    for report in ("status", "sales --by week", "products --top 5", "inventory", "customers",
                   "fulfillment", "returns"):
        assert f"oms report {report}:" in result.stderr
    tour = result.stdout.split("hold_reason\n", 1)[1]  # after the order book
    for heading in ("status  ", "growth_pct", "return_rate", "days_of_cover",
                    "repeat_rate_pct", "median_hours_to_ship", "changed mind"):
        assert heading in tour
    assert "2026-W48  USD            5     10  157.00" in tour


def test_demo_can_keep_its_database(cli: Cli, tmp_path: Path) -> None:
    keep = tmp_path / "demo"
    result = cli("demo", "--keep", str(keep), db=None)
    assert result.exit_code == 0, result.output
    history = cli("stock", "history", "CB-ETH-500", "-f", "csv", db=keep / "demo.db")
    assert history.stdout.count("receive") == 2


def test_version_prints_the_version(cli: Cli) -> None:
    result = cli("--version")
    assert (result.exit_code, result.stdout) == (0, f"oms {__version__}\n")


def test_no_arguments_shows_the_help(cli: Cli) -> None:
    result = cli(db=None)
    assert "Usage: oms" in result.output
    assert result.exit_code in (0, 2)


def test_every_foundation_command_has_help(cli: Cli) -> None:
    commands = ["init", "demo", "config path", "config show", "config check", "db path",
                "db check", "db backup", "db upgrade", "product add", "product import",
                "product list", "product show", "product update", "product alias add",
                "product alias list", "product alias remove", "location add", "location list",
                "location update", "location import", "stock receive", "stock adjust",
                "stock count", "stock damage", "stock transfer", "stock import", "stock show",
                "stock history"]
    for command in commands:
        result = cli(*command.split(), "--help")
        assert result.exit_code == 0, command
        assert f"Usage: oms {command}" in result.stdout, command
