"""One cell value as text, the way every text format (table, csv, tsv) writes it.

Numbers stay plain (``1299.00``: no thousands separators, no exponent), booleans are
``true``/``false``, None is empty, dates and times are ISO 8601 (``2026-01-31``,
``2025-12-06T15:37:33+00:00``; microseconds only when present), and a nested list
or mapping is written as compact JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum

from oms_cli.output.json_text import plain_number, to_json

# Characters a spreadsheet reads as the start of a formula (or strips before one).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0")

# Control characters would break a table's one-line rows or drive the terminal.
_CONTROLS_AS_SPACES = {code: " " for code in [*range(0x20), 0x7F]}


def cell_text(value: object) -> str:
    """``value`` as it appears in a text format; raises TypeError for a type oms never lists."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return cell_text(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, Decimal | float):
        return plain_number(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping | list | tuple):
        return to_json(value)
    raise TypeError(f"cannot write a {type(value).__name__} in a table cell")


def display_text(value: object) -> str:
    """``value`` as a table shows it: on one line, with control characters as spaces."""
    return cell_text(value).translate(_CONTROLS_AS_SPACES)


def is_number(value: object) -> bool:
    return isinstance(value, int | Decimal | float) and not isinstance(value, bool)


def guard_formula(text: str) -> str:
    """``text`` with a leading ``'`` if a spreadsheet would run it as a formula.

    Text starting with = + - @ tab, CR, LF or NUL is guarded; anything else, and the
    empty string, comes back unchanged. Apply it to text cells only: numbers are data.
    """
    if text and text[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text
