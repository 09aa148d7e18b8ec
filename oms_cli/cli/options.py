"""Options shared by many commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", help="table, csv, tsv, json or jsonl (default: table, "
                 "or the -o file's extension).", metavar="FORMAT"),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to FILE (format from its extension) "
                 "instead of stdout.", metavar="FILE", dir_okay=False),
]
NoHeadersOpt = Annotated[
    bool, typer.Option("--no-headers", help="Leave out the header row (table, csv, tsv).")
]
RawOpt = Annotated[
    bool, typer.Option("--raw", help="Don't guard CSV/TSV text cells that a spreadsheet "
                       "would run as a formula.")
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Do everything, then roll it back: nothing is stored.")
]
LocationOpt = Annotated[
    str | None,
    typer.Option("--location", "-l", help="Location code (may be left out when there is "
                 "only one).", metavar="LOC"),
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Don't ask for confirmation.")]
