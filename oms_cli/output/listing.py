"""What a listing command hands to the renderer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Listing:
    """Named columns and rows of cells, one cell per column.

    ``rows`` may be a generator: csv, tsv, json and jsonl stream it, so a listing of
    any length is written in flat memory; a table reads it whole to size its columns.
    Cells are None, str, int, bool, Decimal, float, date or datetime; JSON also takes
    lists and mappings (text formats write those as compact JSON).
    """

    columns: Sequence[str]
    rows: Iterable[Sequence[object]]
    title: str | None = None
