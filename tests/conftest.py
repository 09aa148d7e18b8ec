"""Shared fixtures: every test runs away from the real user, on its own database.

- Every test gets a private HOME, XDG folders and working directory, and no OMS_*
  variable from the shell that runs the suite.
- ``db_path`` is a fresh, migrated database: a copy of one template built per session
  (creating the schema takes far longer than copying it). On SQLite it is a file Path;
  with ``OMS_TEST_POSTGRES_URL`` set it is the URL of a scratch PostgreSQL database
  (see runners.PostgresScratch), and tests about SQLite itself are skipped.
- ``db`` opens it through the services; ``cli`` runs ``oms --no-config --db <db_path>``
  in-process through Typer's CliRunner; ``run_oms`` runs it as a real subprocess.
"""

from __future__ import annotations

import functools
import os
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
import typer.testing
from runners import (
    BUSY_TIMEOUT,
    ON_POSTGRES,
    POSTGRES_URL,
    SCRATCH,
    Cli,
    DbLocation,
    RunOms,
    copy_database,
)
from sqlalchemy import Engine, event
from typer.testing import CliRunner, Result

from oms_cli.cli.app import app
from oms_cli.services.database import open_database
from oms_cli.store.database import Database


@pytest.fixture
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test's HOME: beside tmp_path, not in it, so tmp_path starts empty."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(autouse=True)
def isolated_user(home: Path, tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME, XDG folders and working directory (returned), and no OMS_* variables."""
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for name in [name for name in os.environ if name.startswith("OMS_")]:
        monkeypatch.delenv(name)
    work = tmp_path_factory.mktemp("work")
    monkeypatch.chdir(work)
    return work


@pytest.fixture(scope="session", autouse=True)
def no_fsync() -> Iterator[None]:
    """Test databases skip fsync: the suite needs no power-loss durability, and on a
    real disk every commit's fsync costs milliseconds (each command makes three)."""

    def unsynced(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous = OFF")

    event.listen(Engine, "connect", unsynced)
    yield
    event.remove(Engine, "connect", unsynced)


class FixtureScopes:
    """Tells the PostgreSQL scratch pool which databases are templates (made by a fixture
    wider than one test: kept) and which a test borrows (given back when it ends)."""

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[Any]) -> Iterator[Any]:
        SCRATCH.fixture_scopes.append(fixturedef.scope)
        try:
            return (yield)
        finally:
            SCRATCH.fixture_scopes.pop()


def pytest_configure(config: pytest.Config) -> None:
    # A plugin, not a conftest hook: those only see fixtures of tests/, not session ones.
    config.pluginmanager.register(FixtureScopes())


@pytest.fixture(scope="session")
def scratch_server() -> Iterator[str | None]:
    """On PostgreSQL: a new, empty scratch database's URL; everything made is dropped after."""
    if POSTGRES_URL is None:
        yield None
        return
    empty = SCRATCH.start(POSTGRES_URL)
    yield empty
    SCRATCH.finish()


@pytest.fixture(autouse=True)
def give_back_databases() -> Iterator[None]:
    yield
    if ON_POSTGRES:
        SCRATCH.give_back()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory,
                scratch_server: str | None) -> DbLocation:
    """One migrated, empty database per session, to be copied, never opened by a test."""
    location: DbLocation = scratch_server or tmp_path_factory.mktemp("template") / "template.db"
    opened = open_database(str(location), busy_timeout=BUSY_TIMEOUT)
    opened.db.close()
    return location


@pytest.fixture
def db_path(template_db: DbLocation, tmp_path: Path) -> DbLocation:
    return copy_database(template_db, tmp_path / "oms.db")


@pytest.fixture
def db(db_path: DbLocation) -> Iterator[Database]:
    opened = open_database(str(db_path), busy_timeout=BUSY_TIMEOUT)
    assert not opened.report.created
    yield opened.db
    opened.db.close()


@functools.cache
def _command(typer_app: typer.Typer) -> object:
    return typer.main.get_command(typer_app)


@pytest.fixture
def cli(db_path: DbLocation, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run ``oms --no-config --db <db_path> ARGS...`` in-process; returns click's Result.

    This typer's CliRunner keeps the streams apart: ``result.stdout`` is the data,
    ``result.stderr`` the messages. Pass ``db=None`` to leave out ``--db``, or
    ``config=True`` to leave out ``--no-config``.
    """
    # Typer rebuilds the whole command tree on every invoke; once per session is enough.
    monkeypatch.setattr(typer.testing, "_get_command", _command)
    runner = CliRunner()

    def run(*args: str, input: str | None = None, db: DbLocation | None = db_path,
            config: bool = False) -> Result:
        head = [] if config else ["--no-config"]
        if db is not None:
            head += ["--db", str(db)]
        return runner.invoke(app, [*head, *map(str, args)], input=input)

    return run


@pytest.fixture
def run_oms(db_path: DbLocation) -> RunOms:
    """Run ``python -m oms_cli --no-config --db <db_path> ARGS...`` as a real process."""

    def run(*args: str, db: DbLocation | None = db_path, stdin: str | None = None,
            shell_tail: str | None = None) -> subprocess.CompletedProcess[str]:
        head = ["--no-config"] + (["--db", str(db)] if db is not None else [])
        command = [sys.executable, "-m", "oms_cli", *head, *map(str, args)]
        if shell_tail is not None:  # e.g. "| head -1": run through a shell pipeline
            line = shlex.join(command) + " " + shell_tail
            return subprocess.run(["/bin/sh", "-c", line], capture_output=True, text=True,
                                  input=stdin, timeout=60, check=False)
        return subprocess.run(command, capture_output=True, text=True, input=stdin,
                              timeout=60, check=False)

    return run

