"""Dependencies point one way (DESIGN.md, "Layout"); a wrong arrow fails here.

Every module of oms_cli is parsed, never imported, and each of its imports (type-only
ones too: a type is a dependency) is checked against what its layer may use.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import oms_cli

PACKAGE = Path(oms_cli.__file__).parent
STDLIB = sys.stdlib_module_names

# Layer -> what it may import besides the standard library and itself. A layer is the
# first part below oms_cli (``services``), or a top-level module (``errors``).
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "domain": {"oms_cli.errors"},
    "channels": {"oms_cli.domain", "oms_cli.errors"},
    "output": {"rich", "oms_cli.domain", "oms_cli.errors"},
    "config": {"pydantic", "yaml", "oms_cli.config_layers", "oms_cli.domain", "oms_cli.errors"},
    "config_layers": {"pydantic", "yaml", "oms_cli.domain", "oms_cli.errors"},
    "config_example": {"pydantic", "yaml", "oms_cli.config", "oms_cli.domain",
                       "oms_cli.errors"},
    # store also tells the PostgreSQL driver what only it can be told (store/engine.py).
    "store": {"sqlalchemy", "sqlmodel", "alembic", "psycopg", "oms_cli.domain", "oms_cli.errors"},
    "reports": {"sqlalchemy", "sqlmodel", "oms_cli.store", "oms_cli.domain", "oms_cli.errors"},
    # Services build their queries with SQLAlchemy Core over store's tables (see the
    # note in test_sqlalchemy_stays_below_the_services); they never run migrations.
    "services": {"sqlalchemy", "sqlmodel", "oms_cli.store", "oms_cli.channels",
                 "oms_cli.reports", "oms_cli.config", "oms_cli.domain", "oms_cli.errors"},
    # The CLI reaches the database through services only.
    "cli": {"typer", "rich", "oms_cli", "oms_cli.services", "oms_cli.output", "oms_cli.config",
            "oms_cli.config_example", "oms_cli.domain", "oms_cli.errors"},
    "__main__": {"oms_cli.cli"},
    "__init__": set(),
}


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        yield ".".join(("oms_cli", *parts)), path


def layer_of(module: str) -> str:
    return module.split(".")[1]


@functools.cache
def imports_of(module: str, path: Path) -> tuple[tuple[int, str], ...]:
    """(line, imported module) for every import statement, relative ones resolved."""
    return tuple(_imports(module, path))


def _imports(module: str, path: Path) -> Iterator[tuple[int, str]]:
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:  # `from oms_cli.store import schema` imports a module
                yield node.lineno, submodule(target, alias.name) or target


def submodule(package: str, name: str) -> str | None:
    """``package.name`` when that is a module of oms_cli, else None."""
    if not is_within(package, "oms_cli"):
        return None
    folder = PACKAGE.joinpath(*package.split(".")[1:], name)
    return f"{package}.{name}" if folder.is_dir() or folder.with_suffix(".py").is_file() else None


def is_within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def allowed(layer: str, imported: str) -> bool:
    top = imported.split(".")[0]
    if top in STDLIB or top == "__future__":
        return True
    if top == "oms_cli" and len(imported.split(".")) > 1 and layer_of(imported) == layer:
        return True  # within its own layer
    return any(imported == rule if rule == "oms_cli" else is_within(imported, rule)
               for rule in ALLOWED[layer])


def wrong_arrows(layer: str) -> list[str]:
    problems = []
    for module, path in modules():
        if layer_of(module) != layer:
            continue
        for line, imported in imports_of(module, path):
            if not allowed(layer_of(module), imported):
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line}: "
                                f"{layer_of(module)} imports {imported}")
    return problems


def test_every_module_belongs_to_a_known_layer() -> None:
    unknown = sorted({layer_of(module) for module, _ in modules()} - set(ALLOWED))
    assert unknown == []


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_what_it_may(layer: str) -> None:
    assert wrong_arrows(layer) == []


def test_sqlalchemy_stays_below_the_services() -> None:
    """SQLAlchemy, SQLModel and alembic live in store/ (and reports/, services' queries)."""
    leaks = [
        f"{module}:{line}: {imported}"
        for module, path in modules()
        if layer_of(module) not in ("store", "reports", "services")
        for line, imported in imports_of(module, path)
        if imported.split(".")[0] in ("sqlalchemy", "sqlmodel", "alembic")
    ]
    alembic_in_services = [
        f"{module}:{line}"
        for module, path in modules()
        if layer_of(module) == "services"
        for line, imported in imports_of(module, path)
        if imported.split(".")[0] == "alembic"
    ]
    assert leaks == []
    assert alembic_in_services == []


def test_typer_is_used_only_in_the_cli_and_rich_only_in_the_cli_and_output() -> None:
    misplaced = [
        f"{module}:{line}: {imported}"
        for module, path in modules()
        for line, imported in imports_of(module, path)
        if (imported.split(".")[0] in ("typer", "click") and layer_of(module) != "cli")
        or (imported.split(".")[0] == "rich" and layer_of(module) not in ("cli", "output"))
    ]
    assert misplaced == []


def test_the_checker_catches_a_wrong_arrow() -> None:
    assert not allowed("domain", "oms_cli.store.tables")
    assert not allowed("domain", "sqlalchemy")
    assert not allowed("cli", "oms_cli.store.engine")
    assert not allowed("services", "oms_cli.cli.context")
    assert not allowed("services", "typer")
    assert not allowed("services", "oms_cli.output")
    assert not allowed("output", "oms_cli.services")
    assert not allowed("channels", "oms_cli.store")
    assert allowed("cli", "oms_cli")  # `from oms_cli import __version__`
    assert not allowed("cli", submodule("oms_cli", "store") or "")
    assert allowed("services", "oms_cli.services.lookup")


def test_relative_imports_are_resolved_before_they_are_judged(tmp_path: Path) -> None:
    source = tmp_path / "stock.py"
    source.write_text("from ..store import tables\nfrom . import money\n"
                      "from .money import parse_amount\n", encoding="utf-8")
    found = [name for _, name in imports_of("oms_cli.domain.stock", source)]
    assert found == ["oms_cli.store.tables", "oms_cli.domain.money", "oms_cli.domain.money"]


HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "yaml", "rich", "alembic")


def test_oms_help_starts_without_loading_the_database_config_or_rich_libraries() -> None:
    probe = (
        "import sys\n"
        "from oms_cli.cli.app import app\n"
        "try:\n"
        "    app(['--help'], prog_name='oms')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print('LOADED', ','.join(loaded), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=60, check=False)
    assert "Usage: oms" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "LOADED"
