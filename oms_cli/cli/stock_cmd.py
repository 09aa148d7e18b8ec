"""`oms stock`: every change goes through the ledger; levels are its cache."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from oms_cli.cli.context import AppContext, OutputChoice, app_context, dry_prefix
from oms_cli.cli.options import (
    DryRunOpt,
    FormatOpt,
    LocationOpt,
    NoHeadersOpt,
    OutputOpt,
    RawOpt,
)

if TYPE_CHECKING:
    from oms_cli.services.stock import StockChange

app = typer.Typer(help="Stock: receive, adjust, count, damage, transfer, import, show, history.",
                  no_args_is_help=True)

SkuArg = Annotated[str, typer.Argument(help="The sku.")]
QtyArg = Annotated[int, typer.Argument(min=1, help="Units (a whole number above zero).",
                   metavar="QTY")]
ReferenceOpt = Annotated[str | None, typer.Option("--reference", "--ref", help="Purchase "
                         "order, delivery note or other reference for the ledger.")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="A note for the ledger.")]


def _said(obj: AppContext, change: StockChange, verb: str, dry_run: bool) -> None:
    obj.info(f"{dry_prefix(dry_run)}{verb} {change.sku} at {change.location}: on hand "
             f"{change.before.on_hand} -> {change.after.on_hand}, available "
             f"{change.after.available()}")


@app.command("receive")
def receive_command(ctx: typer.Context, sku: SkuArg, quantity: QtyArg,
                    location: LocationOpt = None, reference: ReferenceOpt = None,
                    note: NoteOpt = None, dry_run: DryRunOpt = False) -> None:
    """Add units that arrived at a location."""
    from oms_cli.services import stock

    obj = app_context(ctx)
    db = obj.writer("stock receive", dry_run=dry_run)
    change = stock.receive(db, sku, quantity, location, reference=reference, note=note,
                           run_id=obj.run_id, dry_run=dry_run)
    _said(obj, change, "received", dry_run)


@app.command("adjust")
def adjust_command(ctx: typer.Context, sku: SkuArg,
                   by: Annotated[int, typer.Option("--by", help="Signed change, e.g. -2 or +5.",
                                 metavar="+-QTY")],
                   reason: Annotated[str, typer.Option("--reason", "-r", help="Why (goes into "
                                     "the ledger), e.g. 'found behind shelf'.")],
                   location: LocationOpt = None,
                   damaged: Annotated[bool, typer.Option("--damaged", help="Change damaged "
                                      "units: -N writes off broken stock.")] = False,
                   reference: ReferenceOpt = None, dry_run: DryRunOpt = False) -> None:
    """Change on hand by a signed amount, with a reason."""
    from oms_cli.services import stock

    obj = app_context(ctx)
    db = obj.writer("stock adjust", dry_run=dry_run)
    change = stock.adjust(db, sku, by, location, reason=reason, damaged=damaged,
                          reference=reference, run_id=obj.run_id, dry_run=dry_run)
    _said(obj, change, "adjusted", dry_run)


@app.command("count")
def count_command(ctx: typer.Context, sku: SkuArg,
                  counted: Annotated[int, typer.Argument(min=0, help="Units counted on the "
                                     "shelf (damaged included).", metavar="QTY")],
                  location: LocationOpt = None, note: NoteOpt = None,
                  dry_run: DryRunOpt = False) -> None:
    """Set on hand to what a physical count found."""
    from oms_cli.services import stock

    obj = app_context(ctx)
    db = obj.writer("stock count", dry_run=dry_run)
    change = stock.count(db, sku, counted, location, note=note, run_id=obj.run_id,
                         dry_run=dry_run)
    _said(obj, change, "counted", dry_run)


@app.command("damage")
def damage_command(ctx: typer.Context, sku: SkuArg, quantity: QtyArg,
                   location: LocationOpt = None, note: NoteOpt = None,
                   dry_run: DryRunOpt = False) -> None:
    """Mark free units as damaged: still on hand, no longer sellable."""
    from oms_cli.services import stock

    obj = app_context(ctx)
    db = obj.writer("stock damage", dry_run=dry_run)
    change = stock.damage(db, sku, quantity, location, note=note, run_id=obj.run_id,
                          dry_run=dry_run)
    _said(obj, change, "marked damaged", dry_run)


@app.command("transfer")
def transfer_command(ctx: typer.Context, sku: SkuArg, quantity: QtyArg,
                     source: Annotated[str, typer.Option("--from", help="Location it leaves.",
                                       metavar="LOC")],
                     target: Annotated[str, typer.Option("--to", help="Location it goes to.",
                                       metavar="LOC")],
                     note: NoteOpt = None, dry_run: DryRunOpt = False) -> None:
    """Move free units from one location to another."""
    from oms_cli.services import stock

    obj = app_context(ctx)
    db = obj.writer("stock transfer", dry_run=dry_run)
    out, into = stock.transfer(db, sku, quantity, source, target, note=note, run_id=obj.run_id,
                               dry_run=dry_run)
    obj.info(f"{dry_prefix(dry_run)}moved {quantity} {sku}: {out.location} "
             f"{out.before.on_hand} -> {out.after.on_hand}, {into.location} "
             f"{into.before.on_hand} -> {into.after.on_hand}")


@app.command("import")
def import_command(ctx: typer.Context, file: Annotated[Path, typer.Argument(
                   help="CSV/TSV: sku, location, and quantity (received, added) or on_hand "
                   "(counted, set); optional reference, note.")],
                   dry_run: DryRunOpt = False) -> None:
    """Apply a stock file (a delivery or a stocktake), all or nothing."""
    from oms_cli.services import stock

    obj = app_context(ctx)
    db = obj.writer("stock import", dry_run=dry_run)
    result = stock.import_stock(db, file, run_id=obj.run_id, dry_run=dry_run)
    obj.run_counts.update(rows=result.rows, received=result.received, counted=result.counted)
    obj.info(f"{dry_prefix(dry_run)}{result.file}: {result.rows} rows, {result.received} "
             f"units received, {result.counted} counts")


@app.command("show")
def show_command(ctx: typer.Context,
                 sku: Annotated[str | None, typer.Argument(help="Only this sku.")] = None,
                 location: LocationOpt = None,
                 low: Annotated[bool, typer.Option("--low", help="Only skus whose available "
                                "units (all locations) are at or below their reorder "
                                "point.")] = False,
                 at: Annotated[str | None, typer.Option("--at", help="Stock as it was at the "
                               "end of DATE (in the configured timezone), from the ledger.",
                               metavar="DATE")] = None,
                 fmt: FormatOpt = None, output: OutputOpt = None,
                 no_headers: NoHeadersOpt = False, raw: RawOpt = False) -> None:
    """Stock per sku and location: on_hand, reserved, available (= on_hand - reserved -
    damaged - safety stock, never below zero), damaged."""
    from oms_cli.domain.moments import end_of
    from oms_cli.errors import InvalidInput
    from oms_cli.output import Listing
    from oms_cli.services import stock_views

    obj = app_context(ctx)
    choice = OutputChoice(fmt, output, no_headers, raw)
    if low:
        if at or sku:
            raise InvalidInput("--low lists every low sku now: leave out SKU and --at")
        rows = stock_views.low_stock(obj.database(), location=location)
        obj.emit(Listing(stock_views.LOW_COLUMNS, rows), choice)
        return
    before = end_of(at, obj.config.timezone) if at else None
    rows = stock_views.stock_levels(obj.database(), sku=sku, location=location, before=before)
    obj.emit(Listing(stock_views.STOCK_COLUMNS, rows), choice)


@app.command("history")
def history_command(ctx: typer.Context, sku: SkuArg, location: LocationOpt = None,
                    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1,
                                     help="Only the last N movements.")] = None,
                    fmt: FormatOpt = None, output: OutputOpt = None,
                    no_headers: NoHeadersOpt = False, raw: RawOpt = False) -> None:
    """The ledger of a sku, oldest first, with the running on hand per location."""
    from oms_cli.output import Listing
    from oms_cli.services import stock_views

    obj = app_context(ctx)
    rows = stock_views.stock_history(obj.database(), sku, location=location, limit=limit)
    obj.emit(Listing(stock_views.HISTORY_COLUMNS, rows), OutputChoice(fmt, output, no_headers,
                                                                        raw))
