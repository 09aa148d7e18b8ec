"""``oms report products``: units, revenue, margin and returns per sku; best or worst first."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from oms_cli.cli.context import OutputChoice, app_context
from oms_cli.cli.options import FormatOpt, NoHeadersOpt, OutputOpt, RawOpt
from oms_cli.cli.reports.emit import emit_report, show_charts
from oms_cli.cli.reports.options import (
    BeginOpt,
    ChartOpt,
    EndOpt,
    PeriodOpt,
    TopOpt,
    report_period,
)

HELP = """Products sold in a period (default: this month), one row per sku and currency,
best sellers first: most units, then most revenue (units compare across
currencies, revenue does not). Active products that sold nothing are listed with
zero units, so --worst --top 10 shows what is not moving.

\b
Over the lines of orders placed in the period and not cancelled:
  units        ordered units
  revenue      net, as in `oms report sales --group-by sku`: unit_price x quantity
               less the line's share of the order's discounts, refunds and (on
               tax-inclusive orders) tax, in proportion to its part of the order's
               gross, rounded half up
  cogs         product cost x (units - cancelled - returned); blank unless every
               line's product has a cost in the order's currency
  margin       revenue - cogs;  margin_pct = margin / revenue x 100
  returned     units returned so far;  return_rate = returned / units x 100
--chart draws the units of the rows shown.
"""

WorstOpt = Annotated[bool, typer.Option("--worst", help="Fewest units first.")]


def register(app: typer.Typer) -> None:
    app.command("products", help=HELP)(products)


def products(
    ctx: typer.Context,
    period: PeriodOpt = None,
    begin: BeginOpt = None,
    end: EndOpt = None,
    top: TopOpt = None,
    worst: WorstOpt = False,
    chart: ChartOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    no_headers: NoHeadersOpt = False,
    raw: RawOpt = False,
) -> None:
    from oms_cli.services import reporting

    app = app_context(ctx)
    span = report_period(app, period, begin, end)
    report = reporting.run_report(app.database(), reporting.products.products_report,
                                  period=span, timezone=app.config.timezone, top=top,
                                  worst=worst)
    choice = OutputChoice(fmt, output, no_headers, raw)
    emit_report(app, report, choice)
    if chart:
        show_charts([units_chart(report.rows, worst)], choice)


def units_chart(rows: list[tuple[Any, ...]], worst: bool) -> Any:
    from oms_cli.output.charts import bar_chart

    labels = [f"{row[0]} ({row[2]})" for row in rows]
    title = "fewest units sold" if worst else "most units sold"
    return bar_chart(title, labels, [row[3] for row in rows], unit="units")
