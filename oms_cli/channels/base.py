"""What every channel format shares: its description, its options, and the parse loop.

A :class:`ChannelFormat` knows how to recognise its files from their first bytes
and how to turn a binary stream into a stream of :class:`ParsedOrder` and
:class:`RejectedRecord` values. A record that cannot be read is rejected with its
line, its text and the reason; the rest of the file goes on.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import BinaryIO, TypeVar

from oms_cli.channels.cells import FieldError
from oms_cli.channels.grouping import Group, Record
from oms_cli.channels.table import Table, header_of, normalise
from oms_cli.channels.text import text_lines
from oms_cli.domain.dates import zone_named
from oms_cli.domain.orders import ParsedOrder, RejectedRecord
from oms_cli.errors import InvalidInput, NotAnExport

Parsed = ParsedOrder | RejectedRecord
R = TypeVar("R", bound=Record)


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """How to read a file beyond what the file itself says.

    ``default_currency`` is used when the file names none; ``timezone`` (IANA name) is
    the store's zone, for dates written without an offset; ``delimiter`` overrides
    sniffing in any table format. The rest serve the ``custom`` format: ``column_map``
    maps our field names to the file's columns (or JSON key paths), ``date_format`` is
    a strptime pattern, and ``json_records`` is the dotted path of the order list in a
    JSON file.
    """

    default_currency: str = "USD"
    timezone: str = "UTC"
    column_map: Mapping[str, str] = field(default_factory=dict)
    date_format: str | None = None
    delimiter: str | None = None
    json_records: str | None = None

    def zone(self) -> tzinfo:
        """The store's time zone; raises InvalidInput when the name is unknown."""
        try:
            return zone_named(self.timezone)
        except ValueError as exc:
            raise InvalidInput(f"timezone: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Head:
    """What detection sees of a file: its first text and, for a table, its column names."""

    text: str
    names: tuple[str, ...] = ()  # the header's column names as written
    filename: str | None = None

    @classmethod
    def of(cls, data: bytes, filename: str | None = None) -> Head:
        """Decode the first bytes of a file; raises NotAnExport when they are not text."""
        lines = [text for text, _ in text_lines(io.BytesIO(data))]
        text = "\n".join(lines)
        if text.lstrip().startswith(("{", "[")):
            return cls(text, filename=filename)
        names, _ = header_of(lines)
        return cls(text, tuple(names), filename)

    @property
    def is_json(self) -> bool:
        return self.text.lstrip().startswith(("{", "["))

    @property
    def columns(self) -> frozenset[str]:
        """The header's column names, normalised for comparison."""
        return frozenset(normalise(name) for name in self.names)

    def has(self, *names: str) -> bool:
        columns = self.columns
        return all(normalise(name) in columns for name in names)

    def has_any(self, *names: str) -> bool:
        columns = self.columns
        return any(normalise(name) in columns for name in names)


@dataclass(frozen=True, slots=True)
class ChannelFormat:
    """One export layout: its id, the channel it belongs to, how to spot and read it."""

    name: str
    platform: str
    title: str
    detects: Callable[[Head], bool]
    parse: Callable[[BinaryIO, ParseOptions], Iterator[Parsed]]


def build_each(
    groups: Iterable[Group[R] | RejectedRecord], build: Callable[[Group[R]], ParsedOrder]
) -> Iterator[Parsed]:
    """Turn each group of rows into an order, or into a rejection naming the bad field.

    A problem anywhere in an order's rows rejects the whole order, never half of it.
    """
    for group in groups:
        if isinstance(group, RejectedRecord):
            yield group
            continue
        broken = _first_broken(group.rows)
        if broken is not None:
            yield RejectedRecord(broken.line, str(broken.problem), group.raw, None, group.key)
            continue
        try:
            order = build(group)
        except FieldError as error:
            line = error.cell.line or group.line
            yield RejectedRecord(line, error.reason, group.raw, error.cell.field, group.key)
            continue
        order.source_line = group.line
        order.raw = group.raw
        yield order


def _first_broken(rows: Iterable[R]) -> R | None:
    """The first row that is broken itself (cut short, misaligned), if any."""
    for row in rows:
        if row.problem:
            return row
    return None


def require_columns(table: Table, title: str, *names: str | tuple[str, ...]) -> None:
    """Raise NotAnExport unless the header has each of ``names`` (a tuple: any one of them)."""
    missing = [
        " or ".join(name) if isinstance(name, tuple) else name
        for name in names
        if not (table.has_any(*name) if isinstance(name, tuple) else table.has(name))
    ]
    if missing:
        raise NotAnExport(f"not a {title}: no column {', '.join(missing)}")
