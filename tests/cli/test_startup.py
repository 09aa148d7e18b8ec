"""`oms --help` and every command start without importing what they don't use."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from oms_cli.cli.app import COMMANDS, app, load_command

HEAVY = ("sqlalchemy", "sqlmodel", "rich", "yaml", "pydantic", "oms_cli.services",
         "oms_cli.store", "oms_cli.cli.reports")


def test_the_root_help_lists_every_command_without_loading_any() -> None:
    probe = ("import sys; from oms_cli.cli.app import main; sys.argv = ['oms', '--help']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             f"print([m for m in sys.modules if m.startswith({HEAVY!r})], file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stderr.strip() == "[]"
    listed = done.stdout.split("Commands:")[1]
    for name, command in COMMANDS.items():
        assert f"  {name} " in listed and command.summary in listed


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_listed_command_loads_with_its_summary_as_short_help(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    assert command.get_short_help_str(200) == COMMANDS[name].summary


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_help_renders_plainly_as_part_of_oms(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: oms {name} ")
    assert "--install-completion" not in result.stdout and "╭" not in result.stdout


def test_an_unknown_command_is_bad_usage() -> None:
    result = CliRunner().invoke(app, ["shipp"])
    assert result.exit_code == 2
    assert "No such command 'shipp'" in result.stderr
