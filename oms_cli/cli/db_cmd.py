"""`oms db`: where the database is, whether it is sound, backups and upgrades."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from oms_cli.cli.context import AppContext, OutputChoice, app_context, dry_prefix
from oms_cli.cli.options import DryRunOpt, FormatOpt, NoHeadersOpt, OutputOpt, RawOpt
from oms_cli.errors import ExitCode

if TYPE_CHECKING:
    from oms_cli.services.database import Drift

app = typer.Typer(help="The database: path, check, backup, copy, upgrade, summarize.",
                  no_args_is_help=True)


@app.command("path")
def path_command(ctx: typer.Context) -> None:
    """Print where the database is (file path or URL)."""
    typer.echo(app_context(ctx).database_location())


RepairOpt = Annotated[bool, typer.Option(
    "--repair", help="Fix the drift found: append compensating ledger movements (history is "
    "never edited), recompute reservations from the open allocations and summarise the "
    "drifting days again.")]


@app.command("check")
def check_command(ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None,
                  no_headers: NoHeadersOpt = False, raw: RawOpt = False,
                  repair: RepairOpt = False, dry_run: DryRunOpt = False) -> None:
    """Recompute every stock level from the ledger (and reservations from allocations),
    and the reports' daily summaries from the orders, and list any drift. Exit 1 when
    something disagrees (after --repair: when something could not be repaired)."""
    from oms_cli.output import Listing
    from oms_cli.services import database

    obj = app_context(ctx)
    if repair:
        _repair(obj, dry_run)
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


def _repair(obj: AppContext, dry_run: bool) -> None:
    from oms_cli.services import database

    database.open_existing(obj.database_location(),
                           busy_timeout=obj.config.database.busy_timeout).close()
    fixed = database.repair(obj.writer("db check --repair", dry_run=dry_run),
                            run_id=obj.run_id, dry_run=dry_run)
    obj.run_counts.update(repaired=len(fixed))
    for drift in fixed:
        obj.info(f"{dry_prefix(dry_run)}repaired {_repair_text(drift)}")


def _repair_text(drift: Drift) -> str:
    if drift.kind == "summary":
        return f"the report summaries of {drift.subject}: made again from its orders"
    if drift.kind in ("on_hand", "damaged"):
        change = (drift.stored or 0) - (drift.expected or 0)
        return (f"{drift.subject}: {drift.kind}: a ledger adjustment of {change:+d} (the ledger "
                f"said {drift.expected}, the level {drift.stored}, which is kept)")
    return (f"{drift.subject}: {drift.kind} recomputed from the open allocations: "
            f"{drift.stored} -> {drift.expected}")


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


@app.command("copy")
def copy_command(ctx: typer.Context, to: Annotated[str, typer.Option(
        "--to", help="The target: a PostgreSQL URL (postgresql://user@host/db) or a SQLite "
                     "file; it must be empty.", metavar="URL|PATH")]) -> None:
    """Copy the whole database (every table, same ids) to an empty one, then check it."""
    from oms_cli.services import database
    from oms_cli.services.database_copy import copy_database, shown_location

    obj = app_context(ctx)
    busy_timeout = obj.config.database.busy_timeout
    db = database.open_existing(obj.database_location(), busy_timeout=busy_timeout)
    try:
        report = copy_database(db, to, busy_timeout=busy_timeout)
    finally:
        db.close()
    target = shown_location(to)
    obj.info(f"copied {report.total_rows} rows in {len(report.rows)} tables to {target}")
    if report.drifts:
        typer.echo(f"oms: {len(report.drifts)} problem(s) found in the copy: "
                   "run `oms db check` on it", err=True)
        raise typer.Exit(ExitCode.FAILED)
    obj.info(f"{target} checked: every stock level matches the ledger and open allocations; "
             f"use it with --db or OMS_DB")


@app.command("upgrade")
def upgrade_command(ctx: typer.Context) -> None:
    """Bring the database schema up to this version of oms, after a backup."""
    from oms_cli.services import database

    obj = app_context(ctx)
    report = database.upgrade(obj.database_location(),
                              busy_timeout=obj.config.database.busy_timeout)
    if report.upgraded_from:
        backup = f"; backup at {report.backup}" if report.backup else ""
        obj.info(f"upgraded from {report.upgraded_from}{backup}")
    elif report.created:
        obj.info("created a new database")
    else:
        obj.info("the database schema is already current")


@app.command("summarize")
def summarize_command(ctx: typer.Context) -> None:
    """Build the reports' daily summaries of settled orders afresh, in the configured
    time zone's days. Writing commands do this by themselves when the summaries are
    missing (a database from an older oms) or kept in another time zone; until then
    reports read every order, which is slower on a large book."""
    from oms_cli.services import database

    obj = app_context(ctx)
    days = database.build_summaries(obj.writer("db summarize", summaries=False),
                                    obj.config.timezone)
    obj.run_counts.update(days=days)
    obj.info(f"summarised {days} day(s) of settled orders in {obj.config.timezone}'s days")
