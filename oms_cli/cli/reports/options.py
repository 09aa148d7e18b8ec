"""The options every report shares, declared once, and what they resolve to.

A report command takes the output options (FormatOpt, OutputOpt, NoHeadersOpt, RawOpt)
from ``oms_cli.cli.options`` and the period, grouping, chart and top options here;
``report_period`` turns the period options into a ``Period`` relative to ``--today``
(else today in the configured time zone), ``report_now`` gives "now" the same way.
A bad period or choice is a usage error (exit 2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from oms_cli.cli.context import AppContext
from oms_cli.domain.periods import BUCKET_UNITS, PERIOD_FORMS, Period, resolve_period, today_in
from oms_cli.errors import InvalidInput

GROUP_BY_CHOICES = ("channel", "sku", "location", "country")


def choice_of(choices: Sequence[str]) -> Callable[[str | None], str | None]:
    """An option callback: the value trimmed and lower-cased, or bad usage (exit 2)."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        word = value.strip().lower()
        if word not in choices:
            raise typer.BadParameter(f"{value!r}: give one of {', '.join(choices)}")
        return word

    return check


PeriodOpt = Annotated[
    str | None,
    typer.Option("--period", "-p", metavar="PERIOD", help="The period to report: "
                 f"{', '.join(PERIOD_FORMS)} (weeks start on Monday; days are local to the "
                 "configured timezone).")]
BeginOpt = Annotated[
    str | None,
    typer.Option("--begin", "-b", metavar="DATE", help="First day (YYYY-MM-DD, or a period: "
                 "its first day); alone, the report runs through today.")]
EndOpt = Annotated[
    str | None,
    typer.Option("--end", "-e", metavar="DATE", help="Day after the last one: the end is "
                 "exclusive (-b 2026-01-01 -e 2026-04-01 is the first quarter). Needs -b.")]
ByOpt = Annotated[
    str | None,
    typer.Option("--by", metavar="UNIT", callback=choice_of(BUCKET_UNITS),
                 help=f"One row per {'|'.join(BUCKET_UNITS)} of the period.")]
GroupByOpt = Annotated[
    str | None,
    typer.Option("--group-by", "-g", metavar="KEY", callback=choice_of(GROUP_BY_CHOICES),
                 help=f"One row per {'|'.join(GROUP_BY_CHOICES)} as well.")]
ChartOpt = Annotated[
    bool,
    typer.Option("--chart", help="Draw a bar chart too: after the table on a terminal; on "
                 "stderr when the data goes to a file, a pipe or a machine format.")]
TopOpt = Annotated[
    int | None,
    typer.Option("--top", metavar="N", min=1, help="Only the first N rows.")]


def report_period(app: AppContext, period: str | None, begin: str | None, end: str | None,
                  default: str = "this-month") -> Period:
    """The period the options name, relative to ``--today`` or the local date.

    Raises typer.BadParameter (exit 2) for a period oms cannot read.
    """
    today = app.today or today_in(app.config.timezone)
    try:
        return resolve_period(period, begin, end, today, default=default)
    except InvalidInput as exc:
        raise typer.BadParameter(exc.message) from None


def report_now(app: AppContext) -> datetime:
    """"Now" for ages and deadlines: this moment, or with --today the end of that local day
    (so a report run with --today is the same whenever it runs)."""
    if app.today is None:
        return datetime.now(UTC)
    zone = ZoneInfo(app.config.timezone)
    return datetime.combine(app.today + timedelta(days=1), time(), zone).astimezone(UTC)
