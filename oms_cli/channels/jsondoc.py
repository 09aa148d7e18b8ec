"""Reading JSON exports: the order objects in a document, each with its line and text.

A JSON export is loaded whole (API pages are small), then walked with
``raw_decode`` so that each order keeps the line it starts on and its original
text for rejects. Numbers are read as Decimal, never float; NaN and Infinity stay
text so that reading them as money fails loudly.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from oms_cli.channels.cells import Cell
from oms_cli.errors import NotAnExport

_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=str)
_WHITESPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class JsonRecord:
    """One object of a JSON export, with the line it starts on and its original text."""

    line: int
    raw: str
    value: object


class JsonFields:
    """An order object's values as :class:`Cell` s named by their key path (``billing.email``)."""

    __slots__ = ("_object", "_prefix", "line", "problem", "raw")

    def __init__(self, value: object, *, line: int, raw: str = "", prefix: str = "") -> None:
        self._object = value if isinstance(value, dict) else {}
        self._prefix = prefix
        self.line = line
        self.raw = raw
        self.problem: str | None = None

    def cell(self, *names: str) -> Cell:
        """The first non-empty value among the key paths ``names`` (``shipping.country``)."""
        for name in names:
            value = _scalar(self._lookup(name))
            if value is not None:
                return Cell(self._prefix + name, value, self.line)
        return Cell(self._prefix + names[0], None, self.line)

    def get(self, *names: str) -> str | None:
        return self.cell(*names).value

    def child(self, name: str) -> JsonFields:
        return JsonFields(self._lookup(name), line=self.line, prefix=f"{self._prefix}{name}.")

    def children(self, name: str) -> list[JsonFields]:
        """The objects of the list at ``name`` (``line_items``); missing or null gives none."""
        found = self._lookup(name)
        items = found if isinstance(found, list) else []
        return [
            JsonFields(item, line=self.line, prefix=f"{self._prefix}{name}[{index}].")
            for index, item in enumerate(items)
        ]

    def texts(self, name: str) -> list[str]:
        """The non-empty scalar values of the list at ``name``."""
        found = self._lookup(name)
        values = [_scalar(item) for item in found] if isinstance(found, list) else []
        return [value for value in values if value is not None]

    def is_object(self) -> bool:
        return bool(self._object)

    def _lookup(self, path: str) -> object:
        found: object = self._object
        for key in path.split("."):
            if not isinstance(found, dict):
                return None
            found = found.get(key)
        return found


def read_json(stream: BinaryIO) -> str:
    """The whole stream as JSON text (UTF-8, with or without BOM, or UTF-16 with BOM)."""
    data = stream.read()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise NotAnExport(f"not valid {encoding.upper()} JSON text ({exc.reason})") from exc


def json_records(text: str, *paths: Sequence[str]) -> Iterator[JsonRecord]:
    """The order objects of a JSON document.

    Each path is a list of keys tried in turn (``["orders"]``, then ``["order"]``); the
    value found is a list of orders or a single order. With no paths the document
    itself is the list or the order. Raises NotAnExport when the text is not JSON or
    no path leads anywhere.
    """
    try:
        start = _skip(text, 0)
        for path in paths or ((),):
            position = _locate(text, start, path)
            if position is not None:
                yield from _records_at(text, position)
                return
    except json.JSONDecodeError as exc:
        raise NotAnExport(f"line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise NotAnExport("the JSON is nested too deeply") from exc
    tried = " or ".join(".".join(path) for path in paths)
    raise NotAnExport(f"no orders found in the JSON (looked for {tried})")


def _locate(text: str, position: int, path: Sequence[str]) -> int | None:
    for key in path:
        found = _member(text, position, key)
        if found is None:
            return None
        position = found
    return position


def _member(text: str, position: int, wanted: str) -> int | None:
    """Where the value of ``wanted`` starts in the object at ``position``, or None."""
    if not text.startswith("{", position):
        return None
    position = _skip(text, position + 1)
    while not text.startswith("}", position):
        key, position = _DECODER.raw_decode(text, position)
        position = _skip(text, position)
        if not text.startswith(":", position):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, position)
        position = _skip(text, position + 1)
        if key == wanted:
            return position
        _, position = _DECODER.raw_decode(text, position)
        position = _after_separator(text, position, "}")
    return None


def _records_at(text: str, position: int) -> Iterator[JsonRecord]:
    lines = _LineCounter(text)
    if not text.startswith("[", position):
        value, end = _DECODER.raw_decode(text, position)
        yield JsonRecord(lines.at(position), text[position:end], value)
        return
    position = _skip(text, position + 1)
    while not text.startswith("]", position):
        value, end = _DECODER.raw_decode(text, position)
        yield JsonRecord(lines.at(position), text[position:end], value)
        position = _after_separator(text, end, "]")


def _after_separator(text: str, position: int, closing: str) -> int:
    position = _skip(text, position)
    if text.startswith(",", position):
        return _skip(text, position + 1)
    if text.startswith(closing, position):
        return position
    raise json.JSONDecodeError(f"Expecting ',' or '{closing}'", text, position)


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


class _LineCounter:
    """Line numbers of increasing positions, counted once over the text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._position = 0
        self._line = 1

    def at(self, position: int) -> int:
        self._line += self._text.count("\n", self._position, position)
        self._position = position
        return self._line


def _scalar(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    text = str(value).strip()
    return text or None
