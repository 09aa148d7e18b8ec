"""``oms report status``: what is stuck, late, held or running out; --alert for cron."""

from __future__ import annotations

from typing import Annotated

import typer

from oms_cli.cli.context import OutputChoice, app_context
from oms_cli.cli.options import FormatOpt, NoHeadersOpt, OutputOpt, RawOpt
from oms_cli.cli.reports.emit import chosen_format, emit_sections
from oms_cli.cli.reports.options import BeginOpt, EndOpt, PeriodOpt, report_now, report_period
from oms_cli.errors import ExitCode
from oms_cli.output import OutputFormat

SECTIONS = ("orders", "late", "holds", "reorder")

HELP = """The order book now, in four sections (tables on a terminal; -f json: one object
with a key per section; -f jsonl: one object per row with its "section"; csv and
tsv hold one table, so they need --section).

\b
orders   orders per status and channel. Open statuses (pending, on_hold, ready,
         backordered, partially_allocated, allocated, partially_shipped) count
         every open order whatever its age; shipped, returned and cancelled count
         the orders placed in the period (-p, default this month).
           late: open orders placed more than reports.shipping_sla_hours ago
           oldest_placed_at: the oldest open order; age_hours: now - oldest, whole hours
late     those late orders, oldest first (the first --limit of them)
holds    orders on hold per reason, with the oldest and its age
reorder  active products with a reorder point whose available units (per active
         location: on_hand - reserved - damaged - safety_stock, never below zero;
         summed) are at or below it

\b
--alert exits 3 when anything needs attention: an order on hold, a late order, or
(when reports.low_stock_alert) a product at or below its reorder point. "Now" is
this moment, or with --today the end of that day in the configured timezone.
"""

SectionOpt = Annotated[
    str | None,
    typer.Option("--section", "-s", metavar="NAME", help=f"Only this section: "
                 f"{'|'.join(SECTIONS)} (needed for csv and tsv).")]
AlertOpt = Annotated[
    bool, typer.Option("--alert", help="Exit 3 when anything needs attention (for cron).")]
LimitOpt = Annotated[
    int, typer.Option("--limit", min=1, metavar="N", help="Late orders to list (oldest first).")]


def register(app: typer.Typer) -> None:
    app.command("status", help=HELP)(status)


def status(
    ctx: typer.Context,
    period: PeriodOpt = None,
    begin: BeginOpt = None,
    end: EndOpt = None,
    section: SectionOpt = None,
    alert: AlertOpt = False,
    limit: LimitOpt = 20,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    no_headers: NoHeadersOpt = False,
    raw: RawOpt = False,
) -> None:
    from oms_cli.services import reporting

    app = app_context(ctx)
    choice = OutputChoice(fmt, output, no_headers, raw)
    wanted = _sections(section, chosen_format(choice))
    span = report_period(app, period, begin, end)
    settings = app.config.reports
    result = reporting.run_report(
        app.database(), reporting.status.status_report, now=report_now(app),
        sla_hours=settings.shipping_sla_hours, period=span, timezone=app.config.timezone,
        watch_stock=settings.low_stock_alert, late_limit=limit)
    emit_sections(app, [s for s in result.sections if s.title in wanted], choice)
    if result.attention:
        message = "needs attention: " + "; ".join(result.attention)
        if alert:
            app.warn(message)
            raise typer.Exit(ExitCode.ATTENTION)
        app.info(message)


def _sections(section: str | None, fmt: OutputFormat) -> tuple[str, ...]:
    if section is not None and section.strip().lower() not in SECTIONS:
        raise typer.BadParameter(f"{section!r}: give one of {', '.join(SECTIONS)}",
                                 param_hint="--section")
    if section is None and fmt in (OutputFormat.CSV, OutputFormat.TSV):
        raise typer.BadParameter(f"{fmt} holds one table: add --section "
                                 f"{'|'.join(SECTIONS)} (or use -f json)",
                                 param_hint="--section")
    return SECTIONS if section is None else (section.strip().lower(),)
