"""`oms import`: channel exports into the order book; history, rejects and undo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from oms_cli.cli.context import AppContext, OutputChoice, app_context, dry_prefix
from oms_cli.cli.options import DryRunOpt, FormatOpt, NoHeadersOpt, OutputOpt, RawOpt, YesOpt
from oms_cli.errors import DatabaseBusy, ExitCode, InvalidInput, OmsError

if TYPE_CHECKING:
    from oms_cli.services.importing import ImportSummary


class ImportGroup(TyperGroup):
    """`oms import FILE...` runs the hidden `files` command; `oms import history` etc. stay."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["files", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=ImportGroup, no_args_is_help=True,
                  help="Import channel exports: FILE... (- for stdin), or history, errors RUN, "
                  "undo RUN.")


def _known_format(name: str | None) -> str | None:
    """A wrong --format is bad usage (exit 2), found before any file is read."""
    if name is not None:
        from oms_cli.services.importing import check_format

        try:
            check_format(name)
        except InvalidInput as exc:
            raise typer.BadParameter(str(exc)) from None
    return name


@app.command("files", hidden=True)
def files_command(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="Export files; - reads stdin.",
                                               metavar="FILE...")],
    channel: Annotated[str | None, typer.Option("--channel", "-c", help="Sales channel the "
                       "orders belong to (default: the platform, e.g. shopify).")] = None,
    format_name: Annotated[str | None, typer.Option("--format", help="Skip detection: "
                           "shopify_csv, shopify_json, amazon_tsv, etsy_orders_csv, "
                           "etsy_items_csv, woocommerce_json, woocommerce_csv, ebay_csv, "
                           "custom.", metavar="FORMAT", callback=_known_format)] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Import nothing from a file with "
                      "any bad record.")] = False,
    dry_run: DryRunOpt = False,
    fmt: Annotated[str | None, typer.Option("-f", help="Summary format: table, csv, tsv, "
                   "json, jsonl.", metavar="FORMAT")] = None,
    output: OutputOpt = None, no_headers: NoHeadersOpt = False, raw: RawOpt = False,
) -> None:
    """Import orders from channel exports, one transaction per file. Exit 3 when records
    were rejected (see `oms import errors RUN`), 65 for a file that is no export."""
    from oms_cli.output import Listing
    from oms_cli.services.importing import ImportSummary

    obj = app_context(ctx)
    summaries, worst = [], ExitCode.OK
    for source in files:
        try:
            summary = _import_one(obj, source, channel, format_name, strict, dry_run)
        except DatabaseBusy:
            raise
        except OmsError as exc:
            typer.echo(f"oms: error: {exc}", err=True)
            worst = max(worst, exc.exit_code, key=_severity)
            continue
        summaries.append(summary)
        if summary.rejected:
            worst = max(worst, ExitCode.ATTENTION, key=_severity)
    obj.run_counts.update(files=len(files), imported=len(summaries),
                          created=sum(s.created for s in summaries),
                          rejected=sum(s.rejected for s in summaries))
    if summaries:
        obj.emit(Listing(ImportSummary.COLUMNS, [s.row() for s in summaries]),
                 OutputChoice(fmt, output, no_headers, raw))
    if worst != ExitCode.OK:
        raise typer.Exit(worst)


def _import_one(obj: AppContext, source: str, channel: str | None, format_name: str | None,
                strict: bool, dry_run: bool) -> ImportSummary:
    from oms_cli.cli.progress import byte_progress
    from oms_cli.services.importing import import_file, settings_from

    db = obj.writer("import", dry_run=dry_run)
    with byte_progress(f"importing {Path(source).name}", quiet=obj.quiet) as progress:
        summary = import_file(db, source, settings=settings_from(obj.config), channel=channel,
                              format_name=format_name, strict=strict, dry_run=dry_run,
                              run_id=obj.run_id, progress=progress)
    obj.info(f"{dry_prefix(dry_run)}{summary.file}: {summary.format} -> {summary.channel}: "
             f"{summary.read} read, {summary.created} created, {summary.updated} updated, "
             f"{summary.unchanged} unchanged, {summary.rejected} rejected")
    for reject in summary.rejects:
        obj.warn(f"{summary.file}:{reject.line}: {reject.reason}")
    if summary.rejected > len(summary.rejects):
        obj.warn(f"... and {summary.rejected - len(summary.rejects)} more")
    if summary.rejected and not dry_run:
        obj.info(f"see them all with `oms import errors {summary.run_id}`")
    return summary


def _severity(code: int) -> int:
    """Failures outrank 'attention'; among failures the first kind seen stands."""
    return 1 if code == ExitCode.ATTENTION else (2 if code else 0)


@app.command("history")
def history_command(ctx: typer.Context,
                    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1,
                                     help="Only the last N runs.")] = None,
                    fmt: FormatOpt = None, output: OutputOpt = None,
                    no_headers: NoHeadersOpt = False, raw: RawOpt = False) -> None:
    """Every import run, newest first, with its counts and the file's sha256."""
    from oms_cli.output import Listing
    from oms_cli.services import import_runs

    obj = app_context(ctx)
    obj.emit(Listing(import_runs.HISTORY_COLUMNS, import_runs.history(obj.database(),
                                                                      limit=limit)),
             OutputChoice(fmt, output, no_headers, raw))


@app.command("errors")
def errors_command(ctx: typer.Context,
                   run: Annotated[int, typer.Argument(help="Import run id (see history).")],
                   output: Annotated[Path | None, typer.Option("--output", "-o", help="Write "
                                     "the rejected records as a file to fix and import "
                                     "again (same layout as the original).",
                                     metavar="FILE")] = None,
                   fmt: FormatOpt = None, no_headers: NoHeadersOpt = False,
                   raw: RawOpt = False) -> None:
    """The records an import rejected: line, order, field, reason and original text."""
    from oms_cli.output import Listing
    from oms_cli.services import import_runs

    obj = app_context(ctx)
    if output is not None:
        written = import_runs.write_rejects(obj.database(), run, output)
        obj.info(f"wrote {written} rejected record(s) to {output}: fix them and "
                 f"`oms import {output}`")
        return
    obj.emit(Listing(import_runs.ERROR_COLUMNS, import_runs.rejected_records(obj.database(),
                                                                             run)),
             OutputChoice(fmt, None, no_headers, raw))


@app.command("undo")
def undo_command(ctx: typer.Context,
                 run: Annotated[int, typer.Argument(help="Import run id (see history).")],
                 yes: YesOpt = False, dry_run: DryRunOpt = False) -> None:
    """Reverse an import that was a mistake: its new orders are cancelled (not deleted),
    its updates set back; every step is recorded as an order event. Importing the file
    again later brings its orders back."""
    from oms_cli.services import import_runs
    from oms_cli.services.importing import settings_from

    obj = app_context(ctx)
    if not dry_run:
        obj.confirm(f"Undo import run {run}?", yes=yes)
    db = obj.writer("import undo", dry_run=dry_run)
    result = import_runs.undo(db, run, policy=settings_from(obj.config).policy,
                              run=obj.run_id, dry_run=dry_run)
    obj.info(f"{dry_prefix(dry_run)}undid import run {run}: {result.cancelled} order(s) "
             f"cancelled, {result.reverted} update(s) reverted"
             + (f", {result.kept} already shipped and kept" if result.kept else ""))
