"""``oms report inventory``: stock, velocity, days of cover and what to reorder."""

from __future__ import annotations

from typing import Annotated

import typer

from oms_cli.cli.context import OutputChoice, app_context
from oms_cli.cli.options import FormatOpt, NoHeadersOpt, OutputOpt, RawOpt
from oms_cli.cli.reports.emit import emit_report

HELP = """Stock now, how fast it sells, and what to reorder: one row per active product
(bundles have no stock of their own), totalled over the active locations (location
"all"); --by-location or -l LOC for one row per product and location.

\b
Columns:
  on_hand, reserved, damaged   units now (damaged units are on hand, never sold)
  available      on_hand - reserved - damaged - safety_stock, never below zero
                 (per location, then summed)
  velocity       units shipped / window days: the units that left stock in the
                 last --window days (today included; default reports.velocity_days),
                 a bundle as its components, at the location they left; plus
                 history orders fulfilled on the channel (no oms shipment), dated
                 by placed_at, counted in the "all" rows only (no location)
  days_of_cover  available / velocity; empty when nothing shipped
  reorder_qty    ceil(velocity x (lead_time_days + reports.cover_days) +
                 safety_stock - (on_hand - reserved - damaged) - on order), at
                 least 0, and at least the product's reorder_qty when below its
                 reorder point (oms keeps no purchase orders: on order is 0)
  value_at_cost  on_hand x cost, in the product's currency (empty without a cost)
  below_reorder_point  available <= reorder_point (as `oms stock show --low`)
  lead_time_days the product's, else reports.default_lead_time_days
  units_shipped  the units behind velocity
"""

LocationOpt = Annotated[
    str | None,
    typer.Option("--location", "-l", metavar="LOC", help="Only this location (one row per "
                 "product there).")]
WindowOpt = Annotated[
    int | None,
    typer.Option("--window", min=1, metavar="DAYS", help="Days of shipments velocity is "
                 "averaged over, today included (default: reports.velocity_days).")]
ByLocationOpt = Annotated[
    bool, typer.Option("--by-location", help="One row per product and location.")]
LowOpt = Annotated[
    bool, typer.Option("--low", help="Only rows at or below their reorder point.")]


def register(app: typer.Typer) -> None:
    app.command("inventory", help=HELP)(inventory)


def inventory(
    ctx: typer.Context,
    location: LocationOpt = None,
    by_location: ByLocationOpt = False,
    low: LowOpt = False,
    window: WindowOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    no_headers: NoHeadersOpt = False,
    raw: RawOpt = False,
) -> None:
    from oms_cli.domain.periods import today_in
    from oms_cli.services import reporting

    app = app_context(ctx)
    settings = app.config.reports
    velocity_window = reporting.inventory.InventoryWindow.ending(
        app.today or today_in(app.config.timezone), window or settings.velocity_days,
        app.config.timezone, default_lead_time_days=settings.default_lead_time_days,
        cover_days=settings.cover_days)
    report = reporting.run_report(app.database(), reporting.inventory.inventory_report,
                                  window=velocity_window, by_location=by_location,
                                  location=location, low_only=low)
    emit_report(app, report, OutputChoice(fmt, output, no_headers, raw))
