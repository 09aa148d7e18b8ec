"""The streaming formats: csv, tsv, json and jsonl, each writing rows as they come.

Each writer returns the number of data rows written. ``headers`` affects csv and tsv
only (in JSON the column names are the keys). ``raw`` turns off the formula guard,
which csv and tsv apply to text cells (never to numbers).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

from oms_cli.output.cells import cell_text, guard_formula
from oms_cli.output.json_text import to_json
from oms_cli.output.listing import Listing

# TSV has no quoting: a tab or line break inside a cell becomes a space.
_TSV_BREAKERS = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def write_csv(listing: Listing, stream: TextIO, *, headers: bool, raw: bool) -> int:
    writer = csv.writer(stream, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    if headers:
        writer.writerow(listing.columns)
    count = 0
    for row in checked_rows(listing):
        writer.writerow([_spreadsheet_text(value, raw) for value in row])
        count += 1
    return count


def write_tsv(listing: Listing, stream: TextIO, *, headers: bool, raw: bool) -> int:
    if headers:
        stream.write(_tsv_line(listing.columns))
    count = 0
    for row in checked_rows(listing):
        stream.write(_tsv_line([_spreadsheet_text(value, raw) for value in row]))
        count += 1
    return count


def write_json(listing: Listing, stream: TextIO) -> int:
    """One JSON array, one object per line, written as the rows arrive."""
    count = 0
    for row in checked_rows(listing):
        stream.write("[\n  " if count == 0 else ",\n  ")
        stream.write(to_json(dict(zip(listing.columns, row, strict=True))))
        count += 1
    stream.write("[]\n" if count == 0 else "\n]\n")
    return count


def write_jsonl(listing: Listing, stream: TextIO) -> int:
    count = 0
    for row in checked_rows(listing):
        stream.write(to_json(dict(zip(listing.columns, row, strict=True))) + "\n")
        count += 1
    return count


def checked_rows(listing: Listing) -> Iterator[Sequence[object]]:
    """The listing's rows, raising ValueError at the first with the wrong number of cells."""
    width = len(listing.columns)
    for number, row in enumerate(listing.rows, start=1):
        if len(row) != width:
            raise ValueError(f"row {number} has {len(row)} cells for {width} columns")
        yield row


def _spreadsheet_text(value: object, raw: bool) -> str:
    # Plain text and whole numbers fill most cells of a long listing (an allocation
    # plan has hundreds of thousands): they skip cell_text's checks, to the same text.
    if type(value) is str:
        return value if raw else guard_formula(value)
    if type(value) is int:
        return str(value)
    text = cell_text(value)
    return text if raw or not isinstance(value, str) else guard_formula(text)


def _tsv_line(cells: Iterable[str]) -> str:
    return "\t".join(cell.translate(_TSV_BREAKERS) for cell in cells) + "\n"
