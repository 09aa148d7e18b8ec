"""A report of several sections (``oms report status``): several titled listings at once.

- table: one titled table per section (titles on their own line when not Rich);
- json: one object with a key per section (its title), each a list of row objects;
- jsonl: one object per row, with the section's title under ``section`` first;
- csv and tsv hold one table only: exactly one listing must be given.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TextIO

from oms_cli.errors import InvalidInput
from oms_cli.output.destination import open_destination
from oms_cli.output.formats import OutputFormat, resolve_format
from oms_cli.output.json_text import to_json
from oms_cli.output.listing import Listing
from oms_cli.output.table import Grid, write_plain, write_rich
from oms_cli.output.writers import checked_rows, write_csv, write_tsv


def render_sections(
    listings: Sequence[Listing],
    *,
    fmt: str | None = None,
    output: Path | None = None,
    headers: bool = True,
    raw: bool = False,
    stream: TextIO | None = None,
    is_terminal: bool | None = None,
    protected: Collection[Path] = (),
) -> int:
    """Write every listing (each titled) and return the number of data rows written.

    Raises InvalidInput for csv or tsv with more than one listing, and as ``render``
    does for a bad format or output path.
    """
    out = sys.stdout if stream is None else stream
    on_terminal = is_terminal if is_terminal is not None else _isatty(out)
    chosen = resolve_format(fmt, output, is_terminal=on_terminal)
    if chosen in (OutputFormat.CSV, OutputFormat.TSV) and len(listings) != 1:
        raise InvalidInput(f"{chosen} holds one table: choose one section")
    with open_destination(output, out, protected) as target:
        if chosen is OutputFormat.CSV:
            return write_csv(listings[0], target, headers=headers, raw=raw)
        if chosen is OutputFormat.TSV:
            return write_tsv(listings[0], target, headers=headers, raw=raw)
        if chosen is OutputFormat.JSON:
            document = {_title(listing): _records(listing) for listing in listings}
            target.write(to_json(document, indent=2) + "\n")
            return sum(len(records) for records in document.values())
        if chosen is OutputFormat.JSONL:
            return _write_jsonl(listings, target)
        grids = [Grid(listing.columns, list(checked_rows(listing)), _title(listing), headers)
                 for listing in listings]
        if output is None and on_terminal:
            write_rich(grids, target)
        else:
            write_plain(grids, target, titles=True)
        return sum(len(grid.rows) for grid in grids)


def _records(listing: Listing) -> list[dict[str, object]]:
    return [dict(zip(listing.columns, row, strict=True)) for row in checked_rows(listing)]


def _write_jsonl(listings: Sequence[Listing], target: TextIO) -> int:
    count = 0
    for listing in listings:
        for record in _records(listing):
            target.write(to_json({"section": _title(listing), **record}) + "\n")
            count += 1
    return count


def _title(listing: Listing) -> str:
    return listing.title or "rows"


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
