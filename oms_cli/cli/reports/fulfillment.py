"""``oms report fulfillment``: hours to allocate and to ship, split and backorder rates."""

from __future__ import annotations

from typing import Annotated

import typer

from oms_cli.cli.context import OutputChoice, app_context
from oms_cli.cli.options import FormatOpt, NoHeadersOpt, OutputOpt, RawOpt
from oms_cli.cli.reports.emit import emit_report
from oms_cli.cli.reports.options import (
    BeginOpt,
    ByOpt,
    EndOpt,
    PeriodOpt,
    choice_of,
    report_period,
)

GROUP_BY_CHOICES = ("channel", "location")

HELP = """How fast orders placed in a period (default: this month) were allocated and
shipped, per --by bucket and --group-by channel|location.

The orders are those placed in the period (local days) that `oms allocate` looked
at: history imported as fulfilled or cancelled, and orders still pending or held
before any allocation, are left out; cancelled orders stay in.

\b
Columns:
  orders               those orders
  allocated            orders with an allocation
  median_hours_to_allocate, p90_hours_to_allocate
                       hours from placed_at to the order's first allocation
  shipped              orders with a shipment
  median_hours_to_ship, p90_hours_to_ship
                       hours from placed_at to the order's first shipment
  split                shipped orders that shipped from 2 or more locations
  split_rate_pct       split / shipped x 100
  backordered          orders that were ever backordered (their timeline has a
                       move to backordered)
  backorder_rate_pct   backordered / orders x 100
Median and p90 are nearest-rank percentiles: of the n orders that got there,
sorted by hours, the one at position ceil(n x 0.5) and ceil(n x 0.9).

\b
--group-by location: an order counts at every location it was allocated at (else
"(unallocated)"), with the hours to its first allocation and first shipment there.
"""

GroupByOpt = Annotated[
    str | None,
    typer.Option("--group-by", "-g", metavar="KEY", callback=choice_of(GROUP_BY_CHOICES),
                 help=f"One row per {'|'.join(GROUP_BY_CHOICES)} as well.")]


def register(app: typer.Typer) -> None:
    app.command("fulfillment", help=HELP)(fulfillment)


def fulfillment(
    ctx: typer.Context,
    period: PeriodOpt = None,
    begin: BeginOpt = None,
    end: EndOpt = None,
    by: ByOpt = None,
    group_by: GroupByOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    no_headers: NoHeadersOpt = False,
    raw: RawOpt = False,
) -> None:
    from oms_cli.services import reporting

    app = app_context(ctx)
    span = report_period(app, period, begin, end)
    report = reporting.run_report(app.database(), reporting.fulfillment.fulfillment_report,
                                  period=span, timezone=app.config.timezone, by=by,
                                  group_by=group_by)
    emit_report(app, report, OutputChoice(fmt, output, no_headers, raw))
