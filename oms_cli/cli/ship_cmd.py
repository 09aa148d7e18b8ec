"""`oms ship`: record what left, one order from the command line or a carrier's file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from oms_cli.cli.context import AppContext, app_context, dry_prefix
from oms_cli.cli.options import DryRunOpt

if TYPE_CHECKING:
    from oms_cli.services.fulfillment import ShipmentResult


def register(app: typer.Typer) -> None:
    app.command("ship")(ship_command)


def line_specs(values: list[str] | None) -> list[tuple[str, int]]:
    """``SKU=QTY`` options as (sku, quantity); a malformed one is bad usage."""
    from oms_cli.domain.stock import parse_quantity
    from oms_cli.errors import InvalidInput

    specs = []
    for value in values or []:
        sku, equals, quantity = value.rpartition("=")
        try:
            if not equals or not sku.strip():
                raise InvalidInput(f"{value!r} is not SKU=QTY")
            specs.append((sku.strip(), parse_quantity(quantity, f"{sku.strip()} quantity")))
        except InvalidInput as exc:
            raise typer.BadParameter(exc.message, param_hint="--line") from None
    return specs


OrderArg = Annotated[str | None, typer.Argument(help="Order id or CHANNEL:EXTERNAL_ID "
                     "(shopify:#1001).", metavar="ORDER", show_default=False)]
LineOpt = Annotated[list[str] | None, typer.Option("--line", help="SKU=QTY: units of a line "
                    "to ship (repeat for more lines); default: everything allocated.",
                    metavar="SKU=QTY", show_default=False)]


def ship_command(ctx: typer.Context, order: OrderArg = None, line: LineOpt = None,
                 carrier: Annotated[str | None, typer.Option("--carrier", help="Carrier "
                                    "(ups, dhl, usps, ...).")] = None,
                 tracking: Annotated[str | None, typer.Option("--tracking", help="Tracking "
                                     "number.")] = None,
                 location: Annotated[str | None, typer.Option("--location", "-l",
                                     help="Ship only what is reserved at this location.",
                                     metavar="LOC")] = None,
                 from_csv: Annotated[Path | None, typer.Option("--from-csv", help="A 3PL's "
                                     "or label tool's file: order, sku, quantity, carrier, "
                                     "tracking (optional location, channel). All or "
                                     "nothing.", metavar="FILE", dir_okay=False)] = None,
                 dry_run: DryRunOpt = False) -> None:
    """Ship an order's allocated units (all, or --line SKU=QTY ...) from the location that
    reserved them, or every row of a shipping file. Stock leaves on hand; the order moves
    to partially shipped or shipped."""
    obj = app_context(ctx)
    if (order is None) == (from_csv is None):
        raise typer.BadParameter("give an ORDER or --from-csv FILE (not both)")
    if from_csv is not None:
        if line or carrier or tracking or location:
            raise typer.BadParameter("--from-csv takes lines, carrier, tracking and location "
                                     "from the file")
        _ship_file(obj, from_csv, dry_run)
        return
    from oms_cli.services.fulfillment import ship_order

    specs = line_specs(line)
    db = obj.writer("ship", dry_run=dry_run)
    shipments = ship_order(db, order or "", specs, carrier=carrier, tracking=tracking,
                           location=location, run_id=obj.run_id, dry_run=dry_run)
    _said(obj, shipments, dry_run)


def _ship_file(obj: AppContext, path: Path, dry_run: bool) -> None:
    from oms_cli.services.fulfillment import ship_from_file

    db = obj.writer("ship", dry_run=dry_run)
    result = ship_from_file(db, path, run_id=obj.run_id, dry_run=dry_run)
    _said(obj, result.shipments, dry_run)
    skipped = f", {result.skipped} already recorded (skipped)" if result.skipped else ""
    obj.info(f"{dry_prefix(dry_run)}{result.file}: {result.rows} rows, "
             f"{len(result.shipments)} shipments{skipped}")


def _said(obj: AppContext, shipments: list[ShipmentResult], dry_run: bool) -> None:
    obj.run_counts.update(shipments=len(shipments),
                          units=sum(sum(s.lines.values()) for s in shipments))
    for shipment in shipments:
        lines = ", ".join(f"{units} x {sku}" for sku, units in shipment.lines.items())
        via = " ".join(part for part in (shipment.carrier, shipment.tracking) if part)
        obj.info(f"{dry_prefix(dry_run)}shipped {shipment.order} from {shipment.location}: "
                 f"{lines}{f' ({via})' if via else ''}; order is now {shipment.status}")
