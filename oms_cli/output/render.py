"""The one renderer every listing command uses: rows -> table | csv | tsv | json | jsonl.

Data goes to the stream (stdout unless told otherwise) or to the ``-o`` file;
render prints nothing else, and messages are the caller's to write on stderr. A
closed pipe (BrokenPipeError) propagates for the CLI layer to silence.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TextIO

from oms_cli.errors import InvalidInput
from oms_cli.output.destination import open_destination
from oms_cli.output.document import document_grids
from oms_cli.output.formats import OutputFormat, resolve_format
from oms_cli.output.json_text import to_json
from oms_cli.output.listing import Listing
from oms_cli.output.table import Grid, write_plain, write_rich
from oms_cli.output.writers import checked_rows, write_csv, write_json, write_jsonl, write_tsv


def render(
    listing: Listing,
    *,
    fmt: str | None = None,
    output: Path | None = None,
    headers: bool = True,
    raw: bool = False,
    stream: TextIO | None = None,
    is_terminal: bool | None = None,
    protected: Collection[Path] = (),
) -> int:
    """Write ``listing`` and return the number of data rows written.

    The format is ``fmt``, else the ``output`` file's extension, else a table: drawn
    with Rich when the stream is a terminal (``is_terminal``, by default the stream's
    own ``isatty()``), as plain aligned text otherwise and always in a file.
    ``headers=False`` drops the header line of table, csv and tsv; JSON keeps its keys.
    ``raw=True`` turns off the csv/tsv formula guard. ``output`` is written whole or
    not at all and never over a ``protected`` path. Raises InvalidInput for a bad
    format or output path (before any row is read), ValueError for a row whose
    length does not match the columns.
    """
    out = sys.stdout if stream is None else stream
    on_terminal = _is_terminal(out, is_terminal)
    chosen = resolve_format(fmt, output, is_terminal=on_terminal)
    terminal = output is None and on_terminal
    with open_destination(output, out, protected) as target:
        if chosen is OutputFormat.CSV:
            return write_csv(listing, target, headers=headers, raw=raw)
        if chosen is OutputFormat.TSV:
            return write_tsv(listing, target, headers=headers, raw=raw)
        if chosen is OutputFormat.JSON:
            return write_json(listing, target)
        if chosen is OutputFormat.JSONL:
            return write_jsonl(listing, target)
        grid = Grid(listing.columns, list(checked_rows(listing)), listing.title, headers)
        _write_grids([grid], target, terminal=terminal, titles=False)
        return len(grid.rows)


def render_document(
    document: Mapping[str, object],
    *,
    fmt: str | None = None,
    output: Path | None = None,
    stream: TextIO | None = None,
    is_terminal: bool | None = None,
    protected: Collection[Path] = (),
) -> None:
    """Write one nested object, such as an order with its ``lines`` and ``events``.

    json writes it indented, jsonl on one line; a table shows its fields as a
    field/value table and each list of objects as a table of its own. Raises
    InvalidInput for csv or tsv, which cannot hold a nested object.
    """
    out = sys.stdout if stream is None else stream
    on_terminal = _is_terminal(out, is_terminal)
    chosen = resolve_format(fmt, output, is_terminal=on_terminal)
    if chosen in (OutputFormat.CSV, OutputFormat.TSV):
        raise InvalidInput(f"a single record with nested lists cannot be {chosen}: use -f json")
    terminal = output is None and on_terminal
    with open_destination(output, out, protected) as target:
        if chosen is OutputFormat.TABLE:
            _write_grids(document_grids(document), target, terminal=terminal, titles=True)
        else:
            indent = 2 if chosen is OutputFormat.JSON else None
            target.write(to_json(document, indent=indent) + "\n")


def _write_grids(grids: list[Grid], target: TextIO, *, terminal: bool, titles: bool) -> None:
    if terminal:
        write_rich(grids, target)
    else:
        write_plain(grids, target, titles=titles)


def _is_terminal(stream: TextIO, told: bool | None) -> bool:
    if told is not None:
        return told
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
