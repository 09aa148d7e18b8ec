"""Reading a CSV or TSV export as records addressed by column name.

The reader finds the header (after any blank or comma-only rows), sniffs the
delimiter, and yields one :class:`Row` per record with its first physical line
number and its original text, so a rejected record can be shown exactly as the
file had it. Quoted cells may span lines. Rows are read one at a time.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO, Literal

from oms_cli.channels.cells import Cell
from oms_cli.channels.text import repair_mojibake, text_lines
from oms_cli.errors import NotAnExport

DELIMITERS = (",", "\t", ";")
_BLANK_CHARS = frozenset(',;\t" ')

FooterTest = Callable[[Sequence[str]], bool]


def normalise(name: str) -> str:
    """A column name as compared: no BOM or quotes, lower case, single spaces."""
    return " ".join(name.replace("\ufeff", "").strip().strip('"').lower().split())


class Columns:
    """A header's columns, found by any spelling of their name.

    Formats ask for the same few names on every row, so each spelling is
    normalised and looked up once per file.
    """

    __slots__ = ("_by_name", "_fields", "_found")

    def __init__(self, header: Sequence[str]) -> None:
        self._by_name: dict[str, tuple[int, str]] = {}
        for index, name in enumerate(header):
            key = normalise(name)
            if key and key not in self._by_name:
                self._by_name[key] = (index, name.replace("\ufeff", "").strip())
        self._found: dict[str, tuple[int, str] | None] = {}
        self._fields: dict[tuple[str, ...], Field] = {}

    def find(self, name: str) -> tuple[int, str] | None:
        """The column's index and its name as the file spells it, or None."""
        try:
            return self._found[name]
        except KeyError:
            found = self._found[name] = self._by_name.get(normalise(name))
            return found

    def field(self, *names: str) -> Field:
        """The field read from the first non-empty of ``names`` (aliases), found once."""
        try:
            return self._fields[names]
        except KeyError:
            found = self._fields[names] = Field(self, names)
            return found

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.find(name) is not None


class Field:
    """One field of every row of a file, under any of its names (aliases).

    The names are looked up in the header once; reading a row is then a list index.
    A value is stripped, and repaired when it is not ASCII (the check is cheaper than
    a call to repair it, and most values are plain ASCII).
    """

    __slots__ = ("_found", "_only", "name")

    def __init__(self, columns: Columns, names: Sequence[str]) -> None:
        self._found = tuple(found for found in map(columns.find, names) if found is not None)
        # As the file spells it; a field the file lacks keeps the first name asked for.
        self.name = self._found[0][1] if self._found else names[0]
        # Most fields have one column: it is read on every row without the loop over aliases.
        self._only = self._found[0][0] if len(self._found) == 1 else None

    def text(self, row: Row) -> str | None:
        """The first non-empty value of the field in ``row``, or None."""
        if self._only is not None:
            value = row.values[self._only].strip()
            if not value:
                return None
            return value if value.isascii() else repair_mojibake(value)
        for index, _ in self._found:
            value = row.values[index].strip()
            if value:
                return value if value.isascii() else repair_mojibake(value)
        return None

    def cell(self, row: Row) -> Cell:
        """The first non-empty cell, named as the file names it; else an empty cell."""
        if self._only is not None:
            return Cell(self.name, self.text(row), row.line)
        for index, spelled in self._found:
            value = row.values[index].strip()
            if value:
                text = value if value.isascii() else repair_mojibake(value)
                return Cell(spelled, text, row.line)
        return Cell(self.name, None, row.line)


class Row:
    """One record of a table; cells are looked up by (any spelling of) the column name.

    ``values`` has a cell for every column of the header (a short record is padded
    with empty ones).
    """

    __slots__ = ("_columns", "line", "problem", "raw", "values")

    def __init__(
        self,
        columns: Columns,
        values: Sequence[str],
        line: int,
        raw: str,
        problem: str | None = None,
    ) -> None:
        self._columns = columns
        self.values = values
        self.line = line
        self.raw = raw
        self.problem = problem  # set when the row itself is broken (cut short, misaligned)

    def cell(self, *names: str) -> Cell:
        """The first non-empty cell among ``names`` (aliases), else the first that exists."""
        return self._columns.field(*names).cell(self)

    def get(self, *names: str) -> str | None:
        """The first non-empty value among ``names``, or None."""
        return self._columns.field(*names).text(self)


class Table:
    """The header and the rows of one delimited export, read lazily from a binary stream."""

    def __init__(
        self,
        stream: BinaryIO,
        *,
        delimiter: str | None = None,
        quote_tabs: bool = True,
        is_footer: FooterTest | None = None,
    ) -> None:
        self._source = _LineSource(text_lines(stream))
        header_text = self._source.first_content_line()
        if header_text is None:
            raise NotAnExport("the file is empty")
        self.delimiter = delimiter or sniff_delimiter(header_text)
        quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL
        if self.delimiter == "\t" and not quote_tabs:
            quoting = csv.QUOTE_NONE
        try:
            self.header = next(csv.reader([header_text], delimiter=self.delimiter,
                                          quoting=quoting, strict=False))
        except csv.Error as exc:  # a header cell beyond csv's field size limit
            raise NotAnExport(f"line {self._source.line_number}: {exc}") from exc
        self.columns = Columns(self.header)
        self._source.take()
        self._reader = csv.reader(self._source, delimiter=self.delimiter, quoting=quoting,
                                  strict=False)
        self._is_footer = is_footer

    def has(self, *names: str) -> bool:
        """Whether the header has every one of ``names``."""
        return all(name in self.columns for name in names)

    def has_any(self, *names: str) -> bool:
        return any(name in self.columns for name in names)

    def field(self, *names: str) -> Field:
        """The field read from the first non-empty of ``names`` (aliases) in each row."""
        return self.columns.field(*names)

    def __iter__(self) -> Iterator[Row]:
        width = len(self.header)
        while True:
            try:
                values = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise NotAnExport(f"line {self._source.line_number}: {exc}") from exc
            line, raw = self._source.take()
            if not "".join(values).strip():  # blank cells only: one C call, not one per cell
                continue
            if self._is_footer is not None and self._is_footer(values):
                continue
            problem = None
            if len(values) != width:
                problem = self._problem(values)
                if len(values) < width:
                    values += [""] * (width - len(values))
            yield Row(self.columns, values, line, raw, problem)

    def _problem(self, values: Sequence[str]) -> str | None:
        width = len(self.header)
        if len(values) < width and not self._source.terminated:
            return f"the file ends in the middle of this record ({len(values)} of {width} columns)"
        if len(values) > width and any(value.strip() for value in values[width:]):
            return f"the record has {len(values)} cells but the header has {width}"
        return None


def sniff_delimiter(header: str) -> str:
    """The delimiter a header line uses: whichever of comma, TAB, semicolon is most frequent."""
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def header_of(head_lines: Sequence[str]) -> tuple[list[str], str | None]:
    """The column names in the first non-blank line of ``head_lines``, and their delimiter."""
    for line in head_lines:
        if not _is_blank(line):
            delimiter = sniff_delimiter(line)
            try:
                return next(csv.reader([line], delimiter=delimiter, strict=False), []), delimiter
            except csv.Error:  # a cell beyond csv's field size limit: no header oms knows
                return [], None
    return [], None


class _LineSource:
    """Feeds lines to the csv reader while remembering them, so each record knows its text."""

    def __init__(self, lines: Iterator[tuple[str, bool]]) -> None:
        self._lines = lines
        self._pending: list[str] = []
        self.line_number = 0
        self.terminated = True

    def __iter__(self) -> _LineSource:
        return self

    def __next__(self) -> str:
        text, self.terminated = next(self._lines)
        self.line_number += 1
        self._pending.append(text)
        return text + "\n"

    def first_content_line(self) -> str | None:
        for text in self:
            line = text.removesuffix("\n")
            if not _is_blank(line):
                return line
        return None

    def take(self) -> tuple[int, str]:
        """The first line number and the text of the lines read since the last call."""
        first = self.line_number - len(self._pending) + 1
        raw = "\n".join(self._pending)
        self._pending.clear()
        return first, raw


def _is_blank(line: str) -> bool:
    return all(char in _BLANK_CHARS for char in line)


