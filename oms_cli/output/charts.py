"""Terminal bar charts for reports whose trend reads better drawn (``--chart``).

A chart is for people: the CLI prints it after the table when the data goes to a
terminal as a table, and on stderr otherwise (``-f csv``, ``-o file``, a pipe), so
the data stream stays exactly the data. Rich is imported only to draw one.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, TextIO

from oms_cli.output.cells import cell_text

if TYPE_CHECKING:
    from rich.table import Table

BAR_WIDTH = 40
_EIGHTHS = " ▏▎▍▌▋▊▉"


Number = Decimal | int | float


def bar(value: Number, largest: Number, width: int = BAR_WIDTH) -> str:
    """A bar of block characters, ``width`` long for ``largest``; by magnitude, in eighths."""
    if not largest:
        return ""
    eighths = round(abs(Decimal(str(value))) / abs(Decimal(str(largest))) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def bar_chart(title: str, labels: Sequence[str], values: Sequence[Number], *,
              unit: str = "") -> Table:
    """A Rich renderable: one row per label with its bar and value (``unit`` after it).

    Negative values get a red bar as long as their magnitude. Raises ValueError when
    labels and values differ in length.
    """
    from rich.table import Table
    from rich.text import Text

    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} values")
    largest = max((abs(Decimal(str(value))) for value in values), default=Decimal(0))
    chart = Table(title=title, show_header=False, box=None, padding=(0, 1))
    chart.add_column(justify="left", no_wrap=True)
    chart.add_column(justify="left", no_wrap=True)
    chart.add_column(justify="right", no_wrap=True)
    for label, value in zip(labels, values, strict=True):
        style = "red" if value < 0 else "cyan"
        shown = f"{cell_text(value)} {unit}".rstrip()
        chart.add_row(Text(label), Text(bar(value, largest), style=style), Text(shown))
    return chart


def write_charts(charts: Sequence[Table], stream: TextIO) -> None:
    """Print ``charts`` to ``stream``: coloured on a terminal, plain text otherwise."""
    from rich.console import Console

    console = Console(file=stream, highlight=False, markup=False, emoji=False)
    for chart in charts:
        console.print(chart)
