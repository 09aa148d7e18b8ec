"""``oms report customers``: new vs returning, repeat rate, lifetime value, RFM segments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from oms_cli.cli.context import AppContext, OutputChoice, app_context
from oms_cli.cli.options import FormatOpt, NoHeadersOpt, OutputOpt, RawOpt
from oms_cli.cli.reports.emit import emit_report
from oms_cli.cli.reports.options import (
    BeginOpt,
    ByOpt,
    EndOpt,
    PeriodOpt,
    report_now,
    report_period,
)

if TYPE_CHECKING:
    from oms_cli.services.reporting import ReportRows

# The segments of oms_cli.reports.customers, named here so --help needs no database code.
SEGMENT_NAMES = ("champions", "loyal", "promising", "new", "at_risk", "hibernating")

HELP = """Customers of a period (default: this month) per --by bucket and currency; with
--segments, every customer's RFM segment now; with --segment NAME, who is in it.

A customer is an e-mail address (orders without one are left out, with a note).
Cancelled orders never count. revenue = order totals (shipping and tax included:
what the customer paid) - refunds, in the order's currency; currencies are never
added together. Orders count in the bucket they were placed (local days).

\b
Per bucket:
  customers            customers with an order in the bucket
  new                  those whose first order ever (any currency) is in the bucket
  returning            customers - new
  repeat_rate_pct      customers with 2+ orders by the bucket's end / customers x 100
  orders, revenue      their orders and revenue in the bucket
  orders_per_customer  orders / customers
  revenue_per_customer revenue / customers

\b
--segments (as of now, or the end of --today), per segment and currency, and "all":
  R  recency, days since the last order: <= 30: 5, <= 90: 4, <= 180: 3, <= 365: 2,
     else 1 (fixed thresholds)
  F  frequency, orders: 6+: 5, 4-5: 4, 3: 3, 2: 2, 1: 1 (fixed thresholds)
  M  monetary, by quintile of revenue within the currency: ceil(5 x share of the
     currency's customers whose revenue is at most theirs); equal spenders score
     the same
  segment, the first rule that holds:
     champions    R >= 4 and F >= 4 and M >= 4
     loyal        R >= 3 and F >= 3
     promising    R >= 3 and F = 2
     new          R >= 4 and F = 1
     at_risk      F >= 2 (and so R <= 2)
     hibernating  the rest: one order, more than 90 days ago
  share_pct        customers / the currency's customers x 100
  lifetime_value   revenue / customers, over all time
  repeat_rate_pct  customers with 2+ orders / customers x 100
"""

SegmentsOpt = Annotated[
    bool, typer.Option("--segments", help="Customers per RFM segment and currency, as of now.")]
SegmentOpt = Annotated[
    str | None,
    typer.Option("--segment", metavar="NAME", help="List the customers of one segment "
                 f"({'|'.join(SEGMENT_NAMES)}, or all) with their R, F and M.")]


def register(app: typer.Typer) -> None:
    app.command("customers", help=HELP)(customers)


def customers(
    ctx: typer.Context,
    period: PeriodOpt = None,
    begin: BeginOpt = None,
    end: EndOpt = None,
    by: ByOpt = None,
    segments: SegmentsOpt = False,
    segment: SegmentOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    no_headers: NoHeadersOpt = False,
    raw: RawOpt = False,
) -> None:
    from oms_cli.services import reporting

    app = app_context(ctx)
    choice = OutputChoice(fmt, output, no_headers, raw)
    if segments or segment is not None:
        if any(option is not None for option in (period, begin, end, by)):
            raise typer.BadParameter("segments are as of now (or --today): leave out "
                                     "-p, -b, -e and --by", param_hint="'--segments'")
        emit_report(app, _segments(app, _segment_name(segment)), choice)
        return
    span = report_period(app, period, begin, end)
    report = reporting.run_report(app.database(), reporting.customers.customers_report,
                                  period=span, timezone=app.config.timezone, by=by)
    emit_report(app, report, choice)


def _segment_name(segment: str | None) -> str | None:
    """The segment --segment names (None: every customer, or the summary without it)."""
    if segment is None:
        return None
    name = segment.strip().lower()
    if name not in (*SEGMENT_NAMES, "all"):
        raise typer.BadParameter(f"{segment!r}: give one of {', '.join(SEGMENT_NAMES)} or all",
                                 param_hint="'--segment'")
    return name


def _segments(app: AppContext, name: str | None) -> ReportRows:
    """The summary per segment (no --segment), or the customers of one segment (or all)."""
    from oms_cli.services import reporting

    if name is None:
        return reporting.run_report(app.database(), reporting.customers.segments_report,
                                    as_of=report_now(app))
    return reporting.run_report(app.database(), reporting.customers.segment_members,
                                as_of=report_now(app), segment=None if name == "all" else name)
