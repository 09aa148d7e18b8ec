"""Tables for people: Rich on a terminal, plain aligned text when piped or saved.

The plain form is one line per row, columns two spaces apart, numbers right-aligned,
nothing truncated, no colour and no box, so ``grep``, ``sort`` and ``cut`` work on it.
Rich is imported only when a Rich table is drawn.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from oms_cli.output.cells import display_text, is_number

if TYPE_CHECKING:
    from rich.table import Table

_GAP = "  "


@dataclass(frozen=True)
class Grid:
    """A table already read whole: its column names, rows of cells and optional title."""

    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    title: str | None = None
    headers: bool = True

    def numeric_columns(self) -> list[bool]:
        """Which columns hold only numbers (and blanks), to be right-aligned."""
        return [
            any(row[index] is not None for row in self.rows)
            and all(row[index] is None or is_number(row[index]) for row in self.rows)
            for index in range(len(self.columns))
        ]


def write_plain(grids: Sequence[Grid], stream: TextIO, *, titles: bool) -> None:
    """Write each grid as plain aligned text, a blank line between them.

    With ``titles`` a grid's title is a line of its own above it; without, titles
    are left out so the output is nothing but data.
    """
    for position, grid in enumerate(grids):
        if position:
            stream.write("\n")
        if titles and grid.title:
            stream.write(f"{grid.title}\n")
        for line in _plain_lines(grid):
            stream.write(line + "\n")


def write_rich(grids: Sequence[Grid], stream: TextIO) -> None:
    """Draw each grid as a Rich table through a console bound to ``stream``."""
    from rich.console import Console

    console = Console(file=stream, highlight=False, markup=False, emoji=False)
    for grid in grids:
        console.print(_rich_table(grid))


def _plain_lines(grid: Grid) -> list[str]:
    texts = [[display_text(value) for value in row] for row in grid.rows]
    if grid.headers:
        texts.insert(0, [display_text(column) for column in grid.columns])
    widths = [max(map(_width, column)) for column in zip(*texts, strict=True)]
    right = grid.numeric_columns()
    return [_plain_line(row, widths, right) for row in texts]


def _plain_line(cells: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> str:
    padded = (
        _pad(cell, width, align_right)
        for cell, width, align_right in zip(cells, widths, right, strict=True)
    )
    return _GAP.join(padded).rstrip()


def _pad(text: str, width: int, align_right: bool) -> str:
    padding = " " * (width - _width(text))
    return padding + text if align_right else text + padding


def _width(text: str) -> int:
    """Terminal columns ``text`` takes: wide East Asian characters two, combining marks none."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


def _rich_table(grid: Grid) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=grid.title, show_header=grid.headers, header_style="bold", expand=False)
    for column, align_right in zip(grid.columns, grid.numeric_columns(), strict=True):
        table.add_column(Text(column), justify="right" if align_right else "left", overflow="fold")
    for row in grid.rows:
        table.add_row(*(Text(display_text(value)) for value in row))
    return table
