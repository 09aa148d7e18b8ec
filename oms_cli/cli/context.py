"""What every command shares: global options, the config, the database, the streams.

Built by the top-level callback and handed to commands as ``ctx.obj``. The config
and the database are opened only when a command first asks for them, so
``oms --help`` and ``oms config path`` never touch the database.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from oms_cli.errors import InvalidInput

if TYPE_CHECKING:
    from oms_cli.config import Config, LoadedConfig
    from oms_cli.output import Listing
    from oms_cli.services.database import Database


@dataclass(frozen=True)
class OutputChoice:
    """The listing options a command was given (-f, -o, --no-headers, --raw)."""

    fmt: str | None = None
    output: Path | None = None
    no_headers: bool = False
    raw: bool = False


@dataclass
class AppContext:
    db_option: str | None = None
    config_option: Path | None = None
    no_config: bool = False
    quiet: bool = False
    verbose: bool = False
    today: date | None = None
    argv: list[str] = field(default_factory=list)
    run_id: int | None = None
    run_counts: dict[str, Any] = field(default_factory=dict)
    _loaded: LoadedConfig | None = None
    _db: Database | None = None

    @property
    def loaded(self) -> LoadedConfig:
        if self._loaded is None:
            from oms_cli.config import load_config

            overrides = {"database.url": self.db_option} if self.db_option else {}
            self._loaded = load_config(self.config_option, use_files=not self.no_config,
                                       overrides=overrides)
        return self._loaded

    @property
    def config(self) -> Config:
        return self.loaded.config

    def database_location(self) -> str:
        from oms_cli.config import database_location

        return database_location(self.config)

    def database(self) -> Database:
        """The database, created or upgraded to the current schema on first use."""
        if self._db is None:
            from oms_cli.services.database import open_database
            from oms_cli.services.database_copy import shown_location

            opened = open_database(self.database_location(),
                                   busy_timeout=self.config.database.busy_timeout)
            if opened.report.created:
                self.info(f"created a new database at {shown_location(opened.db.location)}")
            if opened.report.upgraded_from:
                backup = f"; backup: {opened.report.backup}" if opened.report.backup else ""
                self.info(f"upgraded the database schema from {opened.report.upgraded_from}"
                          f"{backup}")
            self._db = opened.db
        return self._db

    def writer(self, command: str, *, dry_run: bool = False, summaries: bool = True
               ) -> Database:
        """The database, for a writing command: its run is recorded (unless a dry run) and
        the report summaries built if they are not kept in the configured time zone (unless
        ``summaries`` is off: the command builds them itself)."""
        db = self.database()
        if not dry_run and self.run_id is None:
            from oms_cli.services.runs import start_run

            self.run_id = start_run(db, command, self.argv)
            if summaries:
                self._keep_summaries(db)
        return db

    def _keep_summaries(self, db: Database) -> None:
        """Build the report summaries once, in the configured time zone's days."""
        from oms_cli.services.database import keep_summaries

        timezone = self.config.timezone
        if (days := keep_summaries(db, timezone)):
            self.info(f"summarised {days} day(s) of settled orders for the reports "
                      f"(in {timezone})")

    def finish(self, exit_code: int) -> None:
        """Close the run record (if a writing command started one) and the database."""
        if self._db is None:
            return
        try:
            if self.run_id is not None:
                from oms_cli.services.runs import finish_run

                finish_run(self._db, self.run_id, exit_code, self.run_counts)
        finally:
            self._db.close()
            self._db = None

    # Streams: data on stdout (through emit), everything else on stderr.

    def info(self, message: str) -> None:
        if not self.quiet:
            typer.echo(message, err=True)

    def warn(self, message: str) -> None:
        typer.echo(_styled(f"warning: {message}", "yellow"), err=True)

    def emit(self, listing: Listing, choice: OutputChoice) -> int:
        from oms_cli.output import render

        return render(listing, fmt=choice.fmt, output=choice.output,
                      headers=not choice.no_headers, raw=choice.raw,
                      protected=self._protected_paths())

    def emit_document(self, document: Mapping[str, Any], choice: OutputChoice) -> None:
        from oms_cli.output import render_document

        render_document(document, fmt=choice.fmt, output=choice.output,
                        protected=self._protected_paths())

    def confirm(self, question: str, *, yes: bool) -> None:
        """Go on only with --yes or a yes at a terminal; never prompt without one."""
        if yes:
            return
        if not sys.stdin.isatty():
            raise InvalidInput(f"{question} Pass --yes to confirm (no terminal to ask on).")
        if not typer.confirm(question, default=False, err=True):
            raise typer.Abort()

    def _protected_paths(self) -> list[Path]:
        from oms_cli.services.database import database_file

        try:
            path = database_file(self.database_location())
        except Exception:  # a bad config is reported by the command that needs it
            return []
        return [path] if path else []


def _styled(message: str, colour: str) -> str:
    return typer.style(message, fg=colour) if sys.stderr.isatty() else message


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):  # a command invoked without the root callback
        obj = AppContext()
        ctx.find_root().obj = obj
    return obj


def dry_prefix(dry_run: bool) -> str:
    """What a message starts with when nothing was stored."""
    return "dry run, nothing stored: " if dry_run else ""
