"""`oms db`: where the database is, whether it is sound, backups and upgrades."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oms_cli.cli.context import OutputChoice, app_context
from oms_cli.cli.options import FormatOpt, NoHeadersOpt, OutputOpt, RawOpt
from oms_cli.errors import ExitCode

app = typer.Typer(help="The database: path, check, backup, upgrade.", no_args_is_help=True)


@app.command("path")
def path_command(ctx: typer.Context) -> None:
    """Print where the database is (file path or URL)."""
    typer.echo(app_context(ctx).database_location())


@app.command("check")
def check_command(ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None,
                  no_headers: NoHeadersOpt = False, raw: RawOpt = False) -> None:
    """Recompute every stock level from the ledger (and reservations from allocations)
    and list any drift. Exit 1 when something disagrees."""
    from oms_cli.output import Listing
    from oms_cli.services import database

    obj = app_context(ctx)
    db = database.open_existing(obj.database_location(),
                                busy_timeout=obj.config.database.busy_timeout)
    try:
        drifts = database.check(db)
    finally:
        db.close()
    if drifts or fmt or output:  # a format asked for gets its (maybe empty) listing
        rows = [(d.kind, d.subject, d.stored, d.expected, d.detail) for d in drifts]
        obj.emit(Listing(database.DRIFT_COLUMNS, rows), OutputChoice(fmt, output, no_headers, raw))
    if drifts:
        typer.echo(f"oms: {len(drifts)} problem(s) found: cached figures disagree with "
                   "their sources", err=True)
        raise typer.Exit(ExitCode.FAILED)
    obj.info("database ok: every stock level matches the ledger and open allocations")


@app.command("backup")
def backup_command(ctx: typer.Context, target: Annotated[Path, typer.Argument(
        help="File to write (must not exist), or a folder to write a dated file in.",
        metavar="PATH")]) -> None:
    """Copy the database with SQLite's online backup (safe while others write)."""
    from oms_cli.services import database

    obj = app_context(ctx)
    db = database.open_existing(obj.database_location(),
                                busy_timeout=obj.config.database.busy_timeout)
    try:
        written = database.backup(db, target)
    finally:
        db.close()
    obj.info(f"backed up to {written}")
    typer.echo(str(written))


@app.command("upgrade")
def upgrade_command(ctx: typer.Context) -> None:
    """Bring the database schema up to this version of oms, after a backup."""
    from oms_cli.services import database

    obj = app_context(ctx)
    report = database.upgrade(obj.database_location(),
                              busy_timeout=obj.config.database.busy_timeout)
    if report.upgraded_from:
        obj.info(f"upgraded from {report.upgraded_from}; backup at {report.backup}")
    elif report.created:
        obj.info("created a new database")
    else:
        obj.info("the database schema is already current")
