"""Writing a report's rows: data to stdout or -o, notes and stray charts to stderr."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from oms_cli.cli.context import AppContext, OutputChoice
from oms_cli.output import Listing, OutputFormat, resolve_format

if TYPE_CHECKING:
    from oms_cli.services.reporting import ReportRows


def emit_report(app: AppContext, report: ReportRows, choice: OutputChoice) -> None:
    """Write the rows as the options ask; the report's notes go to stderr (unless -q)."""
    for note in report.notes:
        app.info(note)
    app.emit(Listing(report.columns, report.rows, report.title), choice)


def emit_sections(app: AppContext, sections: Sequence[ReportRows], choice: OutputChoice) -> None:
    """Write several titled sections at once (see ``oms_cli.output.sections``)."""
    from oms_cli.output.sections import render_sections
    from oms_cli.services.database import database_file

    for section in sections:
        for note in section.notes:
            app.info(note)
    location = database_file(app.database_location())
    render_sections([Listing(s.columns, s.rows, s.title) for s in sections],
                    fmt=choice.fmt, output=choice.output, headers=not choice.no_headers,
                    raw=choice.raw, protected=[location] if location else [])


def chosen_format(choice: OutputChoice) -> OutputFormat:
    return resolve_format(choice.fmt, choice.output, is_terminal=sys.stdout.isatty())


def show_charts(charts: Sequence[Any], choice: OutputChoice) -> None:
    """Print charts after a table on a terminal; anywhere else on stderr, never in the data."""
    from oms_cli.output.charts import write_charts

    on_terminal = (choice.output is None and sys.stdout.isatty()
                   and chosen_format(choice) is OutputFormat.TABLE)
    write_charts(charts, sys.stdout if on_terminal else sys.stderr)
