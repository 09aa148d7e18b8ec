"""A single nested object (``oms order show``) laid out as tables for people.

Scalar fields become a two-column field/value table; a nested mapping's fields
join it under dotted names (``ship_to.country``); a list of objects becomes a table
of its own, titled with its field name; a list of plain values is one comma-joined
value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TypeGuard

from oms_cli.output.cells import cell_text
from oms_cli.output.table import Grid


def document_grids(document: Mapping[str, object]) -> list[Grid]:
    """The field/value grid first, then one grid per list of objects, in document order."""
    fields: list[tuple[str, object]] = []
    sections: list[Grid] = []
    for name, value in _flattened(document, prefix=""):
        if _is_records(value):
            sections.append(_records_grid(name, value))
        elif isinstance(value, list | tuple):
            fields.append((name, ", ".join(cell_text(item) for item in value)))
        else:
            fields.append((name, value))
    return [Grid(columns=("field", "value"), rows=fields, headers=False), *sections]


def _flattened(document: Mapping[str, object], prefix: str) -> Iterator[tuple[str, object]]:
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from _flattened(value, prefix=f"{name}.")
        else:
            yield name, value


def _is_records(value: object) -> TypeGuard[Sequence[Mapping[str, object]]]:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(item, Mapping) for item in value)
    )


def _records_grid(name: str, records: Sequence[Mapping[str, object]]) -> Grid:
    columns = list(dict.fromkeys(key for record in records for key in record))
    rows = [[record.get(column) for column in columns] for record in records]
    return Grid(columns=columns, rows=rows, title=name)
