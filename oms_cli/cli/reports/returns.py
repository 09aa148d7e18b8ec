"""``oms report returns``: by reason, sku or channel; restocked vs damaged; return rates."""

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

GROUP_BY_CHOICES = ("reason", "sku", "channel")

HELP = """Returns recorded in a period (default: this month; `oms return`, local days),
one row per --by bucket, --group-by reason|sku|channel (default reason) and
currency (the order's; currencies are never added together).

\b
Columns:
  returns          return records
  units            units returned (order-line units: a bundle counts once)
  restocked        units returned resaleable: back on the shelf, available again
  damaged          units returned damaged: on hand, never sold
  refund           refunds of those returns. By sku, a return of several lines
                   shares its refund by the lines' unit_price x units (by units
                   when those are 0), rounded half up to the minor unit
  shipped_units    units shipped in the same bucket and currency, of the same sku
                   or channel (every unit for a reason): oms shipments by
                   shipped_at, plus history orders fulfilled on the channel by
                   placed_at
  return_rate_pct  units / shipped_units x 100; empty when nothing shipped
"""

GroupByOpt = Annotated[
    str,
    typer.Option("--group-by", "-g", metavar="KEY", callback=choice_of(GROUP_BY_CHOICES),
                 help=f"One row per {'|'.join(GROUP_BY_CHOICES)}.")]


def register(app: typer.Typer) -> None:
    app.command("returns", help=HELP)(returns)


def returns(
    ctx: typer.Context,
    period: PeriodOpt = None,
    begin: BeginOpt = None,
    end: EndOpt = None,
    by: ByOpt = None,
    group_by: GroupByOpt = "reason",
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    no_headers: NoHeadersOpt = False,
    raw: RawOpt = False,
) -> None:
    from oms_cli.services import reporting

    app = app_context(ctx)
    span = report_period(app, period, begin, end)
    report = reporting.run_report(app.database(), reporting.returns.returns_report,
                                  period=span, timezone=app.config.timezone, by=by,
                                  group_by=group_by)
    emit_report(app, report, OutputChoice(fmt, output, no_headers, raw))
