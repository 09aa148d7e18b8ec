"""`oms return`: units that came back, restocked or set aside as damaged."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from oms_cli.cli.context import app_context, dry_prefix
from oms_cli.cli.options import DryRunOpt
from oms_cli.cli.ship_cmd import line_specs


def register(app: typer.Typer) -> None:
    app.command("return")(return_command)


def _condition(value: str) -> str:
    if value not in ("resaleable", "damaged"):
        raise typer.BadParameter(f"{value!r}: give resaleable or damaged")
    return value


def _amount(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        raise typer.BadParameter(f"{value!r} is not an amount (e.g. 12.50)") from None


def return_command(
        ctx: typer.Context,
        order: Annotated[str, typer.Argument(help="Order id or CHANNEL:EXTERNAL_ID "
                         "(shopify:#1001).", metavar="ORDER")],
        line: Annotated[list[str], typer.Option("--line", help="SKU=QTY: units of a line that "
                        "came back (repeat for more lines).", metavar="SKU=QTY")],
        reason: Annotated[str | None, typer.Option("--reason", "-r", help="Why it came back "
                          "(wrong size, damaged in transit, ...).")] = None,
        condition: Annotated[str, typer.Option("--condition", help="resaleable (back to "
                             "available) or damaged (on hand, never sold).",
                             metavar="resaleable|damaged", callback=_condition)] = "resaleable",
        location: Annotated[str | None, typer.Option("--location", "-l", help="Where it "
                            "came back (default: where it shipped from, else the only "
                            "location).", metavar="LOC")] = None,
        refund: Annotated[str | None, typer.Option("--refund", help="Amount refunded, in the "
                          "order's currency (default: unit price x units returned).",
                          metavar="AMOUNT")] = None,
        dry_run: DryRunOpt = False) -> None:
    """Take back shipped units: to the location they shipped from unless -l says otherwise;
    a bundle comes back as its components. The order becomes partially returned or
    returned."""
    from oms_cli.services.returns import return_units

    obj = app_context(ctx)
    specs, amount = line_specs(line), _amount(refund)
    db = obj.writer("return", dry_run=dry_run)
    result = return_units(db, order, specs, reason=reason, condition=condition,
                          location=location, refund=amount, run_id=obj.run_id,
                          dry_run=dry_run)
    obj.run_counts.update(units=sum(result.lines.values()))
    lines = ", ".join(f"{units} x {sku}" for sku, units in result.lines.items())
    where = "damaged at" if condition == "damaged" else "back in stock at"
    obj.info(f"{dry_prefix(dry_run)}returned {lines} of {result.order}, {where} "
             f"{result.location}; refund {result.refund} {result.currency}; order is now "
             f"{result.status}")
