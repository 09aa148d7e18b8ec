"""`oms picklist`: what to pick and pack, by location and sku or by order."""

from __future__ import annotations

from typing import Annotated

import typer

from oms_cli.cli.context import OutputChoice, app_context
from oms_cli.cli.options import FormatOpt, NoHeadersOpt, OutputOpt, RawOpt


def register(app: typer.Typer) -> None:
    app.command("picklist")(picklist_command)


def picklist_command(ctx: typer.Context,
                     location: Annotated[str | None, typer.Option("--location", "-l",
                                         help="Only this location (default: all).",
                                         metavar="LOC")] = None,
                     by_order: Annotated[bool, typer.Option("--by-order", help="One row per "
                                         "order line, oldest order first.")] = False,
                     fmt: FormatOpt = None, output: OutputOpt = None,
                     no_headers: NoHeadersOpt = False, raw: RawOpt = False) -> None:
    """What to pick from the open reservations: location, sku, name, quantity, orders
    (--by-order: location, order, sku, name, quantity, placed_at). Bundles are listed
    as their components; orders on hold are left out."""
    from oms_cli.output import Listing
    from oms_cli.services.picklist import ORDER_PICK_COLUMNS, PICK_COLUMNS, picklist

    obj = app_context(ctx)
    rows = picklist(obj.database(), location=location, by_order=by_order)
    columns = ORDER_PICK_COLUMNS if by_order else PICK_COLUMNS
    obj.emit(Listing(columns, rows, title="Pick list"),
             OutputChoice(fmt, output, no_headers, raw))
