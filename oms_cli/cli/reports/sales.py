"""``oms report sales``: orders, units and money per period, currency and group."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import typer

from oms_cli.cli.context import OutputChoice, app_context
from oms_cli.cli.options import FormatOpt, NoHeadersOpt, OutputOpt, RawOpt
from oms_cli.cli.reports.emit import emit_report, show_charts
from oms_cli.cli.reports.options import (
    BeginOpt,
    ByOpt,
    ChartOpt,
    EndOpt,
    GroupByOpt,
    PeriodOpt,
    report_period,
)

HELP = """Sales of a period (default: this month), per --by bucket, currency and --group-by key.

Orders count in the period they were placed, in local days of the configured
timezone. Amounts are in each row's currency; currencies are never added together.

\b
Columns (per order, summed over the row's orders):
  orders      orders placed, cancelled ones left out
  units       sum of quantity over their lines
  gross       sum of unit_price x quantity (prices as charged: tax inside on
              tax-inclusive orders)
  discounts   the orders' discounts
  shipping    shipping charged
  tax         tax charged (inside gross on tax-inclusive orders, on top otherwise)
  net         gross - discounts - refunds - (tax, on tax-inclusive orders)
              + refunded tax (tax x refunds / total, rounded half up: a refund
              gives its share of tax back). Net never holds tax or shipping, so
              tax-inclusive orders are not taxed twice.
  refunds     refunded so far (the channel's refunds and `oms return`)
  aov         net / orders (average order value)
  growth_pct  (net - previous net) / |previous net| x 100, against the same key's
              previous bucket (the first against the span just before the period)
  cancelled   orders placed in the period and since cancelled (in no other column)

\b
--group-by channel|country: the order's channel, ship-to country.
--group-by sku|location: per line; a line's share of its order's discounts,
  shipping, tax and refunds is in proportion to its unit_price x quantity in the
  order's gross, rounded half up to the minor unit. location is where the line
  shipped from, else where it is allocated, else (unallocated) (also history
  imported already shipped, which has no shipment); a line split across locations
  counts at the first location code.
--chart draws net per bucket, one chart per currency.
"""


def register(app: typer.Typer) -> None:
    app.command("sales", help=HELP)(sales)


def sales(
    ctx: typer.Context,
    period: PeriodOpt = None,
    begin: BeginOpt = None,
    end: EndOpt = None,
    by: ByOpt = None,
    group_by: GroupByOpt = None,
    chart: ChartOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    no_headers: NoHeadersOpt = False,
    raw: RawOpt = False,
) -> None:
    from oms_cli.services import reporting

    app = app_context(ctx)
    span = report_period(app, period, begin, end)
    report = reporting.run_report(app.database(), reporting.sales.sales_report, period=span,
                                  timezone=app.config.timezone, by=by, group_by=group_by)
    choice = OutputChoice(fmt, output, no_headers, raw)
    emit_report(app, report, choice)
    if chart:
        show_charts(net_charts(report.columns, report.rows), choice)


def net_charts(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[Any]:
    """One chart of net per period for each currency (groups added up within a currency)."""
    from oms_cli.output.charts import bar_chart

    period, currency, net = (columns.index(name) for name in ("period", "currency", "net"))
    totals: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        per_period = totals[row[currency]]
        per_period[row[period]] = per_period.get(row[period], Decimal(0)) + row[net]
    return [bar_chart(f"net sales, {code}", list(values), list(values.values()), unit=code)
            for code, values in sorted(totals.items())]
